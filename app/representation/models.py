"""The participation ledger: one row per person per space, a demographic snapshot at first use."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db

# What a person did in a space. Proposal supporters are kept apart from authors/commenters so the
# tracker can compare who writes with who merely supports.
LEDGER_MODULES = ("forum", "proposals", "proposal_supporters", "surveys", "panel")
MODULE_FLAG_COLUMNS = ("forum", "proposals", "proposal_supporters", "surveys")  # report filters


class Participation(db.Model):
    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("space_id", "user_id"),
        # Covering indexes for the representation reports, which group by a category within a
        # space, optionally filtered by a module flag: with the flags in the index neither
        # database has to visit the table (see benchmarks/representation_api.py).
        Index("ix_participations_space_age_gender_modules", "space_id", "age", "gender",
              *MODULE_FLAG_COLUMNS),
        Index("ix_participations_space_gender_modules", "space_id", "gender", *MODULE_FLAG_COLUMNS),
        Index("ix_participations_space_residency_modules", "space_id", "residency",
              *MODULE_FLAG_COLUMNS),
        Index("ix_participations_space_sector_modules", "space_id", "sector", *MODULE_FLAG_COLUMNS),
        # Batches (app/representation/batches.py) rank people by (time, id): of first
        # participation overall, of first use for a module's own chain.
        Index("ix_participations_space_first_at", "space_id", "first_at", "id"),
        *(Index(f"ix_participations_space_{m}_at", "space_id", f"{m}_at", "id")
          for m in MODULE_FLAG_COLUMNS),
        *(CheckConstraint(f"NOT {m} OR {m}_at IS NOT NULL", name=f"{m}_has_time")
          for m in LEDGER_MODULES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    # SET NULL when the person deletes their account: the snapshot stays, unlinked.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    forum: Mapped[bool] = mapped_column(default=False)
    proposals: Mapped[bool] = mapped_column(default=False)
    proposal_supporters: Mapped[bool] = mapped_column(default=False)
    surveys: Mapped[bool] = mapped_column(default=False)
    panel: Mapped[bool] = mapped_column(default=False)
    # When the person first used each module here: a module's filtered figures batch people by
    # this time, so a new proposal author cannot be read off as the difference of two views.
    forum_at: Mapped[datetime | None]
    proposals_at: Mapped[datetime | None]
    proposal_supporters_at: Mapped[datetime | None]
    surveys_at: Mapped[datetime | None]
    panel_at: Mapped[datetime | None]
    # Snapshot at first participation; age in whole years so any banding can be done in SQL.
    age: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(20))
    residency: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(20))
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    # The one-tap "how are you connected to this area?" was answered or skipped: asked once per
    # person and space (app.representation.ledger).
    residency_asked: Mapped[bool] = mapped_column(default=False, server_default=false())


class Release(db.Model):
    """A frozen public snapshot of a space's representation figures. Public pages and the public
    API serve releases only; a release is made only when at least the public minimum of new
    participants joined since the previous one, so two releases differ by at least k people."""
    __tablename__ = "representation_releases"
    __table_args__ = (UniqueConstraint("space_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... per space
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None when the scheduled check made it.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    participants: Mapped[int]  # the first `participants` people by (first_at, id)
    min_cell: Mapped[int]
    payload: Mapped[dict] = mapped_column(JSON)  # the figures as served (labels added when shown)
