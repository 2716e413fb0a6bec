"""The prefecture's view: each municipality's row comes from the latest release of its own
published space, never from live counts; too few people shows as such; a constant number of
SQL statements whatever the number of municipalities."""
from __future__ import annotations


import pytest

from app.representation import prefecture
from app.representation.prefecture import (FIGURES, NO_SPACE, NOT_PUBLISHED, TOO_FEW,
                                           ExtraColumn, area_overview, sort_rows)
from app.common.time import today_jst
from tests.representation.prefecture_fixtures import hokkaido, join, publish
from tests.statements import recorded




def _world(make, db, count=10):
    pref, towns = hokkaido(make, db.session, count)
    sapporo = make.space("pref-sapporo", area=towns["01100"], transparency_public=True)
    join(db.session, sapporo, 30, age=65, gender="male")
    join(db.session, sapporo, 10, age=25, gender="female")
    publish(db.session, sapporo)
    join(db.session, sapporo, 20, age=25, gender="female")  # joined after the release
    if count >= 3:
        otaru = make.space("pref-otaru", area=towns["01203"], transparency_public=True)
        join(db.session, otaru, 12, age=70, gender="male")
        publish(db.session, otaru)
        hakodate = make.space("pref-hakodate", area=towns["01202"], transparency_public=True)
        join(db.session, hakodate, 3, age=22, gender="female")
    if count >= 4:
        make.space("pref-asahikawa", area=towns["01204"])  # public, figures not published
    return pref, towns


def _by_code(overview):
    return {row.code: row for row in overview.rows}


def test_rows_come_from_releases_and_say_when_there_are_too_few(make, db):
    pref, towns = _world(make, db)
    ward = make.area("01101", "中央区", "Chuo", kind="ward", parent=towns["01100"])
    make.space("pref-chuo", area=ward)  # counted among Sapporo's open spaces
    make.space("pref-closed", area=towns["01100"], accepts_input=False)  # not open
    rows = _by_code(area_overview(db.session, pref, today=today_jst()))
    assert list(rows) == sorted(rows) and len(rows) == 10
    sapporo = rows["01100"]
    assert sapporo.status == FIGURES and sapporo.space_slug == "pref-sapporo"
    assert sapporo.participants == 40  # the release's, not the 60 who have joined since
    assert sapporo.open_spaces == 2
    assert sapporo.lg_code == "011002"
    assert sapporo.youth.share == pytest.approx(10 / 40)
    assert sapporo.women.share == pytest.approx(10 / 40)
    assert sapporo.youth.verdict and sapporo.youth.ci_low < 0.25 < sapporo.youth.ci_high
    otaru = rows["01203"]
    assert (otaru.status, otaru.participants) == (FIGURES, 10)
    assert otaru.youth.suppressed or otaru.youth.share == 0  # nobody young: the release decides
    assert rows["01202"].status == TOO_FEW and rows["01202"].participants is None
    assert rows["01202"].youth is None and rows["01202"].open_spaces == 1
    assert rows["01204"].status == NOT_PUBLISHED
    assert rows["01205"].status == NO_SPACE and rows["01205"].open_spaces == 0


def test_a_region_lists_its_members(make, db):
    from app.areas.services import create_region

    _pref, towns = _world(make, db)
    region = create_region(db.session, "R-TEST", "札幌小樽", "Sapporo-Otaru", ["01100", "01203"])
    db.session.commit()
    rows = _by_code(area_overview(db.session, region, today=today_jst()))
    assert list(rows) == ["01100", "01203"]
    assert rows["01203"].participants == 10


def test_only_prefectures_and_regions_have_an_overview(make, db):
    _pref, towns = _world(make, db, 3)
    with pytest.raises(ValueError):
        area_overview(db.session, towns["01100"], today=today_jst())


@pytest.mark.parametrize("count", [3, 10])
def test_the_statement_count_does_not_grow_with_the_municipalities(make, db, count):
    pref, _towns = _world(make, db, count)
    db.session.expire_all()
    assert pref.kind == "prefecture"  # loaded before counting
    with recorded() as statements:
        overview = area_overview(db.session, pref, today=today_jst())
    assert len(overview.rows) == count
    # members, open spaces, published spaces with their latest release, other public spaces,
    # and one per extra column (the app registers furusato's registrants)
    assert [c.key for c in prefecture.EXTRA_COLUMNS] == ["furusato_registrants"]
    assert len(statements) == 5, statements


def test_an_extra_column_is_one_function(make, db, monkeypatch):
    pref, towns = _world(make, db)
    monkeypatch.setattr(prefecture, "EXTRA_COLUMNS", [])
    calls = []
    sapporo_id, otaru_id = towns["01100"].id, towns["01203"].id

    def fetch(session, ids):
        calls.append(list(ids))
        return {sapporo_id: 7, otaru_id: None}

    prefecture.register_column(ExtraColumn("registrants", "Registrants", "登録者数", fetch))
    db.session.expire_all()
    assert pref.kind == "prefecture"
    with recorded() as statements:
        rows = _by_code(area_overview(db.session, pref, today=today_jst()))
    assert len(statements) == 4 and len(calls) == 1  # the column's own fetch ran no SQL
    assert rows["01100"].extra == {"registrants": 7}
    assert rows["01203"].extra == {"registrants": None}
    assert rows["01202"].extra == {}
    prefecture.register_column(ExtraColumn("registrants", "Registrants", "登録者数", fetch))
    assert len(prefecture.EXTRA_COLUMNS) == 1  # registering again replaces


def test_rows_without_a_figure_sort_last_in_code_order_both_ways(make, db):
    pref, _towns = _world(make, db)
    rows = area_overview(db.session, pref, today=today_jst()).rows
    for descending in (False, True):
        ordered = sort_rows(rows, "participants", descending)
        shown = [r.code for r in ordered if r.participants is not None]
        assert shown == (["01100", "01203"] if descending else ["01203", "01100"])
        blank = [r.code for r in ordered if r.participants is None]
        assert blank == sorted(blank) and len(blank) == 8
    assert [r.code for r in sort_rows(rows, "nonsense")] == sorted(r.code for r in rows)
