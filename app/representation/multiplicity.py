"""Cell flags that keep their stated error rate when many cells are shown together, and the
'in line with the population' rule.

Pure (numpy + scipy through stats/stats_exact, nothing from the app). A dashboard shows about
30 cells; testing each at 5% flags at least one of seven age bands in 28% of perfectly
representative spaces of 261 people. Here a dimension's cells are flagged only after its
overall test rejects, with Holm's adjustment inside the dimension (family-wise error at most
alpha), or across a whole page with Benjamini-Hochberg (false discovery rate at most alpha).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.representation.stats import Z95
from app.representation.stats_exact import (MAX_EXACT_OUTCOMES, GoodnessOfFit, binomial_p_value,
                                            multinomial_test, share_interval)

ALPHA = 0.05
RELATIVE_TOLERANCE = 0.2  # 'in line' = within +-20% of the population share, see in_line_verdict
VERDICTS = ("under", "over", "in_line", "not_significant_wide", "no_data")


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order: the i-th smallest p is
    multiplied by (m - i + 1), then made non-decreasing and capped at 1. Rejecting where the
    adjusted p < alpha keeps the chance of any false flag at most alpha under any dependence.
    Reference: Holm (1979), Scand. J. Statist. 6:65."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted.tolist()


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order: the i-th smallest
    p times m / i, made non-decreasing from the top and capped at 1. Rejecting where q < alpha
    keeps the expected share of false flags among all flags at most alpha for independent or
    positively dependent tests; with no real gap anywhere that is the chance of any flag.
    Reference: Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57:289."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return adjusted.tolist()


def tolerance_band(population_share: float, *, relative: float = RELATIVE_TOLERANCE,
                   absolute: float | None = None) -> tuple[float, float]:
    """The shares that count as 'in line': population_share * (1 -+ relative), or, when
    `absolute` is given, population_share -+ absolute (in share units, 0.05 = 5 points);
    clipped to [0, 1]."""
    if relative < 0 or (absolute is not None and absolute < 0):
        raise ValueError("tolerances must be >= 0")
    if absolute is not None:
        low, high = population_share - absolute, population_share + absolute
    else:
        low, high = population_share * (1 - relative), population_share * (1 + relative)
    return (max(0.0, low), min(1.0, high))


def in_line_verdict(count: int, n: int, population_share: float, *,
                    significant: bool | None = None, relative: float = RELATIVE_TOLERANCE,
                    absolute: float | None = None, z: float = Z95) -> str:
    """One of VERDICTS for count out of n against a population (or target) share.

    'under'/'over': significantly different, by `significant` when the caller decided it
    (e.g. a Holm-adjusted flag) or else by share_interval excluding the share. Otherwise
    'in_line' only when the whole interval lies inside tolerance_band, i.e. the data rule out
    any gap larger than the tolerance; 'not_significant_wide' when the interval reaches past
    the band (too few participants to tell); 'no_data' when n is 0.

    The default band is relative, +-20% of the population share, because a fixed number of
    points means very different things for small and large groups: +-5 points around a group
    of 3% would call 0 of 44 participants 'in line'. 20% matches the four-fifths rule used for
    adverse impact (a participation ratio below 0.8 is a real gap). Assumes participants are
    independent draws from the population."""
    if n == 0:
        return "no_data"
    low, high, _method = share_interval(count, n, z)
    if significant is None:
        significant = high < population_share or low > population_share
    if significant:
        return "under" if count / n < population_share else "over"
    band_low, band_high = tolerance_band(population_share, relative=relative, absolute=absolute)
    return "in_line" if band_low <= low and high <= band_high else "not_significant_wide"


@dataclass(frozen=True)
class CellTest:
    """One cell of a dimension: its share, interval (interval_method 'clopper_pearson' or
    'wilson'), the exact binomial p-value against the population share, the adjusted p-value
    (Holm within the dimension or Benjamini-Hochberg across the page) and the verdict."""
    key: str
    count: int
    n: int
    share: float | None
    population_share: float
    ci_low: float | None
    ci_high: float | None
    interval_method: str | None
    p_value: float | None
    p_adjusted: float | None
    verdict: str


@dataclass(frozen=True)
class DimensionTest:
    """A dimension's overall test and its cells; overall_significant gates every flag."""
    cells: list[CellTest]
    overall: GoodnessOfFit
    overall_significant: bool
    alpha: float
    adjustment: str  # 'holm' | 'benjamini_hochberg'


def _shares(population: Mapping[str, float]) -> list[float]:
    if any(v < 0 for v in population.values()):
        raise ValueError("population figures must be >= 0")
    total = float(sum(population.values()))
    if not total > 0:
        raise ValueError("population total must be positive")
    return [float(v) / total for v in population.values()]


