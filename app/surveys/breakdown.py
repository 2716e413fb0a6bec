"""Answers broken down by a demographic dimension of the respondents' ledger snapshots, with
small groups suppressed.

For each question the table is answers x categories, with the respondents per category, the
overall count of each answer and the answered total beside them. Which of them to hide is
decided over all of them at once by the shared audit (app.surveys.disclosure.count_figures,
one `protect` call per question): cells and groups below k, and as many others as needed so
that no sum or difference of what is shown recovers them. A small group is hidden whole, zeros
included. No Flask here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import GENDERS, RESIDENCY_TYPES, SECTORS

from app.representation.models import Participation
from app.surveys.disclosure import column_figures, count_figures
from app.surveys.models import Survey, SurveyAnswer, SurveyQuestion
from app.surveys.results import answers_from
from app.representation.queries import BELOW, UNKNOWN, band_expression
from app.representation.reference import age_bands

DIMENSIONS = ("age_band", "gender", "residency", "sector")
UNKNOWN = UNKNOWN  # no answer in the snapshot
BELOW = BELOW  # younger than the space's minimum age


@dataclass
class Cell:
    count: int | None  # None when hidden
    share: float | None  # among the column's respondents who answered the question
    hidden: bool = False


@dataclass
class Row:
    key: str  # option id, 'other' or a Likert point
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)
    means: dict[str, float | None] = field(default_factory=dict)  # ranking: mean rank
    overall: int | None = None  # all respondents who gave this answer; None when hidden


@dataclass
class Table:
    question: SurveyQuestion
    columns: list[str]  # category keys present among this question's respondents
    totals: dict[str, int | None]  # respondents per column; None when hidden
    rows: list[Row] = field(default_factory=list)
    means: dict[str, float | None] = field(default_factory=dict)  # Likert and number
    suppressed_all: bool = False  # too few people, or every group small: nothing shown
    answered: int = 0  # respondents who answered the question (always shown)
    hidden: int = 0  # figures withheld


def category_order(space, dimension: str) -> list[str]:
    if dimension == "age_band":
        return [b.key for b in age_bands(space)] + [BELOW, UNKNOWN]
    values = {"gender": GENDERS, "residency": RESIDENCY_TYPES, "sector": SECTORS}[dimension]
    return list(values) + [UNKNOWN]


def _column(space, dimension: str):
    if dimension == "age_band":
        bands = age_bands(space)
        return band_expression(bands, space.min_age).label("category")
    return getattr(Participation, dimension).label("category")


def _key(value) -> str:
    return UNKNOWN if value is None else str(value)


def breakdown(session: Session, survey: Survey, space, dimension: str,
              min_cell: int) -> list[Table]:
    """One table per question that has options, a scale or numbers (free text has none)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}")
    k = max(1, int(min_cell))
    column = _column(space, dimension)
    answered: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    stmt = answers_from(select(SurveyAnswer.question_id, column,
                                func.count(SurveyAnswer.response_id.distinct())), survey)
    for qid, cat, n in session.execute(stmt.group_by(SurveyAnswer.question_id, column)):
        answered[qid][_key(cat)] += n
    counts: dict[tuple, int] = defaultdict(int)
    sums: dict[tuple, float] = defaultdict(float)
    stmt = answers_from(select(
        SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.is_other,
        SurveyAnswer.value_number, column, func.count(), func.sum(SurveyAnswer.rank)), survey)
    stmt = stmt.join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).where(
        SurveyQuestion.kind.in_(("single", "multiple", "likert", "ranking", "number")))
    kinds = {q.id: q.kind for q in survey.questions()}
    for qid, option_id, is_other, value, cat, n, rank_sum in session.execute(stmt.group_by(
            SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.is_other,
            SurveyAnswer.value_number, column)):
        col, kind = _key(cat), kinds.get(qid)
        if kind == "number":
            if value is not None:
                sums[(qid, "sum", col)] += value * n
            continue
        row_key = str(int(value)) if kind == "likert" and value is not None else (
            "other" if is_other else str(option_id))
        counts[(qid, row_key, col)] += n
        if rank_sum is not None:
            sums[(qid, row_key, col)] += rank_sum
    order = category_order(space, dimension)
    tables = []
    for question in survey.questions():
        if question.kind in ("short_text", "long_text"):
            continue
        tables.append(_table(question, order, answered.get(question.id, {}), counts, sums, k))
    return tables


