"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.common.urls import safe_next
from app.extensions import db
from app.health.checks import health_report
from app.main import bp


@bp.get("/")
def index():
    from app.spaces.services import list_public_spaces

    return render_template("index.html", spaces=list_public_spaces(db.session, limit=6))


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """The language switch. Only the header's POST form (CSRF-protected) changes a logged-in
    person's stored language; a GET, which any other site can make a browser send, changes this
    browser's session only."""
    if code in ("ja", "en"):
        session["locale"] = code
        if request.method == "POST" and current_user.is_authenticated:
            current_user.locale = code
    return redirect(safe_next(request.values.get("next"), url_for("main.index")),
                    303 if request.method == "POST" else 302)


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement, with the figures of the last recorded accessibility walk."""
    from app.main.accessibility import load_results

    return render_template("main/accessibility.html", results=load_results())


@bp.get("/healthz")
def healthz():
    # Each dependency with its state; 200 while the database answers (Redis down = degraded).
    report, status = health_report(db.session, current_app.config.get("RATELIMIT_STORAGE_URI"))
    return report, status, {"Cache-Control": "no-store"}
