"""The person's side of moderation in their data export ('download all my data'): the flags they
filed and the blocks applied to them. Who resolved a flag or placed a block is left out (the
moderator's identity is not the person's data); a flagged post, written by someone else, is named
by id only. app.moderation.register adds the sections."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.export import iso_utc
from app.forum.models import Post, Thread
from app.moderation.models import Block, Flag
from app.spaces.models import Space


def export_flags_filed(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(Flag, Post.thread_id, Space.slug)
        .join(Post, Post.id == Flag.post_id).join(Thread, Thread.id == Post.thread_id)
        .join(Space, Space.id == Thread.space_id)
        .where(Flag.reporter_id == user.id).order_by(Flag.created_at, Flag.id))
    return [{"post_id": flag.post_id, "thread_id": thread_id, "space": slug,
             "reason": flag.reason, "note": flag.note, "status": flag.status,
             "created_at": iso_utc(flag.created_at), "resolved_at": iso_utc(flag.resolved_at)}
            for flag, thread_id, slug in rows]


def export_blocks(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(Block, Space.slug, Space.title).outerjoin(Space, Space.id == Block.space_id)
        .where(Block.user_id == user.id).order_by(Block.created_at, Block.id))
    return [{"space": {"slug": slug, "title": title} if block.space_id is not None else None,
             "site_wide": block.space_id is None, "reason": block.reason,
             "created_at": iso_utc(block.created_at)}
            for block, slug, title in rows]
