"""Survey results: counts per question, population weights, breakdowns, free-text answers.

Counts are GROUP BY queries over the answers of submitted responses. Weighting never loads
answers into Python: respondents are grouped into *cells* (age band x gender x residency x
sector, from the ledger snapshot their response links to); everyone in a cell gets the same
raking weight, so a weighted count is the per-cell GROUP BY count times the cell's weight, and
the linearised variance of a weighted share needs only each cell's weight, respondents and
choosers (weighting.weighted_share_of_cells). Margins come from the representation services
(the reference population's age band x gender table, raked jointly when every group of it has
respondents; facilitator targets for residency and sector). No Flask here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.common.pagination import Page, paginate
from app.representation.models import Participation
from app.representation.weighted_mean import WeightedMean, weighted_mean_of_cells
from app.representation.weighting import (WeightedShare, WeightingError, effective_sample_size,
                                          rake_joint, weighted_share_of_cells)
from app.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from app.representation.queries import GENDERS, band_expression
from app.representation.reference import age_bands, reference_for
from app.representation.targets import get_targets

CELL_DIMENSIONS = ("age_band", "gender", "residency", "sector")
MISS_TOLERANCE = 0.01  # a weighted margin further than 1 point from its target is reported
Cell = tuple  # (age band key, gender, residency, sector) as stored / computed in SQL


def cell_columns(space) -> list:
    bands = age_bands(space)
    return [band_expression(bands, space.min_age).label("age_band"),
            Participation.gender.label("gender"), Participation.residency.label("residency"),
            Participation.sector.label("sector")]


def _submitted(survey: Survey):
    return and_(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))


def answers_from(stmt, survey: Survey):
    """Join answers to the submitted responses of `survey` and their ledger snapshots. The
    answers are selected by their own survey id (indexed), not found through the responses."""
    return (stmt.select_from(SurveyAnswer)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
            .where(SurveyAnswer.survey_id == survey.id, _submitted(survey)))


def respondent_count(session: Session, survey: Survey) -> int:
    return session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(_submitted(survey))) or 0


# --- weighting -----------------------------------------------------------------------------

# What becomes of respondents who lack a weighting variable (no answer, another gender, under the
# minimum age ...): 'keep' them, not adjusted on what they did not answer (the behaviour before
# the choice existed, so the default), or 'exclude' them from every weighted figure. Raw figures
# always count everyone.
UNKNOWN_TREATMENTS = ("keep", "exclude")
DEFAULT_UNKNOWN = "keep"
# Raked to the reference's joint table when it gives one (census, register and municipal CSVs
# count people per age and sex; facilitator targets are single margins).
JOINT_DIMENSIONS = ("age_band", "gender")
JOINT_KEY = "age_band_x_gender"  # the joint check's name, as in the representation labels


@dataclass
class MarginCheck:
    """One weighting variable: target shares against raw and weighted respondent shares."""
    dimension: str
    kind: str  # 'census' | 'target'
    rows: list[dict]  # key, target, raw, weighted, miss (bool)
    missing: int  # respondents without a usable answer for this variable
    empty: list[dict]  # key, population_share: target groups with no respondents (left out)


@dataclass
class Weighting:
    available: bool
    # 'no_respondents' | 'no_margins' | 'not_converged' | 'small_cells' | 'no_complete'
    reason: str | None = None
    respondents: int = 0
    cap: float | None = None
    cell_weights: dict[Cell, float] = field(default_factory=dict)
    effective_sample_size: float | None = None
    max_weight: float | None = None
    min_weight: float | None = None
    margins: list[MarginCheck] = field(default_factory=list)
    lacking: int = 0  # respondents missing at least one weighting variable
    detail: str = ""  # the raking error (English, for logs and the API)
    smallest_cell: int = 0  # respondents in the smallest joint cell of the variables in use
    coarsened: bool = False  # weighted on age band x gender only: finer cells were too small
    unknown: str = DEFAULT_UNKNOWN  # what became of the `lacking` respondents
    # Age band x gender: raked to the reference's joint table (the check below), or to the two
    # margins because `joint_empty` groups of the table have no respondents; both None when the
    # two are not weighting variables together or there is no joint table.
    joint: bool = False
    joint_check: MarginCheck | None = None
    joint_empty: list[dict] = field(default_factory=list)  # key 'band|gender', population_share

    @property
    def misses(self) -> list[tuple[str, str]]:
        return [(m.dimension, r["key"]) for m in self.margins for r in m.rows if r["miss"]]

    @property
    def excluded(self) -> int:
        """Respondents left out of the weighted figures."""
        return self.lacking if self.available and self.unknown == "exclude" else 0

    @property
    def target_dimensions(self) -> list[str]:
        """Variables weighted to facilitator targets, which are not population figures."""
        return [m.dimension for m in self.margins if m.kind == "target"]

    @property
    def variables(self) -> list[str]:
        return [m.dimension for m in self.margins]


class _Figures(NamedTuple):
    """What every weighting of one survey starts from."""
    cells: dict[Cell, int]
    margins: dict[str, tuple[str, dict[str, float]]]
    joint: dict[tuple[str, str], float] | None  # (band, gender) -> population


def _population_figures(session: Session, space) -> tuple[dict, dict | None]:
    reference = reference_for(session, space)
    margins: dict[str, tuple[str, dict[str, float]]] = {}
    joint = None
    if reference.available and reference.kind != "target":
        bands = age_bands(space)
        ages = {b.key: reference.population(b.low, b.high) for b in bands}
        sexes = {g: reference.population(space.min_age, None, g) for g in GENDERS}
        for name, values in (("age_band", ages), ("gender", sexes)):
            if sum(values.values()) > 0:
                margins[name] = ("census", values)
        joint = {(b.key, g): reference.population(b.low, b.high, g)
                 for b in bands for g in GENDERS}
        if not sum(joint.values()) > 0:
            joint = None
    for name in ("residency", "sector"):
        targets = get_targets(session, space, name)
        if targets and sum(targets.values()) > 0:
            margins[name] = ("target", targets)
    return margins, joint


def population_margins(session: Session, space) -> dict[str, tuple[str, dict[str, float]]]:
    """{dimension: (kind, {category: population or target share})} for the weighting
    variables the space has figures for: age band and gender from its reference population,
    residency and sector from facilitator targets."""
    return _population_figures(session, space)[0]


def cell_counts(session: Session, survey: Survey, space) -> dict[Cell, int]:
    columns = cell_columns(space)
    stmt = (select(*columns, func.count()).select_from(SurveyResponse)
            .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
            .where(_submitted(survey)).group_by(*columns))
    return {tuple(row[:4]): row[4] for row in session.execute(stmt)}


# Raking on fewer variables when the full joint cells are too small: the census ones.
COARSE_DIMENSIONS = ("age_band", "gender")


def _figures(session: Session, survey: Survey, space) -> _Figures:
    margins, joint = _population_figures(session, space)
    return _Figures(cell_counts(session, survey, space), margins, joint)


def compute_weighting(session: Session, survey: Survey, space, *, cap: float | None = None,
                      min_cell: int | None = None, unknown: str = DEFAULT_UNKNOWN) -> Weighting:
    """Raking weights per cell to the space's margins, with checks of what they achieve.

    Everyone in a joint cell of the weighting variables in use shares one weight, so a weighted
    share ties answers to that cell. With `min_cell`, weights are given only when every such
    cell holds at least `min_cell` respondents: first on every variable with figures, then on
    age band x gender alone; otherwise not at all (reason 'small_cells'). The cells counted
    include those of respondents lacking a variable whatever `unknown` says, so both treatments
    weight on the same variables, and leaving a small group out cannot single it out (its
    answers would be the raw total less the weighted rest)."""
    return _weighting(_figures(session, survey, space), cap, min_cell, unknown)


def compute_weightings(session: Session, survey: Survey, space, *, cap: float | None = None,
                       min_cell: int | None = None) -> dict[str, Weighting]:
    """compute_weighting for every treatment of respondents lacking demographics, from one
    reading of the cells and the population figures."""
    figures = _figures(session, survey, space)
    return {unknown: _weighting(figures, cap, min_cell, unknown)
            for unknown in UNKNOWN_TREATMENTS}


def _weighting(figures: _Figures, cap, min_cell, unknown: str) -> Weighting:
    if unknown not in UNKNOWN_TREATMENTS:
        raise ValueError(f"unknown must be one of {UNKNOWN_TREATMENTS}, got {unknown!r}")
    cells = figures.cells
    n = sum(cells.values())
    if n == 0:
        return Weighting(False, "no_respondents", cap=cap, unknown=unknown)
    available = figures.margins
    weighting = _rake_cells(cells, available, figures.joint, n, cap, unknown)
    if min_cell is None or not weighting.available or weighting.smallest_cell >= min_cell:
        return weighting
    coarse = {name: available[name] for name in COARSE_DIMENSIONS if name in available}
    used = {m.dimension for m in weighting.margins}
    if coarse and set(coarse) != used:
        second = _rake_cells(cells, coarse, figures.joint, n, cap, unknown)
        if second.available and second.smallest_cell >= min_cell:
            second.coarsened = True
            return second
    return Weighting(False, "small_cells", respondents=n, cap=cap, unknown=unknown)


def _rake_cells(cells: dict[Cell, int], available: dict, joint_table, n: int, cap,  # noqa: C901
                unknown: str) -> Weighting:
    index = {name: CELL_DIMENSIONS.index(name) for name in available}
    # A respondent's category for a variable, or None when it has no target (unanswered,
    # another gender, under the minimum age ...): such a respondent is not adjusted on it.
    def category(cell: Cell, name: str):
        value = cell[index[name]]
        return value if value in available[name][1] else None

    def kept(name: str, among) -> dict[str, float]:
        """The variable's target categories that have respondents among `among`."""
        seen = {category(c, name) for c in among}
        return {k: v for k, v in available[name][1].items() if k in seen and v > 0}

    everyone = [cell for cell, count in cells.items() if count]
    names = [name for name in available if kept(name, everyone)]
    if not names:
        return Weighting(False, "no_margins", respondents=n, cap=cap, unknown=unknown)
    lacking = sum(count for cell, count in cells.items()
                  if any(category(cell, name) is None for name in names))
    # The groups sharing one weight, those lacking a variable included (see compute_weighting).
    classes: dict[tuple, int] = defaultdict(int)
    for cell, count in cells.items():
        classes[tuple(category(cell, name) for name in names)] += count
    smallest = min(c for c in classes.values() if c)
    if unknown == "exclude":
        counted = {cell: count for cell, count in cells.items()
                   if count and all(category(cell, name) is not None for name in names)}
        if not counted:
            return Weighting(False, "no_complete", respondents=n, cap=cap, unknown=unknown,
                             lacking=lacking)
    else:
        counted = {cell: count for cell, count in cells.items() if count}

    margins: dict[str, dict[str, float]] = {}
    empties: dict[str, list[dict]] = {}
    for name in names:
        values = available[name][1]
        total = sum(values.values())
        margins[name] = kept(name, counted)
        empties[name] = [{"key": k, "population_share": v / total}
                         for k, v in values.items() if v > 0 and k not in margins[name]]
    margins = {name: values for name, values in margins.items() if values}

    # Age band x gender to the joint table when every group of it (among the age bands and
    # genders with respondents) has respondents; otherwise to the two margins, as raking to a
    # table with an empty group would drop that group from the weighted population.
    joint_spec, joint_empty = None, []
    if joint_table is not None and all(name in margins for name in JOINT_DIMENSIONS):
        table = {cell: v for cell, v in joint_table.items()
                 if cell[0] in margins["age_band"] and cell[1] in margins["gender"] and v > 0}
        seen = {(category(c, "age_band"), category(c, "gender")) for c in counted}
        total = sum(table.values())
        joint_empty = [{"key": "|".join(cell), "population_share": v / total}
                       for cell, v in table.items() if cell not in seen]
        if table and not joint_empty:
            joint_spec = table
            # the two margins as the table gives them, so their checks say what was raked to
            for position, name in enumerate(JOINT_DIMENSIONS):
                margins[name] = {k: sum(v for cell, v in table.items() if cell[position] == k)
                                 for k in margins[name]}

    order = list(counted)
    rows = []
    for cell in order:
        row = {name: category(cell, name) for name in margins}
        rows.extend([row] * counted[cell])
    rake_margins: dict = dict(margins)
    if joint_spec is not None:
        for name in JOINT_DIMENSIONS:
            del rake_margins[name]
        rake_margins = {JOINT_DIMENSIONS: joint_spec, **rake_margins}
    try:
        weights = rake_joint(rows, rake_margins, partial=True, cap=cap)
    except WeightingError as error:
        return Weighting(False, "not_converged", respondents=n, cap=cap, detail=str(error),
                         unknown=unknown, lacking=lacking)
    cell_weights, start = {}, 0
    for cell in order:
        cell_weights[cell] = weights[start]
        start += counted[cell]
    for cell in cells:  # left out: no part in any weighted figure
        cell_weights.setdefault(cell, 0.0)
    checks = [_margin_check(name, available[name][0], margins[name], empties[name], counted,
                            cell_weights, category) for name in margins]
    joint_check = None
    if joint_spec is not None:
        def joint_category(cell: Cell, _name: str):
            pair = (category(cell, "age_band"), category(cell, "gender"))
            return None if None in pair else "|".join(pair)
        joint_check = _margin_check(JOINT_KEY, "census",
                                    {"|".join(c): v for c, v in joint_spec.items()}, [],
                                    counted, cell_weights, joint_category)
    return Weighting(True, respondents=n, cap=cap, cell_weights=cell_weights,
                     effective_sample_size=effective_sample_size(weights),
                     max_weight=max(weights), min_weight=min(weights), margins=checks,
                     lacking=lacking, smallest_cell=smallest, unknown=unknown,
                     joint=joint_spec is not None, joint_check=joint_check,
                     joint_empty=joint_empty)


