"""Reference population files: parse official tables into age-range records.

Pure module (stdlib + openpyxl, imported lazily) so it can be used by the build
script, the CLI and tests without the app. Every count is a ``PopulationRecord``
for one area, one sex and one inclusive age range:

* ``(a, a)``      a single year of age,
* ``(a, b)``      a band such as 0-4,
* ``(a, None)``   open-ended, e.g. 110+ or 100+,
* ``(None, None)`` age unknown (census 年齢「不詳」; in the resident register the
  persons whose age breakdown is not published, see ``read_register``).

Readers:

* ``read_estat_census``  e-Stat 2020 census 第2-1表 (single years of age),
* ``read_register``      住民基本台帳 年齢階級別人口（市区町村別） (5-year bands),
* ``read_plain_csv``     a hand-made CSV ``area_code,sex,age,count``,
* ``read_compact_csv`` / ``write_compact_csv``  the wide format shipped in
  ``app/representation/data`` (one row per area x sex, one column per age range).

Errors are ``PopulationFileError`` (a ``ValueError``) with the spreadsheet row
(1-based, as Excel shows it) or the CSV line number.
"""
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NATION_CODE = "00000"
SEXES = ("male", "female")
AREA_KINDS = ("nation", "prefecture", "municipality", "ward")
UNKNOWN_LABEL = "unknown"

_CODE5 = re.compile(r"\d{5}")
_CODE6 = re.compile(r"\d{6}")


class PopulationFileError(ValueError):
    """A population file could not be read; the message names the row or line."""


@dataclass(frozen=True)
class AreaInfo:
    code: str  # 5-digit local government code (全国地方公共団体コード without check digit)
    name_ja: str
    kind: str  # 'nation' | 'prefecture' | 'municipality' | 'ward'
    parent_code: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.code, str) and _CODE5.fullmatch(self.code)):
            raise ValueError(f"area code must be 5 digits, got {self.code!r}")
        if self.kind not in AREA_KINDS:
            raise ValueError(f"area kind must be one of {AREA_KINDS}, got {self.kind!r}")
        if self.parent_code is not None and not _CODE5.fullmatch(self.parent_code):
            raise ValueError(f"parent code must be 5 digits or None, got {self.parent_code!r}")


@dataclass(frozen=True)
class PopulationRecord:
    area_code: str
    sex: str  # 'male' | 'female'
    age_from: int | None  # inclusive; None together with age_to None = age unknown
    age_to: int | None  # inclusive; None = open-ended (e.g. 110+)
    count: int

    def __post_init__(self) -> None:
        if not (isinstance(self.area_code, str) and _CODE5.fullmatch(self.area_code)):
            raise ValueError(f"area code must be 5 digits, got {self.area_code!r}")
        if self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}, got {self.sex!r}")
        _check_range(self.age_from, self.age_to)
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"count must be a non-negative integer, got {self.count!r}")

    @property
    def age_unknown(self) -> bool:
        return self.age_from is None

    @property
    def age_label(self) -> str:
        return age_label(self.age_from, self.age_to)


def _check_range(age_from: int | None, age_to: int | None) -> None:
    for v in (age_from, age_to):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ValueError(f"ages must be non-negative integers or None, got {v!r}")
    if age_from is None and age_to is not None:
        raise ValueError(f"age range with no start but an end ({age_to}) is not allowed")
    if age_from is not None and age_to is not None and age_to < age_from:
        raise ValueError(f"age range {age_from}-{age_to} ends before it starts")


# --- codes -----------------------------------------------------------------

def jis_check_digit(code5: str) -> int:
    """Check digit of a 5-digit local government code (JIS X 0402 / 全国地方公共団体コード).

    Weights 6,5,4,3,2; r = sum % 11; check digit = (11 - r) mod 10, i.e. 11 - r,
    except r = 0 gives 1 and r = 1 gives 0. 01100 -> 2, 01101 -> 1, 13101 -> 8.
    """
    if not (isinstance(code5, str) and _CODE5.fullmatch(code5)):
        raise ValueError(f"need a 5-digit code, got {code5!r}")
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), code5))
    return (11 - s % 11) % 10


