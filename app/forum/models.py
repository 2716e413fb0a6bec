"""The forum of a space: threads, their posts (the opening post and the replies), reactions, and
the record of forum e-mail digests sent.

Counters (Thread.reply_count, Post.*_count) are denormalised for sorting and display; the
services change them only with SQL expressions (`count = count + 1`) in the same transaction as
the row they count, guarded by the rowcount of that change, so they stay equal to the real counts
under concurrent requests."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.common.markdown import SanitisedHtml, render_markdown
from app.common.stored_html import rendered_column
from app.common.time import utcnow
from app.extensions import db

REACTION_KINDS = ("agree", "disagree", "helpful")


class Thread(db.Model):
    __tablename__ = "forum_threads"
    __table_args__ = (
        Index("ix_forum_threads_space_activity", "space_id", "last_activity_at"),
        Index("ix_forum_threads_space_created", "space_id", "created_at"),
        Index("ix_forum_threads_space_replies", "space_id", "reply_count"),
        # Trigram index for LIKE '%term%' search; PostgreSQL only (SQLite scans the space's rows).
        Index("ix_forum_threads_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    # SET NULL when the author deletes their account: the discussion stays readable.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    title: Mapped[str] = mapped_column(String(150))
    # NFKC, lower-cased title, matched with LIKE (see app.forum.search).
    search_text: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)   # frozen by a facilitator
    closed: Mapped[bool] = mapped_column(default=False)   # discussion concluded
    # Replies that are neither deleted nor hidden (the opening post is not a reply).
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The module whose page carries this thread: "forum" threads are the forum's own; a
    # "proposals" thread holds the comments of one proposal (app.proposals.comments). Only
    # "forum" threads are listed in the forum, and posts count in the ledger for `module`.
    module: Mapped[str] = mapped_column(String(20), default="forum")

    space = relationship("Space")
    author = relationship("User")
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Post.id", foreign_keys="Post.thread_id",
    )

    @property
    def read_only(self) -> bool:
        return self.locked or self.closed


class Post(db.Model):
    __tablename__ = "forum_posts"
    __table_args__ = (
        Index("ix_forum_posts_thread_parent", "thread_id", "parent_id", "id"),
        Index("ix_forum_posts_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    is_opening: Mapped[bool] = mapped_column(default=False)
    # Display is one level deep: `parent_id` is the top-level reply a nested reply sits under;
    # `reply_to_id` is the exact post it answers (may itself be nested).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # render_markdown(body), kept in step by _render_body and `flask markdown rerender`.
    body_html: Mapped[SanitisedHtml] = rendered_column()
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(30))
    hidden_note: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author = relationship("User", foreign_keys=[author_id])
    reply_to: Mapped[Post | None] = relationship(remote_side=[id], foreign_keys=[reply_to_id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def reaction_count(self, kind: str) -> int:
        return getattr(self, f"{kind}_count")

    @validates("body")
    def _render_body(self, _key: str, value: str) -> str:
        self.body_html = render_markdown(value)  # stored beside the source, shown by templates
        return value


class Reaction(db.Model):
    __tablename__ = "forum_reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestSent(db.Model):
    """One row per person per day (JST) a forum digest went out: the unique constraint is what
    makes a second e-mail on the same day impossible, even from two overlapping runs."""

    __tablename__ = "forum_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    notification_count: Mapped[int] = mapped_column(default=0)


# The trigram operator class lives in the pg_trgm extension; create it before the forum tables
# (create_all in tests and development). Alembic migrations need the same statement.
event.listen(Thread.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
