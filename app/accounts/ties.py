"""A person's ties to areas other than their home (residency_ties), and their residency type for
one area derived from the home and the ties (the rule: app.areas.residency).

No Flask here: functions take the session first and only flush; problems a person can fix are
DomainErrors naming the form field (`area`, `kind`)."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import ResidencyTie, User
from app.accounts.services import HOME_AREA_KINDS, resolve_area
from app.areas.models import Area
from app.areas.residency import (TIE_KINDS, Tie, derive_residency, derive_residency_tie,
                                 tie_contains_home)
from app.areas.services import (area_chain, area_cover, chain_from_row, chain_levels,
                                join_chain)
from app.common.errors import N_, DomainError

KIND_MISSING = N_("Choose how you are connected to this area.")
AREA_MISSING = N_("Enter the area's name or its 5-digit code.")
_AREA_KIND = N_("Choose a prefecture, a municipality or a ward.")
_HOME = N_("You live in %(area)s, so you count as its resident: there is no connection to "
           "record.")
_TWICE = N_("You have already recorded how you are connected to %(area)s. Remove that "
            "connection first to change it.")


def tie_area(session: Session, text: str | None) -> Area:
    """The area a person typed for a tie, found the way the home municipality is found
    (services.resolve_area); its problems are said on the field `area`."""
    if not (text or "").strip():
        raise DomainError(AREA_MISSING, "area")
    try:
        return resolve_area(session, text)
    except DomainError as error:
        raise DomainError(error.msgid, "area", **error.params) from None


def add_tie(session: Session, user: User, area: Area, kind: str, *,
            locale: str = "ja") -> ResidencyTie:
    """Record how `user` is connected to `area`. Refused: an unknown kind, a region or the
    nation, the home or an area containing it, an area already tied (also when two requests
    race: the unique constraint decides, inside a savepoint)."""
    if kind not in TIE_KINDS:
        raise DomainError(KIND_MISSING, "kind")
    if area.kind not in HOME_AREA_KINDS:
        raise DomainError(_AREA_KIND, "area")
    name = area.name(locale)
    if tie_contains_home(area.id, area_chain(session, user.home_area_id)):
        raise DomainError(_HOME, "area", area=name)
    tie = ResidencyTie(user_id=user.id, area_id=area.id, kind=kind)
    try:
        with session.begin_nested():
            session.add(tie)
            session.flush()
    except IntegrityError:
        raise DomainError(_TWICE, "area", area=name) from None
    return tie


def remove_tie(session: Session, user: User, tie_id: int) -> bool:
    """Delete one of the person's own ties; False when they have no such tie."""
    result = session.execute(delete(ResidencyTie).where(ResidencyTie.id == tie_id,
                                                        ResidencyTie.user_id == user.id))
    session.flush()
    return result.rowcount > 0


def ties_of(session: Session, user: User) -> list[ResidencyTie]:
    """The person's ties with their areas, by area code."""
    return list(session.scalars(
        select(ResidencyTie).join(Area, Area.id == ResidencyTie.area_id)
        .options(joinedload(ResidencyTie.area))
        .where(ResidencyTie.user_id == user.id).order_by(Area.code)))


def tie_to(session: Session, user: User, area_id: int) -> ResidencyTie | None:
    return session.scalar(select(ResidencyTie).where(ResidencyTie.user_id == user.id,
                                                     ResidencyTie.area_id == area_id))


def chained_ties(session: Session, user_id: int) -> list[Tie]:
    """The person's ties, each with its area's chain: one query."""
    levels = chain_levels()
    stmt = join_chain(
        select(ResidencyTie.kind, *(level.id for level in levels))
        .join(levels[0], levels[0].id == ResidencyTie.area_id), levels)
    return [Tie(chain_from_row(row[1:]), row[0])
            for row in session.execute(stmt.where(ResidencyTie.user_id == user_id))]


def residency_for_area(session: Session, user: User, area_id: int) -> str | None:
    """The person's residency type for `area_id` (app.areas.residency.derive_residency):
    three queries (the home's chain, the area's members, the ties with their chains)."""
    return derive_residency(area_chain(session, user.home_area_id), area_id,
                            area_cover(session, area_id), chained_ties(session, user.id))


def residency_and_kind(session: Session, user: User, area_id: int,
                       cover: frozenset[int]) -> tuple[str | None, str | None]:
    """(residency type, kind of the tie that gave it) for `area_id` with its `cover`
    (app.areas.residency.derive_residency_tie): two queries."""
    return derive_residency_tie(area_chain(session, user.home_area_id), area_id, cover,
                                chained_ties(session, user.id))