def with_check_digit(code5: str) -> str:
    return code5 + str(jis_check_digit(code5))


def strip_check_digit(code6: str) -> str:
    """'011002' -> '01100'; ValueError if the check digit is wrong."""
    if not (isinstance(code6, str) and _CODE6.fullmatch(code6)):
        raise ValueError(f"need a 6-digit code, got {code6!r}")
    expected = jis_check_digit(code6[:5])
    if int(code6[5]) != expected:
        raise ValueError(f"code {code6}: check digit {code6[5]} is wrong, expected {expected}")
    return code6[:5]


def prefecture_code(code5: str) -> str:
    return code5[:2] + "000"


# --- age labels ------------------------------------------------------------

_AGE_SINGLE = re.compile(r"(\d+)")
_AGE_OPEN = re.compile(r"(\d+)\s*\+")
_AGE_RANGE = re.compile(r"(\d+)\s*[-~]\s*(\d+)")
_UNKNOWN_WORDS = {"", "unknown", "不詳", "?"}


def parse_age(text: str) -> tuple[int | None, int | None]:
    """'18' -> (18, 18); '100+' -> (100, None); '0-4' -> (0, 4); 'unknown' or '' -> (None, None).

    Full-width digits and 〜/～ are accepted (NFKC). ValueError on anything else.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip().replace("〜", "~")
    if s.lower() in _UNKNOWN_WORDS:
        return None, None
    if m := _AGE_SINGLE.fullmatch(s):
        a = int(m.group(1))
        return a, a
    if m := _AGE_OPEN.fullmatch(s):
        return int(m.group(1)), None
    if m := _AGE_RANGE.fullmatch(s):
        a, b = int(m.group(1)), int(m.group(2))
        if b < a:
            raise ValueError(f"age range {s!r} ends before it starts")
        return a, b
    raise ValueError(
        f"age {text!r} is not an integer, 'N+', 'A-B' or 'unknown'"
    )


def age_label(age_from: int | None, age_to: int | None) -> str:
    """Inverse of parse_age: (18, 18) -> '18', (0, 4) -> '0-4', (100, None) -> '100+'."""
    _check_range(age_from, age_to)
    if age_from is None:
        return UNKNOWN_LABEL
    if age_to is None:
        return f"{age_from}+"
    if age_to == age_from:
        return str(age_from)
    return f"{age_from}-{age_to}"


def _range_sort_key(r: tuple[int | None, int | None]) -> tuple:
    a, b = r
    return (a is None, a or 0, b is None, b or 0)


def _check_no_overlap(ranges: list[tuple[tuple[int | None, int | None], str]], what: str) -> None:
    """ranges: ((from, to), where) for one area x sex. Unknown age may appear once."""
    known = sorted((r for r in ranges if r[0][0] is not None), key=lambda r: _range_sort_key(r[0]))
    unknown = [r for r in ranges if r[0][0] is None]
    if len(unknown) > 1:
        raise PopulationFileError(
            f"{what}: unknown age given twice ({unknown[0][1]} and {unknown[1][1]})"
        )
    for (prev, prev_at), (cur, cur_at) in zip(known, known[1:]):
        if prev[1] is None or prev[1] >= cur[0]:
            raise PopulationFileError(
                f"{what}: age {age_label(*cur)} ({cur_at}) overlaps age "
                f"{age_label(*prev)} ({prev_at})"
            )


# --- spreadsheet helpers ---------------------------------------------------

def _open_workbook(path):
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a runtime dependency
        raise PopulationFileError("reading .xlsx files needs openpyxl") from exc
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise PopulationFileError(f"{os.fspath(path)}: not a readable .xlsx file ({exc})") from exc


def _norm(value) -> str:
    """Cell text for matching labels (NFKC: full-width digits, ～ -> ~)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _raw(value) -> str:
    """Cell text as published (names are not normalised)."""
    return "" if value is None else str(value).strip()


