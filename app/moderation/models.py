"""Moderation: flags on forum posts and blocks of people (from one space or the whole site).
What moderators decide is written to the audit log (app.admin); the hidden state of a post lives
on the post itself (app.forum.models.Post.hidden_*)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db

FLAG_REASONS = ("spam", "harassment", "personal_information", "off_topic", "other")
FLAG_STATUSES = ("open", "upheld", "dismissed")


class Flag(db.Model):
    __tablename__ = "moderation_flags"
    # One flag per person, post and reason: a second identical flag is refused by the database.
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id", "reason"),
        Index("ix_moderation_flags_status_post", "status", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post = relationship("Post")
    reporter = relationship("User", foreign_keys=[reporter_id])


class Block(db.Model):
    """`user` may not write in `space` (space_id NULL: anywhere on the site). Lifting a block
    deletes the row; the audit log keeps the history."""

    __tablename__ = "moderation_blocks"
    __table_args__ = (
        UniqueConstraint("user_id", "space_id"),
        # NULLs never collide in a unique constraint, so site-wide blocks get a partial index.
        Index("uq_moderation_blocks_site_wide", "user_id", unique=True,
              sqlite_where=text("space_id IS NULL"), postgresql_where=text("space_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"),
                                                 index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    space = relationship("Space")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def site_wide(self) -> bool:
        return self.space_id is None
