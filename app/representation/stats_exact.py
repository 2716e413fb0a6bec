"""Exact small-sample statistics for the representation tracker.

Pure functions (numpy + scipy, nothing from the app) beside `stats.py`: exact binomial
intervals and p-values, an exact or Monte-Carlo goodness-of-fit test for tables where
chi-square is invalid, the dissimilarity index expected by chance alone, and bounds for
participants who did not answer. Every probability here is computed under the same model as
the rest of the tracker: participants are treated as independent draws from the reference
population (a model of who turns up, not a random sample of residents).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special as _special
from scipy import stats as _sp

from app.representation.stats import Z95, wilson_interval

EXACT_BELOW = 10  # cells (or their complements) under this get Clopper-Pearson
MAX_EXACT_OUTCOMES = 2_000_000  # half-tables enumerated by multinomial_test before Monte Carlo
MONTE_CARLO_DRAWS = 20_000
MONTE_CARLO_SEED = 20260  # fixed: the same table always gets the same p-value


def _check(count: int, n: int) -> None:
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")


def clopper_pearson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for count/n at the confidence level of `z`
    (two-sided, 1.96 -> 95%): the beta quantiles B(a/2; x, n-x+1) and B(1-a/2; x+1, n-x).
    Coverage is at least nominal for every true share, at the price of being wider than
    Wilson. Reference: Clopper & Pearson (1934), Biometrika 26:404."""
    _check(count, n)
    if n == 0:
        return (0.0, 1.0)
    tail = float(_sp.norm.sf(z))  # a/2
    low = 0.0 if count == 0 else float(_sp.beta.ppf(tail, count, n - count + 1))
    high = 1.0 if count == n else float(_sp.beta.isf(tail, count + 1, n - count))
    return (low, high)


def share_interval(count: int, n: int, z: float = Z95) -> tuple[float, float, str]:
    """(low, high, method) for count/n: 'clopper_pearson' when the cell or its complement
    holds fewer than EXACT_BELOW participants, 'wilson' otherwise. Wilson's coverage dips
    below nominal near 0 and 1 (where small cells live), the exact interval never does; in
    larger cells Wilson is close to nominal and narrower. Both ends are checked because a
    share near 1 (n - count small) has the same problem as one near 0.
    Reference: Brown, Cai & DasGupta (2001), Statist. Sci. 16:101."""
    _check(count, n)
    if min(count, n - count) < EXACT_BELOW:
        return (*clopper_pearson_interval(count, n, z), "clopper_pearson")
    return (*wilson_interval(count, n, z), "wilson")


def binomial_p_value(count: int, n: int, share: float) -> float:
    """Exact two-sided p-value for count out of n against a population share: twice the
    smaller binomial tail, capped at 1 (the 'central' method). It is the test that the
    Clopper-Pearson interval inverts, so p < alpha exactly when the (1-alpha) exact interval
    excludes `share`; a share of 0 or 1 gives 1 when the count agrees and 0 when it cannot.
    Reference: e.g. Agresti (2013), Categorical Data Analysis, 3rd ed., 1.4."""
    _check(count, n)
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must lie in [0, 1], got {share}")
    if n == 0:
        return 1.0
    # scipy.special's binomial tails: the same values as scipy.stats.binom, far less overhead
    lower = float(_special.bdtr(count, n, share))
    upper = 1.0 if count == 0 else float(_special.bdtrc(count - 1, n, share))
    return min(1.0, 2.0 * min(lower, upper))


@dataclass(frozen=True)
class GoodnessOfFit:
    """An overall test that participants' categories follow the population shares.
    method: 'chi_square' | 'exact' | 'monte_carlo' | 'none' (no participants or fewer than
    two categories). draws is the number of Monte-Carlo tables (0 otherwise)."""
    statistic: float | None
    df: int
    p_value: float | None
    method: str
    draws: int = 0


