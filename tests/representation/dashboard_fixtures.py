"""Shared set-up for the dashboard, alerts, bodies and transparency tests: a small reference
population whose bands match the default age bands exactly (so nothing is estimated), and
ledger rows written straight into the participation table."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from app.representation import population as pop
from app.representation.models import Participation
from app.representation.population_files import PopulationRecord

# People per sex in each band; women and men equal, so women's population share is 50%.
BANDS = ((0, 17, 3000), (18, 29, 1200), (30, 39, 1000), (40, 49, 1300), (50, 59, 1400),
         (60, 69, 1500), (70, 79, 1300), (80, None, 800))
ELIGIBLE_PER_SEX = sum(n for low, _high, n in BANDS if low >= 18)
YOUTH_SHARE = (1200 + 1000) / ELIGIBLE_PER_SEX


def load_population(session, area_code: str = "01100") -> None:
    records = [PopulationRecord(area_code, sex, low, high, count)
               for sex in ("male", "female") for low, high, count in BANDS]
    pop.import_population(session, key="test-census", kind="census", title="Test census",
                          reference_date=date(2020, 10, 1), licence="test licence",
                          attribution="出典：テスト国勢調査", records=records)
    session.commit()


def add_participants(session, space, count: int, *, age: int | None = 65,
                     gender: str | None = "male", residency: str | None = "resident",
                     sector: str | None = "none", first_at: datetime | None = None,
                     tie_kind: str | None = None, furusato_tier: str | None = None,
                     **modules) -> None:
    """`count` ledger rows with the same snapshot (user_id NULL, like deleted accounts)."""
    flags = {"forum": False, "proposals": False, "proposal_supporters": False,
             "surveys": False, "panel": False}
    flags.update(modules or {"forum": True})
    moment = first_at or datetime(2025, 1, 6, 3, 0)
    for i in range(count):
        at = moment + timedelta(minutes=i)
        times = {f"{m}_at": at for m, used in flags.items() if used}
        session.add(Participation(space_id=space.id, user_id=None,
                                  first_at=at, age=age, gender=gender,
                                  residency=residency, sector=sector, tie_kind=tie_kind,
                                  furusato_tier=furusato_tier, **flags, **times))
    session.commit()


def skewed_space(make, db, *, slug: str = "skewed", total_old_men: int = 50, **fields):
    """A space with 63 participants (60 counted: twelve whole batches of 5): few young people
    and few women."""
    space = make.space(slug, **fields)
    load_population(db.session)
    add_participants(db.session, space, total_old_men, age=65, gender="male")
    add_participants(db.session, space, 6, age=22, gender="female", surveys=True)
    add_participants(db.session, space, 4, age=45, gender="female", forum=True, surveys=True)
    add_participants(db.session, space, 3, age=50, gender=None)  # no gender answer
    return space
