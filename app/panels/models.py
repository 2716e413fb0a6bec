"""Citizens' panels: a call for volunteers, its quotas, the volunteers, the published lottery
and the members drawn. Volunteers are known to the public by a pseudonymous number only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.common.markdown import SanitisedHtml, render_markdown
from app.common.stored_html import rendered_column
from app.common.time import utcnow
from app.extensions import db

# What a call may stratify on; age band and gender by default. Keys match the ledger snapshot
# and the deliberation bodies' dimensions; sub_area is the area code of the ward (or region
# member) the volunteer lives in, or OUTSIDE.
PANEL_FEATURES = ("age_band", "gender", "residency", "sector", "sub_area")
DEFAULT_FEATURES = ("age_band", "gender")
CALL_STATUSES = ("draft", "open", "closed", "drawn")
# The background selection: idle (not run), running, done (a draw is published), failed (the
# quotas cannot be met, or the solver gave up; `selection_problem` says why).
SELECTION_STATES = ("idle", "running", "done", "failed")
DRAW_ALGORITHMS = ("leximin", "maximin")
# selected: on the panel; reserve: waiting in the reserve order; declined: selected, declined,
# nobody could take the seat; replaced: selected, declined, and a reserve took the seat.
MEMBER_STATUSES = ("selected", "reserve", "declined", "replaced")
OUTSIDE = "outside"  # a sub-area value: lives outside the space's sub-areas
TITLE_MAX = 120
DESCRIPTION_MAX = 10_000
SIZE_MAX = 500
LOTTERY_MAX = 10_000
SLACK_MAX = 50
NUMBER_SOURCE_MAX = 200


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PanelCall(db.Model):
    __tablename__ = "panel_calls"
    __table_args__ = (
        CheckConstraint("size >= 1", name="size_positive"),
        CheckConstraint("lottery_size >= 1", name="lottery_size_positive"),
        CheckConstraint("slack >= 0", name="slack_not_negative"),
        CheckConstraint(_one_of("status", CALL_STATUSES), name="status_known"),
        CheckConstraint(_one_of("selection_state", SELECTION_STATES), name="selection_state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[SanitisedHtml] = rendered_column()  # render_markdown(description_md)
    size: Mapped[int]
    features: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    lottery_size: Mapped[int] = mapped_column(default=1000)
    slack: Mapped[int] = mapped_column(default=1)
    algorithm: Mapped[str] = mapped_column(String(10), default="leximin")
    selection_state: Mapped[str] = mapped_column(String(10), default="idle")
    selection_started_at: Mapped[datetime | None]
    number_source: Mapped[str] = mapped_column(String(NUMBER_SOURCE_MAX), default="")
    # Why the last selection failed: {"kind": "infeasible", "lines": [...]} or {"kind": "error"}.
    selection_problem: Mapped[dict | None] = mapped_column(JSON)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    space = relationship("Space")
    quotas: Mapped[list[PanelQuota]] = relationship(
        back_populates="call", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PanelQuota.id")
    draw: Mapped[PanelDraw | None] = relationship(
        back_populates="call", cascade="all, delete-orphan", passive_deletes=True, uselist=False)

    @validates("description_md")
    def _render_description_md(self, _key: str, value: str) -> str:
        self.description_html = render_markdown(value)  # stored beside the source, shown by templates
        return value


class PanelQuota(db.Model):
    __tablename__ = "panel_quotas"
    __table_args__ = (
        UniqueConstraint("call_id", "feature", "value"),
        CheckConstraint("min_count >= 0", name="min_not_negative"),
        CheckConstraint("min_count <= max_count", name="min_not_above_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("panel_calls.id", ondelete="CASCADE"))
    feature: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    min_count: Mapped[int]
    max_count: Mapped[int]

    call: Mapped[PanelCall] = relationship(back_populates="quotas")


class PanelVolunteer(db.Model):
    __tablename__ = "panel_volunteers"
    __table_args__ = (
        UniqueConstraint("call_id", "user_id"),
        UniqueConstraint("call_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("panel_calls.id", ondelete="CASCADE"),
                                         index=True)
    # SET NULL when the account is deleted: the published lottery keeps its numbers.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    number: Mapped[int]  # pseudonymous, random, what the published lottery lists
    consent_contact: Mapped[bool] = mapped_column(default=False)
    features: Mapped[dict] = mapped_column(JSON)  # feature -> value, at volunteering
    selection_probability: Mapped[float | None]  # exact, of the optimal distribution
    lottery_probability: Mapped[float | None]    # in the published lottery of m panels
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn before the close: out of the pool, but kept (and counted in the facilitators'
    # batches) so a withdrawal never changes a table by one person.
    withdrawn_at: Mapped[datetime | None]

    user = relationship("User")


class PanelDraw(db.Model):
    """The published lottery: m panels of volunteer numbers, fixed before the public number."""
    __tablename__ = "panel_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("panel_calls.id", ondelete="CASCADE"),
                                         unique=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    seed: Mapped[int]
    lottery_size: Mapped[int]
    panels: Mapped[list] = mapped_column(JSON)  # [[number, ...], ...], m panels
    pool_size: Mapped[int]
    min_probability: Mapped[float]          # exact optimum of the distribution
    lottery_min_probability: Mapped[float]  # in the lottery of m panels
    dual_bound: Mapped[float | None]
    max_loss: Mapped[float]
    legacy_min_probability: Mapped[float | None]  # the greedy method's, for comparison
    quotas: Mapped[list] = mapped_column(JSON)  # [[feature, value, min, max], ...] as run
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where the public number will come from, announced with the lottery (before it is known).
    number_source: Mapped[str] = mapped_column(String(NUMBER_SOURCE_MAX), default="")
    public_number: Mapped[str | None] = mapped_column(String(40))
    picked: Mapped[int | None]  # 1..m
    picked_at: Mapped[datetime | None]

    call: Mapped[PanelCall] = relationship(back_populates="draw")


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (
        UniqueConstraint("call_id", "volunteer_id"),
        CheckConstraint(_one_of("status", MEMBER_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("panel_calls.id", ondelete="CASCADE"),
                                         index=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("panel_volunteers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]  # seat 1..k for the panel, 1.. for the reserve order
    # The member whose seat this one took (a reserve who replaced a decliner).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_members.id", ondelete="SET NULL"))

    volunteer: Mapped[PanelVolunteer] = relationship()
