"""The facilitators' export of a survey: two CSVs (UTF-8 with BOM so spreadsheet software reads
Japanese correctly) that cannot be joined to each other. No Flask here.

Responses: one line per submitted response with the quasi-identifiers (age band, gender,
residency, sector, from the ledger snapshot) made k-anonymous: a combination shared by fewer
than k respondents has its sector blanked, then its residency, then its age band, then its
gender, until every combination present holds at least k lines (or all are blank). The weight is
the average of the group sharing the line's shown combination (a cell's own weight would tell
the blanked categories). No response number, no submission date, and the lines are ordered by
the shown combination and then at random, so neither order nor date points back to a person.
Free text (and "other" texts) are not in it.

Written answers: question and text only, shuffled: no demographics, no response number.
"""
from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.representation.models import Participation

from app.surveys.answering import format_number
from app.surveys.models import TEXT_KINDS, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from app.surveys.results import Weighting, cell_columns
from app.representation.queries import BELOW, UNKNOWN

BOM = "\ufeff"
DEMOGRAPHIC_COLUMNS = ("age_band", "gender", "residency", "sector")
BLANK_ORDER = ("sector", "residency", "age_band", "gender")  # least useful first
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_shuffler = random.SystemRandom()


def _safe(value) -> str:
    """Text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _category(value) -> str:
    if value is None or value == UNKNOWN:
        return ""
    return "below_min_age" if value == BELOW else str(value)


def _columns(question: SurveyQuestion, number: int) -> list[tuple[str, tuple]]:
    """(header, what it holds) for each column of one question in the responses CSV."""
    head = f"Q{number} {question.text}"
    if question.kind in ("multiple", "ranking"):
        return [(f"{head} [{o.label}]", ("option", o.id)) for o in question.options]
    return [(head, ("value",))]


def _value(question: SurveyQuestion, what: tuple, answers: list, labels: dict) -> str:
    if what[0] == "option":
        for a in answers:
            if a.option_id == what[1]:
                return str(a.rank) if question.kind == "ranking" else "1"
        if question.kind == "multiple" and answers:
            return "0"
        return ""
    if question.kind in ("single", "multiple"):  # "other" is said, its text is not
        for a in answers:
            if a.is_other:
                return "other"
            if a.option_id is not None:
                return _safe(labels.get(a.option_id, ""))
        return ""
    return next((format_number(a.value_number) for a in answers
                 if a.value_number is not None), "")


def k_anonymise(lines: list[tuple[str, ...]], k: int) -> tuple[list[tuple[str, ...]], Counter]:
    """Quasi-identifier tuples (in DEMOGRAPHIC_COLUMNS order) generalised so that every
    combination present is shared by at least k lines, or all are blank; and how many values
    were blanked per column. Groups only ever merge as values are blanked, so a group that
    reached k keeps it."""
    rows = [list(line) for line in lines]
    blanked: Counter = Counter()
    positions = {name: DEMOGRAPHIC_COLUMNS.index(name) for name in DEMOGRAPHIC_COLUMNS}

    def blank(row: list, names) -> None:
        for name in names:
            if row[positions[name]]:
                blanked[name] += 1
                row[positions[name]] = ""

    for name in BLANK_ORDER:
        sizes = Counter(tuple(r) for r in rows)
        for row in rows:
            if sizes[tuple(row)] < k:
                blank(row, [name])
    # Left below k now is at most the all-blank group: the smallest other groups join it until
    # it holds k, so that it cannot be told apart by what is missing from the others.
    empty = ("",) * len(DEMOGRAPHIC_COLUMNS)
    sizes = Counter(tuple(r) for r in rows)
    while 0 < sizes.get(empty, 0) < k and len(sizes) > 1:
        smallest = min((key for key in sizes if key != empty), key=lambda key: (sizes[key], key))
        for row in rows:
            if tuple(row) == smallest:
                blank(row, DEMOGRAPHIC_COLUMNS)
        sizes = Counter(tuple(r) for r in rows)
    return [tuple(r) for r in rows], blanked


@dataclass
class ResponsesExport:
    header: list[str]
    rows: list[list[str]]
    k: int
    blanked: Counter = field(default_factory=Counter)  # values blanked per column

    @property
    def blanked_total(self) -> int:
        return sum(self.blanked.values())


def _submitted(survey: Survey):
    return (SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))


def response_count(session: Session, survey: Survey) -> int:
    """How many lines the responses CSV has."""
    return session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(*_submitted(survey))) or 0


def responses_export(session: Session, survey: Survey, space, weighting: Weighting,
                     k: int) -> ResponsesExport:
    questions = [q for q in survey.questions() if q.kind not in TEXT_KINDS]
    labels = {o.id: o.label for q in questions for o in q.options}
    numbers = {q.id: i for i, q in enumerate(survey.questions(), 1)}
    plan = [(q, col) for q in questions for col in _columns(q, numbers[q.id])]
    cells = cell_columns(space)
    responses = session.execute(
        select(SurveyResponse.id, *cells)
        .outerjoin(Participation, Participation.id == SurveyResponse.participation_id)
        .where(*_submitted(survey))).all()
    answers: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    wanted = [q.id for q in questions]
    for answer in session.execute(
            select(SurveyAnswer).join(SurveyResponse,
                                      SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.survey_id == survey.id, *_submitted(survey),
                   SurveyAnswer.question_id.in_(wanted))
            .order_by(SurveyAnswer.id)).scalars():
        answers[answer.response_id][answer.question_id].append(answer)
    shown, blanked = k_anonymise(
        [tuple(_category(v) for v in cell) for _, *cell in responses], max(1, int(k)))
    # the weight of a line is its shown group's average, so it says nothing the line hides
    group_weights: dict[tuple, list[float]] = defaultdict(list)
    if weighting.available:
        for (_, *cell), key in zip(responses, shown, strict=True):
            group_weights[key].append(weighting.cell_weights.get(tuple(cell), 0.0))
    lines = []
    for (response_id, *_cell), key in zip(responses, shown, strict=True):
        weights = group_weights.get(key)
        weight = f"{sum(weights) / len(weights):.6f}" if weights else ""
        mine = answers.get(response_id, {})
        lines.append((key, _shuffler.random(), [*key, weight, *[
            _value(q, what, mine.get(q.id, []), labels) for q, (_, what) in plan]]))
    lines.sort(key=lambda line: (line[0], line[1]))
    header = [*DEMOGRAPHIC_COLUMNS, "weight", *[_safe(h) for _, (h, _) in plan]]
    return ResponsesExport(header, [line[2] for line in lines], int(k), blanked)


def text_export(session: Session, survey: Survey) -> list[list[str]]:
    """[question, text] for every written answer and "other" text, shuffled."""
    numbers = {q.id: (i, q) for i, q in enumerate(survey.questions(), 1)}
    rows = []
    for question_id, is_other, text in session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.is_other, SurveyAnswer.text)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.survey_id == survey.id, *_submitted(survey),
                   SurveyAnswer.text.is_not(None),
                   SurveyAnswer.text != "")):
        number, question = numbers[question_id]
        head = f"Q{number} {question.text}" + (" [other]" if is_other else "")
        rows.append([_safe(head), _safe(text)])
    _shuffler.shuffle(rows)
    return rows


def to_csv(header: list[str], rows: list[list[str]], comment: str | None = None) -> str:
    """CSV text, BOM first, with an optional first line '# comment' saying what was changed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if comment:  # one field, quoted if need be, so spreadsheets keep it in the first cell
        writer.writerow(["# " + " ".join(comment.split())])
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + buffer.getvalue()