def _cells(keys, counts, shares, p_values, adjusted, flagged, relative, absolute, z):
    n = sum(counts)
    cells = []
    for key, c, pi, p, q, flag in zip(keys, counts, shares, p_values, adjusted, flagged,
                                      strict=False):
        if n == 0:
            cells.append(CellTest(key, c, 0, None, pi, None, None, None, None, None, "no_data"))
            continue
        low, high, method = share_interval(c, n, z)
        verdict = in_line_verdict(c, n, pi, significant=flag, relative=relative,
                                  absolute=absolute, z=z)
        cells.append(CellTest(key, c, n, c / n, pi, low, high, method, p, q, verdict))
    return cells


def flag_dimension(counts: Mapping[str, int], population: Mapping[str, float], *,
                   alpha: float = ALPHA, relative: float = RELATIVE_TOLERANCE,
                   absolute: float | None = None, z: float = Z95,
                   seed: int | None = None,
                   max_outcomes: int = MAX_EXACT_OUTCOMES) -> DimensionTest:
    """Flag a dimension's cells (e.g. seven age bands) with a family-wise error of at most
    alpha: first the overall goodness-of-fit test (multinomial_test 'auto': chi-square where
    valid, else exact or seeded Monte Carlo); only if it rejects are cells flagged, each where
    its Holm-adjusted exact binomial p-value is below alpha. Holm alone controls the
    family-wise error; the gate removes the flags a non-significant table would otherwise
    show. Unadjusted and adjusted p-values are always returned so the table can show both;
    cells that are not flagged get 'in_line' or 'not_significant_wide' by in_line_verdict.
    Keys follow the population's order; counts for keys it lacks are ignored (the caller
    reports them as unreferenced). Reference: Holm (1979); gatekeeping as in Dmitrienko &
    Tamhane (2007), Stat. Med. 26:2465."""
    keys = list(population)
    shares = _shares(population)
    obs = [int(counts.get(key, 0)) for key in keys]
    if any(c < 0 for c in obs):
        raise ValueError("counts must be >= 0")
    n = sum(obs)
    options = {} if seed is None else {"seed": seed}
    overall = multinomial_test(obs, shares, max_outcomes=max_outcomes, **options)
    if n == 0:
        cells = _cells(keys, obs, shares, [None] * len(keys), [None] * len(keys),
                       [False] * len(keys), relative, absolute, z)
        return DimensionTest(cells, overall, False, alpha, "holm")
    p_values = [binomial_p_value(c, n, pi) for c, pi in zip(obs, shares, strict=False)]
    adjusted = holm(p_values)
    gate = overall.p_value is not None and overall.p_value < alpha
    flagged = [gate and q < alpha for q in adjusted]
    cells = _cells(keys, obs, shares, p_values, adjusted, flagged, relative, absolute, z)
    return DimensionTest(cells, overall, gate, alpha, "holm")


def flag_page(dimensions: Mapping[str, tuple[Mapping[str, int], Mapping[str, float]]], *,
              alpha: float = ALPHA, relative: float = RELATIVE_TOLERANCE,
              absolute: float | None = None, z: float = Z95,
              seed: int | None = None) -> dict[str, DimensionTest]:
    """Flag every cell on a page (dimension -> (counts, population)) with Benjamini-Hochberg
    across all of them: flags where the page-wide q-value < alpha, so on average at most a
    share alpha of the flags shown are false. No overall gate (BH brings its own control);
    each dimension's overall test is still computed and returned for display. Cells of one
    dimension are negatively dependent, where BH's guarantee is not proven; the simulation
    tests check the rate for representative spaces. Prefer flag_dimension when each flag
    must be trusted on its own (family-wise control). Reference: Benjamini & Hochberg (1995)."""
    prepared = []
    for name, (counts, population) in dimensions.items():
        keys = list(population)
        shares = _shares(population)
        obs = [int(counts.get(key, 0)) for key in keys]
        if any(c < 0 for c in obs):
            raise ValueError("counts must be >= 0")
        n = sum(obs)
        p_values = [binomial_p_value(c, n, pi) if n else None
                    for c, pi in zip(obs, shares, strict=False)]
        prepared.append((name, keys, obs, shares, p_values))
    pooled = [p for *_rest, ps in prepared for p in ps if p is not None]
    q_values = iter(benjamini_hochberg(pooled))
    options = {} if seed is None else {"seed": seed}
    result = {}
    for name, keys, obs, shares, p_values in prepared:
        adjusted = [None if p is None else next(q_values) for p in p_values]
        flagged = [q is not None and q < alpha for q in adjusted]
        cells = _cells(keys, obs, shares, p_values, adjusted, flagged, relative, absolute, z)
        overall = multinomial_test(obs, shares, **options)
        significant = overall.p_value is not None and overall.p_value < alpha
        result[name] = DimensionTest(cells, overall, significant, alpha, "benjamini_hochberg")
    return result
