"""Shared set-up for the forum and moderation tests: a space with one person per role, and
shortcuts that write through the real services (then commit, as the request boundary would)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.forum import services
from app.forum.models import Post, Reaction, Thread

ROLES = ("anonymous", "participant", "author", "facilitator", "moderator", "admin")


def build_world(make, db, slug: str = "forum-space", **space_fields) -> SimpleNamespace:
    space = make.space(slug, **space_fields)
    return SimpleNamespace(
        space=space,
        participant=make.user("part@example.jp", display_name="参加 花子"),
        author=make.user("author@example.jp", display_name="投稿 太郎"),
        facilitator=make.user("fac@example.jp", display_name="進行 役",
                              roles=(f"facilitator:{space.id}",)),
        moderator=make.user("mod@example.jp", display_name="管理 人",
                            roles=(f"moderator:{space.id}",)),
        admin=make.user("admin@example.jp", display_name="運営", roles=("admin",)),
    )


def forum_url(space, path: str = "") -> str:
    return f"/spaces/{space.slug}/forum/{path}"


def open_thread(db, space, author, title: str = "公園の整備について",
                body: str = "北区の公園を整備してほしいです。") -> Thread:
    thread = services.create_thread(db.session, space, author, title, body)
    db.session.commit()
    return thread


def add_reply(db, thread, author, body: str = "賛成です。", reply_to=None) -> Post:
    post = services.reply(db.session, thread, author, body,
                          reply_to.id if reply_to is not None else None)
    db.session.commit()
    return post


def opening_post(db, thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))


def real_reply_count(db, thread_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == thread_id, Post.is_opening.is_(False), Post.deleted_at.is_(None),
        Post.hidden_at.is_(None))) or 0


def real_reaction_count(db, post_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Reaction).where(
        Reaction.post_id == post_id, Reaction.kind == kind)) or 0


def counts(db, model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0


class PersonClient(FlaskClient):
    """A test client that is one person. Requests made inside the test's app context share its
    `g`, where Flask-Login caches the current user and the unit of work marks a refused request;
    without a fresh `g`, a second client would act as whoever made the previous request, and a
    request after a refused one would be refused too (production has a fresh `g` per request)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


def client_for(app, world, role: str):
    """A test client logged in as `role` (anonymous: not logged in), in English."""
    client = PersonClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["locale"] = "en"   # what GET /lang/en does, without a request
    if role != "anonymous":
        log_in_quickly(client, getattr(world, role))
    return client


def log_in_quickly(client, user) -> None:
    """Log `user` in without the deliberately slow password check (the login form has its own
    tests): the session keys Flask-Login's login_user() writes, computed for this client's
    address and browser."""
    app = client.application
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "_id": identifier})


def walk_targets(db, world) -> dict:
    """What the role walks act on: a thread by the author, the author's reply (flagged by the
    participant for spam), a hidden reply, and a block on a third person."""
    from app.accounts.models import User
    from app.moderation import services as moderation
    from app.moderation.models import Block

    # One commit for the whole set-up (commits are what makes SQLite tests slow).
    thread = services.create_thread(db.session, world.space, world.author, "公園の整備について",
                                    "北区の公園を整備してほしいです。")
    reply = services.reply(db.session, thread, world.author, "著者の返信")
    hidden = services.reply(db.session, thread, world.participant, "隠された返信")
    moderation.flag_post(db.session, reply, world.participant, "spam")
    moderation.hide_post(db.session, hidden, world.moderator, "spam")
    blocked = User(email="blocked@example.jp", password_hash="x", display_name="停止中")
    db.session.add(blocked)
    db.session.flush()
    block = Block(user_id=blocked.id, space_id=world.space.id, reason="r")
    db.session.add(block)
    db.session.commit()
    return {"forum": forum_url(world.space), "thread": thread.id, "reply": reply.id,
            "hidden": hidden.id, "block": block.id}


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]
