"""`flask --app wsgi forum send-digests`: the daily e-mail digest of notifications (the forum's
and the other kinds app.forum.digest.include_in_digest added) (run it from cron, e.g.
once every morning; running it more often never sends anyone a second e-mail the same day)."""
from __future__ import annotations

import logging
from urllib.parse import urljoin

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import force_locale, gettext, ngettext

from app.accounts.models import User
from app.common import mail
from app.common.time import today_jst
from app.extensions import db
from app.forum import digest
from app.notifications.kinds import render

cli = AppGroup("forum", help="Forum maintenance.")
log = logging.getLogger(__name__)


def send_digests(base_url: str, day=None) -> int:
    """Send today's digests; returns how many e-mails were handed to the mail server. Each
    person's day is claimed and committed before their e-mail leaves (at most once a day,
    even if sending fails or two runs overlap)."""
    day = day or today_jst()
    sent = 0
    for user_id in digest.due_user_ids(db.session, day):
        user = db.session.get(User, user_id)
        notifications, total = digest.pending_notifications(db.session, user)
        if not notifications or not digest.claim(db.session, user, day, total):
            db.session.rollback()
            continue
        subject, body = compose_digest(user, notifications, total, base_url)
        email = user.email
        db.session.commit()
        if mail.send_mail(email, subject, body):
            sent += 1
        else:
            log.warning("e-mail digest for user %s could not be sent", user_id)
    return sent


def compose_digest(user: User, notifications, total: int, base_url: str) -> tuple[str, str]:
    """The digest e-mail in the person's language, its links on `base_url` (HIROBA_BASE_URL,
    never a request's Host). The notifications' renderers build their links with url_for,
    hence a request context of that address."""
    def describe(notification) -> tuple[str, str | None]:
        shown = render(notification.kind, notification.payload)
        return shown.message, urljoin(base_url, shown.url) if shown.url else None

    with current_app.test_request_context(base_url=base_url), \
            force_locale(user.locale or "ja"):
        return digest.compose(user, notifications, total, gettext=gettext, ngettext=ngettext,
                              describe=describe,
                              link=lambda endpoint: urljoin(base_url, url_for(endpoint)))


@cli.command("send-digests")
@click.option("--base-url", default=None, show_default="HIROBA_BASE_URL",
              help="Public address of the site, for the links in the e-mails.")
def send_digests_command(base_url: str | None) -> None:
    """E-mail each opted-in person their unread notifications, at most once a day."""
    base_url = base_url or current_app.config["HIROBA_BASE_URL"]
    count = send_digests(base_url.rstrip("/") + "/")
    click.echo(f"{count} digest e-mail(s) sent.")
