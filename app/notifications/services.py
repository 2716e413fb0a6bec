"""Notifications: create (idempotently, by dedupe key), count, list, mark read. Services only
flush; the request boundary (or the CLI) commits."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.common.pagination import Page, paginate
from app.common.sql import dialect_insert
from app.common.time import utcnow
from app.notifications.models import Notification

KIND_MAX = 40
DEDUPE_KEY_MAX = 120


def notify(session: Session, user_id: int, kind: str, payload: dict[str, Any] | None = None,
           dedupe_key: str | None = None) -> bool:
    """Queue a notification for `user_id`. With a dedupe key, a second call with the same key for
    the same person does nothing, even from concurrent transactions (INSERT ... ON CONFLICT DO
    NOTHING against the unique constraint, not check-then-insert). Returns whether a row was
    written."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"kind must be 1..{KIND_MAX} characters")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= DEDUPE_KEY_MAX:
        raise ValueError(f"dedupe_key must be 1..{DEDUPE_KEY_MAX} characters")
    values = {"user_id": user_id, "kind": kind, "payload": dict(payload or {}),
              "dedupe_key": dedupe_key, "created_at": utcnow()}
    insert = dialect_insert(session)
    stmt = (insert(Notification).values(**values)
            .on_conflict_do_nothing(index_elements=[Notification.user_id, Notification.dedupe_key])
            .returning(Notification.id))
    return session.execute(stmt).scalar() is not None


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def list_for(session: Session, user_id: int, page: int, per_page: int) -> Page:
    """Newest first; unread and read together so the page is a stable history."""
    stmt = (select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return paginate(session, stmt, page, per_page)


def get_for(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """The notification if it belongs to `user_id`; None otherwise (never someone else's)."""
    return session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id))


def mark_read(session: Session, user_id: int, notification_id: int) -> bool:
    """Mark one of the person's own notifications read. Returns False if it is not theirs."""
    notification = get_for(session, user_id, notification_id)
    if notification is None:
        return False
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
    return True


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the person read in one UPDATE; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount or 0
