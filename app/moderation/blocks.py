"""Who is blocked from writing where. Imports models only, so the forum's and the proposals'
services and the permission rule (app.accounts.permissions.can_write_forum) can all ask without
depending on moderation's services, which depend on the forum."""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.moderation.models import Block


def is_blocked(session: Session, user, space) -> bool:
    """Whether `user` is blocked from writing in `space` (or everywhere)."""
    if user is None or getattr(user, "id", None) is None:
        return False
    return bool(session.scalar(select(exists().where(
        Block.user_id == user.id,
        or_(Block.space_id.is_(None), Block.space_id == (space.id if space else None))))))
