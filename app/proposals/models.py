"""Proposals of a space: the proposal itself, its supports, its status history with official
answers, and the space's proposal settings and categories.

`Proposal.support_count` is denormalised for sorting and display. The services change it only
with SQL expressions (`support_count = support_count + 1`) in the same transaction as the support
row, guarded by the rowcount of that change, so it always equals the number of support rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.common.markdown import SanitisedHtml, render_markdown
from app.common.stored_html import rendered_column
from app.common.time import utcnow
from app.extensions import db

# The life of a proposal. A draft is seen only by its author; "merged" hands its supports to
# another proposal of the same space.
STATUSES = ("draft", "published", "under_review", "accepted", "rejected", "implemented", "merged")
PUBLIC_STATUSES = STATUSES[1:]
# Supports can be given and withdrawn only while the proposal is still being considered.
OPEN_STATUSES = ("published", "under_review")
TITLE_MAX = 150
BODY_MAX = 10_000
ANSWER_MAX = 10_000
CATEGORY_NAME_MAX = 100


class ProposalSettings(db.Model):
    """Per-space settings of the proposals module (kept here, not on Space, so the module owns
    them). A space without a row uses the defaults: no support threshold."""

    __tablename__ = "proposal_settings"
    __table_args__ = (
        CheckConstraint("support_threshold IS NULL OR support_threshold > 0",
                        name="threshold_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"),
                                          unique=True)
    support_threshold: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProposalCategory(db.Model):
    """A category a space offers. A space that has none gets the five pillars of Regional
    Revitalization 2.0 the first time its categories are read."""

    __tablename__ = "proposal_categories"
    __table_args__ = (
        UniqueConstraint("space_id", "name_ja"),
        Index("ix_proposal_categories_space_position", "space_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    name_ja: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX))
    name_en: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX), default="")
    position: Mapped[int] = mapped_column(default=0)

    space = relationship("Space")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("status IN ('" + "', '".join(STATUSES) + "')", name="status_known"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_self_merged"),
        Index("ix_proposals_space_status_published", "space_id", "status", "published_at"),
        # The public list (every public status, newest first) walks this in order and stops
        # after one page, instead of sorting all of a big space's proposals (tests/performance).
        Index("ix_proposals_space_published_id", "space_id", "published_at", "id"),
        Index("ix_proposals_space_supports", "space_id", "support_count"),
        Index("ix_proposals_space_answered", "space_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    # SET NULL when the author deletes their account: the proposal and its answer stay public.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[SanitisedHtml] = rendered_column()  # render_markdown(body)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_categories.id", ondelete="SET NULL"), index=True)
    # An optional sub-area of the space's area or region (a ward, a member municipality).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    support_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    # The forum thread that carries the proposal's comments (created on publication), so the
    # forum's post rendering and the moderation of posts apply to comments unchanged.
    comment_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # When the latest official answer was given (sorting by "recently answered").
    answered_at: Mapped[datetime | None]
    # Set once, when the support count first reaches the space's threshold.
    threshold_reached_at: Mapped[datetime | None]

    space = relationship("Space")
    author = relationship("User")
    category: Mapped[ProposalCategory | None] = relationship()
    area = relationship("Area")
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    status_changes: Mapped[list[ProposalStatusChange]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProposalStatusChange.id", foreign_keys="ProposalStatusChange.proposal_id",
    )

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @validates("body")
    def _render_body(self, _key: str, value: str) -> str:
        self.body_html = render_markdown(value)  # stored beside the source, shown by templates
        return value


class ProposalSupport(db.Model):
    __tablename__ = "proposal_supports"
    # One support per person per proposal: the database refuses a second one.
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalStatusChange(db.Model):
    """One step of a proposal's public history: the move from one status to another (or an
    official answer without a move), who made it, when, and the official answer it carries."""

    __tablename__ = "proposal_status_changes"
    __table_args__ = (Index("ix_proposal_status_changes_proposal", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Markdown; templates show answer_html, its rendering stored when it was written.
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_html: Mapped[SanitisedHtml] = rendered_column()
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"))
    # How many supports a merge carried over that the target did not already have.
    supports_carried: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="status_changes",
                                              foreign_keys=[proposal_id])
    actor = relationship("User")
    merged_into = relationship("Proposal", foreign_keys=[merged_into_id])

    @validates("answer")
    def _render_answer(self, _key: str, value: str) -> str:
        self.answer_html = render_markdown(value)  # stored beside the source, shown by templates
        return value