def _row_keys(question: SurveyQuestion) -> list[tuple[str, str]]:
    if question.kind == "likert":
        points = question.scale_points or 5
        return [(str(p), question.label_low if p == 1 else (
            question.label_high if p == points else "")) for p in range(1, points + 1)]
    if question.kind == "number":
        return []
    keys = [(str(o.id), o.label) for o in question.options]
    if question.allow_other:
        keys.append(("other", ""))
    return keys


def _table(question, order, answered, counts, sums, k) -> Table:
    extra = [c for c in answered if c not in order]
    columns = [c for c in order + extra if answered.get(c)]
    qid = question.id
    rows = _row_keys(question)
    keys = [key for key, _ in rows]
    total = sum(answered[c] for c in columns)
    cells = {(key, c): counts.get((qid, key, c), 0) for key in keys for c in columns}
    totals = {c: answered[c] for c in columns}
    overall = {key: sum(cells[(key, c)] for c in columns) for key in keys}
    if question.kind in ("single", "multiple", "likert"):
        exact = (question.kind == "multiple" and question.min_choices is not None
                 and question.min_choices == question.max_choices)
        options = dict(multiple=question.kind == "multiple", exact_choices=exact)
        hidden = count_figures(keys, columns, cells, totals, overall, total, k, **options)
        if hidden is None:
            # The audit hides one figure at a time; where a small cell needs two hidden at once
            # (its row's overall count pins it), leaving the "All" column out often suffices.
            hidden = count_figures(keys, columns, cells, totals, None, total, k, **options)
    else:  # ranking and number: respondents per column, then averages of whole columns
        hidden = column_figures(totals, total, k)
    unprotectable = hidden is None
    hidden = set(columns) if hidden is None else hidden
    hidden_cols = {c for c in columns if ("total", c) in hidden
                   or ("total", c, keys[0] if keys else None) in hidden}
    table = Table(question, columns, {c: (None if c in hidden_cols else answered[c])
                                      for c in columns})
    table.answered = total
    if columns and (unprotectable or total < k or len(hidden_cols) == len(columns)):
        # fewer than k people in all, or every group small: any breakdown would single them out
        table.suppressed_all = True
        table.totals = {c: None for c in columns}
        return table
    for key, label in rows:
        row = Row(key, label)
        row.overall = None if ("overall", key) in hidden else overall[key]
        for c in columns:
            n = cells[(key, c)]
            if ("cell", key, c) in hidden or c in hidden_cols:
                row.cells[c] = Cell(None, None, True)
                table.hidden += 1
            else:
                row.cells[c] = Cell(n, n / answered[c] if answered[c] else None)
            if question.kind == "ranking":
                row.means[c] = None if c in hidden_cols or not n else sums[(qid, key, c)] / n
        table.rows.append(row)
    for c in columns:
        # A Likert mean is a weighted sum of the column's counts: shown only when all of them
        # are, so it cannot solve a hidden one.
        whole = c not in hidden_cols and not any(row.cells[c].hidden for row in table.rows)
        if not whole:
            table.means[c] = None
        elif question.kind == "number":
            table.means[c] = sums.get((qid, "sum", c), 0.0) / answered[c]
        elif question.kind == "likert":
            table.means[c] = sum(int(key) * cells[(key, c)] for key in keys) / answered[c]
    table.hidden += len(hidden_cols) + sum(1 for row in table.rows if row.overall is None)
    return table
