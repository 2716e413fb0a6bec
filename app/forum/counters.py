"""The denormalised reply count of a thread, changed in SQL (`count = count + delta`) in the
same transaction as the post that appears or disappears (see app.forum.models). Imports models
only: the forum's services and moderation's decisions (hiding, restoring) both move it."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.common import invalidation

from app.forum.models import Thread


def change_reply_count(session: Session, thread_id: int, delta: int) -> None:
    """Add `delta` to a thread's reply count (used when replies appear or disappear)."""
    session.execute(update(Thread).where(Thread.id == thread_id)
                    .values(reply_count=Thread.reply_count + delta)
                    .execution_options(synchronize_session=False))
    invalidation.touch(session, "thread", thread_id)
    thread = session.get(Thread, thread_id)
    if thread is not None:
        session.expire(thread, ["reply_count"])
