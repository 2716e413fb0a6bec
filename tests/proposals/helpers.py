"""Shared set-up of the proposals tests: a space with one person per role, logging in without
the (deliberately slow) password check, and shortcuts through the real services."""
from __future__ import annotations

from types import SimpleNamespace

from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy import func, select

from app.proposals import services, supports
from app.proposals.models import Proposal, ProposalSupport

ROLES = ("anonymous", "participant", "author", "other_facilitator", "facilitator", "moderator",
         "admin")


def build_world(make, db, slug: str = "mirai", **space_fields) -> SimpleNamespace:
    space = make.space(slug, title="未来プラン", **space_fields)
    other = make.space(f"{slug}-other", title="別の場")
    return SimpleNamespace(
        space=space,
        other_space=other,
        participant=make.user("part@example.jp", display_name="参加 花子"),
        author=make.user("author@example.jp", display_name="提案 太郎"),
        other_facilitator=make.user("ofac@example.jp", display_name="他の進行役",
                                    roles=(f"facilitator:{other.id}",)),
        facilitator=make.user("fac@example.jp", display_name="進行 役",
                              roles=(f"facilitator:{space.id}",)),
        moderator=make.user("mod@example.jp", display_name="管理 人",
                            roles=(f"moderator:{space.id}",)),
        admin=make.user("admin@example.jp", display_name="運営", roles=("admin",)),
    )


class PersonClient(FlaskClient):
    """A test client that is one person. Requests made inside the test's app context share its
    `g`, where Flask-Login caches the current user and the unit of work marks a refused request
    (app/common/unit_of_work.py): drop them, so each client acts as itself and a refusal does
    not carry over to the next request."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in ("_login_user", "hiroba_refused", "page_errors"):
                g.pop(name, None)
        return super().open(*args, **kwargs)


def log_in(client, user) -> None:
    """Put `user` in the client's session as Flask-Login's login would (strong session
    protection included), without the deliberately slow password check."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier


def client_for(app, world, role: str, english: bool = True) -> PersonClient:
    """A client logged in as `role` of the world (anonymous: not logged in), in English."""
    client = PersonClient(app, app.response_class, use_cookies=True)
    if english:
        client.get("/lang/en")
    if role != "anonymous":
        log_in(client, getattr(world, role))
    return client


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
