"""Every table of the representation package: the participation ledger (one row per person per
space, a demographic snapshot at first use), public releases, the reference population (sources
and their counts), facilitator-set targets, and deliberation bodies with their composition."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Date, ForeignKey, Index, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.residency import FURUSATO_TIERS, TIE_CATEGORY
from app.common.time import utcnow
from app.extensions import db

# What a person did in a space. Proposal supporters are kept apart from authors/commenters so the
# tracker can compare who writes with who merely supports.
LEDGER_MODULES = ("forum", "proposals", "proposal_supporters", "surveys", "panel")
MODULE_FLAG_COLUMNS = ("forum", "proposals", "proposal_supporters", "surveys")  # report filters


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


# The tie kind is the one that gave the residency type, so the two agree (or the kind is unknown).
TIE_KIND_MATCHES_RESIDENCY = "tie_kind IS NULL OR " + " OR ".join(
    f"(residency = '{category}' AND tie_kind IN ({_quoted(k for k, c in TIE_CATEGORY.items() if c == category)}))"
    for category in sorted(set(TIE_CATEGORY.values())))


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
        CheckConstraint(TIE_KIND_MATCHES_RESIDENCY, name="tie_kind_values"),
        CheckConstraint(f"furusato_tier IS NULL OR furusato_tier IN ({_quoted(FURUSATO_TIERS)})",
                        name="furusato_tier_values"),
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
    # The kind of the tie that gave the residency type (app.areas.residency; NULL for residents
    # and where it is unknown), and the furusato tier for the space's area on that day: 'none',
    # 'basic' or 'premium' (NULL: not known, rows from before they were kept).
    tie_kind: Mapped[str | None] = mapped_column(String(20))
    furusato_tier: Mapped[str | None] = mapped_column(String(10))
    # The one-tap "how are you connected to this area?" was answered or skipped: asked once per
    # person and space (app.representation.ledger).
    residency_asked: Mapped[bool] = mapped_column(default=False, server_default=false())


class LedgerTally(db.Model):
    """What a chain's first `rank` people count, stored so that a page of a big space reads a
    few of these instead of every ledger row (app/representation/tallies.py). One row per
    CHUNK people of a chain: `counts` and `weeks` (people per Japan week) are cumulative, over
    ranks 1..rank. Derived data: deleting rows only costs a recount."""
    __tablename__ = "ledger_tallies"
    __table_args__ = (UniqueConstraint("space_id", "chain", "rank"),
                      CheckConstraint("rank > 0", name="rank_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    chain: Mapped[str] = mapped_column(String(30))  # "all" or a module (batches.CHAINS)
    rank: Mapped[int]
    last_at: Mapped[datetime]  # chain time and id of the person at `rank`
    last_id: Mapped[int]
    counts: Mapped[dict] = mapped_column(JSON)
    weeks: Mapped[dict] = mapped_column(JSON)


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


# --- the reference population (app/representation/population.py imports it) -----------------
# Unique constraints treat NULLs as distinct on both databases, so the age columns are NOT NULL
# with sentinels: population.AGE_UNKNOWN (-1) in both means "age unknown", population.AGE_OPEN
# (999) in age_to means open-ended (110+).

class PopulationSource(db.Model):
    __tablename__ = "population_sources"
    __table_args__ = (CheckConstraint("kind IN ('census', 'register', 'csv')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)  # census2020, register2022, csv:<name>
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    reference_date: Mapped[date] = mapped_column(Date)
    licence: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")  # the 出典 line to show with figures
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class PopulationCount(db.Model):
    __tablename__ = "population_counts"
    __table_args__ = (
        # Its leading (source_id, area_id) also serves the per-space sums.
        UniqueConstraint("source_id", "area_id", "sex", "age_from", "age_to"),
        # "Which sources cover these areas?" filters by area first.
        Index("ix_population_counts_area_source", "area_id", "source_id"),
        CheckConstraint("sex IN ('male', 'female')", name="sex"),
        CheckConstraint("count >= 0", name="count_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("population_sources.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    sex: Mapped[str] = mapped_column(String(6))
    age_from: Mapped[int]  # AGE_UNKNOWN when the age is unknown
    age_to: Mapped[int]  # inclusive; AGE_OPEN when open-ended, AGE_UNKNOWN when unknown
    count: Mapped[int]


class Target(db.Model):
    """A facilitator-set target share for a category a census does not cover."""

    __tablename__ = "representation_targets"
    __table_args__ = (
        UniqueConstraint("space_id", "dimension", "category"),
        CheckConstraint("share >= 0 AND share <= 1", name="share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    share: Mapped[float]


# --- deliberation bodies (app/representation/bodies.py): aggregate counts only, never names ---

class Body(db.Model):
    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    composition: Mapped[list[BodyComposition]] = relationship(
        back_populates="body", cascade="all, delete-orphan", passive_deletes=True)


class BodyComposition(db.Model):
    __tablename__ = "body_composition"
    __table_args__ = (
        UniqueConstraint("body_id", "dimension", "category"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(default=0)

    body: Mapped[Body] = relationship(back_populates="composition")
