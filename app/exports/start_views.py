"""Starting a background export from a feature's own page (proposals, survey responses): the
row is written, the job queued after the response, and the person sent to its status page."""
from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from app.common.jobs import enqueue
from app.exports import services
from app.exports.jobs import run_export, ttl
from app.extensions import db


def too_large_to_wait(rows: int) -> bool:
    """Whether a CSV of `rows` lines is prepared in the background instead of in the request."""
    return rows > int(current_app.config["EXPORT_INLINE_MAX_ROWS"])


def offer_background(title: str, rows: int, action: str):
    """The page that says the file is large and offers to prepare it (a POST to `action`)."""
    return render_template("exports/offer.html", title=title, rows=rows, action=action)


def start_background_export(kind: str, target_id: int, title: str, params: dict | None = None):
    export = services.ask(db.session, current_user.id, kind, target_id, title=title, ttl=ttl(),
                          params=params)
    enqueue(run_export, export.id)
    return redirect(url_for("exports.detail", export_id=export.id)), 303
