"""What a protected table may honestly say: verdicts, adjusted p-values, a p-value for small
tables, dissimilarity beside its chance value, and bounds for unknown answers (issue #12).

Pure (through stats, stats_exact and multiplicity; nothing from Flask). It takes a table's cell
counts with the set of hidden cells and works only on what the page may show: every overall
figure and every cell test is computed over the *merged* table (hidden cells as one cell),
whose hidden sum is the shown total minus the shown cells, so nothing here is a function of a
hidden count. Holm's adjustment over the merged cells is a valid family-wise control for that
family (the merged cell is one hypothesis), so flags keep their stated rate.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from app.representation import multiplicity, stats, stats_exact

MERGED = "~hidden"
# Enumerating every table is exact but slow near stats_exact's limit (seconds); a dashboard
# shows five tables per GET, so we stop at a tenth of it and use the seeded Monte-Carlo p
# beyond (20,000 draws take milliseconds and give the same value for the same table).
DASHBOARD_MAX_OUTCOMES = 200_000


@dataclass(frozen=True)
class CellResult:
    share: float
    ci_low: float
    ci_high: float
    interval_method: str  # 'clopper_pearson' | 'wilson'
    ratio: float | None
    parity_gap: int
    p_value: float
    p_adjusted: float
    verdict: str  # one of multiplicity.VERDICTS
    unknown_low: float | None = None  # share among all who were asked if no unknown is in it
    unknown_high: float | None = None  # ... if every unknown is


@dataclass(frozen=True)
class TableResult:
    cells: dict = field(default_factory=dict)  # shown cell key -> CellResult
    overall: stats_exact.GoodnessOfFit | None = None
    overall_significant: bool = False
    merged: bool = False  # computed over a table whose hidden cells are merged into one
    dissimilarity: float | None = None
    expected_dissimilarity: float | None = None
    rate_ratio: float | None = None
    withheld: str | None = None  # why dissimilarity and rate ratio are not shown


@lru_cache(maxsize=4096)
def _dimension_test(counts: tuple, population: tuple) -> multiplicity.DimensionTest:
    # Cached on the figures themselves: the same table (same batches) gets the same answer
    # without recomputing the exact test on every page view.
    keys = [str(i) for i in range(len(counts))]
    return multiplicity.flag_dimension(dict(zip(keys, counts, strict=False)),
                                       dict(zip(keys, population, strict=False)),
                                       max_outcomes=DASHBOARD_MAX_OUTCOMES)


def table_result(counts: Mapping[str, int], population: Mapping[str, float], hidden: set, *,
                 unknown: int | None) -> TableResult:
    """The statements for one table whose total (sum of `counts`) is shown. `hidden` are the
    cells the audit hid; `unknown` is the shown number of participants who did not answer (None
    when hidden: then no bounds). Cells keep the population's order."""
    shown = [c for c in population if c not in hidden]
    merged_counts = {c: int(counts.get(c, 0)) for c in shown}
    merged_pop = {c: float(population[c]) for c in shown}
    if hidden:
        merged_counts[MERGED] = sum(int(counts.get(c, 0)) for c in population if c in hidden)
        merged_pop[MERGED] = sum(float(population[c]) for c in population if c in hidden)
    merged_pop = {c: p for c, p in merged_pop.items() if p > 0 or merged_counts[c] > 0}
    n = sum(merged_counts.values())
    if n == 0:
        return TableResult(withheld="no_participants")
    test = _dimension_test(tuple(merged_counts[c] for c in merged_pop),
                           tuple(merged_pop[c] for c in merged_pop))
    by_key = dict(zip(merged_pop, test.cells, strict=False))
    comparison = stats.compare({c: merged_counts[c] for c in merged_pop}, merged_pop)
    compared = {cat.key: cat for cat in comparison.categories}
    cells = {}
    for c in shown:
        if c not in by_key:  # population 0 and nobody in it: nothing to say
            continue
        cell, cat = by_key[c], compared[c]
        low = high = None
        if unknown:  # with nobody unknown the bounds are the share itself
            bounds = stats_exact.unknown_bounds(cell.count, n, unknown)
            low, high = bounds.share_if_none, bounds.share_if_all
        cells[c] = CellResult(cell.share, cell.ci_low, cell.ci_high, cell.interval_method,
                              cat.ratio, cat.parity_gap, cell.p_value, cell.p_adjusted,
                              cell.verdict, low, high)
    withheld = None
    dissimilarity = comparison.dissimilarity
    rate_ratio = comparison.rate_ratio_min_max
    if hidden and sum(merged_counts[c] for c in shown) == 0:
        # Everyone counted sits in the merged cell: the index would compare one lump with the
        # population and read as a perfect or absurd fit; it no longer measures the table.
        withheld, dissimilarity, rate_ratio = "all_hidden", None, None
    expected = stats_exact.expected_dissimilarity(n, list(merged_pop.values()))
    return TableResult(cells, test.overall, test.overall_significant, bool(hidden),
                       dissimilarity, None if withheld else expected, rate_ratio, withheld)


@dataclass(frozen=True)
class HeadlineResult:
    verdict: str
    interval_method: str
    ci_low: float
    ci_high: float
    unknown_low: float | None
    unknown_high: float | None


def headline_result(count: int, n: int, population_share: float,
                    unknown: int | None) -> HeadlineResult | None:
    """A headline group (one pre-stated comparison, so no adjustment): its verdict by
    in_line_verdict, its exact or Wilson interval and the bounds for unknown answers."""
    if n == 0:
        return None
    low, high, method = stats_exact.share_interval(count, n)
    verdict = multiplicity.in_line_verdict(count, n, population_share)
    u_low = u_high = None
    if unknown:
        bounds = stats_exact.unknown_bounds(count, n, unknown)
        u_low, u_high = bounds.share_if_none, bounds.share_if_all
    return HeadlineResult(verdict, method, low, high, u_low, u_high)
