"""Representation alerts: once a space has enough participants, tell its facilitators when young
people or women are under-represented by a sequential rule that does not cry wolf. No Flask
here; the CLI and the template global pass the configuration in.

The alert re-tests the same growing data every week. Testing each week as if it were the only
look would alert a perfectly represented space at some point of a 21-week consultation about
10% of the time; here every weekly look (the last closed batch of each Japan week) gets the
critical value of an O'Brien-Fleming-type alpha-spending boundary over the planned number of
participants (app/representation/sequential.py), so the chance of any false alert over the
whole consultation is at most 2.5%. Once a look crosses, the alert stands: the conclusion was
reached at that look. After the planned number is reached nothing is left to spend.

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
from app.representation import batches, sequential
from app.representation.models import Participation
from app.representation.page import build_page
from app.representation.reference import youth_band
from app.spaces.models import Phase, Space

ALERT_KIND = "representation_under"
GROUPS = ("youth", "women")
DEFAULT_MIN_PARTICIPANTS = 30
DEFAULT_PLANNED_PARTICIPANTS = 300  # config ALERT_PLANNED_PARTICIPANTS; plan generously


@dataclass
class CheckResult:
    space_slug: str
    participants: int
    flagged: list[str] = field(default_factory=list)
    notified: int = 0


def weekly_history(session: Session, space: Space, batch: int) -> dict[str, list[tuple[int, int]]]:
    """Per group, the cumulative (count, n) at the last closed batch of every Japan week, oldest
    first: youth among participants of known eligible age, women among eligible women and men
    (as the headline counts them). One GROUP BY over the ranked ledger."""
    from sqlalchemy import func

    win = batches.window(session, space, k=batch)
    if win.empty:
        return {group: [] for group in GROUPS}
    cuts = batches.week_cuts(session, space, win, limit=10_000)
    ranks = [rank for _week, rank in cuts] or [win.high]
    r = batches.ranked(space, win.module, Participation.age, Participation.gender)
    if len(ranks) > 1:
        segment = batches.segment(r, ranks).label("seg")
        rows = session.execute(select(segment, r.c.age, r.c.gender, func.count())
                               .where(batches.in_window(r, win))
                               .group_by(segment, r.c.age, r.c.gender)).all()
    else:  # one look: a constant segment would be read as a GROUP BY position
        rows = [(0, *row) for row in session.execute(
            select(r.c.age, r.c.gender, func.count()).where(batches.in_window(r, win))
            .group_by(r.c.age, r.c.gender)).all()]
    youth = youth_band(space)
    per = [[0, 0, 0, 0] for _ in ranks]  # youth, known eligible age, women, eligible gendered
    for seg, age, gender, n in rows:
        if age is None or age < space.min_age:
            continue
        cell = per[int(seg)]
        cell[1] += n
        cell[0] += n if youth is not None and youth.low <= age <= youth.high else 0
        cell[2] += n if gender == "female" else 0
        cell[3] += n if gender in ("female", "male") else 0
    history: dict[str, list[tuple[int, int]]] = {"youth": [], "women": []}
    totals = [0, 0, 0, 0]
    for cell in per:
        totals = [a + b for a, b in zip(totals, cell)]
        history["youth"].append((totals[0], totals[1]))
        history["women"].append((totals[2], totals[3]))
    return history


def _flagged(session: Session, space: Space, figures: dict, min_participants: int, batch: int,
             planned: int) -> list[str]:
    if figures["participants"] < min_participants:
        return []
    history = weekly_history(session, space, batch)
    flagged = []
    for group in GROUPS:
        figure = figures.get(group)
        if figure is None or not 0 < figure.population_share < 1:
            continue
        rule = sequential.sequential_under_alert(history[group], figure.population_share,
                                                 planned_n=planned)
        if rule.fired:
            flagged.append(group)
    return flagged


def headline(session: Session, space: Space, batch: int) -> dict:
    """The unsuppressed headline over the closed batches of `batch` people."""
    win = batches.window(session, space, k=batch)
    return build_page(session, space, window=win, k=1, dimensions=(), series=False).figures()


def check_space(session: Session, space: Space, *, min_participants: int = DEFAULT_MIN_PARTICIPANTS,
                batch: int = 5, planned: int = DEFAULT_PLANNED_PARTICIPANTS) -> list[str]:
    """The groups ('youth', 'women') the sequential rule finds under-represented among the
    participants of `space` in closed batches of `batch`, or [] while there are fewer than
    `min_participants`. `planned`: the number of participants the consultation plans for."""
    return _flagged(session, space, headline(session, space, batch), min_participants, batch,
                    planned)


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
               min_participants: int = DEFAULT_MIN_PARTICIPANTS, batch: int = 5,
               planned: int = DEFAULT_PLANNED_PARTICIPANTS) -> list[CheckResult]:
    """Check every open space and notify its facilitators once per group per ISO week (running it
    again the same week writes nothing new). Only flushes; the caller commits."""
    results = []
    for space in open_spaces(session, today):
        figures = headline(session, space, batch)
        result = CheckResult(space.slug, figures["participants"],
                             _flagged(session, space, figures, min_participants, batch, planned))
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
