"""Recording participation. Every module calls record_participation() in the same transaction as
the contribution it records; the first call for a person in a space writes the snapshot, later
calls only add the module flag. An upsert against the unique (space_id, user_id) constraint makes
this safe under concurrent requests (no check-then-insert race).

The snapshot's residency type is derived for the space's area (app.areas.residency) from the
person's home and ties. When neither says, the row keeps it unknown and the space is noted in
`session.info[UNKNOWN_RESIDENCY]`: the web layer then sends the person, once, to the one-tap
question "how are you connected to this area?" (answer_connection), right after the
contribution was saved (docs/privacy.md says why after, not before)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.accounts import ties
from app.areas.residency import tie_category
from app.areas.services import area_cover
from app.common.errors import N_, DomainError
from app.common.sql import dialect_insert
from app.common.time import to_jst, utcnow
from app.furusato.standing import tier_for_area
from app.representation import tallies
from app.representation.batches import chain_time
from app.representation.models import LEDGER_MODULES, MODULE_FLAG_COLUMNS, Participation
from app.spaces.models import Space

# session.info key: the ids of spaces where this unit of work wrote a first participation whose
# residency is unknown (the web layer asks the one-tap question for them).
UNKNOWN_RESIDENCY = "hiroba.unknown_residency_spaces"


def age_at(birth_year: int | None, on: date) -> int | None:
    """Whole years at `on`, from the birth year alone. Without a birthday we assume mid-year
    (1 July), which is right on average and never off by more than one year."""
    if birth_year is None:
        return None
    age = on.year - birth_year - (1 if (on.month, on.day) < (7, 1) else 0)
    return max(age, 0)


def snapshot(user, at: datetime, residency: str | None, tie_kind: str | None = None,
             furusato_tier: str | None = None) -> dict:
    """The demographic categories of `user` at moment `at` (naive UTC), with the residency type
    derived for the space (ties.residency_and_kind), the kind of the tie that gave it and the
    furusato tier for the space's area (app.furusato.standing)."""
    demo = user.demographics
    return {
        "age": age_at(demo.birth_year if demo else None, to_jst(at).date()),
        "gender": demo.gender if demo else None,
        "sector": demo.sector if demo else None,
        "residency": residency,
        "tie_kind": tie_kind,
        "furusato_tier": furusato_tier,
        "home_area_id": user.home_area_id,
    }


def _check_may_take_part(session: Session, space_id: int, user) -> None:
    """The one place a space's participation setting is enforced (app/spaces/eligibility.py):
    every module's contribution passes here before it is counted; a refusal rolls it all back."""
    from app.spaces.eligibility import is_limited, participation_refusal

    space = session.get(Space, space_id)
    if space is not None and is_limited(space):
        reason = participation_refusal(session, user, space)
        if reason:
            raise DomainError(reason)


def record_participation(session: Session, space_id: int, user, module: str,
                         at: datetime | None = None) -> None:
    """Record that `user` took part in space `space_id` through `module`. Only flushes."""
    if module not in LEDGER_MODULES:
        raise ValueError(f"unknown ledger module: {module}")
    _check_may_take_part(session, space_id, user)
    at = at or utcnow()
    mine = (Participation.space_id == space_id, Participation.user_id == user.id)
    module_at = getattr(Participation, f"{module}_at")
    found = session.execute(select(Participation.id, getattr(Participation, module), module_at)
                            .where(*mine)).first()
    if found is not None:
        row_id, used, used_at = found
        # Not the first time here: the snapshot stays, only the module is added (to its chain
        # at `at`: only tallies from there on can change, app/representation/tallies).
        # Only a first use of the module writes: a row that already has it is neither updated
        # nor locked (nor even sent a statement), so one person's many supports in a row do not
        # queue on their ledger row. The UPDATE's own condition still holds under a race.
        if used and used_at is not None:
            return
        session.execute(update(Participation).where(
            *mine, or_(module_at.is_(None), getattr(Participation, module).is_(False))).values(
            {module: True, f"{module}_at": func.coalesce(module_at, at)})
            .execution_options(**{tallies.SKIP_OPTION: tallies.stale_scope(
                space_id, [module], at, row_id)}))
        return
    area_id = session.scalar(select(Space.area_id).where(Space.id == space_id))
    cover = area_cover(session, area_id)
    residency, tie_kind = ties.residency_and_kind(session, user, area_id, cover)
    tier = tier_for_area(session, user.id, area_id, cover, at)
    if residency is None:
        session.info.setdefault(UNKNOWN_RESIDENCY, set()).add(space_id)
    values = {"space_id": space_id, "user_id": user.id, "first_at": at,
              **{m: m == module for m in LEDGER_MODULES}, f"{module}_at": at,
              **snapshot(user, at, residency, tie_kind, tier)}
    # The upsert still guards the unique (space_id, user_id): a concurrent first contribution
    # may have written the row since the check above.
    insert = dialect_insert(session)
    stmt = insert(Participation).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Participation.space_id, Participation.user_id],
        set_={module: True,
              f"{module}_at": func.coalesce(getattr(Participation, f"{module}_at"), at)},
    ).execution_options(**{tallies.SKIP_OPTION: tallies.stale_scope(
        space_id, ["all", module], at)})
    session.execute(stmt)


# --- the one-tap question ---------------------------------------------------------------------

def open_question(session: Session, user, space) -> Participation | None:
    """The person's ledger row in `space` when the one-tap question is still to be asked: the
    residency is unknown and the person has neither answered nor skipped."""
    return session.scalar(select(Participation).where(
        Participation.space_id == space.id, Participation.user_id == user.id,
        Participation.residency.is_(None), Participation.residency_asked.is_(False)))


def _in_open_batches(session: Session, row: Participation, k: int) -> bool:
    """True while no closed batch of any chain the row is in (app.representation.batches)
    contains it: figures have not counted it yet, so its residency may still change without
    two views of a facilitator's dashboard telling it apart."""
    for module in ("all", *MODULE_FLAG_COLUMNS):
        column = chain_time(module)
        moment = getattr(row, column.key)
        if moment is None:
            continue
        in_chain = (Participation.space_id == row.space_id, column.is_not(None))
        total = session.scalar(select(func.count()).where(*in_chain)) or 0
        rank = session.scalar(select(func.count()).where(*in_chain, or_(
            column < moment, and_(column == moment, Participation.id <= row.id)))) or 0
        if rank <= total // k * k:
            return False
    return True


_ASKED = N_("You have already answered this question for this space.")


def answer_connection(session: Session, user, space, kind: str | None, *, k: int,
                      locale: str = "ja") -> bool:
    """The person's answer to "how are you connected to <area>?" for `space` (None: skipped).
    A kind is recorded as a tie to the space's area (ties.add_tie: its refusals apply) and
    becomes the snapshot's residency type (and tie kind) while the person's batches are still open (else the
    snapshot stays unknown: counted figures never change). Either way the question is not asked
    again here. Returns whether the snapshot was updated. Only flushes."""
    row = open_question(session, user, space)
    if row is None:
        raise DomainError(_ASKED)
    updated = False
    if kind is not None:
        tie = ties.add_tie(session, user, space.area, kind, locale=locale)
        if _in_open_batches(session, row, max(1, int(k))):
            row.residency = tie_category(tie.kind)
            row.tie_kind = tie.kind
            updated = True
    row.residency_asked = True
    session.flush()
    return updated
