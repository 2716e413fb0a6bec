"""Representation statistics: who took part, compared with who lives there.

Pure functions (stdlib + scipy only) so they can be tested without the app.
Small deliberations (n around 30) are the normal case, so every share comes
with a Wilson interval and flags are raised only when the interval excludes
the population share; a point estimate alone would flag noise.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from scipy import stats as _sp

Z95 = 1.959963984540054
PARITY_UNREACHABLE = -1  # parity_gap in compare() when no finite number suffices

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for count/n; unlike the Wald interval it stays
    inside [0, 1] and keeps near-nominal coverage for small n and 0 counts."""
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = count / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return (low, high)


def parity_gap(count: int, n: int, population_share: float) -> int:
    """Fewest extra participants from the group that would lift its share to
    population_share: smallest x with (count+x)/(n+x) >= share. Gives a
    concrete recruitment target instead of an abstract percentage."""
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")
    if population_share < 0:
        raise ValueError("population_share must be >= 0")
    if population_share >= 1:
        if count == n:
            return 0
        raise ValueError("share 1 is unreachable while others take part")
    # round first: e.g. 0.28 * 25 == 7.000000000000001 would otherwise give 1
    need = round((population_share * n - count) / (1 - population_share), 9)
    return max(0, math.ceil(need))


@dataclass(frozen=True)
class CategoryStat:
    """One category (e.g. an age band): participants vs reference population."""
    key: str
    count: int
    share: float | None
    population: float
    population_share: float
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    flag: str  # 'under' | 'over' | 'ok'
    parity_gap: int  # PARITY_UNREACHABLE if population_share == 1 and count < n


@dataclass(frozen=True)
class ChiSquare:
    """Goodness of fit; valid=False tells the UI not to present the p-value
    as trustworthy (reason is a machine key for a translated message)."""
    statistic: float | None
    df: int
    p_value: float | None
    valid: bool
    reason: str | None  # 'no_participants' | 'too_few_categories' | 'small_expected'


@dataclass(frozen=True)
class Comparison:
    """Full comparison; unknown/unreferenced are reported, never dropped silently."""
    categories: list[CategoryStat]
    participants: int
    answered: int
    unknown: int
    unreferenced: int
    chi_square: ChiSquare
    dissimilarity: float | None
    rate_ratio_min_max: float | None


def _chi_square(counts: list[int], shares: list[float]) -> ChiSquare:
    """Pearson test over categories with population share > 0. Expected
    counts use the participants in those categories (conditional fit), since
    scipy requires observed and expected totals to agree."""
    pairs = [(c, s) for c, s in zip(counts, shares, strict=False) if s > 0]
    df = max(0, len(pairs) - 1)
    n = sum(c for c, _ in pairs)
    if n == 0:
        return ChiSquare(None, df, None, False, "no_participants")
    if len(pairs) < 2:
        return ChiSquare(None, df, None, False, "too_few_categories")
    total_share = sum(s for _, s in pairs)
    observed = [c for c, _ in pairs]
    expected = [n * s / total_share for _, s in pairs]
    res = _sp.chisquare(observed, expected)
    small = any(e < 5 for e in expected)  # Cochran: all expected >= 5
    return ChiSquare(float(res.statistic), df, float(res.pvalue), not small,
                     "small_expected" if small else None)


