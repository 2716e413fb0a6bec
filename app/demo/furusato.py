"""Demo furusato registration: Sapporo and two Hokkaido towns (Yoichi, Niseko) open registration,
and the demo participants who live elsewhere in Japan register with them, basic and premium,
with activities (some confirmed by Sapporo's demo facilitator, some waiting). Deterministic and
idempotent: a person already registered somewhere is left alone. Towns missing from the areas
table are skipped (the demo then opens Sapporo only). Only flushes."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.furusato import services
from app.furusato.models import BASIC_TIES, FurusatoRegistration

PROGRAMMES = (
    ("01100", "札幌市のふるさと住民として、雪まつりの運営や冬の暮らしを一緒に支えてください。",
     "Help Sapporo as a furusato resident: the Snow Festival, and getting through winter.",
     "雪まつりボランティア\n除雪・雪かきの手伝い\n観光案内\n市の計画づくりへの参加"),
    ("01408", "果樹とワインの町・余市の応援団。収穫の手伝いや特産品の紹介をお願いします。",
     "Yoichi's supporters: help with the harvest and tell others about its fruit and wine.",
     "収穫の手伝い\n特産品の紹介\n町のイベント"),
    ("01395", "ニセコ町のふるさと住民。環境保全やまちづくりの議論に参加できます。",
     "Niseko's furusato residents: conservation work and the town's planning.",
     "環境保全活動\nまちづくりの話し合い\n観光の手伝い"),
)
DEMO_EMAILS = "demo-%@example.jp"


def _programmes(session: Session) -> tuple[dict[str, object], int]:
    found, created = {}, 0
    for code, ja, en, categories in PROGRAMMES:
        area = session.scalar(select(Area).where(Area.code == code))
        if area is None:
            continue
        found[code] = services.programme_for(session, area)
        if found[code] is None:
            found[code] = services.save_programme(session, area, description_ja=ja,
                                                  description_en=en, categories=categories,
                                                  is_open=True)
            created += 1
    return found, created


def _people_from_elsewhere(session: Session) -> list[User]:
    people = session.scalars(select(User).where(User.email.like(DEMO_EMAILS),
                                                User.home_area_id.is_not(None))
                             .order_by(User.email)).all()
    return [p for p in people
            if (services.prefecture_of(p.home_area) or p.home_area).code != "01000"]


def _activities(session: Session, registration, staff: User | None, confirmed: int,
                waiting: int, today: date) -> None:
    categories = services.programme_for(session, registration.area).category_list
    for i in range(confirmed + waiting):
        activity = services.record_activity(
            session, registration, on_date=today - timedelta(days=20 + 45 * i),
            category=categories[i % len(categories)], note="デモの活動記録", today=today)
        if i < confirmed and staff is not None:
            services.decide_activity(session, activity, staff, confirm=True, today=today)


def create_demo_furusato(session: Session, staff: User | None, today: date) -> dict[str, int]:
    programmes, opened = _programmes(session)
    created = {"furusato_programmes": opened, "furusato_registrations": 0}
    if "01100" not in programmes:
        return created
    already = set(session.scalars(select(FurusatoRegistration.user_id)))
    for index, person in enumerate(_people_from_elsewhere(session)):
        if person.id in already:
            continue
        joined = today - timedelta(days=7 * (index % 40))
        premium = index % 6 == 0
        sapporo = services.register(
            session, person, programmes["01100"], tier="premium" if premium else "basic",
            tie_kind="volunteering" if premium else BASIC_TIES[index % len(BASIC_TIES)],
            contact_consent=index % 2 == 0, today=joined)
        created["furusato_registrations"] += 1
        if premium:  # most earn premium; every other one still waits for a confirmation
            _activities(session, sapporo, staff, confirmed=3 if index % 12 == 0 else 2,
                        waiting=0 if index % 12 == 0 else 1, today=today)
        for code, every, tie in (("01408", 3, "products"), ("01395", 4, "visits")):
            if code in programmes and index % every == 1:
                services.register(session, person, programmes[code], tier="basic",
                                  tie_kind=tie, contact_consent=index % 2 == 1, today=joined)
                created["furusato_registrations"] += 1
    session.flush()
    return created
