"""A person's furusato tier for one space's area, on the day they first take part there (the
participation ledger keeps it: app.representation.ledger). The rule is pure, in
app.areas.residency.furusato_tier; here only the one query that reads the registrations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.residency import Registration, furusato_tier
from app.areas.services import chain_from_row, chain_levels, join_chain
from app.common.time import to_jst, utcnow
from app.areas.models import Area
from app.furusato.models import FurusatoRegistration


def chained_registrations(session: Session, user_id: int) -> list[Registration]:
    """The person's registrations, each with its area's chain, as they stand now: one query.
    An active row is in force; a lapsed or left one ended when it lapsed or was left (or, with
    no time recorded, is treated as ended already)."""
    levels = chain_levels()
    r = FurusatoRegistration
    stmt = join_chain(
        select(r.tier, r.status, r.valid_from, r.valid_until, r.lapsed_at, r.left_at,
               r.premium_since, *(level.id for level in levels))
        .join(levels[0], levels[0].id == r.area_id), levels)
    out = []
    for tier, status, valid_from, valid_until, lapsed_at, left_at, premium_since, *ids in \
            session.execute(stmt.where(r.user_id == user_id)):
        ended = None
        if status != "active":
            ended = (left_at if status == "left" else lapsed_at) or datetime.min
        out.append(Registration(chain_from_row(ids), tier, valid_from, valid_until, ended,
                                premium_since))
    return out


def ward_city(session: Session, area_id: int) -> int | None:
    """The city of a ward (its registrants count for the ward's space), else None."""
    row = session.execute(select(Area.kind, Area.parent_id).where(Area.id == area_id)).first()
    return row[1] if row is not None and row[0] == "ward" else None


def tier_for_area(session: Session, user_id: int, area_id: int, cover: frozenset[int],
                  at: datetime) -> str:
    """'none', 'basic' or 'premium' for the space's area `area_id` (with its `cover`) at `at`
    (naive UTC)."""
    return furusato_tier(area_id, cover, chained_registrations(session, user_id), at,
                         to_jst(at).date(), city=ward_city(session, area_id))


def registered_now(session: Session, user_id: int, area_id: int, cover: frozenset[int]) -> bool:
    """Whether the person holds a registration in force now that counts for the space's area:
    the tracker's rule (tier_for_area), so the person a limited space lets in as a registrant
    is the person its figures count as one."""
    return tier_for_area(session, user_id, area_id, cover, utcnow()) != "none"
