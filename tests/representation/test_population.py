"""Reference population: imports (shipped CSVs, e-Stat census, resident register, plain CSV),
idempotency, and the reference figures a space compares against."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.areas.models import Area, RegionMember
from app.representation.models import PopulationCount, PopulationSource
from app.representation.population import AGE_OPEN, AGE_UNKNOWN, load_shipped_population
from app.representation.reference import age_bands, reference_for, youth_band
from tests.representation.ledger_rows import shipped_rows

CENSUS_XLSX = Path("/work/shared/data/census2020/table2-1.xlsx")


def _count(session, **where) -> int:
    stmt = select(func.count()).select_from(PopulationCount)
    for column, value in where.items():
        stmt = stmt.where(getattr(PopulationCount, column) == value)
    return session.scalar(stmt)


@pytest.fixture
def sapporo_population(db):
    load_shipped_population(db.session, area_codes={"01100", "01101", "01102", "04100", "01304"})
    db.session.commit()


def test_cli_load_shipped_loads_every_area_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["population", "load-shipped"])
    assert result.exit_code == 0, result.output
    assert "census2020: 21952 counts for 98 areas" in result.output
    assert "register2022: 86372 counts for 1963 areas" in result.output
    assert db.session.scalar(select(func.count()).select_from(Area)) == 1964
    census = db.session.scalar(select(PopulationSource).where(PopulationSource.key == "census2020"))
    assert (census.kind, census.reference_date) == ("census", date(2020, 10, 1))
    assert "政府標準利用規約" in census.licence and "令和2年国勢調査" in census.attribution
    register = db.session.scalar(select(PopulationSource).where(PopulationSource.key == "register2022"))
    assert (register.kind, register.reference_date) == ("register", date(2022, 1, 1))
    total = db.session.scalar(select(func.sum(PopulationCount.count)))

    # Re-import replaces: same rows, same totals, same source ids.
    again = load_shipped_population(db.session)
    db.session.commit()
    assert again["census2020"]["records"] == 21952
    assert db.session.scalar(select(func.count()).select_from(PopulationCount)) == 21952 + 86372
    assert db.session.scalar(select(func.sum(PopulationCount.count))) == total
    assert db.session.scalar(select(func.count()).select_from(PopulationSource)) == 2
    assert load_shipped_population(db.session, replace=False)["census2020"] is None
    listing = runner.invoke(args=["population", "list"]).output
    assert "register2022\tregister\t2022-01-01\t" in listing and "census2020\tcensus\t2020-10-01\t" in listing


def test_sentinels_for_unknown_and_open_ended_ages(db, sapporo_population):
    sapporo = db.session.scalar(select(Area.id).where(Area.code == "01100"))
    census = db.session.scalar(select(PopulationSource.id).where(PopulationSource.key == "census2020"))
    unknown = db.session.scalar(select(PopulationCount.count).where(
        PopulationCount.source_id == census, PopulationCount.area_id == sapporo,
        PopulationCount.sex == "male", PopulationCount.age_from == AGE_UNKNOWN))
    assert unknown == shipped_rows("census2020.csv", "01100")["male"]["unknown"] == 16646
    open_ended = db.session.scalar(select(func.count()).select_from(PopulationCount).where(
        PopulationCount.source_id == census, PopulationCount.age_to == AGE_OPEN))
    assert open_ended == 2 * 2  # 110+ for men and women of 2 areas with census figures (01100, 04100)


def test_sapporo_reference_from_shipped_census(db, make, sapporo_population):
    space = make.space(area=db.session.scalar(select(Area).where(Area.code == "01100")))
    ref = reference_for(db.session, space)
    assert (ref.kind, ref.source_key, ref.reference_date) == ("census", "census2020", date(2020, 10, 1))
    assert ref.area_codes == ("01100",) and ref.base_min_age == 18
    assert ref.estimated is False
    assert ref.population(18, None) == 1_679_929
    assert ref.population(18, 39) == 460_979
    assert ref.population(18, None, "female") == 911_870
    # The bands partition the eligible population.
    assert sum(ref.population(b.low, b.high) for b in age_bands(space)) == 1_679_929
    youth = youth_band(space)
    assert (youth.low, youth.high) == (18, 39)


def _older_than_19(sex_rows: dict[str, int]) -> int:
    return sum(v for label, v in sex_rows.items()
               if label not in ("0-4", "5-9", "10-14", "15-19", "unknown"))


def _share_18_19(code: str, sex: str) -> float:
    """Ages 18 and 19 among 15..19 in the census's single years of the area, read directly."""
    years = shipped_rows("census2020.csv", code)[sex]
    return (years["18"] + years["19"]) / sum(years[str(a)] for a in range(15, 20))


