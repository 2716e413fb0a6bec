"""The e-mail digest of notifications: for people who opted in (User.forum_email_digest, named
when only the forum had one), one e-mail a day at most, listing their unread notifications of the
digest's kinds since the previous digest: the forum's own, and those other packages add with
include_in_digest() from their register(app) (furusato announcements). Notification floods
are what people most dislike in peer platforms, so there is no per-event e-mail at all.

`claim()` writes the (user, day) row under a unique constraint before anything is sent: two
overlapping runs cannot both claim a person's day, so nobody ever gets two digests a day. The
caller (the CLI) commits the claim, then sends. The caller also brings the person's language
and the site's links (see `compose`): nothing here needs a request."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.common.mail import one_line
from app.common.time import utcnow
from app.forum.models import DigestSent
from app.notifications.models import Notification

DIGEST_KINDS: list[str] = ["forum_reply", "forum_moderation"]
LIST_MAX = 20


def include_in_digest(kind: str) -> None:
    """Put notifications of `kind` in the daily digest (once; registering again changes
    nothing)."""
    if kind not in DIGEST_KINDS:
        DIGEST_KINDS.append(kind)


def _since(user_id_column):
    """When the person's last digest went out (NULL if never)."""
    return (select(func.max(DigestSent.sent_at)).where(DigestSent.user_id == user_id_column)
            .scalar_subquery())


def _pending(user_id_column):
    since = _since(user_id_column)
    return (Notification.user_id == user_id_column, Notification.kind.in_(DIGEST_KINDS),
            Notification.read_at.is_(None),
            (since.is_(None)) | (Notification.created_at > since))


def due_user_ids(session: Session, day: date) -> list[int]:
    """People who opted in, can receive mail, have not had today's digest and have something
    new to read."""
    return list(session.scalars(
        select(User.id).where(
            User.forum_email_digest.is_(True), User.active.is_(True), User.deleted_at.is_(None),
            User.email.is_not(None),
            ~exists().where(DigestSent.user_id == User.id, DigestSent.day == day),
            exists().where(*_pending(User.id)),
        ).order_by(User.id)))


def pending_notifications(session: Session, user: User) -> tuple[list[Notification], int]:
    """The first LIST_MAX unread notifications of the digest's kinds since the last digest, and
    how many there are in all."""
    where = _pending(user.id)
    total = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    items = list(session.scalars(select(Notification).where(*where)
                                 .order_by(Notification.created_at, Notification.id)
                                 .limit(LIST_MAX)))
    return items, total


def claim(session: Session, user: User, day: date, count: int) -> bool:
    """Record that `user` gets their digest of `day`; False if that day is already taken."""
    try:
        with session.begin_nested():
            session.add(DigestSent(user_id=user.id, day=day, sent_at=utcnow(),
                                   notification_count=count))
    except IntegrityError:
        return False
    return True


def compose(user: User, notifications: list[Notification], total: int, *,
            gettext: Callable[..., str], ngettext: Callable[..., str],
            describe: Callable[[Notification], tuple[str, str | None]],
            link: Callable[[str], str]) -> tuple[str, str]:
    """Subject and plain-text body in the person's language. `gettext` / `ngettext` translate
    into that language; `describe(notification)` is a notification's message and absolute link
    (None: no link); `link(endpoint)` the absolute address of a page of the site."""
    subject = ngettext("Hiroba: %(num)d new notification",
                       "Hiroba: %(num)d new notifications", total)
    # Messages carry titles people typed: one line each, so none can add lines of its own.
    lines = [gettext("Hello %(name)s,", name=one_line(user.display_name)), "",
             ngettext("You have %(num)d new notification on Hiroba:",
                      "You have %(num)d new notifications on Hiroba:", total), ""]
    for notification in notifications:
        message, url = describe(notification)
        lines.append(f"- {one_line(message)}")
        if url:
            lines.append(f"  {url}")
    if total > len(notifications):
        lines += ["", gettext("…and %(num)d more.", num=total - len(notifications))]
    lines += [
        "", gettext("All your notifications: %(url)s", url=link("notifications.index")),
        "", gettext("You receive at most one such e-mail a day because you asked for it. To "
                    "stop it, untick the box on %(url)s", url=link("forum.settings")),
    ]
    return subject, "\n".join(lines)