_DIGITS = re.compile(r"[0-9]+")


def _cell_count(value, row_no: int, what: str) -> int:
    """A count cell: int (or integral float), '-' = 0 (e-Stat), digit strings allowed."""
    if isinstance(value, bool):
        raise PopulationFileError(f"row {row_no}: {what}: {value!r} is not a count")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        s = _norm(value).replace(",", "")
        if s in ("-", "−", "ー"):
            return 0
        if not _DIGITS.fullmatch(s):
            raise PopulationFileError(f"row {row_no}: {what}: {value!r} is not a count")
        n = int(s)
    if n < 0:
        raise PopulationFileError(f"row {row_no}: {what}: negative count {n}")
    return n


def _padded(row: tuple, width: int) -> tuple:
    return tuple(row) + (None,) * (width - len(row)) if len(row) < width else tuple(row)


# --- e-Stat census 第2-1表 --------------------------------------------------

_CENSUS_TOTAL = re.compile(r"\d+_総数")
_CENSUS_SINGLE = re.compile(r"\d+_(\d+)歳")
_CENSUS_OPEN = re.compile(r"\d+_(\d+)歳以上")
_CENSUS_UNKNOWN = re.compile(r"\d+_年齢「不詳」")
_CENSUS_AREA = re.compile(r"(\d{5})_(.+)")
_CENSUS_SEX = {"総数": None, "男": "male", "女": "female"}
_CENSUS_ALL_NATIONALITIES = "国籍総数"
# 特別区部 (13100, the 23 special wards of Tokyo together) is a statistical aggregate, not a
# local government; its wards are in the table one by one, so it is left out.
_CENSUS_SKIP_AREAS = {"特別区部"}


def read_estat_census(path) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    """Read the e-Stat 2020 census 第2-1表 (男女，年齢（各歳），国籍総数か日本人別人口).

    Only the all-nationalities rows (0_国籍総数) and the sexes 男/女 are kept (総数 is
    used to check them). Ages 0..109 become (a, a), 110歳以上 (110, None) and 年齢「不詳」
    (None, None). Cells '-' are 0. The header layout is checked, and every row's parts
    must add up to its 総数; male + female must equal 総数 for every age.
    """
    wb = _open_workbook(path)
    try:
        ws = wb["b02_01"] if "b02_01" in wb.sheetnames else wb[wb.sheetnames[0]]
        rows = ws.iter_rows(values_only=True)
        return _parse_census_rows(rows)
    finally:
        wb.close()


