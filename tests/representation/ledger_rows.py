"""Shortcuts of the representation tests: ledger rows written straight into the table (the
figures are then recomputed independently), the shipped census read without the app, and a
Sapporo space with its population."""
from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from app.areas.models import Area
from app.representation.models import Participation
from app.representation.population import DATA_DIR, load_shipped_population

MODULE_FLAGS = ("forum", "proposals", "proposal_supporters", "surveys")


@pytest.fixture
def sapporo(db, make):
    load_shipped_population(db.session, area_codes={"01100"})
    db.session.commit()
    return make.space(slug="sapporo-review", area=db.session.scalar(select(Area).where(Area.code == "01100")))


def add_rows(session, space, rows: list[dict]) -> None:
    base = {"user_id": None, "first_at": datetime(2026, 6, 10, 3, 0), "age": None, "gender": None,
            "residency": "resident", "sector": None, "home_area_id": None, "tie_kind": None,
            "furusato_tier": None,
            **dict.fromkeys((*MODULE_FLAGS, "panel"), False)}
    def with_times(row: dict) -> dict:
        row = {**base, "space_id": space.id, **row}
        return {**row, **{f"{m}_at": row["first_at"] for m in (*MODULE_FLAGS, "panel") if row[m]}}
    session.execute(insert(Participation), [with_times(r) for r in rows])
    session.commit()


def random_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for _ in range(n):
        modules = {m: rng.random() < 0.4 for m in MODULE_FLAGS}
        if not any(modules.values()):
            modules[rng.choice(MODULE_FLAGS)] = True
        rows.append({
            "age": rng.choice([None, 15, 17, *range(18, 95)]) if rng.random() < 0.9 else None,
            "gender": rng.choice(["female", "female", "male", "male", "male", "other", "no_answer", None]),
            "residency": rng.choice(["resident", "resident", "resident", "relationship", "commuter",
                                     "dual_region", "other"]),
            "sector": rng.choice([None, "industry", "government", "academia", "civil_society", "none",
                                  "media"]),
            "first_at": datetime(2026, 5, 1) + timedelta(hours=rng.randrange(24 * 70)),
            **modules,
        })
    # The tie kind and furusato tier come from a generator of their own, so the rows above stay
    # what they were for the tests written before these columns.
    extra = random.Random(n)
    for row in rows:
        if row["residency"] == "relationship":
            row["tie_kind"] = extra.choice([None, "relationship", "family", "family", "visits",
                                            "works_or_studies", "furusato_donor", "side_job"])
        elif row["residency"] != "resident":
            row["tie_kind"] = extra.choice([None, row["residency"]])
        row["furusato_tier"] = extra.choice([None, "none", "none", "none", "basic", "basic",
                                             "premium"])
    return rows


def shipped_rows(name: str, code: str) -> dict[str, dict[str, int]]:
    """{sex: {age label: count}} read straight from the shipped CSV, independently of the app."""
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return {row[1]: {label: int(v) for label, v in zip(header[2:], row[2:]) if v != ""}
                for row in reader if row[0] == code}
