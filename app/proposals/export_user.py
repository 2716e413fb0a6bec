"""The person's proposals in their data export ('download all my data'): those they wrote
(drafts included) with their status history and official answers, and the supports they gave.
(app.proposals.export is the facilitators' CSV of a space.) Who moved a proposal or answered it
is left out: the facilitator's identity is not the author's data. Comments on proposals are forum
posts and appear in the forum section."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.export import iso_utc
from app.areas.models import Area
from app.proposals.models import Proposal, ProposalCategory, ProposalSupport
from app.spaces.models import Space


def _authored(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(Proposal, Space.slug, ProposalCategory.name_ja, ProposalCategory.name_en,
               Area.code)
        .join(Space, Space.id == Proposal.space_id)
        .outerjoin(ProposalCategory, ProposalCategory.id == Proposal.category_id)
        .outerjoin(Area, Area.id == Proposal.area_id)
        .where(Proposal.author_id == user.id)
        .options(selectinload(Proposal.status_changes))
        .order_by(Proposal.created_at, Proposal.id))
    return [{
        "id": proposal.id, "space": slug, "title": proposal.title, "body": proposal.body,
        "category": {"name_ja": name_ja, "name_en": name_en} if name_ja is not None else None,
        "area": area_code, "status": proposal.status, "support_count": proposal.support_count,
        "merged_into_id": proposal.merged_into_id,
        "created_at": iso_utc(proposal.created_at), "updated_at": iso_utc(proposal.updated_at),
        "published_at": iso_utc(proposal.published_at),
        "answered_at": iso_utc(proposal.answered_at),
        "threshold_reached_at": iso_utc(proposal.threshold_reached_at),
        "history": [{"from_status": change.from_status, "to_status": change.to_status,
                     "official_answer": change.answer or None,
                     "merged_into_id": change.merged_into_id,
                     "at": iso_utc(change.created_at)} for change in proposal.status_changes],
    } for proposal, slug, name_ja, name_en, area_code in rows]


def _supported(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(ProposalSupport.created_at, Proposal.id, Proposal.title, Proposal.status,
               Space.slug)
        .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
        .join(Space, Space.id == Proposal.space_id)
        .where(ProposalSupport.user_id == user.id)
        .order_by(ProposalSupport.created_at, ProposalSupport.id))
    return [{"proposal_id": proposal_id, "space": slug, "title": title, "status": status,
             "supported_at": iso_utc(at)} for at, proposal_id, title, status, slug in rows]


def export_proposals(session: Session, user) -> dict:
    """The "proposals" section of the export (app.proposals.register adds it)."""
    return {"authored": _authored(session, user), "supported": _supported(session, user)}
