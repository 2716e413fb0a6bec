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


@dataclass(frozen=True)
class WeekPoint:
    week_start: date  # Monday (Japan time)
    participants: int  # cumulative
    youth_share: float | None  # cumulative, among participants of known eligible age
    women_share: float | None  # cumulative, among women and men
