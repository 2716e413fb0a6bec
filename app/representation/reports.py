"""What a representation report is made of: plain frozen dataclasses shared by the report
(services), the headline figures and the weekly series (indicators), the API and the dashboard."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.representation import stats
from app.representation.reference import Reference


@dataclass(frozen=True)
class CategoryLabel:
    """A category's name, translated when shown (like a lazy gettext string), so reports can be
    built without a request and still read in the reader's language."""
    dimension: str
    key: str

    def __str__(self) -> str:
        from app.representation.labels import category_label  # Babel only when shown

        return str(category_label(self.dimension, self.key))


@dataclass(frozen=True)
class CategoryRow:
    key: str  # '18-29', 'female', '18-29|female', 'resident', ...
    label: CategoryLabel
    count: int | None  # None when suppressed
    share: float | None
    population: float | None  # None for targets (they are shares, not people)
    population_share: float
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    flag: str | None  # 'under' | 'over' | 'ok'; None when suppressed
    parity_gap: int | None  # stats.PARITY_UNREACHABLE (-1) when no number suffices
    suppressed: bool
    row_key: str | None = None  # age×gender: the age band
    col_key: str | None = None  # age×gender: the gender
    # issue #12: what the row may honestly say (None where the count or the total is hidden)
    verdict: str | None = None  # multiplicity.VERDICTS: under/over/in_line/not_significant_wide/no_data
    p_value: float | None = None  # exact binomial, unadjusted
    p_adjusted: float | None = None  # Holm within the dimension (over the merged table)
    interval_method: str | None = None  # 'clopper_pearson' (cells under 10) | 'wilson'
    unknown_low: float | None = None  # share among everyone asked if no unknown is in the group
    unknown_high: float | None = None  # ... if every unknown is
    # the population figure cuts a published age range (None: a release made before it was kept)
    estimated: bool | None = False


@dataclass(frozen=True)
class Report:
    space_slug: str
    dimension: str
    module: str
    reference: Reference
    participants: int
    answered: int | None  # None when hidden (see module docstring) or no reference
    unknown: int | None
    unreferenced: int | None
    min_cell: int
    categories: list[CategoryRow]
    chi_square: stats.ChiSquare  # reason may also be 'suppressed' or 'unavailable'
    dissimilarity: float | None
    rate_ratio_min_max: float | None
    available: bool
    unavailable_reason: str | None  # 'no_reference' | 'no_targets' | 'no_population'
    since: date | None = None
    until: date | None = None
    # issue #12: the overall test that gates the flags (chi-square where valid, else exact or
    # seeded Monte Carlo), over the merged table when cells are hidden
    overall_method: str | None = None  # 'chi_square' | 'exact' | 'monte_carlo'
    overall_p_value: float | None = None
    overall_significant: bool = False
    merged: bool = False  # overall figures computed with the hidden cells merged into one
    expected_dissimilarity: float | None = None  # under perfect representation at this n
    withheld: str | None = None  # why dissimilarity / rate ratio are not shown ('all_hidden')
    left_out: int | None = None  # gender: participants of unknown or ineligible age


@dataclass(frozen=True)
class HeadlineFigure:
    key: str  # 'youth' | 'women'
    label: CategoryLabel
    count: int | None
    n: int  # participants with an answer that has a population figure
    share: float | None
    population: float
    population_share: float
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    flag: str | None
    parity_gap: int | None
    suppressed: bool
    low: int | None = None  # the youth band's ages
    high: int | None = None
    estimated: bool = False
    verdict: str | None = None  # multiplicity.VERDICTS; None when hidden
    interval_method: str | None = None
    unknown_low: float | None = None  # bounds when those who did not answer are all out / in
    unknown_high: float | None = None
    left_out: int | None = None  # women: participants of unknown or ineligible age


@dataclass(frozen=True)
class WeekPoint:
    week_start: date  # Monday (Japan time)
    participants: int  # cumulative
    youth_share: float | None  # cumulative, among participants of known eligible age
    women_share: float | None  # cumulative, among women and men
