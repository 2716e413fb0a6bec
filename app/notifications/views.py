"""The person's notifications page and the unread count shown in the header."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.common.pagination import parse_page
from app.common.urls import safe_next
from app.extensions import db
from app.notifications import bp, services
from app.notifications.kinds import render


@bp.app_context_processor
def inject_unread_count():
    def notification_unread_count() -> int:
        # A callable, so pages pay for the COUNT only where the header actually asks for it.
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(db.session, current_user.id)
    return {"notification_unread_count": notification_unread_count}


@bp.get("/")
@login_required
def index():
    page = services.list_for(db.session, current_user.id, parse_page(request.args.get("page")),
                             current_app.config["PER_PAGE"])
    entries = [(n, render(n.kind, n.payload)) for n in page.items]
    unread = services.unread_count(db.session, current_user.id)
    return render_template("notifications/index.html", page=page, entries=entries, unread=unread)


@bp.post("/read-all")
@login_required
def read_all():
    count = services.mark_all_read(db.session, current_user.id)
    flash(ngettext("%(num)d notification marked as read.",
                   "%(num)d notifications marked as read.", count) if count
          else _("There were no unread notifications."), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    if not services.mark_read(db.session, current_user.id, notification_id):
        abort(404)
    return redirect(url_for(".index", page=parse_page(request.form.get("page"))))


@bp.post("/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    """Follow a notification's link, marking it read on the way."""
    notification = services.get_for(db.session, current_user.id, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(db.session, current_user.id, notification_id)
    target = render(notification.kind, notification.payload).url
    return redirect(safe_next(target, url_for(".index")))

