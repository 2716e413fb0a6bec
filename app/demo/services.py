"""Demo data: the review of Sapporo's 3rd Future Creation Plan in FY2026, with three named
accounts, ~300 participants whose mix is skewed like a real consultation's, and what they wrote
in the space's forum, proposals and survey (app.demo.content).

load_demo() is idempotent: whatever already exists (by e-mail, slug, code) is left alone, so a
second run changes nothing. Passwords are hashed once each, the 300 participants share one hash,
and rows are flushed in chunks, so a full load takes a few seconds. Only flushes; the CLI commits.
"""
from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.accounts.models import Demographics, ResidencyTie, RoleAssignment, User
from app.areas.models import Area
from app.areas.residency import RELATIONSHIP_KINDS
from app.common.time import today_jst
from app.demo import content, towns
from app.demo.furusato import create_demo_furusato
from app.demo.plan import PlannedParticipant, plan_participants
from app.representation.ledger import record_participation
from app.representation.models import Participation
from app.spaces.models import Phase, Space

FLUSH_EVERY = 200
DEMO_PARTICIPANT_PASSWORD = "hiroba-demo-2026"  # shared by demo-001 … demo-300@example.jp
# (e-mail, password, display name, global roles, facilitates the demo space, demographics)
ACCOUNTS = (
    ("admin@example.jp", "hiroba-admin-2026", "管理者（デモ）", ("admin",), False, None),
    ("facilitator@example.jp", "hiroba-facilitator-2026", "札幌市 政策企画担当（デモ）", (), True,
     None),
    ("participant@example.jp", "hiroba-participant-2026", "北村 さくら", (), False,
     {"birth_year": 1998, "gender": "female", "sector": "civil_society"}),
)
SPACE_SLUG = "sapporo-plan-review"
SPACE_TITLE = "第3期さっぽろ未来創生プラン見直し"
SPACE_DESCRIPTION = """\
国は2025年に「地方創生2.0基本構想」を取りまとめ、2034年度末までの10年間を対象に、\
**人口減少を正面から受け止め**、若者や女性にも選ばれる地域づくりを進める方針を示しました。\
札幌市は、国の総合戦略や北海道の動向、これまでの人口減少対策の分析結果を踏まえ、\
「第3期さっぽろ未来創生プラン」（札幌市の地方版総合戦略）を見直すかどうかを\
**令和8年度（2026年度）中に決定**します。

この参加の場では、プランの評価・検証と見直しについて、市民、関係人口、\
産官学金労言士の皆さんのご意見を募ります。

## 話し合いたいこと（地方創生2.0の5本柱）

1. 安心して働き、暮らせる生活環境
2. 稼ぐ力を高め、付加価値を生む新しい地域経済（地方イノベーション）
3. 人や企業の地方分散、都市と地方の交流（関係人口・二地域居住を含む）
4. 新時代のインフラ整備とAI・デジタル技術の徹底活用
5. 広域リージョン連携（北海道や道内市町村との連携）

## 若者と女性の参加について

基本構想は、地方版総合戦略を議論する場に**若者や女性が人口比並みに参画する**よう努めることを\
求めています。この場では、参加者の年齢・性別などの構成（同意をいただいた方の集計のみ）を\
札幌市の人口と比べて公開し、足りない層への呼びかけに生かします。

## 日程

| 段階 | 期間 | 内容 |
|---|---|---|
| 論点整理 | 2026年4月〜6月 | 現行プランの点検と論点の整理 |
| 意見募集 | 2026年7月〜2027年1月 | 掲示板・提案・アンケートでご意見を募集 |
| 取りまとめ | 2027年2月〜3月 | 見直しの要否と方向性の取りまとめ |

札幌市にお住まいでない方も、通勤・通学、二地域居住、ふるさととしての関わりなど、\
札幌に関わりのある方はどなたでも参加できます（18歳以上）。

※ この参加の場は Hiroba のデモ用データです。実在の札幌市の意見募集ではありません。
"""
PHASES = (
    ("論点整理", date(2026, 4, 1), date(2026, 6, 30), False),
    ("意見募集", date(2026, 7, 1), date(2027, 1, 31), True),
    ("取りまとめ", date(2027, 2, 1), date(2027, 3, 31), False),
)
AREA_FALLBACKS = (
    ("01000", "北海道", "Hokkaido", "prefecture", None),
    ("01100", "札幌市", "Sapporo", "municipality", "01000"),
)
POPULATION_LOADERS = (("app.representation.population", "load_shipped_population"),)


