"""Recording participation. Every module calls record_participation() in the same transaction as
the contribution it records; the first call for a person in a space writes the snapshot, later
calls only add the module flag. An upsert against the unique (space_id, user_id) constraint makes
this safe under concurrent requests (no check-then-insert race)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.common.sql import dialect_insert
from app.common.time import to_jst, utcnow
from app.representation.models import LEDGER_MODULES, Participation


def age_at(birth_year: int | None, on: date) -> int | None:
    """Whole years at `on`, from the birth year alone. Without a birthday we assume mid-year
    (1 July), which is right on average and never off by more than one year."""
    if birth_year is None:
        return None
    age = on.year - birth_year - (1 if (on.month, on.day) < (7, 1) else 0)
    return max(age, 0)


def snapshot(user, at: datetime) -> dict:
    """The demographic categories of `user` at moment `at` (naive UTC)."""
    demo = user.demographics
    return {
        "age": age_at(demo.birth_year if demo else None, to_jst(at).date()),
        "gender": demo.gender if demo else None,
        "sector": demo.sector if demo else None,
        "residency": user.residency,
        "home_area_id": user.home_area_id,
    }


def record_participation(session: Session, space_id: int, user, module: str,
                         at: datetime | None = None) -> None:
    """Record that `user` took part in space `space_id` through `module`. Only flushes."""
    if module not in LEDGER_MODULES:
        raise ValueError(f"unknown ledger module: {module}")
    at = at or utcnow()
    values = {"space_id": space_id, "user_id": user.id, "first_at": at,
              **{m: m == module for m in LEDGER_MODULES}, f"{module}_at": at,
              **snapshot(user, at)}
    insert = dialect_insert(session)
    stmt = insert(Participation).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Participation.space_id, Participation.user_id],
        set_={module: True,
              f"{module}_at": func.coalesce(getattr(Participation, f"{module}_at"), at)},
    )
    session.execute(stmt)