def test_register_reference_splits_the_cut_band_by_the_census_shape(db, make, sapporo_population):
    space = make.space(area=db.session.scalar(select(Area).where(Area.code == "01100")),
                       reference_choice="register")
    ref = reference_for(db.session, space)
    assert (ref.kind, ref.source_key) == ("register", "register2022") and ref.estimated
    assert ref.split_method == "census_shape" and ref.shape_areas == ("01100",)
    rows = shipped_rows("register2022.csv", "01100")
    # Sapporo's own single-year census shape, not 2 of 5 years: 18-19 are 44.5 % of 15-19.
    both_share = ((_share_18_19("01100", "male") * rows["male"]["15-19"]
                   + _share_18_19("01100", "female") * rows["female"]["15-19"])
                  / (rows["male"]["15-19"] + rows["female"]["15-19"]))
    assert both_share == pytest.approx(0.445, abs=0.001)
    young = {sex: _share_18_19("01100", sex) * rows[sex]["15-19"] for sex in rows}
    assert ref.population(18, None) == pytest.approx(
        sum(young.values()) + sum(_older_than_19(r) for r in rows.values()))
    assert ref.population(18, 29) == pytest.approx(
        sum(young.values()) + sum(rows[s]["20-24"] + rows[s]["25-29"] for s in rows))
    assert ref.population(30, 39) == sum(rows[s]["30-34"] + rows[s]["35-39"] for s in rows)
    assert ref.population(18, None, "female") == pytest.approx(
        young["female"] + _older_than_19(rows["female"]))
    # A minimum age on a 5-year boundary cuts nothing.
    space.min_age, space.youth_min = 20, 20
    assert reference_for(db.session, space).estimated is False
    assert reference_for(db.session, space).split_method is None


def test_a_municipality_without_census_figures_takes_its_prefectures_shape(db, make):
    load_shipped_population(db.session, area_codes={"01000", "01304"})
    village = db.session.scalar(select(Area).where(Area.code == "01304"))
    ref = reference_for(db.session, make.space(area=village))
    assert ref.kind == "register" and ref.shape_areas == ("01000",)
    rows = shipped_rows("register2022.csv", "01304")
    assert ref.population(18, None, "male") == pytest.approx(
        _share_18_19("01000", "male") * rows["male"]["15-19"] + _older_than_19(rows["male"]))


def test_without_any_census_figures_a_cut_band_is_split_by_years(db, make):
    load_shipped_population(db.session, area_codes={"01304"})
    ref = reference_for(db.session, make.space(
        area=db.session.scalar(select(Area).where(Area.code == "01304"))))
    assert ref.estimated and ref.split_method == "even" and ref.shape_areas == ()
    rows = shipped_rows("register2022.csv", "01304")
    assert ref.population(18, None) == pytest.approx(
        sum(2 / 5 * r["15-19"] + _older_than_19(r) for r in rows.values()))


def test_the_reference_says_how_many_have_an_unknown_age(db, make, sapporo_population):
    ref = reference_for(db.session, make.space(
        area=db.session.scalar(select(Area).where(Area.code == "01100"))))
    rows = shipped_rows("census2020.csv", "01100")
    unknown = sum(r["unknown"] for r in rows.values())
    everyone = sum(v for r in rows.values() for v in r.values())
    assert ref.unknown_age_share == pytest.approx(unknown / everyone)
    assert 0.015 < ref.unknown_age_share < 0.016  # 1.57 % in Sapporo, left out of the shares


