"""Areas: loading the CSV (idempotent, bulk, parents), finding areas as people type them, regions."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from app.areas import services
from app.areas.models import Area, RegionMember
from app.areas.services import (SHIPPED_AREAS_CSV, create_region, find_area, load_shipped_areas,
                                region_member_ids, search_areas)
from app.common.errors import DomainError

HEADER = "code,name_ja,name_en,kind,parent_code\n"
# A ward listed before its city and the city before its prefecture: parents are set afterwards.
SMALL = HEADER + (
    "01101,札幌市中央区,Chuo-ku,ward,01100\n"
    "01100,札幌市,Sapporo,municipality,01000\n"
    "01000,北海道,Hokkaido,prefecture,00000\n"
    "00000,全国,Japan,nation,\n"
    "01233,伊達市,Date,municipality,01000\n"
    "07000,福島県,Fukushima,prefecture,00000\n"
    "07213,伊達市,Date,municipality,07000\n"
    "01203,小樽市,,municipality,01000\n"
)


@pytest.fixture
def small_csv(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Area))


class _StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def test_load_sets_parents_and_is_idempotent(db, small_csv):
    assert load_shipped_areas(db.session, small_csv) == 8
    db.session.commit()
    assert _count(db) == 8
    chuo = find_area(db.session, "01101")
    assert chuo.parent.code == "01100" and chuo.parent.parent.code == "01000"
    assert chuo.parent.parent.parent.code == "00000" and chuo.kind == "ward"
    assert find_area(db.session, "00000").parent is None
    assert find_area(db.session, "01203").name_en == ""

    assert load_shipped_areas(db.session, small_csv) == 8
    db.session.commit()
    assert _count(db) == 8


def test_reload_updates_changed_rows(db, small_csv, tmp_path):
    load_shipped_areas(db.session, small_csv)
    db.session.commit()
    sapporo = find_area(db.session, "01100")
    changed = tmp_path / "changed.csv"
    changed.write_text(SMALL.replace("01203,小樽市,,", "01203,小樽市,Otaru,")
                       .replace("01101,札幌市中央区,Chuo-ku,ward,01100", "01101,札幌市中央区,Chuo,ward,01000"),
                       encoding="utf-8")
    load_shipped_areas(db.session, changed)
    db.session.commit()
    assert find_area(db.session, "01203").name_en == "Otaru"
    chuo = find_area(db.session, "01101")
    assert (chuo.name_en, chuo.parent.code) == ("Chuo", "01000")
    assert find_area(db.session, "01100").id == sapporo.id  # updated in place, not re-created


def test_load_leaves_regions_alone(db, small_csv):
    load_shipped_areas(db.session, small_csv)
    create_region(db.session, "R-TEST", "テスト圏", "Test", ["01100", "01203"])
    db.session.commit()
    load_shipped_areas(db.session, small_csv)
    db.session.commit()
    assert find_area(db.session, "R-TEST").members[0].code == "01100"


@pytest.mark.parametrize("body, problem", [
    ("code,name_ja\n01100,札幌市\n", "missing columns"),
    (HEADER + "1100,札幌市,,municipality,\n", "not 5 digits"),
    (HEADER + "01100,札幌市,,city,\n", "unknown kind"),
    (HEADER + "01100,,,municipality,\n", "name missing"),
    (HEADER + "01100,札幌市,,municipality,\n01100,札幌市,,municipality,\n", "appears twice"),
    (HEADER + "01100,札幌市,,municipality,01000\n", "unknown"),
])
def test_load_rejects_malformed_files(db, tmp_path, body, problem):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DomainError, match=problem):
        load_shipped_areas(db.session, path)


@pytest.mark.skipif(not SHIPPED_AREAS_CSV.exists(), reason="the shipped areas.csv is not there yet")
def test_shipped_file_loads_in_a_few_bulk_statements(db):
    with open(SHIPPED_AREAS_CSV, encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    with _StatementCounter(db.engine) as counter:
        assert load_shipped_areas(db.session) == rows
        db.session.commit()
    # SELECT existing, INSERT (executemany), SELECT ids, UPDATE parents (executemany): the
    # driver may split executemany into batches, but never one round trip per row.
    assert counter.count < 60, counter.count
    assert _count(db) == rows
    chuo = find_area(db.session, "01101")
    assert chuo.name_ja == "札幌市中央区" and chuo.parent.code == "01100"
    assert chuo.parent.parent.kind == "prefecture"
    with _StatementCounter(db.engine) as counter:
        load_shipped_areas(db.session)
        db.session.commit()
    assert counter.count <= 4 and _count(db) == rows  # nothing changed: reads only


def test_find_area_by_code_name_and_full_width(db, small_csv):
    load_shipped_areas(db.session, small_csv)
    assert find_area(db.session, "０１１００").name_ja == "札幌市"
    assert find_area(db.session, " 01100 ").name_ja == "札幌市"
    assert find_area(db.session, "札幌市").code == "01100"
    assert find_area(db.session, "SAPPORO").code == "01100"
    assert find_area(db.session, "ｓａｐｐｏｒｏ").code == "01100"
    assert find_area(db.session, "伊達市") is None  # two of them: the code decides
    assert find_area(db.session, "07213").parent.name_ja == "福島県"
    assert find_area(db.session, "99999") is None
    assert find_area(db.session, "札幌") is None  # exact names only
    assert find_area(db.session, "") is None and find_area(db.session, None) is None


def test_search_areas(db, small_csv):
    load_shipped_areas(db.session, small_csv)
    assert [a.code for a in search_areas(db.session, "伊達")] == ["01233", "07213"]
    # The exact match comes first, wards after municipalities.
    assert [a.code for a in search_areas(db.session, "札幌")] == ["01100", "01101"]
    assert [a.code for a in search_areas(db.session, "0110")] == ["01100", "01101"]
    assert [a.code for a in search_areas(db.session, "otaru")] == []
    assert [a.code for a in search_areas(db.session, "date")] == ["01233", "07213"]
    assert search_areas(db.session, "%") == [] and search_areas(db.session, "") == []
    assert len(search_areas(db.session, "0", limit=3)) == 3


def test_create_region_and_member_ids(db, small_csv):
    load_shipped_areas(db.session, small_csv)
    region = create_region(db.session, "r-sapporo-otaru", "札幌・小樽圏", "Sapporo-Otaru",
                           ["01100", "０１２０３", "01100"])
    db.session.commit()
    assert (region.code, region.kind, region.is_region) == ("R-SAPPORO-OTARU", "region", True)
    sapporo, otaru = find_area(db.session, "01100"), find_area(db.session, "01203")
    assert [a.code for a in region.members] == ["01100", "01203"]
    assert sorted(region_member_ids(region)) == sorted([sapporo.id, otaru.id])
    assert region_member_ids(sapporo) == [sapporo.id]
    assert find_area(db.session, "r-sapporo-otaru").id == region.id
    assert db.session.scalar(select(func.count()).select_from(RegionMember)) == 2


@pytest.mark.parametrize("code, members, fragment", [
    ("SAPPORO", ["01100", "01203"], "starts with R-"),
    ("01999", ["01100", "01203"], "starts with R-"),
    ("R-TAKEN", ["01100", "01203"], "already used"),
    ("R-ONE", ["01100"], "at least two"),
    ("R-UNKNOWN", ["01100", "99999"], "Unknown area codes: 99999"),
    ("R-NESTED", ["R-TAKEN", "01233"], "cannot contain another region"),
    ("R-DOUBLE", ["01100", "01101"], "01101 札幌市中央区 lies within 01100 札幌市"),
    ("R-PREF", ["01000", "01233"], "lies within 01000 北海道"),
])
def test_create_region_rejects(db, small_csv, code, members, fragment):
    load_shipped_areas(db.session, small_csv)
    create_region(db.session, "R-TAKEN", "既存", "Taken", ["07213", "01203"])
    with pytest.raises(DomainError) as caught:
        create_region(db.session, code, "新しい圏", "New", members)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError) and caught.value.msgid


def test_create_region_needs_a_japanese_name(db, small_csv):
    load_shipped_areas(db.session, small_csv)
    with pytest.raises(DomainError, match="Japanese name"):
        create_region(db.session, "R-NONAME", " ", "No name", ["01100", "01203"])


def test_region_error_messages_are_marked_for_translation():
    # N_ marks msgids for Babel and returns them unchanged.
    assert services.N_("A region is made of at least two areas.") == \
        "A region is made of at least two areas."
