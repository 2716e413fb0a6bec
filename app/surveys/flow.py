"""The answering pages' flow: where a person starts or resumes, what a sent section page leads to
(the next or previous section, the review, the survey's page, or the same page again with what
needs correcting), and which sections the review marks as incomplete.

The decisions are pure: they work on the survey's objects and the answers, so they are tested
without HTTP. `answer_page` also stores the page's draft answers through app.surveys.services.
No Flask here; the view parses the request, calls, and renders what the step says.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.surveys import answering
from app.surveys.answering import Given, Problem
from app.surveys.models import Survey, SurveyResponse, SurveySection
from app.surveys.services import SectionView, save_section, visible_sections

# The buttons of a section page.
NEXT, BACK, SAVE = "next", "back", "save"

# What a section page leads to.
SHOW = "show"  # draw the page (again): answers to correct, or questions that just appeared
RESTART = "restart"  # no question of the page is visible any more: start from the beginning
SECTION = "section"  # go to the section `section_id`
REVIEW = "review"  # every section is done: the review before sending
SAVED = "saved"  # the draft is kept for later: back to the survey's page


@dataclass(frozen=True)
class Submission:
    """One section page as sent: the answers given on it, the ids of the questions the person
    saw (None: every question visible now), and the button pressed."""

    given: dict[int, Given]
    shown: set[int] | None = None
    action: str = NEXT


@dataclass
class PageStep:
    goes_to: str  # SHOW, RESTART, SECTION, REVIEW or SAVED
    views: list[SectionView]  # the sections visible with `answers`
    view: SectionView | None = None  # this page's section, when still visible
    answers: dict[int, Given] = field(default_factory=dict)  # what the page shows
    problems: dict[int, Problem] = field(default_factory=dict)  # shown next to the questions
    keep: dict[int, Given] | None = None  # the answers to store in the draft; None: store none
    resume_section_id: int | None = None  # where answering resumes after this page
    section_id: int | None = None  # the section SECTION goes to
    appeared: bool = False  # an answer revealed questions the person has not seen yet

    @property
    def position(self) -> int:
        """This page's number among the visible sections, from 1."""
        return self.views.index(self.view) + 1


def read_submission(section: SurveySection, form) -> Submission:
    """A section page's answers, seen questions and button from a form-like mapping."""
    given = {q.id: answering.parse(q, form) for q in section.questions}
    shown = ({int(x) for x in form.get("shown", "").split(",") if x.isdigit()}
             if "shown" in form else None)
    return Submission(given, shown, form.get("action", NEXT))


def _view_of(views: list[SectionView], section_id: int) -> SectionView | None:
    return next((v for v in views if v.section.id == section_id), None)


def start_section_id(survey: Survey, response: SurveyResponse | None,
                     stored: Mapping[int, Given]) -> int | None:
    """The section answering starts on: the one a draft was left on while it is visible, else
    the first visible one; None when no question is visible."""
    views = visible_sections(survey, dict(stored))
    if not views:
        return None
    resume = response.resume_section_id if response is not None else None
    return resume if _view_of(views, resume) is not None else views[0].section.id


def show_page(survey: Survey, section: SurveySection, stored: Mapping[int, Given], *,
              check: bool = False) -> PageStep:
    """The page of `section` with the stored answers (and their problems when `check`: after a
    refused sending points here); RESTART when none of its questions is visible."""
    views = visible_sections(survey, dict(stored))
    view = _view_of(views, section.id)
    if view is None:
        return PageStep(RESTART, views)
    problems = {}
    if check:
        problems = answering.check_section(view.questions, stored,
                                           {q.id for q in view.questions}).problems
    return PageStep(SHOW, views, view, dict(stored), problems)


def plan_page(survey: Survey, section: SurveySection, stored: Mapping[int, Given],
              submission: Submission) -> PageStep:
    """What a sent page of `section` leads to, with the draft's `stored` answers. "next" needs
    every seen question right; "back" and "save" keep a draft, refusing only invalid answers
    (see answering.judge_page). Nothing is stored when the step's `keep` is None."""
    answers = {**stored, **submission.given}
    views = visible_sections(survey, answers)
    view = _view_of(views, section.id)
    if view is None:  # every question of this page is now hidden
        return PageStep(RESTART, views, answers=answers)
    action = submission.action
    shown = submission.shown if submission.shown is not None else {q.id for q in view.questions}
    outcome = answering.judge_page(view.questions, answers, shown, action)
    step = PageStep(SHOW, views, view, answers, outcome.problems)
    if not outcome.save:
        return step
    index = views.index(view)
    following = views[index + 1].section.id if index + 1 < len(views) else None
    step.keep, step.appeared = outcome.keep, outcome.appeared
    moves_on = action == NEXT and not outcome.appeared and following is not None
    step.resume_section_id = following if moves_on else section.id
    if outcome.appeared:
        return step
    if action == SAVE:
        step.goes_to = SAVED
    elif action == BACK:
        step.goes_to = SECTION
        step.section_id = views[index - 1].section.id if index > 0 else section.id
    elif following is not None:
        step.goes_to, step.section_id = SECTION, following
    else:
        step.goes_to = REVIEW
    return step


def answer_page(session: Session, survey: Survey, user, section: SurveySection,
                stored: Mapping[int, Given], submission: Submission) -> PageStep:
    """Decide what the sent page leads to and keep its draft answers (a refused page keeps
    none). Raises services.AlreadySubmitted once the response is sent."""
    step = plan_page(survey, section, stored, submission)
    if step.keep is not None:
        save_section(session, survey, user, section, step.keep,
                     resume_section_id=step.resume_section_id)
    return step


def incomplete_section_ids(views: list[SectionView], answers: Mapping[int, Given]) -> set[int]:
    """The sections the review marks: some visible answer is missing or wrong."""
    return {v.section.id for v in views if answering.check_section(
        v.questions, answers, {q.id for q in v.questions}).problems}
