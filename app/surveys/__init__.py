"""Surveys: building them, answering section by section, and their results (pages and API)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/spaces/<slug>/surveys")
api_bp = Blueprint("surveys_api", __name__, url_prefix="/api/v1")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.exports.kinds import register_export_kind
    from app.surveys import api, builder_views, export_user, export_views, views  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    register_export_section("survey_responses", export_user.export_survey_responses)
    register_export_kind("survey_responses", export_views.build_export)
    api.register_openapi()
    _watch_for_cached_results()


def _watch_for_cached_results() -> None:
    """The public results of a closed survey are computed once for anonymous readers
    (app/surveys/api.py): any write to the survey, its wording or its responses, and any change
    of a snapshot in the space's ledger (a late residency answer), makes them stale."""
    from app.common.invalidation import watch
    from app.representation.models import Participation
    from app.surveys.models import (Survey, SurveyAnswer, SurveyOption, SurveyQuestion,
                                    SurveyResponse, SurveySection)

    watch(Survey, lambda survey: [("survey", survey.id)])
    for model in (SurveySection, SurveyQuestion, SurveyResponse, SurveyAnswer):
        watch(model, lambda row: [("survey", row.survey_id)])
    watch(SurveyOption, lambda option: [("survey", option.question.survey_id)])
    watch(Participation, lambda row: [("ledger", row.space_id)])