def _margin_check(name, kind, targets, empty, cells, cell_weights, category) -> MarginCheck:
    raw, weighted = defaultdict(float), defaultdict(float)
    missing = 0
    for cell, count in cells.items():
        key = category(cell, name)
        if key is None:
            missing += count
            continue
        raw[key] += count
        weighted[key] += count * cell_weights[cell]
    raw_total, weighted_total, target_total = sum(raw.values()), sum(weighted.values()), \
        sum(targets.values())
    rows = []
    for key, value in targets.items():
        target = value / target_total
        w_share = weighted[key] / weighted_total if weighted_total else None
        rows.append({"key": key, "target": target,
                     "raw": raw[key] / raw_total if raw_total else None, "weighted": w_share,
                     "miss": w_share is None or abs(w_share - target) > MISS_TOLERANCE})
    return MarginCheck(name, kind, rows, missing, empty)


# --- per question --------------------------------------------------------------------------

@dataclass
class OptionResult:
    key: str  # option id, 'other', or the Likert point
    label: str
    count: int = 0
    share: float | None = None
    weighted_share: float | None = None
    mean_rank: float | None = None  # ranking
    weighted_mean_rank: float | None = None
    # The weighted share's 95% interval and design effect (weighting.weighted_share_of_cells);
    # None wherever the weighted share is.
    weighted_low: float | None = None
    weighted_high: float | None = None
    design_effect: float | None = None
    interval_method: str | None = None  # 'linearised' | 'kish'


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    mean: float | None = None  # Likert and number
    weighted_mean: float | None = None
    # the weighted mean's 95% interval and design effect (representation.weighted_mean)
    weighted_mean_low: float | None = None
    weighted_mean_high: float | None = None
    mean_design_effect: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    effective_n: float | None = None  # Kish, over the weights of those who answered
    median: float | None = None  # number questions, filled where a page shows it
    hidden: int = 0  # figures of this question withheld by disclosure control
    too_few: bool = False  # fewer answered than the minimum group: no summary at all
    # The largest change of a shown weighted share under the other treatment of respondents
    # lacking demographics (app.surveys.weighted); None when not compared.
    unknown_change: float | None = None