def _optional(module_name: str, name: str) -> Callable | None:
    """A function another module may not have written yet; None if absent."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return None
    return getattr(module, name, None)


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _load_areas(session: Session, note: Callable[[str], None]) -> int:
    before = _count(session, Area)
    loader = _optional("app.areas.services", "load_shipped_areas")
    if loader is None:
        note("app.areas.services.load_shipped_areas is not available: only Hokkaido and Sapporo "
             "are created.")
    else:
        loader(session)
    codes = {code: area for code, area in ((a.code, a) for a in session.scalars(
        select(Area).where(Area.code.in_([c for c, *_ in AREA_FALLBACKS]))))}
    for code, name_ja, name_en, kind, parent in AREA_FALLBACKS:
        if code not in codes:
            codes[code] = Area(code=code, name_ja=name_ja, name_en=name_en, kind=kind,
                               parent=codes.get(parent) if parent else None)
            session.add(codes[code])
    session.flush()
    return _count(session, Area) - before


def _load_population(session: Session, note: Callable[[str], None]) -> int:
    """How many reference population sources were loaded now (0 when already there)."""
    for module_name, name in POPULATION_LOADERS:
        loader = _optional(module_name, name)
        if loader is None:
            continue
        if "replace" in inspect.signature(loader).parameters:
            result = loader(session, replace=False)  # keep sources already loaded
        else:
            result = loader(session)
        loaded = [k for k, v in (result or {}).items() if k != "areas" and v]
        return len(loaded)
    note("No reference population loader (load_shipped_population) yet: population skipped.")
    return 0


def _accounts(session: Session) -> tuple[dict[str, User], int]:
    emails = [a[0] for a in ACCOUNTS]
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    sapporo = session.scalar(select(Area).where(Area.code == "01100"))
    created = 0
    for email, password, name, roles, _facilitates, demographics in ACCOUNTS:
        if email in users:
            continue
        user = User(email=email, password_hash=generate_password_hash(password),
                    display_name=name, home_area=sapporo, locale="ja")
        user.roles = [RoleAssignment(role=role) for role in roles]
        if demographics:
            user.demographics = Demographics(**demographics)
        session.add(user)
        users[email] = user
        created += 1
    session.flush()
    return users, created


def _space(session: Session, creator: User) -> tuple[Space, int]:
    space = session.scalar(select(Space).where(Space.slug == SPACE_SLUG))
    if space is not None:
        return space, 0
    sapporo = session.scalar(select(Area).where(Area.code == "01100"))
    space = Space(slug=SPACE_SLUG, title=SPACE_TITLE, description_md=SPACE_DESCRIPTION,
                  area=sapporo, min_age=18, youth_min=18, youth_max=39, visibility="public",
                  forum_enabled=True, proposals_enabled=True, surveys_enabled=True,
                  transparency_public=True, created_by=creator)
    space.phases = [Phase(name=name, starts_on=start, ends_on=end, accepts_input=accepts,
                          position=position)
                    for position, (name, start, end, accepts) in enumerate(PHASES)]
    session.add(space)
    session.flush()
    return space, 1


def _facilitator_role(session: Session, user: User, space: Space) -> int:
    if any(r.role == "facilitator" and r.space_id == space.id for r in user.roles):
        return 0
    user.roles.append(RoleAssignment(role="facilitator", space_id=space.id))
    session.flush()
    return 1


def _new_participant(plan: PlannedParticipant, password_hash: str, areas: dict[str, int]) -> User:
    home_id = next((areas[c] for c in plan.home_codes if c in areas), None)
    # Registered shortly before their first contribution.
    joined = plan.first_at - timedelta(minutes=3 + plan.number % 50)
    user = User(email=plan.email, password_hash=password_hash, display_name=plan.display_name,
                home_area_id=home_id, locale="ja", created_at=joined)
    user.demographics = Demographics(birth_year=plan.birth_year, gender=plan.gender,
                                     sector=plan.sector, consented_at=joined,
                                     updated_at=joined) if plan.consented else None
    return user


def _tie_kind(plan: PlannedParticipant) -> str | None:
    """How a demo participant who lives elsewhere is connected to the space's area (Sapporo):
    the planned residency type, a relationship population with one of its kinds in turn."""
    if plan.residency == "resident":
        return None
    if plan.residency == "relationship":
        return RELATIONSHIP_KINDS[plan.number % len(RELATIONSHIP_KINDS)]
    return plan.residency


def _participants(session: Session, space: Space, today: date) -> tuple[int, int]:
    plans = plan_participants(today)
    existing = {u.email: u for u in session.scalars(
        select(User).where(User.email.in_([p.email for p in plans])))}
    in_ledger = set(session.scalars(select(Participation.user_id).where(
        Participation.space_id == space.id, Participation.user_id.is_not(None))))
    codes = {c for p in plans for c in p.home_codes}
    areas = dict(session.execute(select(Area.code, Area.id).where(Area.code.in_(codes))).all())
    missing = [p for p in plans if p.email not in existing]
    password_hash = generate_password_hash(DEMO_PARTICIPANT_PASSWORD) if missing else ""
    for start in range(0, len(missing), FLUSH_EVERY):
        plans_now = missing[start:start + FLUSH_EVERY]
        chunk = [_new_participant(p, password_hash, areas) for p in plans_now]
        session.add_all(chunk)
        session.flush()
        # People who live elsewhere say how they are connected to the space's area, so the
        # ledger derives their residency type from the tie (app.areas.residency).
        session.add_all(ResidencyTie(user_id=user.id, area_id=space.area_id, kind=kind,
                                     created_at=user.created_at)
                        for plan, user in zip(plans_now, chunk, strict=True)
                        if (kind := _tie_kind(plan)) is not None)
        session.flush()
        existing.update((u.email, u) for u in chunk)

    recorded = 0
    for plan in plans:
        user = existing[plan.email]
        if user.id in in_ledger:
            continue
        for offset, module in enumerate(plan.modules):
            record_participation(session, space.id, user, module,
                                 at=plan.first_at + timedelta(days=offset * 3))
        recorded += 1
        if recorded % FLUSH_EVERY == 0:
            session.flush()
    session.flush()
    return len(missing), recorded


def load_demo(session: Session, *, today: date | None = None,
              note: Callable[[str], None] | None = None, public_k: int = 10,
              batch: int = 5) -> dict[str, int]:
    """Load the demo; returns what was created now (all zeros on a second run). `note` receives
    remarks such as a loader that is not available yet. `public_k` and `batch` are the public
    and facilitator minimums the demo's releases follow."""
    note = note or (lambda message: None)
    today = today or today_jst()
    counts = {"areas": _load_areas(session, note),
              "population_sources": _load_population(session, note)}
    users, counts["accounts"] = _accounts(session)
    space, counts["spaces"] = _space(session, users["admin@example.jp"])
    counts["roles"] = _facilitator_role(session, users["facilitator@example.jp"], space)
    counts["participants"], counts["participations"] = _participants(session, space, today)
    counts["targets"] = _residency_targets(session, space)
    counts.update(content.create_demo_content(session, space, users["facilitator@example.jp"],
                                              today=today, note=note))
    counts["releases"] = _releases(session, space, users["facilitator@example.jp"], public_k,
                                   batch)
    counts.update(towns.create_town_spaces(session, plan_participants(today),
                                           users["admin@example.jp"],
                                           users["facilitator@example.jp"], public_k=public_k,
                                           batch=batch))
    from app.demo.panels import create_demo_panels

    counts["panel_calls"] = create_demo_panels(session, space)
    counts.update(create_demo_furusato(session, users["facilitator@example.jp"], today))
    return counts


