"""The person's notifications in their data export ('download all my data').

A payload is written by the module that sent the notification and may name someone other than
the recipient (e.g. who replied). Such keys are left out of the export: the producing module
declares them with omit_from_export(), next to its own export section. app.notifications.register
adds export_notifications to the export."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.export import iso_utc
from app.notifications.models import Notification

_OMITTED_KEYS: dict[str, frozenset[str]] = {}


def omit_from_export(kind: str, *keys: str) -> None:
    """Leave these payload keys of notifications of `kind` out of the recipient's export
    (they identify another person). Repeated calls add to the keys already omitted."""
    _OMITTED_KEYS[kind] = _OMITTED_KEYS.get(kind, frozenset()) | frozenset(keys)


def export_notifications(session: Session, user) -> list[dict]:
    omitted_by_kind = dict(_OMITTED_KEYS)
    rows = session.scalars(select(Notification).where(Notification.user_id == user.id)
                           .order_by(Notification.created_at, Notification.id))
    out = []
    for notification in rows:
        omitted = omitted_by_kind.get(notification.kind, frozenset())
        payload = {key: value for key, value in (notification.payload or {}).items()
                   if key not in omitted}
        out.append({"kind": notification.kind, "payload": payload,
                    "created_at": iso_utc(notification.created_at),
                    "read_at": iso_utc(notification.read_at)})
    return out

