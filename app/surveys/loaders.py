"""What the survey pages load from their URL, for `require(rule, survey=...)`.

A survey someone may not see answers 404 whether or not it exists, so ids cannot be probed: the
loaders return None for it (the rules they ask live in app/accounts/permissions.py)."""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from app.accounts.permissions import (can_reach_surveys, can_read_survey_results_by_number,
                                      can_view_survey, can_view_survey_results)
from app.extensions import db
from app.surveys import services


def surveys_space():
    """The space of the URL, while the person may reach its surveys."""
    space = g.space
    return space if can_reach_surveys(current_user, space) else None


def survey_from_url(survey_id: int):
    """The survey of the URL's space, if the person may see it."""
    survey = services.get_survey(db.session, g.space, survey_id)
    return survey if survey is not None and can_view_survey(current_user, survey) else None


def survey_results_from_url(survey_id: int):
    """The survey, if the person may see it and its results (hidden results look missing)."""
    survey = survey_from_url(survey_id)
    return survey if survey is not None and can_view_survey_results(current_user, survey) \
        else None


def survey_by_number(survey_id: int):
    """The survey of the API's URL (no space in it), if the person may read its results."""
    survey = services.get_survey_by_id(db.session, survey_id)
    return survey if survey is not None and can_read_survey_results_by_number(
        current_user, survey) else None


def section_or_404(survey, section_id: int):
    """The section of a loaded survey named by the URL."""
    section = next((s for s in survey.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


def question_or_404(survey, question_id: int):
    """The question of a loaded survey named by the URL."""
    question = next((q for q in survey.questions() if q.id == question_id), None)
    if question is None:
        abort(404)
    return question
