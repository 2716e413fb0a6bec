"""The person's forum contributions in their data export ('download all my data'): the threads
they opened, every post they wrote (proposal comments too: those are forum posts in a thread of
module "proposals"), with its moderation state, and the reactions they gave.

Nothing written by someone else is copied in: a reaction names the post by id, and the title of
another person's thread appears only where the site shows it to everyone (a moderator may have
hidden a thread for the very reason of personal information). app.forum.register adds the
section."""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from app.accounts.export import iso_utc
from app.forum.models import REACTION_KINDS, Post, Reaction, Thread
from app.spaces.models import Space


def _threads(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(Thread, Space.slug).join(Space, Space.id == Thread.space_id)
        .where(Thread.author_id == user.id).order_by(Thread.created_at, Thread.id))
    return [{"id": thread.id, "space": slug, "module": thread.module, "title": thread.title,
             "created_at": iso_utc(thread.created_at), "pinned": thread.pinned,
             "locked": thread.locked, "closed": thread.closed}
            for thread, slug in rows]


def _posts(session: Session, user) -> list[dict]:
    opening = aliased(Post)
    opening_hidden = exists(select(opening.id).where(
        opening.thread_id == Thread.id, opening.is_opening, opening.hidden_at.is_not(None)))
    # As the forum shows it: "Hidden thread" for a hidden opening post, except to its author.
    # A proposal's title stays public even when its text is hidden.
    title_shown = or_(Thread.author_id == user.id, Thread.module != "forum", ~opening_hidden)
    rows = session.execute(
        select(Post, Thread.title, Thread.module, title_shown.label("title_shown"), Space.slug)
        .join(Thread, Thread.id == Post.thread_id).join(Space, Space.id == Thread.space_id)
        .where(Post.author_id == user.id).order_by(Post.created_at, Post.id))
    return [{
        "id": post.id, "space": slug,
        "thread": {"id": post.thread_id, "title": title if shown else None, "module": module},
        "is_opening": post.is_opening, "reply_to_post_id": post.reply_to_id,
        # A post its author deleted keeps no text: the body is erased at deletion.
        "body": post.body,
        "created_at": iso_utc(post.created_at), "edited_at": iso_utc(post.edited_at),
        "deleted_at": iso_utc(post.deleted_at),
        "hidden": {"at": iso_utc(post.hidden_at), "reason": post.hidden_reason,
                   "note": post.hidden_note or None} if post.is_hidden else None,
        "reactions_received": {kind: post.reaction_count(kind) for kind in REACTION_KINDS},
    } for post, title, module, shown, slug in rows]


def _reactions(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(Reaction.kind, Reaction.created_at, Reaction.post_id, Post.thread_id, Space.slug)
        .join(Post, Post.id == Reaction.post_id).join(Thread, Thread.id == Post.thread_id)
        .join(Space, Space.id == Thread.space_id)
        .where(Reaction.user_id == user.id).order_by(Reaction.created_at, Reaction.id))
    return [{"kind": kind, "created_at": iso_utc(at), "post_id": post_id, "thread_id": thread_id,
             "space": slug} for kind, at, post_id, thread_id, slug in rows]


def export_forum(session: Session, user) -> dict:
    return {"threads": _threads(session, user), "posts": _posts(session, user),
            "reactions": _reactions(session, user)}