def compare(counts: Mapping[str, int], population: Mapping[str, float], *,
            unknown: int = 0, unreferenced: int = 0, tolerance: float = 0.0,
            z: float = Z95) -> Comparison:
    """Compare participant counts with the reference population (which may be
    fractional estimates). Output follows the population's key order; count
    keys missing from the population are added to `unreferenced`."""
    if unknown < 0 or unreferenced < 0 or tolerance < 0:
        raise ValueError("unknown, unreferenced and tolerance must be >= 0")
    if any(v < 0 for v in counts.values()):
        raise ValueError("counts must be >= 0")
    if any(p < 0 for p in population.values()):
        raise ValueError("population figures must be >= 0")
    pop_total = float(sum(population.values()))
    if pop_total <= 0:
        raise ValueError("population total must be positive")
    unreferenced += sum(v for key, v in counts.items() if key not in population)
    keys = list(population)
    obs = [int(counts.get(key, 0)) for key in keys]
    n = sum(obs)
    cats: list[CategoryStat] = []
    for key, c in zip(keys, obs, strict=False):
        pop = float(population[key])
        pi = pop / pop_total
        share = c / n if n else None
        ratio = share / pi if share is not None and pi > 0 else None
        lo, hi = wilson_interval(c, n, z) if n else (None, None)
        flag = "ok"
        if n and hi < pi * (1 - tolerance):
            flag = "under"
        elif n and lo > pi * (1 + tolerance):
            flag = "over"
        if pi == 0:
            gap = 0
        elif pi >= 1 and c < n:
            gap = PARITY_UNREACHABLE
        else:
            gap = parity_gap(c, n, pi)
        cats.append(CategoryStat(key, c, share, pop, pi, ratio, lo, hi, flag, gap))
    shares = [cat.population_share for cat in cats]
    dissimilarity = None
    rate_ratio = None
    if n:
        dissimilarity = 0.5 * sum(abs(c / n - s) for c, s in zip(obs, shares, strict=False))
        rates = [c / float(population[k]) for k, c in zip(keys, obs, strict=False)
                 if population[k] > 0]
        if rates and max(rates) > 0:
            rate_ratio = min(rates) / max(rates)
    return Comparison(cats, n + unknown + unreferenced, n, unknown, unreferenced,
                      _chi_square(obs, shares), dissimilarity, rate_ratio)


def _pick_smallest(candidates: list, values: Mapping, order: Mapping) -> object | None:
    """Smallest value, ties broken by the mapping's key order."""
    if not candidates:
        return None
    return min(candidates, key=lambda key: (values[key], order[key]))


def suppressed_cells(counts: Mapping[K, int], k: int) -> set[K]:
    """Cells to hide for k-anonymity-style disclosure control.

    Primary: 0 < count < k. Secondary: a lone suppressed cell could be
    recovered as total minus the rest, so the smallest other non-zero cell is
    hidden too. Zeros are shown. If the lone cell is the only non-zero one,
    nothing can protect it except also hiding the total (caller's job).
    """
    if k <= 1:
        return set()
    hidden = {key for key, v in counts.items() if 0 < v < k}
    if len(hidden) == 1:
        order = {key: i for i, key in enumerate(counts)}
        rest = [key for key, v in counts.items() if v > 0 and key not in hidden]
        extra = _pick_smallest(rest, counts, order)
        if extra is not None:
            hidden.add(extra)
    return hidden


def suppressed_table(cells: Mapping[tuple[R, C], int], k: int) -> set[tuple[R, C]]:
    """2-D disclosure control for an intersection table (e.g. age x gender).

    Assumes the row and column marginal totals are published, so every row
    and column with exactly one hidden cell gets a secondary suppression
    (smallest other non-zero visible cell, ties by mapping order); repeated
    until stable because a secondary in a row can leave a lone hidden cell in
    its column. Greedy heuristic, not an information-loss optimum. A line
    whose lone hidden cell has no non-zero partner stays recoverable unless
    that marginal is hidden by the caller.
    """
    if k <= 1:
        return set()
    hidden = {key for key, v in cells.items() if 0 < v < k}
    order = {key: i for i, key in enumerate(cells)}
    lines: dict[tuple[int, object], list[tuple[R, C]]] = {}
    for key in cells:
        lines.setdefault((0, key[0]), []).append(key)  # row
        lines.setdefault((1, key[1]), []).append(key)  # column
    changed = True
    while changed:
        changed = False
        for members in lines.values():
            if sum(1 for key in members if key in hidden) != 1:
                continue
            rest = [key for key in members if key not in hidden and cells[key] > 0]
            extra = _pick_smallest(rest, cells, order)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden
