"""Tests for app.representation.population_files and the data shipped in
app/representation/data. The shipped CSVs are enough for most tests; the last test
re-parses the official .xlsx files when ../shared/data is present and is skipped otherwise."""
import ast
import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from app.representation import population_files as pf
from app.representation.population_files import (
    AreaInfo,
    PopulationFileError,
    PopulationRecord,
    age_label,
    jis_check_digit,
    parse_age,
    read_compact_csv,
    read_estat_census,
    read_plain_csv,
    read_register,
    strip_check_digit,
    with_check_digit,
    write_compact_csv,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "app" / "representation" / "data"
SHARED = ROOT.parent / "shared" / "data"
CENSUS_XLSX = SHARED / "census2020" / "table2-1.xlsx"
REGISTER_XLSX = SHARED / "resident-register" / "2204ssnen.xlsx"


# --- module hygiene -------------------------------------------------------

def test_module_imports_no_framework_or_app():
    tree = ast.parse(Path(pf.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert not roots & {"flask", "sqlalchemy", "app", "flask_sqlalchemy"}


# --- check digits ---------------------------------------------------------

@pytest.mark.parametrize(
    "code5, digit",
    [
        ("01100", 2),  # 札幌市 011002
        ("01101", 1),  # 札幌市中央区 011011: remainder 0 -> 1
        # 千代田区 is 131016 in the register (not 8): 6*1+5*3+4*1+3*0+2*1 = 27, 27 % 11 = 5, 11 - 5 = 6
        ("13101", 6),
        ("01205", 0),  # 室蘭市 012050: remainder 1 -> 0
        ("01204", 1),  # 旭川市 012041: remainder 10 -> 1
        ("47382", 1),  # 与那国町 473821
        ("14100", 3),  # 横浜市 141003
    ],
)
def test_check_digit(code5, digit):
    assert jis_check_digit(code5) == digit
    assert with_check_digit(code5) == f"{code5}{digit}"
    assert strip_check_digit(f"{code5}{digit}") == code5


def test_check_digit_mismatch_and_bad_input():
    with pytest.raises(ValueError, match="check digit"):
        strip_check_digit("011001")
    for bad in ("0110", "011000x", "ABCDE", "", None):
        with pytest.raises(ValueError):
            jis_check_digit(bad)


# --- ages -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("18", (18, 18)),
        (" 0 ", (0, 0)),
        ("１８", (18, 18)),
        ("110+", (110, None)),
        ("0-4", (0, 4)),
        ("95～99", (95, 99)),
        ("unknown", (None, None)),
        ("Unknown", (None, None)),
        ("", (None, None)),
        ("不詳", (None, None)),
    ],
)
def test_parse_age(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["-1", "4-0", "abc", "18.5", "+5", "1-2-3"])
def test_parse_age_rejects(text):
    with pytest.raises(ValueError):
        parse_age(text)


@pytest.mark.parametrize("rng", [(18, 18), (0, 4), (110, None), (None, None)])
def test_age_label_round_trip(rng):
    assert parse_age(age_label(*rng)) == rng


def test_record_validation():
    PopulationRecord("01100", "male", None, None, 0)
    for args in [
        ("1100", "male", 0, 0, 1),
        ("01100", "M", 0, 0, 1),
        ("01100", "male", 5, 4, 1),
        ("01100", "male", None, 4, 1),
        ("01100", "male", 0, 0, -1),
        ("01100", "male", 0, 0, 1.5),
    ]:
        with pytest.raises(ValueError):
            PopulationRecord(*args)
    with pytest.raises(ValueError):
        AreaInfo("01100", "札幌市", "city", "01000")


# --- plain CSV ------------------------------------------------------------

def test_plain_csv_good_rows(tmp_path):
    text = (
        "\ufeffarea_code,sex,age,count,note\n"
        "01100,male,18,100,\n"
        "01100,m,19,\"1,234\",x\n"
        "\n"
        "011002,男,20-24,5,\n"
        "01100,Female,100+,7,\n"
        "01100,女,unknown,3,\n"
        "01100,male,,0,\n"
        "13101,F,0,1,\n"
    )
    expected = [
        PopulationRecord("01100", "male", 18, 18, 100),
        PopulationRecord("01100", "male", 19, 19, 1234),
        PopulationRecord("01100", "male", 20, 24, 5),
        PopulationRecord("01100", "female", 100, None, 7),
        PopulationRecord("01100", "female", None, None, 3),
        PopulationRecord("01100", "male", None, None, 0),
        PopulationRecord("13101", "female", 0, 0, 1),
    ]
    assert read_plain_csv(io.StringIO(text)) == expected
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    assert read_plain_csv(path) == expected
    assert read_plain_csv(str(path)) == expected
    with open(path, "rb") as f:
        assert read_plain_csv(f) == expected
        assert not f.closed


@pytest.mark.parametrize(
    "body, message",
    [
        ("01100,male,18,abc\n", r"line 2: count 'abc'"),
        ("01100,male,18,-3\n", r"line 2: count '-3'"),
        ("01100,x,18,3\n", r"line 2: sex 'x'"),
        ("01100,male,eighteen,3\n", r"line 2: age 'eighteen'"),
        ("01100,male,30-20,3\n", r"line 2: age range"),
        ("1100,male,18,3\n", r"line 2: area_code '1100'"),
        ("011001,male,18,3\n", r"line 2: .*check digit"),
        ("01100,male,18\n", r"line 2: 3 fields, expected 4"),
        ("01100,male,18,1\n\n01100,male,0-4,1\n01100,male,3,1\n", r"age 3 \(line 5\) overlaps age 0-4 \(line 4\)"),
        ("01100,male,90+,1\n01100,male,95,1\n", r"age 95 \(line 3\) overlaps age 90\+ \(line 2\)"),
        ("01100,male,18,1\n01100,m,18,1\n", r"overlaps"),
        ("01100,male,unknown,1\n01100,male,,1\n", r"unknown age given twice \(line 2 and line 3\)"),
    ],
)
def test_plain_csv_bad_rows(body, message):
    with pytest.raises(PopulationFileError, match=message):
        read_plain_csv(io.StringIO("area_code,sex,age,count\n" + body))


def test_plain_csv_bad_header():
    with pytest.raises(PopulationFileError, match="line 1: .*missing count"):
        read_plain_csv(io.StringIO("area_code,sex,age\n01100,male,1\n"))
    with pytest.raises(PopulationFileError, match="line 1: empty file"):
        read_plain_csv(io.StringIO(""))


def test_plain_csv_same_range_different_area_or_sex_is_fine():
    recs = read_plain_csv(io.StringIO(
        "area_code,sex,age,count\n01100,male,18,1\n01100,female,18,2\n01101,male,18,3\n"
    ))
    assert [r.count for r in recs] == [1, 2, 3]


# --- compact CSV ----------------------------------------------------------

def test_compact_round_trip():
    recs = [
        PopulationRecord("01100", "male", 0, 4, 10),
        PopulationRecord("01100", "male", 5, 5, 0),
        PopulationRecord("01100", "male", 100, None, 2),
        PopulationRecord("01100", "male", None, None, 1),
        PopulationRecord("01100", "female", 0, 4, 11),
        PopulationRecord("01100", "female", 6, 9, 12),  # 5 missing: an empty cell
        PopulationRecord("13101", "female", None, None, 3),
    ]
    buf = io.StringIO()
    write_compact_csv(recs, buf)
    text = buf.getvalue()
    assert text.splitlines() == [
        "area_code,sex,0-4,5,6-9,100+,unknown",
        "01100,male,10,0,,2,1",
        "01100,female,11,,12,,",
        "13101,female,,,,,3",
    ]
    back = read_compact_csv(io.StringIO(text))
    raw = io.BytesIO()
    write_compact_csv(recs, raw)
    assert raw.getvalue().decode("utf-8") == text
    raw.seek(0)
    assert read_compact_csv(raw) == back
    assert sorted(back, key=repr) == sorted(recs, key=repr)
    # Per area x sex the order is by age, unknown last; areas keep their order.
    assert back == [recs[i] for i in (0, 1, 2, 3, 4, 5, 6)]


def test_compact_write_rejects_duplicates_and_overlaps():
    r = PopulationRecord("01100", "male", 0, 4, 1)
    with pytest.raises(ValueError, match="given twice"):
        write_compact_csv([r, r], io.StringIO())
    with pytest.raises(ValueError, match="overlaps"):
        write_compact_csv([r, PopulationRecord("01100", "male", 3, 3, 1)], io.StringIO())


@pytest.mark.parametrize(
    "text, message",
    [
        ("code,sex,0\n", "line 1: header must start with area_code,sex"),
        ("area_code,sex,0,zero\n", "line 1: age 'zero'"),
        ("area_code,sex,0-4,3\n", "line 1: .*overlaps"),
        ("area_code,sex,0,\n", "line 1: empty column name"),
        ("area_code,sex,0\n01100,male,x\n", "line 2: age 0: 'x'"),
        ("area_code,sex,0\n01100,male,-1\n", "line 2: age 0: '-1'"),
        ("area_code,sex,0\n01100,m,1\n", "line 2: sex 'm'"),
        ("area_code,sex,0\n0110,male,1\n", "line 2: area_code '0110'"),
        ("area_code,sex,0\n01100,male\n", "line 2: 2 fields, expected 3"),
        ("area_code,sex,0\n01100,male,1\n01100,male,2\n", "line 3: second row for 01100 male"),
    ],
)
def test_compact_read_errors(text, message):
    with pytest.raises(PopulationFileError, match=message):
        read_compact_csv(io.StringIO(text))


# --- xlsx layouts (synthetic workbooks) -------------------------------------

def _register_workbook(path, code_sapporo="011002"):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    bands = [f"{a}歳～{a + 4}歳" for a in range(0, 100, 5)] + ["100歳以上"]
    ws.append(["令和4年1月1日住民基本台帳年齢階級別人口（市区町村別）（総計）"])
    ws.append([None, None, None, None, "総数", *bands])
    ws.append(["団体コード", "都道府県名", "市区町村名", "性別", *(["人"] * 22)])

    def area(code, pref, muni, male, female, extra=1):
        # extra: men counted in 総数 but in no band (an unpublished breakdown)
        ws.append([code, pref, muni, "計", sum(male) + sum(female) + extra,
                   *(m + f for m, f in zip(male, female))])
        ws.append([code, pref, muni, "男", sum(male) + extra, *male])
        ws.append([code, pref, muni, "女", sum(female), *female])

    ones, twos = [1] * 21, [2] * 21
    area("-", "合計", "-", [5] * 21, [5] * 21)
    area("010006", "北海道", "-", [4] * 21, [4] * 21)
    area(code_sapporo, "北海道", "札幌市", twos, twos)
    area("011011", "北海道", "札幌市中央区", ones, ones)
    area("011029", "北海道", "札幌市北区", ones, ones)
    area("013030", "北海道", "石狩郡", ones, ones)  # district subtotal
    area("013048", "北海道", "石狩郡新篠津村", ones, ones)
    area("016951", "北海道", "色丹郡色丹村", [0] * 21, [0] * 21, extra=0)  # population 0
    ws.append(["注1：外国人住民の…"])
    wb.save(path)


def test_read_register_synthetic(tmp_path):
    path = tmp_path / "reg.xlsx"
    _register_workbook(path)
    areas, recs = read_register(path)
    assert areas == [
        AreaInfo("01000", "北海道", "prefecture", None),
        AreaInfo("01100", "札幌市", "municipality", "01000"),
        AreaInfo("01101", "札幌市中央区", "ward", "01100"),
        AreaInfo("01102", "札幌市北区", "ward", "01100"),
        AreaInfo("01304", "石狩郡新篠津村", "municipality", "01000"),
    ]
    sapporo_m = [r for r in recs if r.area_code == "01100" and r.sex == "male"]
    assert [(r.age_from, r.age_to) for r in sapporo_m] == (
        [(a, a + 4) for a in range(0, 100, 5)] + [(100, None), (None, None)]
    )
    # 総数 one more than the bands for men: kept as age unknown
    assert sapporo_m[-1].count == 1 and sum(r.count for r in sapporo_m) == 2 * 21 + 1


def test_read_register_rejects_wrong_check_digit(tmp_path):
    path = tmp_path / "reg.xlsx"
    _register_workbook(path, code_sapporo="011003")
    with pytest.raises(PopulationFileError, match=r"row 10: 団体コード code 011003: check digit 3 is wrong, expected 2"):
        read_register(path)


def test_read_register_rejects_other_layout(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["団体コード", "都道府県名", "市区町村名", "性別", "総数"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(PopulationFileError, match="does not look like 住民基本台帳"):
        read_register(tmp_path / "x.xlsx")


def test_read_census_rejects_other_layout(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, None, None, None, "000_総数", "001_0歳", "002_1歳", "004_3歳", "005_4歳以上"])
    ws.append(["国籍総数か日本人", "男女", "地域識別コード", "地域名"])
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(PopulationFileError, match="第2-1表: single-year columns .*; .*不詳"):
        read_estat_census(tmp_path / "c.xlsx")
    (tmp_path / "not.xlsx").write_text("hello")
    with pytest.raises(PopulationFileError, match="not a readable .xlsx"):
        read_estat_census(tmp_path / "not.xlsx")


def test_read_census_synthetic(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, None, None, None, "000_総数", "001_0歳", "002_1歳", "003_2歳以上",
               "004_年齢「不詳」", "R1_（再掲）15歳未満"])
    ws.append(["国籍総数か日本人", "男女", "地域識別コード", "地域名", " "])
    ws.append(["0_国籍総数", "0_総数", "1", "01100_札幌市", 9, 3, 2, 3, 1, 99])
    ws.append(["0_国籍総数", "1_男", "1", "01100_札幌市", 4, 1, 1, 2, "-", 99])
    ws.append(["0_国籍総数", "2_女", "1", "01100_札幌市", 5, 2, 1, 1, 1, 99])
    ws.append(["1_うち日本人", "1_男", "1", "01100_札幌市", 0, 0, 0, 0, 0, 0])
    ws.append(["0_国籍総数", "1_男", "1", "13100_特別区部", 1, 1, 0, 0, 0, 0])
    wb.save(tmp_path / "c.xlsx")
    areas, recs = read_estat_census(tmp_path / "c.xlsx")
    assert areas == [AreaInfo("01100", "札幌市", "municipality", "01000")]
    assert [(r.sex, r.age_from, r.age_to, r.count) for r in recs] == [
        ("male", 0, 0, 1), ("male", 1, 1, 1), ("male", 2, None, 2), ("male", None, None, 0),
        ("female", 0, 0, 2), ("female", 1, 1, 1), ("female", 2, None, 1), ("female", None, None, 1),
    ]
    ws.cell(row=4, column=5, value=5)  # 男 総数 no longer the sum of its ages
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(PopulationFileError, match=r"row 4 \(01100 札幌市\): ages add up to 4, 総数 is 5"):
        read_estat_census(tmp_path / "c.xlsx")


# --- shipped data ---------------------------------------------------------

@pytest.fixture(scope="module")
def areas():
    with open(DATA / "areas.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def census():
    return read_compact_csv(DATA / "census2020.csv")


@pytest.fixture(scope="module")
def register():
    return read_compact_csv(DATA / "register2022.csv")


def _total(records, code, sex=None, lo=None, hi=None, known=None):
    """Sum for an area; lo/hi select records wholly inside [lo, hi] (open ranges count as hi=inf)."""
    n = 0
    for r in records:
        if r.area_code != code or (sex and r.sex != sex):
            continue
        if known and r.age_from is None:
            continue
        if lo is not None and (r.age_from is None or r.age_from < lo):
            continue
        if hi is not None and (r.age_to is None or r.age_to > hi):
            continue
        n += r.count
    return n


def test_shipped_sapporo_census(census):
    assert _total(census, "01100") == 1_973_395
    assert _total(census, "01100", lo=18) == 1_679_929
    assert _total(census, "01100", lo=18, hi=39) == 460_979
    assert _total(census, "01100", sex="female", lo=18) == 911_870
    unknown = _total(census, "01100") - _total(census, "01100", known=True)
    assert unknown == 31_063  # 年齢「不詳」 (both sexes), published in the table


def test_shipped_census_shape(census, areas):
    codes = {r.area_code for r in census}
    assert len(codes) == 98  # 99 areas of the table minus 特別区部 (13100)
    assert "13100" not in codes
    per_row = Counter((r.area_code, r.sex) for r in census)
    assert set(per_row.values()) == {112}  # 0..109, 110+, unknown
    assert _total(census, "00000") == 126_146_099
    prefs = [a["code"] for a in areas if a["kind"] == "prefecture"]
    assert sum(_total(census, p) for p in prefs) == 126_146_099
    assert codes <= {a["code"] for a in areas}


def test_shipped_sapporo_register(register):
    # 総数 1,960,668 as published. For 札幌市 総数 equals the sum of the bands,
    # so its 'unknown' column is 0.
    assert _total(register, "01100") == 1_960_668
    assert _total(register, "01100", known=True) == 1_960_668
    assert _total(register, "01100", sex="male") == 916_289
    assert _total(register, "01100", sex="female") == 1_044_379
    assert _total(register, "01100", lo=20) == 1_960_668 - (63_778 + 73_465 + 77_181 + 80_303)


def test_shipped_register_unknown_is_unpublished_breakdown(register):
    # README says 総数 exceeds the bands "by a person or two in some areas (e.g. 旭川市)";
    # the data say otherwise: 旭川市 matches exactly, and the gap (foreign residents whose
    # age breakdown is not published, 注1/注2) reaches 1,940 for 北海道 as a whole.
    assert _total(register, "01204") == 327_960
    assert _total(register, "01204") == _total(register, "01204", known=True)
    hokkaido_unknown = _total(register, "01000") - _total(register, "01000", known=True)
    assert hokkaido_unknown == 1_940
    assert _total(register, "01000") == 5_183_687
    assert _total(register, "01209") - _total(register, "01209", known=True) == 23  # 夕張市


def test_shipped_area_counts(areas):
    kinds = Counter(a["kind"] for a in areas)
    # 1,741 = 792 cities + 743 towns + 183 villages + 23 special wards, the official count;
    # the register lists six more villages (Northern Territories, population 0), left out.
    assert kinds == {"nation": 1, "prefecture": 47, "municipality": 1741, "ward": 175}
    assert len({a["code"] for a in areas}) == len(areas)
    suffix = Counter(a["name_ja"][-1] for a in areas if a["kind"] == "municipality")
    assert suffix == {"市": 792, "町": 743, "村": 183, "区": 23}


def test_shipped_area_tree(areas):
    by_code = {a["code"]: a for a in areas}
    assert by_code["00000"] == {"code": "00000", "name_ja": "全国", "name_en": "Japan",
                                "kind": "nation", "parent_code": ""}
    assert by_code["13000"]["name_en"] == "Tokyo" and by_code["01000"]["name_en"] == "Hokkaido"
    assert by_code["01101"] == {"code": "01101", "name_ja": "札幌市中央区", "name_en": "",
                                "kind": "ward", "parent_code": "01100"}
    assert by_code["13101"]["kind"] == "municipality" and by_code["13101"]["parent_code"] == "13000"
    cities = {a["parent_code"] for a in areas if a["kind"] == "ward"}
    assert len(cities) == 20
    assert all(by_code[c]["name_en"] for c in cities)  # designated cities have English names
    assert sum(1 for a in areas if a["name_en"]) == 1 + 47 + 20
    for a in areas:
        if a["kind"] in ("nation", "prefecture"):
            assert a["parent_code"] == ""
            assert a["kind"] == "nation" or a["code"].endswith("000")
        elif a["kind"] == "municipality":
            assert a["parent_code"] == a["code"][:2] + "000"
        else:
            assert by_code[a["parent_code"]]["kind"] == "municipality"
            assert a["name_ja"].startswith(by_code[a["parent_code"]]["name_ja"])


def test_shipped_register_adds_up(register, areas):
    """Prefecture = its municipalities, designated city = its wards, per sex and band."""
    cells = defaultdict(int)
    for r in register:
        cells[(r.area_code, r.sex, r.age_from, r.age_to)] += r.count
    by_parent = defaultdict(lambda: defaultdict(int))
    kind = {a["code"]: a["kind"] for a in areas}
    parents = {a["code"]: a["parent_code"] for a in areas}
    for (code, sex, a_, b_), n in cells.items():
        if kind[code] in ("municipality", "ward"):
            by_parent[parents[code]][(sex, a_, b_)] += n
    for parent, sums in by_parent.items():
        own = {k[1:]: n for k, n in cells.items() if k[0] == parent}
        assert own == dict(sums), parent
    assert sum(_total(register, p) for p in parents if kind[p] == "prefecture") == 125_927_902
    assert {r.area_code for r in register} == {c for c, k in kind.items() if k != "nation"}


# --- the official files, when present ---------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(
    not (CENSUS_XLSX.exists() and REGISTER_XLSX.exists()),
    reason="official .xlsx files not at ../shared/data",
)
def test_xlsx_round_trip_to_shipped_csvs(areas):
    c_areas, c_recs = read_estat_census(CENSUS_XLSX)
    r_areas, r_recs = read_register(REGISTER_XLSX)
    for recs, name in ((c_recs, "census2020.csv"), (r_recs, "register2022.csv")):
        buf = io.StringIO()
        write_compact_csv(recs, buf)
        assert buf.getvalue() == (DATA / name).read_text(encoding="utf-8"), name
        assert read_compact_csv(DATA / name) == recs
    shipped = {
        a["code"]: AreaInfo(a["code"], a["name_ja"], a["kind"], a["parent_code"] or None)
        for a in areas
    }
    parsed = {a.code: a for a in r_areas}
    for a in c_areas:
        assert parsed.setdefault(a.code, a) == a
    assert parsed == shipped
