"""Shortcuts of the forum and moderation tests that write through the real services (then
commit, as the request boundary would); the world and its clients are tests.people's."""
from __future__ import annotations

from sqlalchemy import func, select

from app.forum import services
from app.forum.models import Post, Reaction, Thread
from tests.dom import parse


def forum_url(space, path: str = "") -> str:
    return f"/spaces/{space.slug}/forum/{path}"


def thread_titles(html: str) -> list[str]:
    """The titles of the threads a forum page links to, in page order."""
    return [a.text(strip=True) for a in parse(html).css('a[href*="/forum/threads/"]')
            if a.attributes["href"].rstrip("0123456789").endswith("/forum/threads/")]


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
