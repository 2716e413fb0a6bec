"""Supports of proposals and the space's support threshold. No Flask; only flush.

One support per person per proposal is a database constraint. support() and unsupport() keep
`Proposal.support_count` equal to the number of support rows by changing it in SQL, in the same
transaction as the row, only when a row was really inserted or deleted."""
from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import RoleAssignment
from app.common import invalidation
from app.common.errors import N_, DomainError
from app.common.sql import dialect_insert
from app.common.time import utcnow
from app.notifications.services import notify
from app.proposals.models import OPEN_STATUSES, Proposal, ProposalSupport
from app.proposals.services import check_writable, save_threshold, support_threshold
from app.representation.ledger import record_participation

KIND_THRESHOLD = "proposal_threshold"  # to the space's facilitators


def has_supported(session: Session, proposal: Proposal, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return session.scalar(select(ProposalSupport.id).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)) is not None


def supported_ids(session: Session, user, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals `user` supports, in one query (for lists)."""
    if user is None or not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(session.scalars(select(ProposalSupport.proposal_id).where(
        ProposalSupport.user_id == user.id, ProposalSupport.proposal_id.in_(proposal_ids))))


def count_supports(session: Session, proposal_id: int) -> int:
    """COUNT(*) of the support rows (what the stored count must always equal)."""
    return session.scalar(select(func.count()).select_from(ProposalSupport)
                          .where(ProposalSupport.proposal_id == proposal_id)) or 0


def stored_count(session: Session, proposal_id: int) -> int:
    """The stored count, read fresh (after SQL updates the ORM object may be stale)."""
    return session.scalar(select(Proposal.support_count).where(Proposal.id == proposal_id)) or 0


def support_refusal(session: Session, proposal: Proposal, user) -> str | None:
    """Why `user` cannot support or withdraw now (an English msgid), or None."""
    try:
        check_writable(session, proposal.space, user)
    except DomainError as error:
        return error.msgid
    if not proposal.is_open:
        return N_("This proposal no longer takes supports.")
    return None


def _check(session: Session, proposal: Proposal, user) -> None:
    refusal = support_refusal(session, proposal, user)
    if refusal:
        raise DomainError(refusal)


def _bump(session: Session, proposal_id: int, delta: int, *, only_open: bool) -> int:
    invalidation.touch(session, "proposal", proposal_id)  # cached pages follow the count
    stmt = update(Proposal).where(Proposal.id == proposal_id)
    if only_open:
        stmt = stmt.where(Proposal.status.in_(OPEN_STATUSES))
    return session.execute(stmt.values(support_count=Proposal.support_count + delta)
                           .execution_options(synchronize_session=False)).rowcount


def support(session: Session, proposal: Proposal, user) -> bool:
    """Support `proposal` as `user`; True if this added a support, False if they already had
    one (a repeated request is a harmless no-op).

    The proposal's row is updated first: that locks it on PostgreSQL (supports of one proposal
    queue behind each other, and a concurrent merge or status change is seen) and re-checks the
    status under the lock. Then the support row is inserted with ON CONFLICT DO NOTHING; when it
    already existed the increment is taken back. The count thus moves exactly with the rows."""
    _check(session, proposal, user)
    if _bump(session, proposal.id, +1, only_open=True) != 1:
        raise DomainError(N_("This proposal no longer takes supports."))
    inserted = session.execute(
        dialect_insert(session)(ProposalSupport)
        .values(proposal_id=proposal.id, user_id=user.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[ProposalSupport.proposal_id,
                                                ProposalSupport.user_id])
        # An INSERT's rowcount is only kept when asked for (psycopg reports -1 otherwise).
        .execution_options(preserve_rowcount=True)).rowcount == 1
    if not inserted:
        _bump(session, proposal.id, -1, only_open=False)
    else:
        record_participation(session, proposal.space_id, user, "proposal_supporters")
        check_threshold(session, proposal)
    session.expire(proposal, ["support_count"])
    invalidation.touch(session, "proposals", proposal.space_id)  # the list shows the counts
    session.flush()
    return inserted


def unsupport(session: Session, proposal: Proposal, user) -> bool:
    """Withdraw `user`'s support; True if one was removed. Same locking order as support(), so
    a support and a withdrawal by the same person at once cannot deadlock."""
    _check(session, proposal, user)
    if _bump(session, proposal.id, -1, only_open=True) != 1:
        raise DomainError(N_("This proposal no longer takes supports."))
    deleted = session.execute(delete(ProposalSupport).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not deleted:
        _bump(session, proposal.id, +1, only_open=False)
    session.expire(proposal, ["support_count"])
    invalidation.touch(session, "proposals", proposal.space_id)  # the list shows the counts
    session.flush()
    return deleted


# --- threshold -----------------------------------------------------------------------------

def facilitator_ids(session: Session, space_id: int) -> list[int]:
    """The space's own facilitators; site-wide ones only when the space has none."""
    own = list(session.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.role == "facilitator", RoleAssignment.space_id == space_id)))
    if own:
        return own
    return list(session.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.role == "facilitator", RoleAssignment.space_id.is_(None))))


def check_threshold(session: Session, proposal: Proposal) -> bool:
    """Mark the proposal the first time its count reaches the space's threshold and tell the
    facilitators. The conditional UPDATE marks it once even under concurrent supports."""
    threshold = support_threshold(session, proposal.space)
    if threshold is None:
        return False
    return _mark_reached(session, proposal, threshold)


def _mark_reached(session: Session, proposal: Proposal, threshold: int) -> bool:
    now = utcnow()
    marked = session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.threshold_reached_at.is_(None),
                               Proposal.status.not_in(("draft", "merged")),
                               Proposal.support_count >= threshold)
        .values(threshold_reached_at=now).execution_options(synchronize_session=False)).rowcount
    if not marked:
        return False
    session.expire(proposal, ["threshold_reached_at"])
    invalidation.touch(session, "proposals", proposal.space_id)
    payload = {"space_slug": proposal.space.slug, "proposal_id": proposal.id,
               "title": proposal.title, "threshold": threshold}
    for user_id in facilitator_ids(session, proposal.space_id):
        notify(session, user_id, KIND_THRESHOLD, payload,
               dedupe_key=f"{KIND_THRESHOLD}:{proposal.id}")
    return True


def change_threshold(session: Session, space, threshold: int | None) -> int:
    """Set (or with None clear) the space's support threshold, then mark and announce every
    proposal already at or over it. Returns how many were newly marked."""
    save_threshold(session, space, threshold)
    return mark_reached_after_change(session, space)


def mark_reached_after_change(session: Session, space) -> int:
    """After the threshold was set or lowered: mark (and announce) every proposal of the space
    already at or over it. Returns how many were newly marked."""
    threshold = support_threshold(session, space)
    if threshold is None:
        return 0
    candidates = list(session.scalars(select(Proposal).where(
        Proposal.space_id == space.id, Proposal.threshold_reached_at.is_(None),
        Proposal.status.not_in(("draft", "merged")), Proposal.support_count >= threshold)))
    return sum(_mark_reached(session, proposal, threshold) for proposal in candidates)
