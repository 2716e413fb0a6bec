"""Sequential alert rule: re-testing cumulative participation every week without crying wolf.

Pure (numpy + scipy, nothing from the app). The weekly alert looks at the same growing data
again and again; testing each look at a fixed 2.5% one-sided level makes the chance that a
perfectly represented space is ever alerted over 21 weekly looks about 10%, against about 2%
for a single look. Here each look gets its own critical value from an alpha-spending function
so that the chance of *any* false alert over the whole consultation is at most alpha.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize as _opt
from scipy import stats as _sp

ALERT_ALPHA = 0.025  # one-sided; the dashboard's 95% interval spends 2.5% on each side
_GRID_POINTS_PER_SD = 10  # grid density for the numerical integration, per sd of an increment
_GRID_MAX_POINTS = 2000
_GRID_WIDTH_SD = 8.0  # the grid spans 8 sd below 0: beyond that the density is negligible


def obrien_fleming_spending(t: float, alpha: float = ALERT_ALPHA) -> float:
    """Lan-DeMets O'Brien-Fleming-type spending: the one-sided alpha used up by information
    fraction t, 2 - 2 Phi(z_{1 - alpha/2} / sqrt t) for 0 < t < 1, alpha from t = 1 on. It
    spends almost nothing early (when few have taken part and a gap is mostly noise) and
    keeps the last look close to a single test at alpha.
    Reference: Lan & DeMets (1983), Biometrika 70:659."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    if t <= 0:
        return 0.0
    if t >= 1:
        return alpha
    return float(2.0 * _sp.norm.sf(_sp.norm.isf(alpha / 2.0) / math.sqrt(t)))


@dataclass(frozen=True)
class Look:
    """One look: its information (participants counted), spending time, cumulative alpha
    spent by then, and the critical z (math.inf when nothing is left to spend) with the
    matching nominal one-sided level 1 - Phi(critical_z)."""
    information: float
    time: float
    alpha_spent: float
    critical_z: float
    nominal_alpha: float


def _grid(upper: float, sd_increment: float, sd_total: float) -> tuple[np.ndarray, np.ndarray]:
    """Points and Simpson weights on [-8 sd_total, upper] for the score-scale density."""
    low = -_GRID_WIDTH_SD * sd_total
    count = int(min(_GRID_MAX_POINTS, max(50, (upper - low) / sd_increment * _GRID_POINTS_PER_SD)))
    count += count % 2 == 0  # Simpson needs an odd number of points
    points = np.linspace(low, upper, count)
    weights = np.full(count, 2.0)
    weights[1::2] = 4.0
    weights[0] = weights[-1] = 1.0
    return points, weights * (points[1] - points[0]) / 3.0


def _crossing(bound: float, mass: np.ndarray, points: np.ndarray, sd: float) -> float:
    """The probability mass (of the paths that have not alerted yet) that crosses `bound` at
    the next look, whose increment has standard deviation `sd`."""
    return float(np.dot(mass, _sp.norm.sf((bound - points) / sd)))


def _log_crossing_excess(bound: float, mass, points, sd: float, log_step: float) -> float:
    return math.log(max(_crossing(bound, mass, points, sd), 1e-300)) - log_step


