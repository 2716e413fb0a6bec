"""'Download all my data': one JSON document with a section per module. Each module adds its
sections with register_export_section() from its package's register(app); the account's own
sections are added by register_account_sections()."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import ResidencyTie, RoleAssignment, User
from app.areas.models import Area
from app.representation.models import LEDGER_MODULES, Participation
from app.spaces.models import Space

ExportSection = Callable[[Session, User], Any]
_EXPORT_SECTIONS: dict[str, ExportSection] = {}


def register_export_section(name: str, build: ExportSection) -> None:
    """Let a module add its part of a person's data export: `build(session, user)` returns
    anything json.dumps accepts (datetimes are written as ISO strings). Call it from the module's
    register(app); registering a name again replaces the earlier builder (a new app in the same
    process registers the same sections again)."""
    _EXPORT_SECTIONS[name] = build


def export_user_data(session: Session, user: User) -> dict:
    """Everything stored about `user`, one key per registered section, in registration order."""
    return {name: build(session, user) for name, build in _EXPORT_SECTIONS.items()}


def iso_utc(moment) -> str | None:
    """A stored (naive UTC) datetime as ISO 8601 marked UTC ("...Z"), or None: the form every
    export section writes its times in."""
    return moment.isoformat() + "Z" if moment is not None else None


def _export_profile(session: Session, user: User) -> dict:
    area = user.home_area
    return {
        "id": user.id, "email": user.email, "display_name": user.display_name,
        "locale": user.locale,
        "home_area": {"code": area.code, "name_ja": area.name_ja, "name_en": area.name_en}
        if area else None,
        "created_at": iso_utc(user.created_at),
    }


def _export_demographics(session: Session, user: User) -> dict | None:
    demo = user.demographics
    if demo is None:
        return None
    return {"birth_year": demo.birth_year, "gender": demo.gender, "sector": demo.sector,
            "consented_at": iso_utc(demo.consented_at), "updated_at": iso_utc(demo.updated_at)}


def _export_ties(session: Session, user: User) -> list[dict]:
    rows = session.execute(
        select(ResidencyTie.kind, ResidencyTie.created_at, Area.code, Area.name_ja, Area.name_en)
        .join(Area, Area.id == ResidencyTie.area_id)
        .where(ResidencyTie.user_id == user.id).order_by(Area.code))
    return [{"area": {"code": code, "name_ja": name_ja, "name_en": name_en}, "kind": kind,
             "since": iso_utc(since)} for kind, since, code, name_ja, name_en in rows]


def _export_roles(session: Session, user: User) -> list[dict]:
    rows = session.execute(
        select(RoleAssignment.role, Space.slug, RoleAssignment.created_at)
        .outerjoin(Space, Space.id == RoleAssignment.space_id)
        .where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id))
    return [{"role": role, "space": slug, "since": iso_utc(since)} for role, slug, since in rows]


def _export_participations(session: Session, user: User) -> list[dict]:
    rows = session.execute(
        select(Participation, Space.slug, Space.title)
        .join(Space, Space.id == Participation.space_id)
        .where(Participation.user_id == user.id).order_by(Participation.first_at))
    return [{
        "space": {"slug": slug, "title": title},
        "first_at": iso_utc(p.first_at),
        "modules": [m for m in LEDGER_MODULES if getattr(p, m)],
        "snapshot": {"age": p.age, "gender": p.gender, "residency": p.residency,
                     "sector": p.sector, "home_area_id": p.home_area_id},
    } for p, slug, title in rows]


def register_account_sections() -> None:
    """The account's own sections, first in every export (app.accounts.register calls this)."""
    register_export_section("profile", _export_profile)
    register_export_section("demographics", _export_demographics)
    register_export_section("residency_ties", _export_ties)
    register_export_section("roles", _export_roles)
    register_export_section("participations", _export_participations)
