"""The life of a proposal: its author publishes the draft, facilitators move it through the
workflow with official answers, merge duplicates, and are told when a proposal reaches the
space's support threshold; authors and supporters are told about each step. No Flask; only
flush.

    draft ─► published ─► under_review ─► accepted ─► implemented
                 │             │    └───► rejected (a reason is required) ─► under_review
                 └─────────────┴────────► merged into another proposal (supports carry over)

Any public step may also carry an official answer without moving (e.g. a progress report on an
accepted proposal)."""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.admin.services import audit
from app.common.errors import N_, DomainError
from app.common.sql import dialect_insert
from app.common.text import normalize
from app.common.time import utcnow
from app.notifications.services import notify
from app.proposals.comments import lock_discussion, open_discussion
from app.proposals.models import ANSWER_MAX, Proposal, ProposalStatusChange, ProposalSupport
from app.proposals import services
from app.proposals.supports import check_threshold

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "published": ("under_review", "accepted", "rejected", "merged"),
    "under_review": ("accepted", "rejected", "merged"),
    "accepted": ("implemented",),
    "rejected": ("under_review",),
    "implemented": (),
    "merged": (),
    "draft": (),
}
# Where an official answer may be given without a change of status.
ANSWERABLE = ("published", "under_review", "accepted", "rejected", "implemented")
MERGE_TARGET_STATUSES = ("published", "under_review", "accepted", "implemented")

KIND_STATUS = "proposal_status"  # to the author and the supporters


def allowed_moves(proposal: Proposal) -> tuple[str, ...]:
    return TRANSITIONS.get(proposal.status, ())


def publish(session: Session, proposal: Proposal, author) -> Proposal:
    """The author's step from draft to published: the proposal becomes public (the author enters
    the participation ledger with it) and its discussion opens, so it can be commented on and
    reported to the moderators from the start."""
    services.publish(session, proposal, author)
    open_discussion(session, proposal)
    return proposal


def take_step(session: Session, proposal: Proposal, actor, *, to_status: str, answer: str = "",
              merge_into_id: int | None = None) -> ProposalStatusChange:
    """A facilitator's step on the status page: with to_status "merged", a merge into the
    proposal numbered `merge_into_id` in the same space; otherwise a change of status (or, with
    the current status, an official answer without one)."""
    if to_status == "merged":
        target = services.get_proposal(session, proposal.space, merge_into_id) \
            if merge_into_id is not None else None
        return merge(session, proposal, target, actor, answer=answer)
    return change_status(session, proposal, actor, to_status=to_status, answer=answer)


def _clean_answer(answer: str | None, *, required: bool, message: str) -> str:
    answer = (answer or "").strip()
    if required and not normalize(answer):
        raise DomainError(message, "answer")
    if len(answer) > ANSWER_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), "answer", max=ANSWER_MAX)
    return answer


def _lock(session: Session, *proposal_ids: int) -> dict[int, str]:
    """Lock the proposals' rows (PostgreSQL; in id order so two merges cannot deadlock) and
    return their current statuses, read under the lock."""
    rows = session.execute(select(Proposal.id, Proposal.status)
                           .where(Proposal.id.in_(proposal_ids))
                           .order_by(Proposal.id).with_for_update()).all()
    return dict(rows)


def change_status(session: Session, proposal: Proposal, actor, *, to_status: str,
                  answer: str = "") -> ProposalStatusChange:
    """Move `proposal` to `to_status` (or, with to_status equal to the current status, give an
    official answer without moving). Rejection needs a reason, an answer without a move needs
    text. Merging goes through merge()."""
    if to_status == "merged":
        raise DomainError(N_("Choose the proposal to merge into."), "merge_into")
    current = _lock(session, proposal.id).get(proposal.id)
    session.refresh(proposal)
    staying = to_status == current
    if staying and current not in ANSWERABLE:
        raise DomainError(N_("This proposal can no longer be answered."), "status")
    if not staying and to_status not in TRANSITIONS.get(current, ()):
        raise DomainError(N_("This change of status is not possible now."), "status")
    if to_status == "rejected" and not staying:
        answer = _clean_answer(answer, required=True,
                               message=N_("Give the reason for rejecting this proposal."))
    else:
        answer = _clean_answer(answer, required=staying,
                               message=N_("Write the official answer, or choose a new status."))
    now = utcnow()
    change = ProposalStatusChange(proposal_id=proposal.id, from_status=current,
                                  to_status=to_status, actor_id=actor.id, answer=answer,
                                  created_at=now)
    session.add(change)
    proposal.status = to_status
    proposal.updated_at = now
    if answer:
        proposal.answered_at = now
    session.flush()
    audit(session, actor, "proposal.answer" if staying else "proposal.status",
          f"proposal:{proposal.id}", space=proposal.space.slug, from_status=current,
          to_status=to_status)
    _notify_followers(session, proposal, change, actor)
    return change


