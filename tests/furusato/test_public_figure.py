"""Furusato registrants on the prefecture's public view: counted as of the end of the previous
month, rounded down to a multiple of the public minimum and hidden below it, so a person who
registers (or leaves) today changes nothing a reader can see."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from app.common.time import today_jst
from app.furusato import public, services
from app.representation.prefecture import EXTRA_COLUMNS, area_overview
from tests.dom import table_rows

CSV_HEADER = "ふるさと住民登録者数_前月末"


def test_the_day_and_the_rounding():
    assert public.as_of(date(2026, 3, 1)) == date(2026, 2, 28)
    assert public.as_of(date(2026, 1, 31)) == date(2025, 12, 31)
    assert [public.rounded(n, 10) for n in (0, 9, 10, 19, 20, 27)] == [
        None, None, 10, 10, 20, 20]


def _map(make, db):
    pref = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    sapporo = make.area("01100", "札幌市", "Sapporo", parent=pref)
    chuo = make.area("01101", "札幌市中央区", "Chuo", kind="ward", parent=sapporo)
    otaru = make.area("01203", "小樽市", "Otaru", parent=pref)
    tokyo = make.area("13000", "東京都", "Tokyo", kind="prefecture")
    shinjuku = make.area("13104", "新宿区", "Shinjuku", parent=tokyo)
    programmes = {area.code: services.save_programme(
        db.session, area, description_ja="説明", description_en="", categories="観光",
        is_open=True) for area in (sapporo, chuo, otaru)}
    db.session.commit()
    return pref, sapporo, otaru, shinjuku, programmes


def _register(db, make, home, programme, on: date):
    person = make.user(home_area=home)
    row = services.register(db.session, person, programme, tier="basic", tie_kind="visits",
                            contact_consent=False, today=on)
    db.session.commit()
    return person, row


def _last_month() -> date:
    return public.as_of(today_jst()) - timedelta(days=3)


def _figures(client) -> tuple[dict, dict, dict]:
    rows = {r["code"]: r for r in
            client.get("/api/v1/areas/01000/overview").get_json()["municipalities"]}
    text = client.get("/api/v1/areas/01000/overview.csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text[1:])))
    by_code = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    return ({code: r["extra"][public.COLUMN_KEY] for code, r in rows.items()},
            {code: r[CSV_HEADER] for code, r in by_code.items()},
            table_rows(client.get("/areas/01000/overview").get_data(as_text=True)))


def test_the_column_is_registered_and_counts_in_one_statement(make, db, app):
    from tests.statements import recorded

    pref, sapporo, otaru, shinjuku, programmes = _map(make, db)
    k = app.config["MIN_CELL_PUBLIC"]
    for _ in range(k + 3):
        _register(db, make, shinjuku, programmes["01100"], _last_month())
    assert public.COLUMN_KEY in [c.key for c in EXTRA_COLUMNS]
    ids = sapporo.id, otaru.id
    with recorded() as statements:
        values = public.registrants_by_municipality(db.session, ids, k=k, today=today_jst())
    assert len(statements) == 1
    assert values == {ids[0]: k, ids[1]: None}  # k + 3 rounds down; nobody is hidden
    rows = {r.code: r for r in area_overview(db.session, pref, today=today_jst()).rows}
    assert rows["01100"].extra[public.COLUMN_KEY] == k


def test_one_registration_today_changes_nothing_on_the_page(client, make, db, app):
    _pref, _sapporo, _otaru, shinjuku, programmes = _map(make, db)
    k = app.config["MIN_CELL_PUBLIC"]
    people = [_register(db, make, shinjuku, programmes["01100"], _last_month())
              for _ in range(2 * k - 1)]
    for _ in range(k - 1):
        _register(db, make, shinjuku, programmes["01203"], _last_month())
    before = _figures(client)
    assert before[0] == {"01100": k, "01203": None}
    assert before[1] == {"011002": str(k), "012033": "x"}
    assert before[2]["札幌市"][-1] == str(k) and before[2]["小樽市"][-1] == "x"
    # The attacker's move: a named person registers today, one more person leaves today, and
    # one who was registered last month comes back under a ward of the same city.
    _register(db, make, shinjuku, programmes["01100"], today_jst())
    _register(db, make, shinjuku, programmes["01203"], today_jst())  # would make Otaru k
    services.leave(db.session, people[0][1])
    db.session.commit()
    services.register(db.session, people[1][0], programmes["01101"], tier="basic",
                      tie_kind="visits", contact_consent=False, today=_last_month())
    db.session.commit()
    assert _figures(client) == before


def test_the_prefectures_own_rows_and_left_registrations_do_not_count(make, db, app):
    _pref, sapporo, _otaru, shinjuku, programmes = _map(make, db)
    k = app.config["MIN_CELL_PUBLIC"]
    people = [_register(db, make, shinjuku, programmes["01100"], _last_month() - timedelta(
        days=40)) for _ in range(k)]
    assert public.registrants_by_municipality(db.session, [sapporo.id], k=1,
                                              today=today_jst()) == {sapporo.id: k}
    services.leave(db.session, people[0][1])  # left before the month ended: not counted
    people[0][1].left_at -= timedelta(days=40)
    db.session.commit()
    assert public.registrants_by_municipality(db.session, [sapporo.id], k=k,
                                              today=today_jst()) == {sapporo.id: None}
    # the derived rows (the prefecture's) exist, and the 2k rows above counted as k people
    assert services.registration_of(db.session, people[1][0].id, _pref.id).derived


def test_the_page_shows_the_column_in_both_languages(make, db, app):
    from tests.people import client_as

    _map(make, db)
    english = client_as(app, None, locale="en").get("/areas/01000/overview").get_data(
        as_text=True)
    assert "Furusato registrants (end of last month)" in english
    japanese = client_as(app, None, locale=None).get("/areas/01000/overview").get_data(
        as_text=True)
    assert "Furusato registrants (end of last month)" not in japanese
