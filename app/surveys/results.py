"""Survey results: counts per question, population weights, breakdowns, free-text answers.

Counts are GROUP BY queries over the answers of submitted responses. Weighting never loads
answers into Python: respondents are grouped into *cells* (age band x gender x residency x
sector, from the ledger snapshot their response links to); everyone in a cell gets the same
raking weight, so a weighted count is the per-cell GROUP BY count times the cell's weight.
Margins come from the representation services (census for age band and gender, facilitator
targets for residency and sector). No Flask here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.common.pagination import Page, paginate
from app.representation import services as representation
from app.representation.models import Participation
from app.representation.weighting import WeightingError, effective_sample_size, rake
from app.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

CELL_DIMENSIONS = ("age_band", "gender", "residency", "sector")
MISS_TOLERANCE = 0.01  # a weighted margin further than 1 point from its target is reported
Cell = tuple  # (age band key, gender, residency, sector) as stored / computed in SQL


def cell_columns(space) -> list:
    bands = representation.age_bands(space)
    return [representation.band_expression(bands, space.min_age).label("age_band"),
            Participation.gender.label("gender"), Participation.residency.label("residency"),
            Participation.sector.label("sector")]


def _submitted(survey: Survey):
    return and_(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))


def answers_from(stmt, survey: Survey):
    """Join answers to the submitted responses of `survey` and their ledger snapshots."""
    return (stmt.select_from(SurveyAnswer)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
            .where(_submitted(survey)))


def respondent_count(session: Session, survey: Survey) -> int:
    return session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(_submitted(survey))) or 0


# --- weighting -----------------------------------------------------------------------------

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
    reason: str | None = None  # 'no_respondents' | 'no_margins' | 'not_converged' | 'small_cells'
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

    @property
    def misses(self) -> list[tuple[str, str]]:
        return [(m.dimension, r["key"]) for m in self.margins for r in m.rows if r["miss"]]


def population_margins(session: Session, space) -> dict[str, tuple[str, dict[str, float]]]:
    """{dimension: (kind, {category: population or target share})} for the weighting
    variables the space has figures for: age band and gender from its reference population,
    residency and sector from facilitator targets."""
    margins: dict[str, tuple[str, dict[str, float]]] = {}
    reference = representation.reference_for(session, space)
    if reference.available and reference.kind != "target":
        bands = representation.age_bands(space)
        ages = {b.key: reference.population(b.low, b.high) for b in bands}
        sexes = {g: reference.population(space.min_age, None, g) for g in representation.GENDERS}
        for name, values in (("age_band", ages), ("gender", sexes)):
            if sum(values.values()) > 0:
                margins[name] = ("census", values)
    for name in ("residency", "sector"):
        targets = representation.get_targets(session, space, name)
        if targets and sum(targets.values()) > 0:
            margins[name] = ("target", targets)
    return margins


def cell_counts(session: Session, survey: Survey, space) -> dict[Cell, int]:
    columns = cell_columns(space)
    stmt = (select(*columns, func.count()).select_from(SurveyResponse)
            .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
            .where(_submitted(survey)).group_by(*columns))
    return {tuple(row[:4]): row[4] for row in session.execute(stmt)}


# Raking on fewer variables when the full joint cells are too small: the census ones.
COARSE_DIMENSIONS = ("age_band", "gender")


def compute_weighting(session: Session, survey: Survey, space, *, cap: float | None = None,
                      min_cell: int | None = None) -> Weighting:
    """Raking weights per cell to the space's margins, with checks of what they achieve.

    Everyone in a joint cell of the weighting variables in use shares one weight, so a weighted
    share ties answers to that cell. With `min_cell`, weights are given only when every such
    cell holds at least `min_cell` respondents: first on every variable with figures, then on
    age band x gender alone; otherwise not at all (reason 'small_cells')."""
    cells = cell_counts(session, survey, space)
    n = sum(cells.values())
    if n == 0:
        return Weighting(False, "no_respondents", cap=cap)
    available = population_margins(session, space)
    weighting = _rake_cells(cells, available, n, cap)
    if min_cell is None or not weighting.available or weighting.smallest_cell >= min_cell:
        return weighting
    coarse = {name: available[name] for name in COARSE_DIMENSIONS if name in available}
    used = {m.dimension for m in weighting.margins}
    if coarse and set(coarse) != used:
        second = _rake_cells(cells, coarse, n, cap)
        if second.available and second.smallest_cell >= min_cell:
            second.coarsened = True
            return second
    return Weighting(False, "small_cells", respondents=n, cap=cap)


def _rake_cells(cells: dict[Cell, int], available: dict, n: int, cap) -> Weighting:
    index = {name: CELL_DIMENSIONS.index(name) for name in available}
    # A respondent's category for a variable, or None when it has no target (unanswered,
    # another gender, under the minimum age ...): such a respondent is not adjusted on it.
    def category(cell: Cell, name: str):
        value = cell[index[name]]
        return value if value in available[name][1] else None

    margins: dict[str, dict[str, float]] = {}
    empties: dict[str, list[dict]] = {}
    for name, (_kind, values) in available.items():
        seen = {category(c, name) for c, count in cells.items() if count}
        total = sum(values.values())
        kept = {k: v for k, v in values.items() if k in seen and v > 0}
        empties[name] = [{"key": k, "population_share": v / total}
                         for k, v in values.items() if v > 0 and k not in seen]
        if kept:
            margins[name] = kept
    if not margins:
        return Weighting(False, "no_margins", respondents=n, cap=cap)
    order = list(cells)
    rows = []
    for cell in order:
        row = {name: category(cell, name) for name in margins}
        rows.extend([row] * cells[cell])
    try:
        weights = rake(rows, margins, cap=cap)
    except WeightingError as error:
        return Weighting(False, "not_converged", respondents=n, cap=cap, detail=str(error))
    cell_weights, start = {}, 0
    for cell in order:
        cell_weights[cell] = weights[start]
        start += cells[cell]
    lacking = sum(count for cell, count in cells.items()
                  if any(category(cell, name) is None for name in margins))
    checks = [_margin_check(name, available[name][0], margins[name], empties[name], cells,
                            cell_weights, category) for name in margins]
    joint: dict[tuple, int] = defaultdict(int)
    for cell, count in cells.items():
        joint[tuple(category(cell, name) for name in margins)] += count
    return Weighting(True, respondents=n, cap=cap, cell_weights=cell_weights,
                     effective_sample_size=effective_sample_size(weights),
                     max_weight=max(weights), min_weight=min(weights), margins=checks,
                     lacking=lacking, smallest_cell=min(c for c in joint.values() if c))


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


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    mean: float | None = None  # Likert and number
    weighted_mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    effective_n: float | None = None  # Kish, over the weights of those who answered
    median: float | None = None  # number questions, filled where a page shows it
    hidden: int = 0  # figures of this question withheld by disclosure control
    too_few: bool = False  # fewer answered than the minimum group: no summary at all


class _Tally:
    """Raw and weighted sums, fed per cell."""

    def __init__(self, weights: dict[Cell, float] | None):
        self.weights = weights
        self.raw: dict = defaultdict(float)
        self.weighted: dict = defaultdict(float)
        self.squared: dict = defaultdict(float)  # sum of squared weights, for Kish's n

    def add(self, key, cell: Cell | None, amount: float) -> None:
        self.raw[key] += amount
        if self.weights is not None:
            weight = self.weights.get(cell, 0.0)
            self.weighted[key] += amount * weight
            self.squared[key] += amount * weight * weight

    def effective_n(self, key) -> float | None:
        if self.weights is None or not self.squared.get(key):
            return None
        return self.weighted[key] ** 2 / self.squared[key]

    def ratio(self, top, bottom, *, weighted: bool) -> float | None:
        source = self.weighted if weighted else self.raw
        if weighted and self.weights is None:
            return None
        return source[top] / source[bottom] if source.get(bottom) else None


def question_results(session: Session, survey: Survey, space,
                     weighting: Weighting | None = None) -> list[QuestionResult]:
    """Counts and shares for every question (raw, and weighted when `weighting` is
    available), from three GROUP BY queries for the whole survey."""
    weights = weighting.cell_weights if weighting is not None and weighting.available else None
    cells = cell_columns(space) if weights is not None else []
    tally = _Tally(weights)

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
               func.min(SurveyAnswer.value_number), func.max(SurveyAnswer.value_number)),
        survey).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).where(
        SurveyQuestion.kind == "number", SurveyAnswer.value_number.is_not(None))
    extremes: dict[int, list[float]] = {}
    for row in session.execute(numbers.group_by(SurveyAnswer.question_id, *cells)):
        qid = row[0]
        tally.add(("count", qid), cell_of(row, 1), row[-4])
        tally.add(("sum", qid), cell_of(row, 1), row[-3])
        low, high = extremes.get(qid, [row[-2], row[-1]])
        extremes[qid] = [min(low, row[-2]), max(high, row[-1])]

    out = []
    for question in survey.questions():
        out.append(_assemble(question, tally, extremes.get(question.id)))
    return out


def _assemble(question: SurveyQuestion, tally: _Tally, extremes) -> QuestionResult:
    qid = question.id
    n = ("n", qid)
    result = QuestionResult(question, answered=int(tally.raw.get(n, 0)),
                            effective_n=tally.effective_n(n))
    if question.kind in ("single", "multiple", "ranking"):
        keys = [(str(o.id), o.label, ("o", qid, o.id)) for o in question.options]
        if question.allow_other:
            keys.append(("other", None, ("o", qid, "other")))
        for key, label, tkey in keys:
            row = OptionResult(key, label or "", int(tally.raw.get(tkey, 0)))
            if question.kind == "ranking":
                rank_key = ("rank",) + tkey[1:]
                row.mean_rank = tally.ratio(rank_key, tkey, weighted=False)
                row.weighted_mean_rank = tally.ratio(rank_key, tkey, weighted=True)
            else:
                row.share = tally.ratio(tkey, n, weighted=False)
                row.weighted_share = tally.ratio(tkey, n, weighted=True)
            result.options.append(row)
    elif question.kind == "likert":
        points = question.scale_points or 5
        total = wtotal = 0.0
        for point in range(1, points + 1):
            tkey = ("v", qid, point)
            label = question.label_low if point == 1 else (
                question.label_high if point == points else "")
            row = OptionResult(str(point), label, int(tally.raw.get(tkey, 0)),
                               tally.ratio(tkey, n, weighted=False),
                               tally.ratio(tkey, n, weighted=True))
            total += point * tally.raw.get(tkey, 0)
            wtotal += point * tally.weighted.get(tkey, 0)
            result.options.append(row)
        if result.answered:
            result.mean = total / result.answered
        if tally.weights is not None and tally.weighted.get(n):
            result.weighted_mean = wtotal / tally.weighted[n]
    elif question.kind == "number":
        result.mean = tally.ratio(("sum", qid), ("count", qid), weighted=False)
        result.weighted_mean = tally.ratio(("sum", qid), ("count", qid), weighted=True)
        if extremes:
            result.minimum, result.maximum = extremes
    return result


# --- free text -----------------------------------------------------------------------------

def text_answers(session: Session, survey: Survey, question: SurveyQuestion, *,
                 search: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Submitted free-text answers (or "other" texts) of a question, newest first, optionally
    those containing `search` (already NFKC-normalised, as stored answers are)."""
    stmt = (select(SurveyAnswer.text, SurveyResponse.submitted_at)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(_submitted(survey), SurveyAnswer.question_id == question.id,
                   SurveyAnswer.text.is_not(None), SurveyAnswer.text != ""))
    if search:
        stmt = stmt.where(SurveyAnswer.text.icontains(search, autoescape=True))
    stmt = stmt.order_by(SurveyResponse.submitted_at.desc(), SurveyAnswer.id.desc())
    return paginate(session, stmt, page, per_page, scalars=False)


__all__ = ["CELL_DIMENSIONS", "MarginCheck", "OptionResult", "QuestionResult", "Weighting",
           "cell_counts", "compute_weighting", "population_margins", "question_results",
           "respondent_count", "text_answers"]