class AnswerTally:
    """Sums over the answers of a survey, per key and per cell (one GROUP BY row each), so
    that weighted sums follow for any cell weights without reading the answers again."""

    def __init__(self, by_cell: bool):
        self.by_cell = by_cell
        self.raw: dict = defaultdict(float)
        self.cells: dict = defaultdict(lambda: defaultdict(float))
        self.extremes: dict[int, list[float]] = {}  # number questions: [smallest, largest]

    def add(self, key, cell: Cell | None, amount: float) -> None:
        self.raw[key] += amount
        if self.by_cell:
            self.cells[key][cell] += amount


class _Weighted:
    """One tally seen through one set of cell weights (None: raw figures only)."""

    def __init__(self, tally: AnswerTally, weights: dict[Cell, float] | None):
        self.tally = tally
        self.weights = weights if tally.by_cell else None
        self._sums: dict = {}

    def weighted(self, key) -> float:
        if key not in self._sums:
            self._sums[key] = sum(amount * self.weights.get(cell, 0.0)
                                  for cell, amount in self.tally.cells.get(key, {}).items())
        return self._sums[key]

    def effective_n(self, key) -> float | None:
        if self.weights is None:
            return None
        squared = sum(amount * self.weights.get(cell, 0.0) ** 2
                      for cell, amount in self.tally.cells.get(key, {}).items())
        return self.weighted(key) ** 2 / squared if squared else None

    def ratio(self, top, bottom, *, weighted: bool) -> float | None:
        if not weighted:
            raw = self.tally.raw
            return raw[top] / raw[bottom] if raw.get(bottom) else None
        if self.weights is None:
            return None
        below = self.weighted(bottom)
        return self.weighted(top) / below if below else None

    def _columns(self, counts: dict, *per_cell: dict) -> list[list[float]]:
        """[weights, counts, *per_cell] over the cells with weight and respondents (those
        left out, of weight 0, are not part of an interval)."""
        columns: list[list[float]] = [[] for _ in range(2 + len(per_cell))]
        for cell, amount in counts.items():
            weight = self.weights.get(cell, 0.0)
            if weight > 0 and amount > 0:
                for column, value in zip(columns, (weight, amount,
                                                   *(m.get(cell, 0.0) for m in per_cell))):
                    column.append(value)
        return columns

    def mean_interval(self, counts: dict, sums: dict, squares: dict) -> WeightedMean | None:
        """The weighted mean sums / counts with its interval, from per-cell totals."""
        if self.weights is None:
            return None
        try:
            return weighted_mean_of_cells(*self._columns(counts, sums, squares))
        except ValueError:  # fewer than two respondents: no interval
            return None

    def interval(self, top, bottom) -> WeightedShare | None:
        """The weighted share top / bottom with its interval, from the cells' weights and
        counts."""
        if self.weights is None:
            return None
        cells = self.tally.cells
        try:
            return weighted_share_of_cells(*self._columns(cells.get(bottom, {}),
                                                          cells.get(top, {})))
        except ValueError:  # fewer than two respondents: no interval
            return None