def _parse_census_rows(rows: Iterable[tuple]) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    label_row = None
    header_row_no = None
    it = enumerate(rows, start=1)
    for row_no, row in it:
        cells = [_norm(c) for c in row]
        if label_row is None and any(_CENSUS_TOTAL.fullmatch(c) for c in cells):
            label_row = cells
        if cells[:4] == ["国籍総数か日本人", "男女", "地域識別コード", "地域名"]:
            header_row_no = row_no
            break
        if row_no >= 40:
            break
    if label_row is None or header_row_no is None:
        raise PopulationFileError(
            "does not look like 国勢調査 第2-1表: expected a row of age labels (000_総数, "
            "001_0歳, ...) and a header row 国籍総数か日本人 / 男女 / 地域識別コード / 地域名 "
            "in the first 40 rows"
        )
    columns = _census_columns(label_row)
    width = max(columns["total"], *(c for c, _ in columns["parts"])) + 1

    areas: dict[str, AreaInfo] = {}
    records: list[PopulationRecord] = []
    totals: dict[str, dict[str | None, tuple[int, list[int]]]] = {}
    for row_no, row in it:
        row = _padded(row, width)
        if all(c is None or _norm(c) == "" for c in row[1:5]):
            continue  # blank or a note
        nat, sex_cell = _norm(row[0]), _norm(row[1])
        area_cell = _raw(row[3])
        m = re.fullmatch(r"\d+_(.+)", nat)
        if not m:
            raise PopulationFileError(f"row {row_no}: unexpected nationality {nat!r}")
        if m.group(1) != _CENSUS_ALL_NATIONALITIES:
            continue  # 1_うち日本人
        m = re.fullmatch(r"\d+_(.+)", sex_cell)
        if not m or m.group(1) not in _CENSUS_SEX:
            raise PopulationFileError(f"row {row_no}: unexpected sex {sex_cell!r}")
        sex = _CENSUS_SEX[m.group(1)]
        m = _CENSUS_AREA.fullmatch(area_cell)
        if not m:
            raise PopulationFileError(
                f"row {row_no}: area {area_cell!r} is not '<5-digit code>_<name>'"
            )
        code, name = m.group(1), m.group(2)
        if name in _CENSUS_SKIP_AREAS:
            continue
        total = _cell_count(row[columns["total"]], row_no, "総数")
        parts = [_cell_count(row[c], row_no, age_label(*r)) for c, r in columns["parts"]]
        if sum(parts) != total:
            raise PopulationFileError(
                f"row {row_no} ({code} {name}): ages add up to {sum(parts)}, 総数 is {total}"
            )
        info = _census_area(code, name)
        if code in areas and areas[code] != info:
            raise PopulationFileError(f"row {row_no}: area {code} named {name!r} and {areas[code].name_ja!r}")
        areas.setdefault(code, info)
        by_sex = totals.setdefault(code, {})
        if sex in by_sex:
            raise PopulationFileError(f"row {row_no}: second row for {code} {name} {sex_cell}")
        by_sex[sex] = (row_no, parts)
        if sex is not None:
            records.extend(
                PopulationRecord(code, sex, r[0], r[1], n)
                for (_, r), n in zip(columns["parts"], parts)
            )
    if not records:
        raise PopulationFileError("no all-nationalities (0_国籍総数) rows for 男/女 found")
    for code, by_sex in totals.items():
        if set(by_sex) != {None, "male", "female"}:
            raise PopulationFileError(f"area {code}: need rows 総数, 男 and 女")
        row_no, all_parts = by_sex[None]
        for (_, r), t, m_, f_ in zip(columns["parts"], all_parts, by_sex["male"][1], by_sex["female"][1]):
            if m_ + f_ != t:
                raise PopulationFileError(
                    f"row {row_no} ({code}): age {age_label(*r)}: 男 {m_} + 女 {f_} != 総数 {t}"
                )
    return list(areas.values()), records


def _census_columns(labels: list[str]) -> dict:
    total = None
    singles: list[tuple[int, int]] = []
    open_cols: list[tuple[int, int]] = []
    unknown = None
    for col, label in enumerate(labels):
        if _CENSUS_TOTAL.fullmatch(label):
            total = col if total is None else total
        elif m := _CENSUS_OPEN.fullmatch(label):
            open_cols.append((col, int(m.group(1))))
        elif m := _CENSUS_SINGLE.fullmatch(label):
            singles.append((col, int(m.group(1))))
        elif _CENSUS_UNKNOWN.fullmatch(label):
            unknown = col
    ages = [a for _, a in singles]
    problems = []
    if total is None:
        problems.append("no 総数 column")
    if not ages or ages != list(range(len(ages))):
        problems.append("single-year columns are not 0歳, 1歳, ... in order")
    if len(open_cols) != 1 or (ages and open_cols[0][1] != len(ages)):
        problems.append(f"expected one column '{len(ages)}歳以上' after the single years")
    if unknown is None:
        problems.append("no 年齢「不詳」 column")
    if problems:
        raise PopulationFileError("does not look like 国勢調査 第2-1表: " + "; ".join(problems))
    parts = [(c, (a, a)) for c, a in singles]
    parts.append((open_cols[0][0], (open_cols[0][1], None)))
    parts.append((unknown, (None, None)))
    return {"total": total, "parts": parts}


def _census_area(code: str, name: str) -> AreaInfo:
    if code == NATION_CODE:
        return AreaInfo(code, name, "nation", None)
    if code.endswith("000"):
        return AreaInfo(code, name, "prefecture", None)
    # The table has no designated-city wards: every other area is a municipality
    # (cities, Tokyo's special wards).
    return AreaInfo(code, name, "municipality", prefecture_code(code))


# --- resident register 年齢階級別人口（市区町村別） -----------------------------

_REG_BAND = re.compile(r"(\d+)歳~(\d+)歳")
_REG_OPEN = re.compile(r"(\d+)歳以上")
_REG_HEADER = ["団体コード", "都道府県名", "市区町村名", "性別"]
_REG_SEX = {"計": None, "男": "male", "女": "female"}
_MUNICIPAL_SUFFIXES = ("市", "区", "町", "村")


def read_register(path) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    """Read 住民基本台帳年齢階級別人口（市区町村別）, e.g. 2204ssnen.xlsx (総計).

    Areas: prefectures, every municipality (designated cities as wholes, Tokyo's 23
    special wards as municipalities) and every designated-city ward (kind 'ward', parent
    the city). Skipped: the national total (no code), district (郡) subtotals and the
    Tokyo islands subtotal 島しょ (names that are not a 市/区/町/村), and areas whose
    population is 0 (the six Northern Territories villages). 6-digit codes lose their
    check digit, which must be right.

    Records: 男/女 in 5-year bands (0, 4) ... (95, 99) and (100, None), plus
    (None, None) = 総数 minus the bands. The Ministry does not publish the age breakdown
    of foreign residents in municipalities with few of them (注1/注2 of the table), so
    there 総数 exceeds the bands; the difference is kept as age unknown so that totals
    stay exact. Checked: 計 = 男 + 女 in every column, 総数 >= sum of bands.
    """
    wb = _open_workbook(path)
    try:
        ws = wb[wb.sheetnames[0]]
        return _parse_register_rows(ws.iter_rows(values_only=True))
    finally:
        wb.close()


def _parse_register_rows(rows: Iterable[tuple]) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    label_row = None
    header_found = False
    it = enumerate(rows, start=1)
    for row_no, row in it:
        cells = [_norm(c) for c in row]
        if len(cells) > 5 and cells[4] == "総数" and any(_REG_BAND.fullmatch(c) for c in cells):
            label_row = cells
        if cells[:4] == _REG_HEADER:
            header_found = True
            break
        if row_no >= 20:
            break
    if label_row is None or not header_found:
        raise PopulationFileError(
            "does not look like 住民基本台帳 年齢階級別人口（市区町村別）: expected a row of "
            "age labels (総数, 0歳～4歳, ..., 100歳以上) and a header row "
            "団体コード / 都道府県名 / 市区町村名 / 性別 in the first 20 rows"
        )
    bands = _register_bands(label_row)
    width = 5 + len(bands)

    areas: dict[str, AreaInfo] = {}
    records: list[PopulationRecord] = []
    block: list[tuple[int, tuple]] = []  # the 計/男/女 rows of the current area
    pref: AreaInfo | None = None
    city: AreaInfo | None = None  # last city, for designated-city wards

    def finish_block() -> None:
        nonlocal pref, city
        (t_no, t), (m_no, m), (f_no, f) = block
        code6 = t[0]
        for (no, r), sex in zip(block, ("計", "男", "女")):
            if r[0] != code6 or r[3] != sex:
                raise PopulationFileError(
                    f"row {no}: expected the {sex} row of {code6}, got {r[0]} {r[3]}"
                )
        values = {}
        for no, r in block:
            total = _cell_count(r[4], no, "総数")
            parts = [_cell_count(v, no, age_label(*b)) for v, b in zip(r[5:width], bands)]
            if sum(parts) > total:
                raise PopulationFileError(
                    f"row {no} ({code6}): bands add up to {sum(parts)}, more than 総数 {total}"
                )
            values[r[3]] = (total, parts)
        for i in range(len(bands) + 1):
            tv = values["計"][0] if i == 0 else values["計"][1][i - 1]
            mv = values["男"][0] if i == 0 else values["男"][1][i - 1]
            fv = values["女"][0] if i == 0 else values["女"][1][i - 1]
            if mv + fv != tv:
                what = "総数" if i == 0 else age_label(*bands[i - 1])
                raise PopulationFileError(f"row {t_no} ({code6}): {what}: 男 {mv} + 女 {fv} != 計 {tv}")

        pref_name, muni_name = t[1], t[2]
        if code6 == "-":
            return  # national total
        try:
            code = strip_check_digit(code6)
        except ValueError as exc:
            raise PopulationFileError(f"row {t_no}: 団体コード {exc}") from None
        if muni_name in ("", "-"):
            if not code.endswith("000"):
                raise PopulationFileError(f"row {t_no}: {code6} has no 市区町村名 but is not a prefecture")
            pref = AreaInfo(code, pref_name, "prefecture", None)
            city = None
            info = pref
        else:
            if pref is None or prefecture_code(code) != pref.code:
                raise PopulationFileError(f"row {t_no}: {code6} {muni_name} does not follow its prefecture")
            if not muni_name.endswith(_MUNICIPAL_SUFFIXES):
                return  # district (郡) or Tokyo islands (島しょ) subtotal
            if values["計"][0] == 0:
                return  # zero population: the Northern Territories villages
            if (
                city is not None
                and muni_name.endswith("区")
                and muni_name.startswith(city.name_ja)
                and len(muni_name) > len(city.name_ja)
            ):
                info = AreaInfo(code, muni_name, "ward", city.code)
            else:
                info = AreaInfo(code, muni_name, "municipality", pref.code)
                city = info if muni_name.endswith("市") else None
        if code in areas:
            raise PopulationFileError(f"row {t_no}: area {code6} appears twice")
        areas[code] = info
        for no, r in block[1:]:
            sex = _REG_SEX[r[3]]
            total, parts = values[r[3]]
            records.extend(PopulationRecord(code, sex, b[0], b[1], n) for b, n in zip(bands, parts))
            records.append(PopulationRecord(code, sex, None, None, total - sum(parts)))

    for row_no, row in it:
        row = _padded(row, width)
        cells = [_norm(c) for c in row[:4]]
        if all(c == "" for c in cells[1:]) and all(v is None for v in row[4:width]):
            continue  # blank row or a note (注1, 注2)
        raw_code = row[0]
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            cells[0] = f"{raw_code:06d}"  # leading zero lost by a spreadsheet program
        code6, sex = cells[0], cells[3]
        pref_name, muni_name = _raw(row[1]), _raw(row[2])
        if sex not in _REG_SEX:
            raise PopulationFileError(f"row {row_no}: 性別 {sex!r} is not 計/男/女")
        if code6 == "-" and pref_name != "合計":
            raise PopulationFileError(f"row {row_no}: no 団体コード")
        if code6 != "-" and not _CODE6.fullmatch(code6):
            raise PopulationFileError(f"row {row_no}: 団体コード {code6!r} is not 6 digits")
        block.append((row_no, (code6, pref_name, muni_name, sex, *row[4:width])))
        if len(block) == 3:
            finish_block()
            block = []
    if block:
        raise PopulationFileError(f"row {block[0][0]}: area {block[0][1][0]} lacks its 男/女 rows")
    if not records:
        raise PopulationFileError("no areas found")
    return list(areas.values()), records


def _register_bands(labels: list[str]) -> list[tuple[int, int | None]]:
    bands: list[tuple[int, int | None]] = []
    for label in labels[5:]:
        if label == "":
            break
        if m := _REG_BAND.fullmatch(label):
            bands.append((int(m.group(1)), int(m.group(2))))
        elif m := _REG_OPEN.fullmatch(label):
            bands.append((int(m.group(1)), None))
            break
        else:
            raise PopulationFileError(
                f"does not look like 住民基本台帳 年齢階級別人口: unexpected age label {label!r}"
            )
    expected_from = 0
    for a, b in bands:
        if a != expected_from:
            raise PopulationFileError(
                f"does not look like 住民基本台帳 年齢階級別人口: age bands are not contiguous at {a}"
            )
        expected_from = None if b is None else b + 1
    if not bands or bands[-1][1] is not None:
        raise PopulationFileError(
            "does not look like 住民基本台帳 年齢階級別人口: the last age band must be open (N歳以上)"
        )
    return bands


# --- CSV -------------------------------------------------------------------

def _open_text(path_or_file, mode: str):
    """(text file, done). Paths are opened as UTF-8 (a BOM is tolerated when reading);
    binary files are wrapped. Call done() afterwards: it closes what was opened here and
    leaves a caller's file open."""
    if isinstance(path_or_file, (str, os.PathLike)):
        encoding = "utf-8-sig" if "r" in mode else "utf-8"
        f = open(path_or_file, mode, encoding=encoding, newline="")
        return f, f.close
    if isinstance(path_or_file, (io.BufferedIOBase, io.RawIOBase)):
        encoding = "utf-8-sig" if "r" in mode else "utf-8"
        wrapper = io.TextIOWrapper(path_or_file, encoding=encoding, newline="")

        def done() -> None:
            wrapper.flush()
            wrapper.detach()  # so that the wrapper does not close the caller's file

        return wrapper, done
    return path_or_file, lambda: None


_SEX_WORDS = {
    "male": "male", "m": "male", "男": "male", "男性": "male",
    "female": "female", "f": "female", "女": "female", "女性": "female",
}
PLAIN_CSV_COLUMNS = ("area_code", "sex", "age", "count")