def test_auto_uses_register_where_census_lacks_the_area(db, make, sapporo_population):
    village = db.session.scalar(select(Area).where(Area.code == "01304"))
    space = make.space(area=village)
    ref = reference_for(db.session, space)
    assert ref.kind == "register" and ref.available
    space.reference_choice = "census"
    ref = reference_for(db.session, space)
    assert not ref.available and ref.source is None and ref.area_codes == ("01304",)


def test_region_reference_is_the_sum_of_its_members(db, make, sapporo_population):
    codes = {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(["01100", "04100", "01101", "01102"])))}
    cities = make.area(code="R-SAPPORO-SENDAI", name_ja="札幌仙台", kind="region")
    wards = make.area(code="R-WARDS", name_ja="中央区と北区", kind="region")
    db.session.add_all([RegionMember(region_id=cities.id, area_id=codes["01100"].id),
                        RegionMember(region_id=cities.id, area_id=codes["04100"].id),
                        RegionMember(region_id=wards.id, area_id=codes["01101"].id),
                        RegionMember(region_id=wards.id, area_id=codes["01102"].id)])
    db.session.commit()
    ref = reference_for(db.session, make.space(area=cities))
    assert ref.kind == "census" and ref.area_codes == ("01100", "04100")
    sendai = shipped_rows("census2020.csv", "04100")
    sendai_18 = sum(v for sex in sendai.values() for label, v in sex.items()
                    if label not in ("unknown",) and int(label.rstrip("+")) >= 18)
    assert ref.population(18, None) == 1_679_929 + sendai_18
    # Wards have no census figures: the register, summed.
    ref = reference_for(db.session, make.space(area=wards))
    assert ref.kind == "register" and ref.area_codes == ("01101", "01102")
    # Both wards' 15-19 groups are split by their city's census shape.
    assert ref.shape_areas == ("01100",)
    expected = 0.0
    for code in ("01101", "01102"):
        for sex, counts in shipped_rows("register2022.csv", code).items():
            expected += _share_18_19("01100", sex) * counts["15-19"] + _older_than_19(counts)
    assert ref.population(18, None) == pytest.approx(expected)


