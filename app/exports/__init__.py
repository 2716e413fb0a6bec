"""Background exports: a large CSV is prepared by a job (app.exports.jobs) while the person who
asked watches its progress (views.py), gets a notification with the link when it is ready, and
downloads it, alone, until it expires. Feature packages register what they export (kinds.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports")


def register(app) -> None:
    from app.exports import jobs, views
    from app.notifications.kinds import register_kind

    app.register_blueprint(bp)
    register_kind(jobs.KIND_READY, views.render_ready)
    register_kind(jobs.KIND_FAILED, views.render_failed)
