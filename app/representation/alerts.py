"""Representation alerts: once a space has enough participants, tell its facilitators when young
people or women are flagged under-represented (their share's 95% interval lies wholly below the
population share). No Flask here; the CLI and the template global pass the configuration in.

An alert names a group, never a figure, so the decision reads the unsuppressed headline: a group
so small that the dashboard hides its count is the clearest case of under-representation and must
not escape the alert because of that suppression. It reads whole batches only, like the
dashboard, so an alert cannot start or stop because of one person joining."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.accounts.models import RoleAssignment, User
from app.notifications.services import notify
from app.representation import batches
from app.representation.page import build_page
from app.spaces.models import Phase, Space

ALERT_KIND = "representation_under"
GROUPS = ("youth", "women")
DEFAULT_MIN_PARTICIPANTS = 30


@dataclass
class CheckResult:
    space_slug: str
    participants: int
    flagged: list[str] = field(default_factory=list)
    notified: int = 0


def _flagged(figures: dict, min_participants: int) -> list[str]:
    if figures["participants"] < min_participants:
        return []
    return [group for group in GROUPS
            if figures.get(group) is not None and figures[group].flag == "under"]


def headline(session: Session, space: Space, batch: int) -> dict:
    """The unsuppressed headline over the closed batches of `batch` people."""
    win = batches.window(session, space, k=batch)
    return build_page(session, space, window=win, k=1, dimensions=(), series=False).figures()


def check_space(session: Session, space: Space, *, min_participants: int = DEFAULT_MIN_PARTICIPANTS,
                batch: int = 5) -> list[str]:
    """The groups ('youth', 'women') flagged under-represented among the participants of `space`
    in closed batches of `batch`, or [] while there are fewer than `min_participants`."""
    return _flagged(headline(session, space, batch), min_participants)


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(space_id: int, group: str, day: date) -> str:
    """One alert per space, group and ISO week for each facilitator."""
    return f"representation:{space_id}:{group}:{iso_week(day)}"


def open_spaces(session: Session, today: date) -> list[Space]:
    """Spaces with a phase that accepts input on `today`."""
    open_phase = select(Phase.space_id).where(
        Phase.accepts_input.is_(True), Phase.starts_on <= today, Phase.ends_on >= today)
    return list(session.scalars(select(Space).where(Space.id.in_(open_phase)).order_by(Space.id)))


def facilitator_ids(session: Session, space: Space) -> list[int]:
    """Active accounts holding the facilitator role in this space. Site-wide facilitators and
    admins are not alerted about every space; they see the banner when they visit one."""
    return list(session.scalars(
        select(User.id).join(RoleAssignment, and_(RoleAssignment.user_id == User.id,
                                                  RoleAssignment.role == "facilitator",
                                                  RoleAssignment.space_id == space.id))
        .where(User.active.is_(True), User.deleted_at.is_(None))
        .distinct().order_by(User.id)))


def run_checks(session: Session, today: date, *,
               min_participants: int = DEFAULT_MIN_PARTICIPANTS, batch: int = 5) -> list[CheckResult]:
    """Check every open space and notify its facilitators once per group per ISO week (running it
    again the same week writes nothing new). Only flushes; the caller commits."""
    results = []
    for space in open_spaces(session, today):
        figures = headline(session, space, batch)
        result = CheckResult(space.slug, figures["participants"],
                             _flagged(figures, min_participants))
        if result.flagged:
            recipients = facilitator_ids(session, space)
            for group in result.flagged:
                payload = {"space_id": space.id, "space_slug": space.slug, "group": group,
                           "week": iso_week(today)}
                if group == "youth" and figures["youth"] is not None:
                    payload["youth_low"] = figures["youth"].low
                    payload["youth_high"] = figures["youth"].high
                for user_id in recipients:
                    if notify(session, user_id, ALERT_KIND, payload,
                              dedupe_key=dedupe_key(space.id, group, today)):
                        result.notified += 1
        results.append(result)
    session.flush()
    return results