def answer_tally(session: Session, survey: Survey, space, *, by_cell: bool) -> AnswerTally:
    """Counts of every question of the survey (per weighting cell when `by_cell`), from three
    GROUP BY queries for the whole survey."""
    cells = cell_columns(space) if by_cell else []
    tally = AnswerTally(by_cell)

    def cell_of(row, start: int) -> Cell | None:
        return tuple(row[start:start + 4]) if cells else None

    answered = answers_from(
        select(SurveyAnswer.question_id, *cells,
               func.count(SurveyAnswer.response_id.distinct())), survey)
    for row in session.execute(answered.group_by(SurveyAnswer.question_id, *cells)):
        tally.add(("n", row[0]), cell_of(row, 1), row[-1])

    kinds = {q.id: q.kind for q in survey.questions()}
    choice = answers_from(
        select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.is_other,
               SurveyAnswer.value_number, *cells, func.count(), func.sum(SurveyAnswer.rank)),
        survey).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).where(
        SurveyQuestion.kind.in_(("single", "multiple", "likert", "ranking")))
    for row in session.execute(choice.group_by(
            SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.is_other,
            SurveyAnswer.value_number, *cells)):
        qid, option_id, is_other, value, cell = row[0], row[1], row[2], row[3], cell_of(row, 4)
        count, rank_sum = row[-2], row[-1]
        if kinds.get(qid) == "likert":
            key = ("v", qid, int(value)) if value is not None else None
        else:
            key = ("o", qid, "other" if is_other else option_id)
        if key is not None:
            tally.add(key, cell, count)
            if rank_sum is not None:
                tally.add(("rank",) + key[1:], cell, rank_sum)

    numbers = answers_from(
        select(SurveyAnswer.question_id, *cells, func.count(), func.sum(SurveyAnswer.value_number),
               func.sum(SurveyAnswer.value_number * SurveyAnswer.value_number),
               func.min(SurveyAnswer.value_number), func.max(SurveyAnswer.value_number)),
        survey).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).where(
        SurveyQuestion.kind == "number", SurveyAnswer.value_number.is_not(None))
    for row in session.execute(numbers.group_by(SurveyAnswer.question_id, *cells)):
        qid = row[0]
        tally.add(("count", qid), cell_of(row, 1), row[-5])
        tally.add(("sum", qid), cell_of(row, 1), row[-4])
        tally.add(("squares", qid), cell_of(row, 1), row[-3])
        low, high = tally.extremes.get(qid, [row[-2], row[-1]])
        tally.extremes[qid] = [min(low, row[-2]), max(high, row[-1])]
    return tally