def test_cli_import_csv_stores_source_replaces_and_skips_unknown_areas(app, db, make, tmp_path):
    make.area()  # 01100
    path = tmp_path / "mine.csv"
    path.write_text("area_code,sex,age,count\n01100,male,18-29,100\n01100,女,18-29,120\n"
                    "01100,m,30+,300\n01100,f,30+,280\n01100,f,unknown,5\n99999,m,20,1\n",
                    encoding="utf-8")
    args = ["population", "import-csv", str(path), "--key", "sapporo2024", "--title",
            "札幌市住民基本台帳 2024", "--reference-date", "2024-01-01", "--licence", "CC BY 4.0"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "csv:sapporo2024: 5 counts for 1 areas" in result.output
    assert "Skipped 1 counts for 1 unknown area codes: 99999" in result.output
    source = db.session.scalar(select(PopulationSource))
    assert (source.key, source.kind, source.reference_date, source.licence) == (
        "csv:sapporo2024", "csv", date(2024, 1, 1), "CC BY 4.0")
    assert _count(db.session, source_id=source.id, age_from=AGE_UNKNOWN, age_to=AGE_UNKNOWN) == 1
    assert _count(db.session, source_id=source.id, age_from=30, age_to=AGE_OPEN) == 2

    path.write_text("area_code,sex,age,count\n01100,male,18+,10\n01100,female,18+,12\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PopulationSource)) == 1
    assert db.session.scalar(select(func.sum(PopulationCount.count))) == 22

    # A space on 01100 with only this CSV uses it ('auto' falls back to register/CSV).
    space = make.space()
    ref = reference_for(db.session, space)
    assert (ref.kind, ref.source, ref.population(18, None, "female")) == ("csv", "札幌市住民基本台帳 2024", 12)


@pytest.mark.parametrize("extra,message", [
    (["--reference-date", "2024-13-01"], "YYYY-MM-DD"),
    (["--reference-date", "2024-01-01", "--oops"], "No such option"),
])
def test_cli_import_csv_rejects_bad_options(app, db, tmp_path, extra, message):
    path = tmp_path / "x.csv"
    path.write_text("area_code,sex,age,count\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "population", "import-csv", str(path), "--key", "k", "--title", "t", "--licence", "l", *extra])
    assert result.exit_code != 0 and message in result.output


def test_cli_import_csv_reports_bad_rows_and_rolls_back(app, db, make, tmp_path):
    make.area()
    path = tmp_path / "bad.csv"
    path.write_text("area_code,sex,age,count\n01100,male,18,ten\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "population", "import-csv", str(path), "--key", "k", "--title", "t",
        "--reference-date", "2024-01-01", "--licence", "l"])
    assert result.exit_code == 1 and "line 2" in result.output
    assert db.session.scalar(select(func.count()).select_from(PopulationSource)) == 0


def _register_workbook(path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    bands = [f"{a}歳～{a + 4}歳" for a in range(0, 100, 5)] + ["100歳以上"]
    ws.append(["令和4年1月1日住民基本台帳年齢階級別人口（市区町村別）（総計）"])
    ws.append([None, None, None, None, "総数", *bands])
    ws.append(["団体コード", "都道府県名", "市区町村名", "性別", *(["人"] * 22)])
    for code, pref, muni, n in [("-", "合計", "-", 9), ("010006", "北海道", "-", 6),
                                ("011002", "北海道", "札幌市", 3), ("011011", "北海道", "札幌市中央区", 2)]:
        ws.append([code, pref, muni, "計", 2 * 21 * n + 1, *([2 * n] * 21)])
        ws.append([code, pref, muni, "男", 21 * n + 1, *([n] * 21)])  # one man of unknown age
        ws.append([code, pref, muni, "女", 21 * n, *([n] * 21)])
    wb.save(path)


def test_cli_import_register_creates_missing_areas_and_keeps_unknown_age(app, db, tmp_path):
    path = tmp_path / "reg.xlsx"
    _register_workbook(path)
    result = app.test_cli_runner().invoke(args=["population", "import-register", str(path)])
    assert result.exit_code == 0, result.output
    assert "register2022: 132 counts for 3 areas (3 areas created)" in result.output
    ward = db.session.scalar(select(Area).where(Area.code == "01101"))
    assert (ward.kind, ward.parent.code, ward.parent.parent.code) == ("ward", "01100", "01000")
    source = db.session.scalar(select(PopulationSource))
    assert (source.kind, source.reference_date) == ("register", date(2022, 1, 1))
    assert _count(db.session, area_id=ward.id, sex="male", age_from=AGE_UNKNOWN) == 1
    assert _count(db.session, area_id=ward.id, sex="female", age_from=100, age_to=AGE_OPEN) == 1
    # Idempotent, and a second edition can live beside it under its own key.
    assert app.test_cli_runner().invoke(args=["population", "import-register", str(path)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["population", "import-register", str(path), "--key",
                                                "register2023", "--reference-date", "2023-01-01"])
    assert result.exit_code == 0 and "(0 areas created)" in result.output
    assert db.session.scalar(select(func.count()).select_from(PopulationCount)) == 2 * 132


def test_cli_import_register_rejects_a_census_file(app, db, tmp_path):
    path = tmp_path / "other.xlsx"
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["not", "a", "register"])
    wb.save(path)
    result = app.test_cli_runner().invoke(args=["population", "import-register", str(path)])
    assert result.exit_code == 1 and "does not look like" in result.output


@pytest.mark.skipif(not CENSUS_XLSX.exists(), reason="official census file not available")
def test_cli_import_estat_reads_the_official_table(app, db, make):
    result = app.test_cli_runner().invoke(args=["population", "import-estat", str(CENSUS_XLSX)])
    assert result.exit_code == 0, result.output
    assert "census2020: 21952 counts for 98 areas (98 areas created)" in result.output
    sapporo = db.session.scalar(select(Area).where(Area.code == "01100"))
    assert sapporo.kind == "municipality" and sapporo.parent.code == "01000"
    ref = reference_for(db.session, make.space(area=sapporo))
    assert (ref.population(18, None), ref.population(18, 39), ref.population(18, None, "female")) == (
        1_679_929, 460_979, 911_870)