def spending_boundaries(information: Sequence[float], *, maximum_information: float | None = None,
                        times: Sequence[float] | None = None, alpha: float = ALERT_ALPHA,
                        spending: Callable[[float, float], float] = obrien_fleming_spending
                        ) -> list[Look]:
    """Critical z-values, one per look, for a one-sided test of cumulative data (alert when
    z >= critical_z) such that, with no real gap, the chance of any alert over all the looks
    is the alpha spent by the last one (at most `alpha`).

    `information` is the cumulative amount of data at each look (e.g. participants of known
    age), strictly increasing; it fixes the correlation of the looks' statistics, sqrt(I_j/I_k).
    The spending time of each look is `times` when given (e.g. week / planned weeks) or
    information / maximum_information (the planned number of participants), capped at 1:
    looks after the plan is reached get critical_z = inf, so plan generously. Boundaries depend
    only on earlier looks, so recomputing them every week from the history gives the same
    values. The joint distribution is integrated numerically on a grid, following
    Armitage, McPherson & Rowe (1969), J. R. Statist. Soc. A 132:235, and Jennison & Turnbull
    (2000), Group Sequential Methods, ch. 19; assumes the statistics are approximately normal
    with independent increments (Brownian motion), which holds for cumulative counts."""
    info = np.asarray(information, dtype=float)
    if len(info) == 0:
        return []
    if (info <= 0).any() or (np.diff(info) <= 0).any():
        raise ValueError("information must be positive and strictly increasing")
    if times is None:
        if maximum_information is None or not maximum_information > 0:
            raise ValueError("give times or a positive maximum_information")
        times = info / maximum_information
    spend_times = np.minimum(1.0, np.asarray(times, dtype=float))
    if spend_times.shape != info.shape or (spend_times <= 0).any() or (np.diff(spend_times) < 0).any():
        raise ValueError("times must be positive, non-decreasing and one per look")
    scale = info[-1]
    looks: list[Look] = []
    spent = 0.0
    points = weights = density = None  # score-scale density of the looks that did not alert
    previous = 0.0
    for level, t in zip(info / scale, spend_times, strict=False):
        if spent >= alpha:  # nothing left to spend: no later look can alert
            looks.append(Look(float(level * scale), float(t), spent, math.inf, 0.0))
            continue
        target = max(spent, min(alpha, spending(float(t), alpha)))
        step = target - spent
        sd = math.sqrt(level - previous)
        if density is None:
            crit = math.inf if step <= 0 else float(_sp.norm.isf(step))
            upper = crit * math.sqrt(level) if math.isfinite(crit) else _GRID_WIDTH_SD * math.sqrt(level)
            points, weights = _grid(upper, sd, math.sqrt(level))
            density = _sp.norm.pdf(points, scale=sd)
        else:
            mass = weights * density
            if step <= 0:
                bound = math.inf
            else:
                low_end = points[-1] - 12 * sd  # crossing(low_end) is practically the whole mass
                high_end = points[-1] + 30 * sd
                if _crossing(low_end, mass, points, sd) <= step:
                    bound = low_end
                else:  # on the log scale: early steps are as small as 1e-19
                    bound = _opt.brentq(_log_crossing_excess, low_end, high_end,
                                        args=(mass, points, sd, math.log(step)),
                                        xtol=1e-10, rtol=1e-12)
            crit = bound / math.sqrt(level)
            upper = bound if math.isfinite(bound) else points[-1] + _GRID_WIDTH_SD * sd
            new_points, new_weights = _grid(upper, sd, math.sqrt(level))
            kernel = _sp.norm.pdf((new_points[:, None] - points[None, :]) / sd) / sd
            points, weights, density = new_points, new_weights, kernel @ mass
        spent = target
        previous = level
        nominal = 0.0 if not math.isfinite(crit) else float(_sp.norm.sf(crit))
        looks.append(Look(float(level * scale), float(t), spent, crit, nominal))
    return looks


def under_representation_z(count: int, n: int, population_share: float) -> float:
    """Score statistic for 'the group is under-represented': (n p - count) / sqrt(n p (1 - p)),
    positive when the group has fewer participants than its population share predicts."""
    if n <= 0 or count < 0 or count > n or not 0 < population_share < 1:
        raise ValueError("need n > 0, 0 <= count <= n and 0 < population_share < 1")
    return (n * population_share - count) / math.sqrt(n * population_share * (1 - population_share))


@dataclass(frozen=True)
class SequentialAlert:
    """The rule's reading of a consultation so far: fired_at is the index of the first look
    whose z reached its critical value (None if none did); looks and z_values are per look."""
    fired_at: int | None
    looks: list[Look]
    z_values: list[float]

    @property
    def fired(self) -> bool:
        return self.fired_at is not None


def sequential_under_alert(history: Sequence[tuple[int, int]], population_share: float, *,
                           planned_n: int, alpha: float = ALERT_ALPHA) -> SequentialAlert:
    """Apply the alpha-spending rule to weekly cumulative (count, n) pairs of one group (e.g.
    young participants among those of known age), oldest first. Weeks without newcomers are no
    new look and are skipped. With no real gap the chance that the alert ever fires during the
    consultation is at most alpha (one-sided), however many weeks it runs; the price is that
    early weeks need a large gap. `planned_n` is the number of participants the consultation
    plans for; looks beyond it test nothing (see spending_boundaries). The looks must be
    taken on a fixed calendar (e.g. every week), never because the figures looked interesting."""
    if planned_n <= 0:
        raise ValueError("planned_n must be positive")
    kept: list[tuple[int, int]] = []
    for count, n in history:
        if n <= 0 or (kept and n == kept[-1][1]):
            continue
        if kept and n < kept[-1][1]:
            raise ValueError("history must be cumulative (n never decreases)")
        kept.append((count, n))
    if not kept:
        return SequentialAlert(None, [], [])
    looks = spending_boundaries([n for _, n in kept], maximum_information=planned_n, alpha=alpha)
    z_values = [under_representation_z(c, n, population_share) for c, n in kept]
    fired = next((i for i, (z, look) in enumerate(zip(z_values, looks, strict=False))
                  if z >= look.critical_z), None)
    return SequentialAlert(fired, looks, z_values)
