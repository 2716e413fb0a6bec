"""Responses as CSV (UTF-8 with BOM so spreadsheet software reads Japanese correctly).

One line per submitted response, numbered 1..n. Demographic columns are the respondent's ledger
categories, age only as the space's band -- never names, e-mail addresses or user ids -- and the
population weight. Answers are streamed from one query ordered by response. No Flask here.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.common.time import to_jst
from app.representation.models import Participation
from app.representation.services import BELOW, UNKNOWN
from app.surveys.answering import format_number
from app.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from app.surveys.results import Weighting, cell_columns

BOM = "\ufeff"
DEMOGRAPHIC_COLUMNS = ("age_band", "gender", "residency", "sector")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    """Text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _category(value) -> str:
    if value is None or value == UNKNOWN:
        return ""
    return "below_min_age" if value == BELOW else str(value)


def _columns(question: SurveyQuestion, number: int) -> list[tuple[str, tuple]]:
    """(header, what it holds) for each column of one question."""
    head = f"Q{number} {question.text}"
    if question.kind in ("multiple", "ranking"):
        cols = [(f"{head} [{o.label}]", ("option", o.id)) for o in question.options]
    else:
        cols = [(head, ("value",))]
    if question.allow_other:
        cols.append((f"{head} [other]", ("other",)))
    return cols


def _value(question: SurveyQuestion, what: tuple, answers: list, labels: dict) -> str:
    if what[0] == "other":
        return next((_safe(a.text) for a in answers if a.is_other), "")
    if what[0] == "option":
        for a in answers:
            if a.option_id == what[1]:
                return str(a.rank) if question.kind == "ranking" else "1"
        return "" if not answers else ("0" if question.kind == "multiple" else "")
    if question.kind == "single":
        for a in answers:
            if a.is_other:
                return "other"
            if a.option_id is not None:
                return _safe(labels.get(a.option_id, ""))
        return ""
    if question.kind in ("likert", "number"):
        return next((format_number(a.value_number) for a in answers
                     if a.value_number is not None), "")
    return next((_safe(a.text) for a in answers if a.text), "")


def export_csv(session: Session, survey: Survey, space, weighting: Weighting) -> Iterator[str]:
    """The CSV text in chunks, BOM first."""
    questions = survey.questions()
    labels = {o.id: o.label for q in questions for o in q.options}
    plan = [(q, col) for i, q in enumerate(questions, 1) for col in _columns(q, i)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["response", "submitted_on", *DEMOGRAPHIC_COLUMNS, "weight",
                     *[_safe(header) for _, (header, _) in plan]])
    yield BOM + buffer.getvalue()

    cells = cell_columns(space)
    responses = session.execute(
        select(SurveyResponse.id, SurveyResponse.submitted_at, *cells)
        .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))
        .order_by(SurveyResponse.id)).all()
    answers = iter(session.execute(
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))
        .order_by(SurveyAnswer.response_id, SurveyAnswer.id)
        .execution_options(yield_per=2000)).scalars())
    pending = next(answers, None)
    for number, (response_id, submitted_at, *cell) in enumerate(responses, 1):
        mine: dict[int, list] = {}
        while pending is not None and pending.response_id <= response_id:
            if pending.response_id == response_id:
                mine.setdefault(pending.question_id, []).append(pending)
            pending = next(answers, None)
        weight = weighting.cell_weights.get(tuple(cell)) if weighting.available else None
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([
            number, to_jst(submitted_at).date().isoformat(),
            *[_category(v) for v in cell],
            "" if weight is None else f"{weight:.6f}",
            *[_value(q, what, mine.get(q.id, []), labels) for q, (_, what) in plan]])
        yield buffer.getvalue()
