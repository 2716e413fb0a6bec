"""Running a call's selection, publishing its lottery, picking the panel by a public number,
the reserve order, and replacing members who decline; the panel is kept as a deliberation body
of the space (app/representation/bodies.py), so the tracker shows its composition.

The order that makes the draw checkable: the call closes (the pool is fixed), the selection
computes the fairest distribution (leximin by default) and rounds it to m equally likely panels,
the list of m panels is published, and only then is a number made public elsewhere (e.g. the
last digits of a national lottery) entered: it picks panel 1 + SHA-256(number) mod m. The
reserve order is fixed by the same number: the volunteers not picked, by SHA-256 of
"number:volunteer number". Domain code: no Flask, only flushes."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.common.time import utcnow
from app.panels import explain
from app.panels import lottery as lotteries
from app.panels.models import (DRAW_ALGORITHMS, NUMBER_SOURCE_MAX, PanelCall, PanelDraw,
                               PanelMember, PanelVolunteer)
from app.representation import sortition

# A selection "running" longer than this was lost (the server restarted): it may start again.
STALE_RUN = timedelta(minutes=15)
LEGACY_SAMPLES = 300  # draws of the greedy method, to estimate its probabilities for comparison


def check_can_run(session: Session, call: PanelCall, algorithm: str,
                  number_source: str = "x") -> None:
    """Refuse a selection that cannot start now (the view checks before queueing the job)."""
    if algorithm not in DRAW_ALGORITHMS:
        raise DomainError(N_("Choose leximin or maximin."), "algorithm")
    source = normalize(number_source)
    if not source or len(source) > NUMBER_SOURCE_MAX:
        raise DomainError(N_("Say where the public number will come from (at most %(max)s"
                             " characters)."), "number_source", max=NUMBER_SOURCE_MAX)
    if call.status != "closed":
        raise DomainError(N_("Close volunteering before running the selection."))
    if call.draw is not None:
        raise DomainError(N_("The lottery has been published: it is not run again."))
    if call.selection_state == "running" and call.selection_started_at \
            and call.selection_started_at > utcnow() - STALE_RUN:
        raise DomainError(N_("The selection is already running."))


def claim_run(session: Session, call_id: int, algorithm: str, number_source: str = "") -> bool:
    """Mark the call running, atomically: of two clicks only one selection runs."""
    now = utcnow()
    result = session.execute(
        update(PanelCall).where(
            PanelCall.id == call_id, PanelCall.status == "closed",
            or_(PanelCall.selection_state.in_(("idle", "failed")),
                PanelCall.selection_started_at < now - STALE_RUN))
        .values(selection_state="running", selection_started_at=now, algorithm=algorithm,
                number_source=normalize(number_source)[:NUMBER_SOURCE_MAX],
                selection_problem=None).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _pool(session: Session, call: PanelCall) -> dict[str, dict[str, str]]:
    rows = session.scalars(select(PanelVolunteer).where(PanelVolunteer.call_id == call.id,
                                                        PanelVolunteer.withdrawn_at.is_(None))
                           .order_by(PanelVolunteer.number))
    return {str(v.number): {f: v.features.get(f) for f in call.features} for v in rows}


def _quotas(call: PanelCall) -> list[sortition.Quota]:
    return [sortition.Quota(q.feature, q.value, q.min_count, q.max_count) for q in call.quotas]


def compute_draw(session: Session, call: PanelCall, seed: int | None = None) -> PanelDraw | None:
    """Run the call's algorithm and publish its lottery; None (and the reason on the call) when
    the quotas cannot be met."""
    seed = secrets.randbelow(2**31) if seed is None else seed
    pool, quotas = _pool(session, call), _quotas(call)
    try:
        distribution = sortition.find_distribution(pool, quotas, call.size, call.algorithm)
    except sortition.InfeasibleQuotas as error:
        lines = explain.explain_infeasible(error, call.size)
        call.selection_state = "failed"
        call.selection_problem = {"kind": "infeasible",
                                  "lines": [line.as_json() for line in lines]}
        session.flush()
        return None
    lottery = lotteries.to_lottery(distribution, call.lottery_size, seed=seed)
    try:
        legacy = sortition.find_distribution(pool, quotas, call.size, "legacy", seed=seed,
                                             samples=LEGACY_SAMPLES).min_probability
    except sortition.SelectionFailed:
        legacy = None
    numbers = [int(i) for i in distribution.ids]
    draw = PanelDraw(
        call_id=call.id, algorithm=call.algorithm, seed=seed, lottery_size=call.lottery_size,
        panels=[[numbers[i] for i in panel] for panel in lottery.panels], pool_size=len(pool),
        min_probability=float(distribution.min_probability),
        lottery_min_probability=float(lottery.probabilities.min()),
        dual_bound=None if distribution.dual_bound is None else float(distribution.dual_bound),
        max_loss=float(lottery.max_loss), legacy_min_probability=legacy,
        number_source=call.number_source,
        quotas=[[q.feature, q.value, q.min, q.max] for q in quotas])
    session.add(draw)
    by_number = {v.number: v for v in session.scalars(
        select(PanelVolunteer).where(PanelVolunteer.call_id == call.id,
                                     PanelVolunteer.withdrawn_at.is_(None)))}
    for i, number in enumerate(numbers):
        by_number[number].selection_probability = float(distribution.probabilities[i])
        by_number[number].lottery_probability = float(lottery.probabilities[i])
    call.selection_state, call.selection_problem = "done", None
    session.flush()
    return draw


def record_failure(session: Session, call: PanelCall) -> None:
    call.selection_state, call.selection_problem = "failed", {"kind": "error"}
    session.flush()


def problem_lines(call: PanelCall) -> list[explain.Line]:
    problem = call.selection_problem or {}
    return [explain.Line.from_json(line) for line in problem.get("lines", [])]


# --- the pick ------------------------------------------------------------------------------

def reserve_key(canonical: str, number: int) -> str:
    return hashlib.sha256(f"{canonical}:{number}".encode("ascii")).hexdigest()


def pick(session: Session, call: PanelCall, public_number: str) -> PanelDraw:
    """Pick the panel of the published lottery by `public_number`, seat its members, order the
    reserve, and record the panel as a deliberation body of the space."""
    draw = call.draw
    if draw is None:
        raise DomainError(N_("Run the selection and publish the lottery first."))
    if draw.picked is not None:
        raise DomainError(N_("The panel has already been picked."))
    try:
        canonical = lotteries.canonical_number(public_number)
    except lotteries.LotteryInputError:
        raise DomainError(N_("Enter the public number in digits."), "public_number") from None
    if len(canonical) > 40:
        raise DomainError(N_("Enter the public number in digits."), "public_number")
    draw.picked = lotteries.pick_number(canonical, draw.lottery_size)
    draw.public_number, draw.picked_at = canonical, utcnow()
    volunteers = {v.number: v for v in session.scalars(
        select(PanelVolunteer).where(PanelVolunteer.call_id == call.id,
                                     PanelVolunteer.withdrawn_at.is_(None)))}
    chosen = draw.panels[draw.picked - 1]
    for seat, number in enumerate(chosen, start=1):
        session.add(PanelMember(call_id=call.id, volunteer_id=volunteers[number].id,
                                status="selected", position=seat))
    rest = sorted((n for n in volunteers if n not in set(chosen)),
                  key=lambda n: reserve_key(canonical, n))
    for place, number in enumerate(rest, start=1):
        session.add(PanelMember(call_id=call.id, volunteer_id=volunteers[number].id,
                                status="reserve", position=place))
    call.status = "drawn"
    session.flush()
    update_body(session, call)
    return draw


def members(session: Session, call: PanelCall, status: str | tuple[str, ...]) -> list[PanelMember]:
    statuses = (status,) if isinstance(status, str) else status
    return list(session.scalars(select(PanelMember).where(
        PanelMember.call_id == call.id, PanelMember.status.in_(statuses))
        .options(selectinload(PanelMember.volunteer).selectinload(PanelVolunteer.user))
        .order_by(PanelMember.position, PanelMember.id)))


def composition(call: PanelCall, seated: list[PanelMember]) -> dict[str, dict[str, int]]:
    """Counts of the seated members by the body's categories (age band, gender, sector)."""
    from app.representation.bodies import body_categories

    categories = body_categories(call.space)
    counts = {dim: dict.fromkeys(keys, 0) for dim, keys in categories.items()}
    for member in seated:
        for dim in counts:
            value = member.volunteer.features.get(dim)
            if value in counts[dim]:
                counts[dim][value] += 1
    return counts