def assemble_results(survey: Survey, tally: AnswerTally,
                     weighting: Weighting | None) -> list[QuestionResult]:
    """Counts and shares for every question (raw, and weighted with intervals when `weighting`
    is available) from a tally; the tally must be by cell for weighted figures."""
    weights = weighting.cell_weights if weighting is not None and weighting.available else None
    view = _Weighted(tally, weights)
    return [_assemble(question, view) for question in survey.questions()]


def question_results(session: Session, survey: Survey, space,
                     weighting: Weighting | None = None) -> list[QuestionResult]:
    """Counts and shares for every question (raw, and weighted when `weighting` is
    available), from three GROUP BY queries for the whole survey."""
    weighted = weighting is not None and weighting.available
    return assemble_results(survey, answer_tally(session, survey, space, by_cell=weighted),
                            weighting)


def _with_interval(row: OptionResult, view: _Weighted, top, bottom) -> OptionResult:
    estimate = view.interval(top, bottom) if row.weighted_share is not None else None
    if estimate is not None:
        row.weighted_low, row.weighted_high = estimate.ci_low, estimate.ci_high
        row.design_effect, row.interval_method = estimate.design_effect, estimate.method
    return row


def _likert_sums(tally: AnswerTally, qid: int, points: int) -> tuple[dict, dict, dict]:
    """Per cell: how many answered, the sum of their points and of the points squared."""
    counts, sums, squares = defaultdict(float), defaultdict(float), defaultdict(float)
    for point in range(1, points + 1):
        for cell, amount in tally.cells.get(("v", qid, point), {}).items():
            counts[cell] += amount
            sums[cell] += point * amount
            squares[cell] += point * point * amount
    return counts, sums, squares


