"""Surveys in use: listing, opening and closing, drafts and submission.

One response per person and survey is a database constraint; a draft is a response whose
`submitted_at` is NULL. Saving and submitting first take a write lock on the draft row with a
conditional UPDATE (`... WHERE submitted_at IS NULL`), so two tabs or two double-clicks cannot
both submit, and nothing is changed after submission. No Flask here; functions only flush.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.roles import space_ids_with_role
from app.common.errors import N_, DomainError
from app.common.sql import dialect_insert
from app.common.text import normalize
from app.common.time import utcnow
from app.representation.ledger import record_participation
from app.spaces.eligibility import participation_refusal
from app.representation.models import Participation
from app.spaces.models import Space
from app.surveys import answering
from app.surveys.answering import Given, Problem
from app.surveys.builder import has_responses
from app.surveys.models import (Survey, SurveyAnswer, SurveyQuestion, SurveyResponse,
                                SurveySection)


class AlreadySubmitted(DomainError):
    """Saving or submitting refused: the person's response is already sent."""

    def __init__(self):
        super().__init__(N_("You have already sent your answers to this survey. Each person "
                            "can answer once."))


class Incomplete(DomainError):
    """Submission refused: a section still has problems; `section_id` says which."""

    def __init__(self, section_id: int, problems: dict[int, Problem]):
        super().__init__(N_("Some answers are missing or need a correction."))
        self.section_id = section_id
        self.problems = problems


# --- reading -------------------------------------------------------------------------------

def _with_structure(stmt):
    return stmt.options(selectinload(Survey.sections).selectinload(SurveySection.questions)
                        .selectinload(SurveyQuestion.options))


def get_survey(session: Session, space, survey_id: int) -> Survey | None:
    """The survey with its sections, questions and options, if it belongs to `space`."""
    return session.scalar(_with_structure(
        select(Survey).where(Survey.id == survey_id, Survey.space_id == space.id)))


def get_survey_by_id(session: Session, survey_id: int) -> Survey | None:
    return session.scalar(_with_structure(select(Survey).where(Survey.id == survey_id)))


def list_surveys(session: Session, space, *, include_drafts: bool) -> list[Survey]:
    stmt = select(Survey).where(Survey.space_id == space.id)
    if not include_drafts:
        stmt = stmt.where(Survey.published.is_(True))
    return list(session.scalars(stmt.order_by(Survey.created_at.desc(), Survey.id.desc())))


def response_counts(session: Session, survey_ids: list[int]) -> dict[int, dict[str, int]]:
    """{survey id: {'submitted': n, 'drafts': n}} in one GROUP BY."""
    out = {sid: {"submitted": 0, "drafts": 0} for sid in survey_ids}
    if not survey_ids:
        return out
    submitted = SurveyResponse.submitted_at.is_not(None)
    rows = session.execute(
        select(SurveyResponse.survey_id, submitted, func.count())
        .where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id, submitted))
    for survey_id, is_submitted, count in rows:
        out[survey_id]["submitted" if is_submitted else "drafts"] = count
    return out


def my_states(session: Session, user, survey_ids: list[int]) -> dict[int, str]:
    """{survey id: 'draft' | 'submitted'} for the surveys `user` has started."""
    if not survey_ids or not getattr(user, "is_authenticated", False):
        return {}
    rows = session.execute(
        select(SurveyResponse.survey_id, SurveyResponse.submitted_at)
        .where(SurveyResponse.user_id == user.id, SurveyResponse.survey_id.in_(survey_ids)))
    return {sid: ("submitted" if at is not None else "draft") for sid, at in rows}


def copy_targets(session: Session, user) -> list[Space]:
    """Spaces `user` may copy a survey into: those they facilitate (every space for site-wide
    facilitators and admins), by title."""
    stmt = select(Space).options(joinedload(Space.area)).order_by(Space.title, Space.id)
    if not user.has_role("facilitator"):  # no site-wide role: only their own spaces
        stmt = stmt.where(Space.id.in_(space_ids_with_role(user.id, "facilitator")))
    return list(session.scalars(stmt))


# --- opening and closing -------------------------------------------------------------------

def _require_questions(survey: Survey) -> None:
    if not survey.questions():
        raise DomainError(N_("Add at least one question first."))


def publish(session: Session, survey: Survey) -> None:
    """Visible to participants; open now unless its dates say otherwise."""
    _require_questions(survey)
    survey.published = True
    session.flush()


def unpublish(session: Session, survey: Survey) -> None:
    if has_responses(session, survey):
        raise DomainError(N_("People have started answering, so the survey cannot be withdrawn. "
                             "Close it instead."))
    survey.published = False
    session.flush()


def open_now(session: Session, survey: Survey, now: datetime | None = None) -> None:
    """Open by hand: published, opening now, and no past closing date."""
    _require_questions(survey)
    now = now or utcnow()
    survey.published = True
    if survey.opens_at is None or survey.opens_at > now:
        survey.opens_at = now
    if survey.closes_at is not None and survey.closes_at <= now:
        survey.closes_at = None
    session.flush()


def close_now(session: Session, survey: Survey, now: datetime | None = None) -> None:
    now = now or utcnow()
    if survey.status(now) not in ("open", "scheduled"):
        raise DomainError(N_("Only an open or scheduled survey can be closed."))
    if survey.opens_at is not None and survey.opens_at >= now:
        survey.opens_at = None  # a scheduled survey closed before it opened
    survey.closes_at = now
    session.flush()


# --- answering -----------------------------------------------------------------------------

