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