def _parse_sex(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if s not in _SEX_WORDS:
        raise ValueError(f"sex {text!r} is not male/female/m/f/男/女")
    return _SEX_WORDS[s]


def _parse_area_code(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    if _CODE5.fullmatch(s):
        return s
    if _CODE6.fullmatch(s):
        return strip_check_digit(s)
    raise ValueError(f"area_code {text!r} is not a 5-digit local government code")


def _parse_count(text: str) -> int:
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if not _DIGITS.fullmatch(s):
        raise ValueError(f"count {text!r} is not a non-negative integer")
    return int(s)


def read_plain_csv(path_or_file) -> list[PopulationRecord]:
    """Read a hand-made CSV with header ``area_code,sex,age,count`` (any order, extra
    columns ignored). sex: male/female/m/f/男/女; age: an integer, 'N+', 'A-B', or
    'unknown'/'' for age unknown; area_code: 5 digits (or 6 with a correct check digit).
    Blank lines are skipped. Overlapping ranges for the same area and sex are errors.
    """
    f, done = _open_text(path_or_file, "r")
    try:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise PopulationFileError("line 1: empty file, expected header area_code,sex,age,count")
        names = [unicodedata.normalize("NFKC", h).strip().lower().lstrip("\ufeff") for h in header]
        missing = [c for c in PLAIN_CSV_COLUMNS if c not in names]
        if missing:
            raise PopulationFileError(
                f"line 1: header must have columns area_code,sex,age,count; missing {', '.join(missing)}"
            )
        dup = [c for c in PLAIN_CSV_COLUMNS if names.count(c) > 1]
        if dup:
            raise PopulationFileError(f"line 1: column {dup[0]} appears twice")
        idx = {c: names.index(c) for c in PLAIN_CSV_COLUMNS}
        records: list[PopulationRecord] = []
        seen: dict[tuple[str, str], list] = {}
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) < len(names):
                raise PopulationFileError(
                    f"line {line}: {len(row)} fields, expected {len(names)} ({','.join(header)})"
                )
            try:
                code = _parse_area_code(row[idx["area_code"]])
                sex = _parse_sex(row[idx["sex"]])
                age_from, age_to = parse_age(row[idx["age"]])
                count = _parse_count(row[idx["count"]])
            except ValueError as exc:
                raise PopulationFileError(f"line {line}: {exc}") from None
            records.append(PopulationRecord(code, sex, age_from, age_to, count))
            seen.setdefault((code, sex), []).append(((age_from, age_to), f"line {line}"))
        for (code, sex), ranges in seen.items():
            _check_no_overlap(ranges, f"area {code} {sex}")
        return records
    finally:
        done()


def write_compact_csv(records: Iterable[PopulationRecord], file) -> None:
    """Write records in the wide format: header ``area_code,sex,<label>...``, one row per
    area x sex in order of first appearance, one column per age range (single years '18',
    bands '0-4', open '110+', 'unknown' last). A range an area lacks is left empty."""
    rows: dict[tuple[str, str], dict] = {}
    ranges: set[tuple[int | None, int | None]] = set()
    for r in records:
        cells = rows.setdefault((r.area_code, r.sex), {})
        key = (r.age_from, r.age_to)
        if key in cells:
            raise ValueError(f"area {r.area_code} {r.sex}: age {r.age_label} given twice")
        cells[key] = r.count
        ranges.add(key)
    for (code, sex), cells in rows.items():
        _check_no_overlap([(k, "") for k in cells], f"area {code} {sex}")
    columns = sorted(ranges, key=_range_sort_key)
    f, done = _open_text(file, "w")
    try:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["area_code", "sex", *(age_label(*c) for c in columns)])
        for (code, sex), cells in rows.items():
            w.writerow([code, sex, *(cells.get(c, "") for c in columns)])
    finally:
        done()


def read_compact_csv(file) -> list[PopulationRecord]:
    """Read the wide format written by write_compact_csv (empty cells = no record)."""
    f, done = _open_text(file, "r")
    try:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip().lstrip("\ufeff") for h in header[:2]] != ["area_code", "sex"]:
            raise PopulationFileError("line 1: header must start with area_code,sex")
        if any(not h.strip() for h in header[2:]):
            raise PopulationFileError("line 1: empty column name (use 'unknown' for age unknown)")
        try:
            columns = [parse_age(h) for h in header[2:]]
        except ValueError as exc:
            raise PopulationFileError(f"line 1: {exc}") from None
        _check_no_overlap([(c, f"column {age_label(*c)}") for c in columns], "line 1")
        records: list[PopulationRecord] = []
        seen: set[tuple[str, str]] = set()
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise PopulationFileError(f"line {line}: {len(row)} fields, expected {len(header)}")
            code, sex = row[0].strip(), row[1].strip()
            if not _CODE5.fullmatch(code):
                raise PopulationFileError(f"line {line}: area_code {code!r} is not 5 digits")
            if sex not in SEXES:
                raise PopulationFileError(f"line {line}: sex {sex!r} is not male/female")
            if (code, sex) in seen:
                raise PopulationFileError(f"line {line}: second row for {code} {sex}")
            seen.add((code, sex))
            for (a, b), cell in zip(columns, row[2:]):
                cell = cell.strip()
                if cell == "":
                    continue
                if not _DIGITS.fullmatch(cell):
                    raise PopulationFileError(
                        f"line {line}: age {age_label(a, b)}: {cell!r} is not a non-negative integer"
                    )
                records.append(PopulationRecord(code, sex, a, b, int(cell)))
        return records
    finally:
        done()