def update_body(session: Session, call: PanelCall) -> None:
    """Create or refresh the deliberation body that the panel is."""
    from app.representation import bodies

    seated = members(session, call, "selected")
    body = bodies.get_body(session, call.space, call.body_id) if call.body_id else None
    if not seated:
        if body is not None:
            bodies.delete_body(session, body)
        call.body_id = None
        session.flush()
        return
    body = bodies.save_body(session, call.space, call.title, composition(call, seated), body)
    call.body_id = body.id
    session.flush()


def _fits(call: PanelCall, seated: list[PanelMember], candidate: PanelMember) -> bool:
    counts = {(q.feature, q.value): 0 for q in call.quotas}
    for member in [*seated, candidate]:
        for feature in call.features:
            key = (feature, member.volunteer.features.get(feature))
            counts[key] = counts.get(key, 0) + 1
    return all(q.min_count <= counts[(q.feature, q.value)] <= q.max_count for q in call.quotas)


def decline(session: Session, call: PanelCall, member_id: int) -> PanelMember | None:
    """A selected member declines: the first reserve (in the published reserve order) with the
    same categories takes the seat; failing that, the first whose arrival keeps every quota;
    failing that the seat stays empty. Returns the replacement (or None); the body follows."""
    member = session.get(PanelMember, member_id)
    if member is None or member.call_id != call.id or member.status != "selected":
        raise DomainError(N_("Only a selected member can decline."))
    others = [m for m in members(session, call, "selected") if m.id != member.id]
    reserve = members(session, call, "reserve")
    same = [m for m in reserve if all(m.volunteer.features.get(f) == member.volunteer.features.get(f)
                                      for f in call.features)]
    replacement = same[0] if same else next((m for m in reserve if _fits(call, others, m)), None)
    if replacement is None:
        member.status = "declined"
    else:
        member.status = "replaced"
        replacement.status, replacement.position = "selected", member.position
        replacement.replaces_id = member.id
    session.flush()
    update_body(session, call)
    return replacement
