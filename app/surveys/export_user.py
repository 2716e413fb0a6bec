"""The person's survey responses in their data export ('download all my data'), drafts included
(submitted_at null): each answer as the question's text with the value given, in the order the
survey asks them. (app.surveys.export is the facilitators' CSV of a survey.)"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.export import iso_utc, register_export_section
from app.spaces.models import Space
from app.surveys.models import (Survey, SurveyAnswer, SurveyOption, SurveyQuestion,
                                SurveyResponse, SurveySection)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _answer_value(kind: str, rows: list) -> dict:
    """The value of one question from its answer rows (in option/rank order): a label or a list
    of labels for choices and rankings, a number, or a text; the "other" text apart."""
    labels = [row.label for row in rows if row.label is not None and not row.is_other]
    other = next((row.text for row in rows if row.is_other), None)
    if kind == "single":
        value = labels[0] if labels else None
    elif kind in ("multiple", "ranking"):
        value = labels
    elif kind in ("likert", "number"):
        value = next((_number(row.value_number) for row in rows
                      if row.value_number is not None), None)
    else:
        value = next((row.text for row in rows if row.text is not None), None)
    out = {"value": value}
    if kind in ("single", "multiple"):
        out["other"] = other
    return out


def export_survey_responses(session: Session, user) -> list[dict]:
    responses = session.execute(
        select(SurveyResponse.id, SurveyResponse.started_at, SurveyResponse.submitted_at,
               Survey.id.label("survey_id"), Survey.title, Space.slug)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .join(Space, Space.id == Survey.space_id)
        .where(SurveyResponse.user_id == user.id)
        .order_by(SurveyResponse.started_at, SurveyResponse.id)).all()
    # Every answer of every response of the person in one query, in answering order; a ranking's
    # options by rank, chosen options in the order the question lists them.
    answer_rows = session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.question_id,
               SurveyQuestion.text.label("question"), SurveyQuestion.kind, SurveyOption.label,
               SurveyAnswer.is_other, SurveyAnswer.value_number, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveySection, SurveySection.id == SurveyQuestion.section_id)
        .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(SurveyResponse.user_id == user.id)
        .order_by(SurveyAnswer.response_id, SurveySection.position, SurveySection.id,
                  SurveyQuestion.position, SurveyQuestion.id, SurveyAnswer.rank,
                  SurveyOption.position, SurveyAnswer.id)).all()
    grouped: dict[int, dict[int, list]] = {}
    for row in answer_rows:
        grouped.setdefault(row.response_id, {}).setdefault(row.question_id, []).append(row)
    out = []
    for response in responses:
        answers = [{"question": rows[0].question, "kind": rows[0].kind,
                    **_answer_value(rows[0].kind, rows)}
                   for rows in grouped.get(response.id, {}).values()]
        out.append({"survey": {"id": response.survey_id, "title": response.title,
                               "space": response.slug},
                    "started_at": iso_utc(response.started_at),
                    "submitted_at": iso_utc(response.submitted_at),
                    "answers": answers})
    return out


register_export_section("survey_responses", export_survey_responses)