# Releases as a real consultation makes them: after the first hundred, the second hundred, and
# everyone so far (dated when the last person each one covers had joined).
DEMO_RELEASES = (100, 200, None)


def _releases(session: Session, space, facilitator: User, public_k: int, batch: int) -> int:
    from app.representation import releases

    if releases.list_releases(session, space):
        return 0
    made = 0
    for upto in DEMO_RELEASES:
        state = releases.readiness(session, space, public_k=public_k, batch=batch)
        rank = state.covered if upto is None else upto
        if rank - state.previous < public_k or rank > state.covered:
            continue
        at = session.scalar(select(Participation.first_at)
                            .where(Participation.space_id == space.id)
                            .order_by(Participation.first_at, Participation.id)
                            .offset(rank - 1).limit(1))
        releases.create_release(session, space, facilitator, public_k=public_k, batch=batch,
                                upto=rank, at=at + timedelta(days=1) if upto else None)
        made += 1
    return made


# What the demo facilitator aims for: mostly residents, with room for the relationship
# population the conception wants to draw in. Targets, not statistics; sector is left unset so
# the demo also shows how a dimension without targets reads.
DEMO_RESIDENCY_TARGETS = {"resident": 0.80, "relationship": 0.12, "dual_region": 0.03,
                          "commuter": 0.04, "other": 0.01}


def _residency_targets(session: Session, space) -> int:
    from app.representation.targets import get_targets, set_targets

    if get_targets(session, space, "residency"):
        return 0
    set_targets(session, space, "residency", DEMO_RESIDENCY_TARGETS)
    return 1
