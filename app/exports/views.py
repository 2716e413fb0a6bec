"""A background export's status page (progress while it runs, the link when done) and its
download: the owner's only, until it expires."""
from __future__ import annotations

from flask import Response, redirect, render_template, url_for
from flask_babel import gettext as _

from app.accounts.permissions import can_see_export, require
from app.common.time import to_jst
from app.exports import bp, services
from app.extensions import db
from app.notifications.kinds import RenderedNotification


def export_from_url(export_id: int):
    return services.unexpired(db.session, export_id)


@bp.get("/<int:export_id>")
@require(can_see_export, export=export_from_url)
def detail(export):
    return render_template("exports/detail.html", export=export,
                           expires=to_jst(export.expires_at))


@bp.get("/<int:export_id>/download")
@require(can_see_export, export=export_from_url)
def download(export):
    if export.status != "done":  # not ready (or failed): its status page says which
        return redirect(url_for(".detail", export_id=export.id)), 303
    return Response(services.content_of(db.session, export), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"',
                             "Cache-Control": "private, no-store"})


def render_ready(payload: dict) -> RenderedNotification:
    return RenderedNotification(
        _("Your CSV “%(title)s” is ready to download.", title=payload["title"]),
        url_for("exports.detail", export_id=int(payload["export_id"])))


def render_failed(payload: dict) -> RenderedNotification:
    return RenderedNotification(
        _("Your CSV “%(title)s” could not be prepared. Please try again.",
          title=payload["title"]),
        url_for("exports.detail", export_id=int(payload["export_id"])))
