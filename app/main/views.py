"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.common.urls import safe_next
from app.extensions import db
from app.health.checks import health_report

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    from app.spaces.services import list_public_spaces

    return render_template("index.html", spaces=list_public_spaces(db.session, limit=6))


@bp.get("/lang/<code>")
def set_language(code: str):
    if code in ("ja", "en"):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.get("/healthz")
def healthz():
    # Each dependency with its state; 200 while the database answers (Redis down = degraded).
    report, status = health_report(db.session, current_app.config.get("RATELIMIT_STORAGE_URI"))
    return report, status, {"Cache-Control": "no-store"}
