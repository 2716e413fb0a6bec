"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.common.urls import safe_next
from app.extensions import db

bp = Blueprint("main", __name__)


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


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