def _chi_statistic(x: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return (((x - expected) ** 2) / expected).sum(axis=-1)


def _bounded_tables(limit: int, parts: int) -> tuple[np.ndarray, np.ndarray]:
    """(tables, totals): every row of `parts` non-negative integers summing to at most `limit`,
    sorted by their sum. Built one column at a time: a row with sum s is repeated
    limit - s + 1 times and extended by 0 .. limit - s."""
    rows = np.arange(limit + 1, dtype=np.int64)[:, None]
    totals = rows[:, 0].copy()
    for _ in range(parts - 1):
        repeats = limit - totals + 1
        starts = np.repeat(np.cumsum(repeats) - repeats, repeats)
        extra = np.arange(int(repeats.sum()), dtype=np.int64) - starts
        rows = np.column_stack((np.repeat(rows, repeats, axis=0), extra))
        totals = np.repeat(totals, repeats) + extra
    order = np.argsort(totals, kind="stable")
    return rows[order], totals[order]


def _exact_outcomes(n: int, k: int) -> int:
    """How many half-table rows the exact test enumerates (both halves, every total)."""
    a, b = (k + 1) // 2, k // 2
    return math.comb(n + a, a) + math.comb(n + b, b)


class _Half:
    """The tables of one half of the cells, grouped by their total, with each table's part of
    the chi-square statistic and its multinomial log-probability given that total."""

    def __init__(self, n: int, probs: np.ndarray, expected: np.ndarray):
        tables, totals = _bounded_tables(n, len(probs))
        self.bounds = np.searchsorted(totals, np.arange(n + 2))
        self.share = float(probs.sum())
        log_factorial = _special.gammaln(np.arange(n + 1) + 1.0)
        self.log_prob = (tables @ np.log(probs / self.share) - log_factorial[tables].sum(axis=1)
                         + log_factorial[totals])
        # sum (x - e)^2 / e expanded, so the big table is only multiplied, never broadcast
        self.statistic = (tables ** 2) @ (1.0 / expected) - 2.0 * totals + expected.sum()

    def of_total(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.bounds[m], self.bounds[m + 1]
        return self.statistic[lo:hi], np.exp(self.log_prob[lo:hi])


def _exact_chi_p(observed: np.ndarray, probs: np.ndarray, statistic: float) -> float:
    """P(chi-square >= observed) summed over every table with n participants, by meeting in
    the middle: split the cells into halves A and B; given m participants in A the halves are
    independent multinomials, so for each m the B-tables are sorted by their part of the
    statistic and each A-table adds the probability of the B-tables that push it past the
    observed value. Work grows with the half-tables, not with their product."""
    n = int(observed.sum())
    expected = n * probs
    cut = (len(observed) + 1) // 2
    half_a = _Half(n, probs[:cut], expected[:cut])
    half_b = _Half(n, probs[cut:], expected[cut:])
    slack = 1e-9 * max(1.0, statistic)  # equal statistics computed in another order still count
    total = 0.0
    for m in range(n + 1):
        weight = float(_sp.binom.pmf(m, n, half_a.share))
        if weight == 0.0:
            continue
        sa, pa = half_a.of_total(m)
        sb, pb = half_b.of_total(n - m)
        order = np.argsort(sb)
        # tail[i]: probability of the B-tables from sorted position i upwards
        tail = np.concatenate((np.cumsum(pb[order][::-1])[::-1], [0.0]))
        first = np.searchsorted(sb[order], statistic - slack - sa, side="left")
        total += weight * float(np.dot(pa, tail[first]))
    return min(1.0, total)


def multinomial_test(counts: Sequence[int], shares: Sequence[float], *, method: str = "auto",
                     draws: int = MONTE_CARLO_DRAWS, seed: int = MONTE_CARLO_SEED,
                     max_outcomes: int = MAX_EXACT_OUTCOMES) -> GoodnessOfFit:
    """Goodness of fit of `counts` to `shares` (renormalised over categories with a share above
    0), ordered by Pearson's chi-square statistic.

    method 'auto': the chi-square approximation when every expected count is at least 5
    (Cochran), else the exact p-value when the enumeration is small enough (`max_outcomes`
    half-tables; covers e.g. n <= 60 with 8 categories), else Monte Carlo. 'exact' sums the
    multinomial probability of every table at least as extreme as the observed one.
    'monte_carlo' draws `draws` tables from the population shares with a fixed `seed` and
    returns (1 + tables at least as extreme) / (draws + 1), a valid p-value for any number of
    draws. A participant in a category whose share is 0 is impossible under the population
    model, so such a table gets p = 0. Assumption: participants are independent draws from the
    population. References: Cochran (1954), Biometrics 10:417; Davison & Hinkley (1997),
    Bootstrap Methods, 4.2 (Monte-Carlo p-values)."""
    if method not in ("auto", "chi_square", "exact", "monte_carlo"):
        raise ValueError(f"unknown method {method!r}")
    obs = np.asarray(counts, dtype=np.int64)
    sh = np.asarray(shares, dtype=float)
    if obs.shape != sh.shape or (obs < 0).any() or (sh < 0).any():
        raise ValueError("counts and shares must be non-negative and of the same length")
    positive = sh > 0
    n = int(obs[positive].sum())
    df = max(0, int(positive.sum()) - 1)
    if n == 0 or df == 0:
        return GoodnessOfFit(None, df, None, "none")
    probs = sh[positive] / sh[positive].sum()
    x = obs[positive]
    expected = n * probs
    statistic = float(_chi_statistic(x, expected))
    if obs[~positive].sum() > 0:
        return GoodnessOfFit(statistic, df, 0.0, "exact")
    if method == "auto":
        if (expected >= 5).all():
            method = "chi_square"
        elif _exact_outcomes(n, len(x)) <= max_outcomes:
            method = "exact"
        else:
            method = "monte_carlo"
    if method == "chi_square":
        return GoodnessOfFit(statistic, df, float(_sp.chi2.sf(statistic, df)), "chi_square")
    if method == "exact":
        if _exact_outcomes(n, len(x)) > max_outcomes:
            raise ValueError(f"exact test of n={n} over {len(x)} categories is too large")
        return GoodnessOfFit(statistic, df, _exact_chi_p(x, probs, statistic), "exact")
    if draws < 1:
        raise ValueError("draws must be >= 1")
    tables = np.random.default_rng(seed).multinomial(n, probs, size=draws)
    extreme = int((_chi_statistic(tables, expected) >= statistic - 1e-9 * max(1.0, statistic)).sum())
    return GoodnessOfFit(statistic, df, (1 + extreme) / (draws + 1), "monte_carlo", draws)


def binomial_mean_absolute_deviation(n: int, share: float) -> float:
    """E|X - n p| for X ~ Binomial(n, p), by de Moivre's closed form
    2 m C(n, m) p^m (1-p)^(n-m+1) with m = floor(n p) + 1.
    Reference: Berend & Kontorovich (2013), Statist. Probab. Lett. 83:1254."""
    if n < 0 or not 0.0 <= share <= 1.0:
        raise ValueError("need n >= 0 and 0 <= share <= 1")
    if n == 0 or share in (0.0, 1.0):
        return 0.0
    m = math.floor(n * share) + 1
    if m > n:  # n p rounds to n only when p is 1 up to float noise
        return 0.0
    log_term = (math.log(2 * m) + _special.gammaln(n + 1) - _special.gammaln(m + 1)
                - _special.gammaln(n - m + 1) + m * math.log(share)
                + (n - m + 1) * math.log1p(-share))
    return float(math.exp(log_term))


def expected_dissimilarity(n: int, shares: Sequence[float]) -> float | None:
    """Dissimilarity index expected by chance alone when n participants are drawn from a
    perfectly represented population with these shares: 1/2 sum_i E|X_i/n - p_i|, each X_i
    binomial (linearity of expectation makes this exact without enumerating tables). Report
    it beside the observed index: with few participants a large index is what chance gives
    (about 0.53 for 4 people over Sapporo's seven adult age bands). None when n is 0."""
    if n < 0:
        raise ValueError("n must be >= 0")
    sh = np.asarray(shares, dtype=float)
    if (sh < 0).any() or not sh.sum() > 0:
        raise ValueError("shares must be non-negative with a positive total")
    if n == 0:
        return None
    sh = sh / sh.sum()
    return 0.5 * sum(binomial_mean_absolute_deviation(n, float(p)) for p in sh) / n


@dataclass(frozen=True)
class UnknownBounds:
    """The share of a group among *all* participants, when some did not answer: from
    `share_if_none` (no unknown belongs to the group) to `share_if_all` (every unknown does);
    ci_low/ci_high widen them by the sampling interval of each extreme."""
    share_if_none: float
    share_if_all: float
    ci_low: float
    ci_high: float


def unknown_bounds(count: int, answered: int, unknown: int, z: float = Z95) -> UnknownBounds | None:
    """Worst-case bounds for a group's share when `unknown` participants did not say whether
    they belong to it. The headline share count/answered assumes that those who did not
    answer resemble those who did; these bounds assume nothing about them. The interval runs
    from the lower end of share_interval(count, N) to the upper end of
    share_interval(count + unknown, N), N = answered + unknown, so it covers the true share at
    the stated level whatever the unknowns are. None when nobody took part.
    Reference: Manski (2003), Partial Identification of Probability Distributions, ch. 1."""
    _check(count, answered)
    if unknown < 0:
        raise ValueError("unknown must be >= 0")
    total = answered + unknown
    if total == 0:
        return None
    low = share_interval(count, total, z)[0]
    high = share_interval(count + unknown, total, z)[1]
    return UnknownBounds(count / total, (count + unknown) / total, low, high)