def answer_refusal(survey: Survey, space, now: datetime | None = None, *,
                   session: Session | None = None, user=None) -> str | None:
    """Why answering is not possible now (a key for a message), or None. With `user` (and
    `session`), also whether the space's participation setting lets them take part."""
    status = survey.status(now)
    if status == "draft":
        return "not_published"
    if not space.surveys_enabled:
        return "module_off"
    if status == "scheduled":
        return "not_open_yet"
    if status == "closed":
        return "closed"
    if not space.accepts_input():
        return "space_closed"
    if session is not None and participation_refusal(session, user, space):
        return "area_people_only"
    return None


def get_response(session: Session, survey: Survey, user) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id))


def load_answers(session: Session, response: SurveyResponse | None) -> dict[int, Given]:
    """The stored answers of a response, as Given objects by question id (read fresh)."""
    if response is None:
        return {}
    rows = session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.is_other,
               SurveyAnswer.value_number, SurveyAnswer.rank, SurveyAnswer.text)
        .where(SurveyAnswer.response_id == response.id).order_by(SurveyAnswer.id))
    out: dict[int, Given] = {}
    for question_id, option_id, is_other, number, rank, text in rows:
        given = out.setdefault(question_id, Given())
        if is_other:
            given.other = text or ""
        elif rank is not None and option_id is not None:
            given.ranks[option_id] = rank
        elif option_id is not None:
            given.options.append(option_id)
        elif number is not None:
            given.number = number
            given.raw = answering.format_number(number)
        elif text is not None:
            given.text = text
    return out


@dataclass
class SectionView:
    section: SurveySection
    questions: list[SurveyQuestion]  # the visible ones


def visible_sections(survey: Survey, answers: dict[int, Given]) -> list[SectionView]:
    """Sections with at least one visible question, each with its visible questions."""
    visible = answering.visible_ids(survey.questions(), answers)
    out = []
    for section in survey.sections:
        shown = [q for q in section.questions if q.id in visible]
        if shown:
            out.append(SectionView(section, shown))
    return out


def _lock_draft(session: Session, survey: Survey, user, now: datetime) -> SurveyResponse:
    """The user's draft, created if needed and write-locked for this transaction."""
    insert = dialect_insert(session)
    session.execute(insert(SurveyResponse).values(
        survey_id=survey.id, user_id=user.id, started_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["survey_id", "user_id"]))
    locked = session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id,
               SurveyResponse.submitted_at.is_(None))
        .values(updated_at=now).execution_options(synchronize_session=False))
    if locked.rowcount == 0:
        raise AlreadySubmitted()
    response = session.scalar(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                     SurveyResponse.user_id == user.id)
        .execution_options(populate_existing=True))
    return response


def _answer_rows(response: SurveyResponse, question: SurveyQuestion, given: Given) -> list[dict]:
    base = {"response_id": response.id, "survey_id": response.survey_id,
            "question_id": question.id, "option_id": None,
            "is_other": False, "value_number": None, "rank": None, "text": None}
    rows = [base | {"option_id": option_id} for option_id in given.options]
    # Stored texts are NFKC so that searching them (also NFKC) finds full- and half-width alike.
    if given.other is not None:
        rows.append(base | {"is_other": True, "text": normalize(given.other)})
    if question.kind in ("likert", "number") and given.number is not None:
        rows.append(base | {"value_number": given.number})
    if question.kind in ("short_text", "long_text") and given.text:
        rows.append(base | {"text": normalize(given.text)})
    rows.extend(base | {"option_id": oid, "rank": rank} for oid, rank in given.ranks.items())
    return rows


def save_section(session: Session, survey: Survey, user, section: SurveySection,
                 answers: dict[int, Given], *, resume_section_id: int | None,
                 now: datetime | None = None) -> SurveyResponse:
    """Store the answers given on one section page in the user's draft (replacing that
    section's earlier answers). Problem-free answers only: the caller checks first."""
    now = now or utcnow()
    response = _lock_draft(session, survey, user, now)
    question_ids = [q.id for q in section.questions]
    session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id,
                                               SurveyAnswer.question_id.in_(question_ids)))
    rows = [row for q in section.questions if q.id in answers
            for row in _answer_rows(response, q, answers[q.id])]
    if rows:
        session.execute(SurveyAnswer.__table__.insert(), rows)
    response.resume_section_id = resume_section_id
    session.flush()
    return response


def submit(session: Session, survey: Survey, user, now: datetime | None = None) -> SurveyResponse:
    """Turn the draft into the response: every visible section is checked again (conditions
    may have changed since a page was saved), answers to hidden questions are dropped, and the
    participation is recorded in the ledger in the same transaction."""
    now = now or utcnow()
    response = _lock_draft(session, survey, user, now)
    answers = load_answers(session, response)
    for view in visible_sections(survey, answers):
        result = answering.check_section(view.questions, answers,
                                         {q.id for q in view.questions})
        if result.problems:
            raise Incomplete(view.section.id, result.problems)
    visible = answering.visible_ids(survey.questions(), answers)
    hidden = [qid for qid in answers if qid not in visible]
    if hidden:
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id,
                                                   SurveyAnswer.question_id.in_(hidden)))
    record_participation(session, survey.space_id, user, "surveys", at=now)
    response.participation_id = session.scalar(select(Participation.id).where(
        Participation.space_id == survey.space_id, Participation.user_id == user.id))
    response.submitted_at = now
    response.resume_section_id = None
    session.flush()
    return response
