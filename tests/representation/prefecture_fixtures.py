"""A small Hokkaido for the prefecture view's tests: the prefecture, ten municipalities (and a
ward of Sapporo), a census for each, and spaces that publish, that have too few people to
publish, that do not publish, and none."""
from __future__ import annotations

from datetime import date, datetime

from app.representation import population as pop
from app.representation import releases
from app.representation.population_files import PopulationRecord
from tests.representation.dashboard_fixtures import BANDS, add_participants

PUBLIC_K, BATCH = 10, 5
MUNICIPALITIES = (("01100", "札幌市", "Sapporo"), ("01202", "函館市", "Hakodate"),
                  ("01203", "小樽市", "Otaru"), ("01204", "旭川市", "Asahikawa"),
                  ("01205", "室蘭市", "Muroran"), ("01206", "釧路市", "Kushiro"),
                  ("01207", "帯広市", "Obihiro"), ("01208", "北見市", "Kitami"),
                  ("01209", "夕張市", "Yubari"), ("01210", "岩見沢市", "Iwamizawa"))


def hokkaido(make, session, count: int = 10):
    """(prefecture, {code: municipality}) with a census for each municipality."""
    prefecture = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    towns = {code: make.area(code, ja, en, parent=prefecture)
             for code, ja, en in MUNICIPALITIES[:count]}
    records = [PopulationRecord(code, sex, low, high, n) for code in towns
               for sex in ("male", "female") for low, high, n in BANDS]
    pop.import_population(session, key=f"pref-census-{count}", kind="census",
                          title="Test census", reference_date=date(2020, 10, 1),
                          licence="test", attribution="test", records=records)
    session.commit()
    return prefecture, towns


def publish(session, space) -> None:
    releases.create_release(session, space, None, public_k=PUBLIC_K, batch=BATCH)
    session.commit()


def join(session, space, n, **fields):
    add_participants(session, space, n, first_at=datetime(2025, 3, 3, 3, 0), **fields)