def merge(session: Session, proposal: Proposal, target: Proposal | None, actor, *,
          answer: str = "") -> ProposalStatusChange:
    """Merge `proposal` into `target` of the same space. Every support moves to the target with
    INSERT ... SELECT ... ON CONFLICT DO NOTHING, so a person who supported both counts once;
    the target's count grows by exactly the rows inserted and the merged proposal keeps none."""
    if target is None or target.space_id != proposal.space_id:
        raise DomainError(N_("Enter the number of a proposal in this space."), "merge_into")
    if target.id == proposal.id:
        raise DomainError(N_("A proposal cannot be merged into itself."), "merge_into")
    statuses = _lock(session, proposal.id, target.id)
    session.refresh(proposal)
    session.refresh(target)
    if "merged" not in TRANSITIONS.get(statuses.get(proposal.id), ()):
        raise DomainError(N_("This change of status is not possible now."), "status")
    if statuses.get(target.id) not in MERGE_TARGET_STATUSES:
        raise DomainError(N_("Proposal %(id)s cannot take a merge: it is a draft, merged or "
                             "not found."), "merge_into", id=target.id)
    answer = _clean_answer(answer, required=False, message="")
    now = utcnow()
    # The source's followers are told before their supports move away.
    change = ProposalStatusChange(proposal_id=proposal.id, from_status=proposal.status,
                                  to_status="merged", actor_id=actor.id, answer=answer,
                                  merged_into_id=target.id, created_at=now)
    session.add(change)
    session.flush()
    _notify_followers(session, proposal, change, actor)
    carried = session.execute(
        dialect_insert(session)(ProposalSupport).from_select(
            ["proposal_id", "user_id", "created_at"],
            select(target.id, ProposalSupport.user_id, ProposalSupport.created_at)
            .where(ProposalSupport.proposal_id == proposal.id))
        .on_conflict_do_nothing(index_elements=[ProposalSupport.proposal_id,
                                                ProposalSupport.user_id])
        .execution_options(preserve_rowcount=True)).rowcount or 0
    session.execute(delete(ProposalSupport).where(ProposalSupport.proposal_id == proposal.id)
                    .execution_options(synchronize_session=False))
    session.execute(update(Proposal).where(Proposal.id == target.id)
                    .values(support_count=Proposal.support_count + carried, updated_at=now)
                    .execution_options(synchronize_session=False))
    session.execute(update(Proposal).where(Proposal.id == proposal.id)
                    .values(status="merged", merged_into_id=target.id, support_count=0,
                            updated_at=now, **({"answered_at": now} if answer else {}))
                    .execution_options(synchronize_session=False))
    change.supports_carried = carried
    session.flush()
    session.refresh(proposal)
    session.refresh(target)
    audit(session, actor, "proposal.merge", f"proposal:{proposal.id}",
          space=proposal.space.slug, into=target.id, supports_carried=carried)
    lock_discussion(session, proposal, actor)
    check_threshold(session, target)
    return change


def _notify_followers(session: Session, proposal: Proposal, change: ProposalStatusChange,
                      actor) -> None:
    """The author and every supporter, once each, except the facilitator who acted."""
    supporters = session.scalars(select(ProposalSupport.user_id)
                                 .where(ProposalSupport.proposal_id == proposal.id))
    people = {uid for uid in (proposal.author_id, *supporters) if uid and uid != actor.id}
    payload = {"space_slug": proposal.space.slug, "proposal_id": proposal.id,
               "title": proposal.title, "from_status": change.from_status,
               "to_status": change.to_status, "answered": bool(change.answer),
               "merged_into_id": change.merged_into_id}
    for user_id in sorted(people):
        notify(session, user_id, KIND_STATUS,
               {**payload, "role": "author" if user_id == proposal.author_id else "supporter"},
               dedupe_key=f"{KIND_STATUS}:{change.id}")
