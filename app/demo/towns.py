"""Two more Hokkaido spaces for the prefecture's view (issue #13): Otaru, where some of the demo
participants also take part and which has published a release, and Hakodate, where only four
have so far (too few to publish). So the Hokkaido page compares Sapporo and Otaru with figures
and shows Hakodate's row as "too few participants". Deterministic; idempotent; only flushes."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.demo.plan import PlannedParticipant
from app.representation.ledger import record_participation
from app.representation.models import Participation
from app.spaces.models import Phase, Space

# (slug, title, area code, how many young people (18-39), how many others)
TOWN_SPACES = (
    ("otaru-town-centre", "小樽市 中心市街地と運河のこれから（デモ）", "01203", 12, 32),
    ("hakodate-youth-voices", "函館市 若い世代の声を聞く（デモ）", "01202", 2, 2),
)
TOWN_DESCRIPTION = ("デモ用の参加の場です。札幌市の見直しと並行して、道内の他の市でも意見を募る"
                    "様子を示します。北海道のページで市町村を並べて比べられます。")
TOWN_PHASES = (("意見募集", date(2026, 7, 1), date(2027, 1, 31), True),)


def _half_women(pool: list[PlannedParticipant], n: int) -> list[PlannedParticipant]:
    women = [p for p in pool if p.gender == "female"][:n // 2]
    return women + [p for p in pool if p.gender == "male"][:n - len(women)]


def _chosen(plans: list[PlannedParticipant], young: int, others: int,
            offset: int) -> list[PlannedParticipant]:
    """Consenting women and men, spread over the list (every second from `offset`): `young`
    aged 18-39 and `others` older, about half of each women (so Otaru's release can show both
    shares; Sapporo's space keeps the skewed mix)."""
    pool = [p for p in plans[offset::2] if p.consented and p.birth_year is not None
            and p.gender in ("female", "male")]
    is_young = [18 <= p.first_at.year - p.birth_year <= 39 for p in pool]
    youth = _half_women([p for p, y in zip(pool, is_young, strict=True) if y], young)
    rest = _half_women([p for p, y in zip(pool, is_young, strict=True) if not y], others)
    return sorted(youth + rest, key=lambda p: (p.first_at, p.number))


def create_town_spaces(session: Session, plans: list[PlannedParticipant], creator: User | None,
                       facilitator: User | None, *, public_k: int, batch: int) -> dict[str, int]:
    from app.representation import releases

    counts = {"town_spaces": 0, "town_participations": 0, "town_releases": 0}
    areas = dict(session.execute(select(Area.code, Area).where(
        Area.code.in_([code for _s, _t, code, *_ in TOWN_SPACES]))).all())
    emails = {p.email for p in plans}
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    for offset, (slug, title, code, young, others) in enumerate(TOWN_SPACES):
        if code not in areas:  # the shipped area list was not loaded
            continue
        space = session.scalar(select(Space).where(Space.slug == slug))
        if space is None:
            space = Space(slug=slug, title=title, description_md=TOWN_DESCRIPTION,
                          area=areas[code], min_age=18, youth_min=18, youth_max=39,
                          visibility="public", transparency_public=True, created_by=creator)
            space.phases = [Phase(name=name, starts_on=start, ends_on=end, accepts_input=accepts,
                                  position=position)
                            for position, (name, start, end, accepts) in enumerate(TOWN_PHASES)]
            session.add(space)
            session.flush()
            counts["town_spaces"] += 1
        in_ledger = set(session.scalars(select(Participation.user_id).where(
            Participation.space_id == space.id)))
        for plan in _chosen(plans, young, others, offset):
            user = users.get(plan.email)
            if user is None or user.id in in_ledger:
                continue
            record_participation(session, space.id, user, plan.modules[0], at=plan.first_at)
            counts["town_participations"] += 1
        session.flush()
        if not releases.list_releases(session, space) and releases.readiness(
                session, space, public_k=public_k, batch=batch).ready:
            releases.create_release(session, space, facilitator, public_k=public_k, batch=batch)
            counts["town_releases"] += 1
    return counts
