"""What changed in a space, for the audit log and for the figures: old -> new values of edited
fields, and the audited changes of the age settings that make figures before and after a change
incomparable. No Flask here; only reads (the writing is audit() in the services)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.admin.models import AuditEntry
from app.areas.models import Area

AGE_FIELDS = ("min_age", "youth_min", "youth_max")
MODULE_FIELDS = ("forum_enabled", "proposals_enabled", "surveys_enabled")


def audit_value(value):
    """A field's value as the audit log keeps it (JSON): an area by its code, dates in ISO."""
    if isinstance(value, Area):
        return value.code
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def changes_between(obj, fields: dict) -> dict[str, list]:
    """{name: [old, new]} for each of `fields` whose new value differs from obj's current one.
    The description's text is never copied into the log: its entry is only [None, None]
    (callers report "changed")."""
    changes = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if audit_value(old) == audit_value(new):
            continue
        if name == "description_md":
            changes[name] = [None, None]
        else:
            changes[name] = [audit_value(old), audit_value(new)]
    return changes


@dataclass(frozen=True)
class AgeSettingChange:
    """One audited change of min_age, youth_min or youth_max made while the space had
    participants: figures from before `at` and after it are not comparable."""

    at: datetime
    field: str
    old: int
    new: int


def age_setting_changes(session: Session, space) -> list[AgeSettingChange]:
    """The age-setting changes made after people had taken part, oldest first (a handful of
    audit rows per space at most, so the JSON detail is read in Python on every database)."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "space.age_settings", AuditEntry.target == f"space:{space.id}")
        .order_by(AuditEntry.at, AuditEntry.id))
    changes = []
    for entry in entries:
        detail = entry.detail or {}
        if not detail.get("participants"):
            continue  # no figures existed before this change
        for name in AGE_FIELDS:
            if name in (detail.get("changes") or {}):
                old, new = detail["changes"][name]
                changes.append(AgeSettingChange(entry.at, name, old, new))
    return changes