def _with_mean_interval(result: QuestionResult, view: _Weighted, counts, sums, squares, *,
                        bounds: tuple[float, float] | None = None) -> None:
    estimate = view.mean_interval(counts, sums, squares)
    if estimate is None:
        return
    low, high = estimate.ci_low, estimate.ci_high
    if bounds is not None:  # a scale's mean cannot leave the scale
        low, high = max(low, bounds[0]), min(high, bounds[1])
    result.weighted_mean_low, result.weighted_mean_high = low, high
    result.mean_design_effect = estimate.design_effect


def _assemble(question: SurveyQuestion, view: _Weighted) -> QuestionResult:
    n = ("n", question.id)
    result = QuestionResult(question, answered=int(view.tally.raw.get(n, 0)),
                            effective_n=view.effective_n(n))
    if question.kind in ("single", "multiple", "ranking"):
        _assemble_options(question, view, result)
    elif question.kind == "likert":
        _assemble_likert(question, view, result)
    elif question.kind == "number":
        _assemble_number(question, view, result)
    return result


def _assemble_options(question: SurveyQuestion, view: _Weighted, result: QuestionResult) -> None:
    qid, n, tally = question.id, ("n", question.id), view.tally
    keys = [(str(o.id), o.label, ("o", qid, o.id)) for o in question.options]
    if question.allow_other:
        keys.append(("other", None, ("o", qid, "other")))
    for key, label, tkey in keys:
        row = OptionResult(key, label or "", int(tally.raw.get(tkey, 0)))
        if question.kind == "ranking":
            rank_key = ("rank",) + tkey[1:]
            row.mean_rank = view.ratio(rank_key, tkey, weighted=False)
            row.weighted_mean_rank = view.ratio(rank_key, tkey, weighted=True)
        else:
            row.share = view.ratio(tkey, n, weighted=False)
            row.weighted_share = view.ratio(tkey, n, weighted=True)
            _with_interval(row, view, tkey, n)
        result.options.append(row)


