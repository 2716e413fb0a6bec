"""Moderation of the forum (and of proposals' comments, which are forum posts): flags, the
moderators' queue and decisions, blocks of people from a space or the whole site."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.moderation import export, views
    from app.moderation.services import KIND_DECISION
    from app.notifications.kinds import register_kind

    app.register_blueprint(bp)
    register_kind(KIND_DECISION, views.render_decision_notification)
    register_export_section("flags_filed", export.export_flags_filed)
    register_export_section("blocks", export.export_blocks)
