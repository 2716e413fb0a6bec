"""Furusato resident registration (ふるさと住民登録): a municipality's programme, a person's
registration with it (and, derived from it, with its prefecture), and the activities a premium
registrant records for the municipality's staff to confirm. The constraints that keep them true
live here: one registration per person and area, the tiers, statuses and kinds of tie."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db

TIERS = ("basic", "premium")
STATUSES = ("active", "lapsed", "left")
# Basic tier: the person's tie. Premium tier (担い手): the kind of activity they come to do.
BASIC_TIES = ("visits", "products", "donations", "grew_up")
PREMIUM_TIES = ("volunteering", "side_job", "dual_region")
TIE_KINDS = BASIC_TIES + PREMIUM_TIES
ACTIVITY_STATUSES = ("pending", "confirmed", "rejected")
DESCRIPTION_MAX = 600
CATEGORIES_MAX = 20
CATEGORY_MAX = 60
NOTE_MAX = 300


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FurusatoProgramme(db.Model):
    """A municipality (or ward) that takes furusato registrations; closed ones keep their
    registrants but accept nobody new."""

    __tablename__ = "furusato_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), unique=True)
    description_ja: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # The municipality's own categories of activity, one per line, in its own words.
    categories: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area = relationship("Area")

    @property
    def category_list(self) -> list[str]:
        return [line.strip() for line in (self.categories or "").splitlines() if line.strip()]

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" and self.description_en else \
            self.description_ja


class FurusatoRegistration(db.Model):
    """A person's registration with one area: a municipality they chose, or the prefecture that
    registration brought with it (`derived`). Never deleted by the platform: lapsed and left
    rows stay, with their dates."""

    __tablename__ = "furusato_registrations"
    __table_args__ = (
        UniqueConstraint("user_id", "area_id", name="one_per_person_and_area"),
        CheckConstraint(_in("tier", TIERS), name="tier_values"),
        CheckConstraint(_in("status", STATUSES), name="status_values"),
        CheckConstraint(f"tie_kind IS NULL OR {_in('tie_kind', TIE_KINDS)}",
                        name="tie_kind_values"),
        CheckConstraint("valid_until >= valid_from", name="valid_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    # Registration number on the card: the area code and a serial (set after the row exists).
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    tier: Mapped[str] = mapped_column(String(10), default="basic")
    tie_kind: Mapped[str | None] = mapped_column(String(20))
    # Asked for the premium tier: held once enough activities are confirmed (services.py).
    premium_requested: Mapped[bool] = mapped_column(default=False)
    derived: Mapped[bool] = mapped_column(default=False)  # the prefecture's row
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    contact_consent: Mapped[bool] = mapped_column(default=False)
    registered_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    premium_since: Mapped[date | None] = mapped_column(Date)
    left_at: Mapped[datetime | None]
    lapsed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    area = relationship("Area")
    activities: Mapped[list[FurusatoActivity]] = relationship(
        back_populates="registration", order_by="FurusatoActivity.on_date.desc()",
        cascade="all, delete-orphan", passive_deletes=True)


class FurusatoActivity(db.Model):
    """One activity a registrant did for the municipality, waiting for (or given) its staff's
    confirmation."""

    __tablename__ = "furusato_activities"
    __table_args__ = (
        CheckConstraint(_in("status", ACTIVITY_STATUSES), name="status_values"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("furusato_registrations.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(CATEGORY_MAX))
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[FurusatoRegistration] = relationship(back_populates="activities")