def _assemble_likert(question: SurveyQuestion, view: _Weighted, result: QuestionResult) -> None:
    qid, n, tally = question.id, ("n", question.id), view.tally
    points = question.scale_points or 5
    total = wtotal = 0.0
    for point in range(1, points + 1):
        tkey = ("v", qid, point)
        label = question.label_low if point == 1 else (
            question.label_high if point == points else "")
        row = OptionResult(str(point), label, int(tally.raw.get(tkey, 0)),
                           view.ratio(tkey, n, weighted=False),
                           view.ratio(tkey, n, weighted=True))
        _with_interval(row, view, tkey, n)
        total += point * tally.raw.get(tkey, 0)
        if view.weights is not None:
            wtotal += point * view.weighted(tkey)
        result.options.append(row)
    if result.answered:
        result.mean = total / result.answered
    if view.weights is not None and view.weighted(n):
        result.weighted_mean = wtotal / view.weighted(n)
        _with_mean_interval(result, view, *_likert_sums(tally, qid, points), bounds=(1, points))


def _assemble_number(question: SurveyQuestion, view: _Weighted, result: QuestionResult) -> None:
    qid, tally = question.id, view.tally
    result.mean = view.ratio(("sum", qid), ("count", qid), weighted=False)
    result.weighted_mean = view.ratio(("sum", qid), ("count", qid), weighted=True)
    if result.weighted_mean is not None:
        _with_mean_interval(result, view, *(tally.cells.get((name, qid), {})
                                            for name in ("count", "sum", "squares")))
    extremes = tally.extremes.get(qid)
    if extremes:
        result.minimum, result.maximum = extremes


# --- free text -----------------------------------------------------------------------------

def text_answers(session: Session, survey: Survey, question: SurveyQuestion, *,
                 search: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Submitted free-text answers (or "other" texts) of a question, newest first, optionally
    those containing `search` (already NFKC-normalised, as stored answers are)."""
    stmt = (select(SurveyAnswer.text, SurveyResponse.submitted_at)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.survey_id == survey.id, _submitted(survey),
                   SurveyAnswer.question_id == question.id,
                   SurveyAnswer.text.is_not(None), SurveyAnswer.text != ""))
    if search:
        stmt = stmt.where(SurveyAnswer.text.icontains(search, autoescape=True))
    stmt = stmt.order_by(SurveyResponse.submitted_at.desc(), SurveyAnswer.id.desc())
    return paginate(session, stmt, page, per_page, scalars=False)


__all__ = ["CELL_DIMENSIONS", "DEFAULT_UNKNOWN", "UNKNOWN_TREATMENTS", "AnswerTally",
           "MarginCheck", "OptionResult", "QuestionResult", "Weighting", "answer_tally",
           "assemble_results", "cell_counts", "compute_weighting", "compute_weightings",
           "population_margins", "question_results", "respondent_count", "text_answers"]
