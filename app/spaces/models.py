"""Deliberation spaces (参加の場) and their phases."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.common.markdown import SanitisedHtml, render_markdown
from app.common.stored_html import rendered_column
from app.common.time import today_jst, utcnow
from app.extensions import db

MODULES = ("forum", "proposals", "surveys")
VISIBILITIES = ("public", "unlisted")
# Which reference population a space compares against: census single years where the area has
# them, else the resident register's 5-year groups; a facilitator may force one.
REFERENCE_CHOICES = ("auto", "census", "register")
# Who may take part (app/spaces/eligibility.py): everyone, or the area's residents and furusato
# registrants only.
PARTICIPATION_RULES = ("everyone", "area_people")


class Space(db.Model):
    __tablename__ = "spaces"
    __table_args__ = (
        CheckConstraint("youth_min <= youth_max", name="youth_band_order"),
        CheckConstraint("min_age >= 0 AND min_age <= 120", name="min_age_range"),
        CheckConstraint("participation IN ('everyone', 'area_people')",
                        name="participation_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[SanitisedHtml] = rendered_column()  # render_markdown(description_md)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    min_age: Mapped[int] = mapped_column(default=18)
    youth_min: Mapped[int] = mapped_column(default=18)
    youth_max: Mapped[int] = mapped_column(default=39)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    forum_enabled: Mapped[bool] = mapped_column(default=True)
    proposals_enabled: Mapped[bool] = mapped_column(default=True)
    surveys_enabled: Mapped[bool] = mapped_column(default=True)
    reference_choice: Mapped[str] = mapped_column(String(10), default="auto")
    transparency_public: Mapped[bool] = mapped_column(default=False)
    participation: Mapped[str] = mapped_column(String(20), default="everyone",
                                               server_default="everyone")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area = relationship("Area")
    created_by = relationship("User")
    phases: Mapped[list[Phase]] = relationship(
        back_populates="space", cascade="all, delete-orphan", order_by="Phase.position"
    )

    @validates("description_md")
    def _render_description_md(self, _key: str, value: str) -> str:
        self.description_html = render_markdown(value)  # stored beside the source, shown by templates
        return value

    def module_enabled(self, module: str) -> bool:
        return bool(getattr(self, f"{module}_enabled"))

    @property
    def enabled_modules(self) -> list[str]:
        return [m for m in MODULES if self.module_enabled(m)]

    def current_phase(self, on: date | None = None) -> Phase | None:
        on = on or today_jst()
        for phase in self.phases:
            if phase.starts_on <= on <= phase.ends_on:
                return phase
        return None

    def accepts_input(self, on: date | None = None) -> bool:
        phase = self.current_phase(on)
        return bool(phase and phase.accepts_input)


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    accepts_input: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    space: Mapped[Space] = relationship(back_populates="phases")
