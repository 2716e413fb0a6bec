"""Shortcuts of the proposals tests through the real services; the world and its clients are
tests.people's."""
from __future__ import annotations

from sqlalchemy import func, select

from app.proposals import services, supports
from app.proposals.models import Proposal, ProposalSupport


def url(space, path: str = "") -> str:
    return f"/spaces/{space.slug}/proposals/{path}"


def first_category(db, space):
    category = services.list_categories(db.session, space)[0]
    db.session.commit()  # the seeding insert, as a request would commit it
    return category


def draft(db, space, author, title: str = "子ども食堂を増やす",
          body: str = "地域の**子ども食堂**を各区に増やしてほしい。", category=None) -> Proposal:
    category = category or first_category(db, space)
    proposal = services.create_draft(db.session, space, author, title=title, body=body,
                                     category_id=category.id)
    db.session.commit()
    return proposal


def published(db, space, author, title: str = "子ども食堂を増やす",
              body: str = "地域の**子ども食堂**を各区に増やしてほしい。", category=None) -> Proposal:
    from app.proposals import comments

    proposal = draft(db, space, author, title, body, category)
    services.publish(db.session, proposal, author)
    comments.open_discussion(db.session, proposal)
    db.session.commit()
    return proposal


def supported_by(db, proposal, *users) -> None:
    for user in users:
        supports.support(db.session, proposal, user)
    db.session.commit()


def support_rows(db, proposal_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProposalSupport)
                             .where(ProposalSupport.proposal_id == proposal_id)) or 0


def stored_count(db, proposal_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Proposal.support_count).where(Proposal.id == proposal_id))
