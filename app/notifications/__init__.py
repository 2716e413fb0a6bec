"""In-app notifications: the page, the unread count in the header, and the registry of how each
kind reads (kinds.py), to which the modules that notify add their kinds."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.notifications import views  # noqa: F401  (its routes join bp)
    from app.notifications.export import export_notifications

    app.register_blueprint(bp)
    register_export_section("notifications", export_notifications)
