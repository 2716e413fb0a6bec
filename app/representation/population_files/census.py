"""The e-Stat 2020 census 第2-1表 (男女，年齢（各歳），国籍総数か日本人別人口)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .codes import NATION_CODE, prefecture_code
from .records import AreaInfo, PopulationFileError, PopulationRecord, age_label
from .spreadsheet import cell_count, norm, open_workbook, padded, raw

_CENSUS_TOTAL = re.compile(r"\d+_総数")
_CENSUS_SINGLE = re.compile(r"\d+_(\d+)歳")
_CENSUS_OPEN = re.compile(r"\d+_(\d+)歳以上")
_CENSUS_UNKNOWN = re.compile(r"\d+_年齢「不詳」")
_CENSUS_AREA = re.compile(r"(\d{5})_(.+)")
_CENSUS_NUMBERED = re.compile(r"\d+_(.+)")
_CENSUS_SEX = {"総数": None, "男": "male", "女": "female"}
_CENSUS_ALL_NATIONALITIES = "国籍総数"
_CENSUS_HEADER = ["国籍総数か日本人", "男女", "地域識別コード", "地域名"]
_HEADER_ROWS = 40  # the header lies within the first rows
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
    wb = open_workbook(path)
    try:
        ws = wb["b02_01"] if "b02_01" in wb.sheetnames else wb[wb.sheetnames[0]]
        rows = ws.iter_rows(values_only=True)
        return _parse_census_rows(rows)
    finally:
        wb.close()


@dataclass(frozen=True)
class _CensusRow:
    row_no: int
    code: str
    name: str
    sex: str | None  # None: the 総数 row
    sex_cell: str
    parts: list[int]


@dataclass
class _CensusTable:
    columns: dict
    areas: dict[str, AreaInfo] = field(default_factory=dict)
    records: list[PopulationRecord] = field(default_factory=list)
    totals: dict[str, dict[str | None, tuple[int, list[int]]]] = field(default_factory=dict)

    def add(self, row: _CensusRow) -> None:
        info = _census_area(row.code, row.name)
        if row.code in self.areas and self.areas[row.code] != info:
            raise PopulationFileError(f"row {row.row_no}: area {row.code} named {row.name!r} and {self.areas[row.code].name_ja!r}")
        self.areas.setdefault(row.code, info)
        by_sex = self.totals.setdefault(row.code, {})
        if row.sex in by_sex:
            raise PopulationFileError(f"row {row.row_no}: second row for {row.code} {row.name} {row.sex_cell}")
        by_sex[row.sex] = (row.row_no, row.parts)
        if row.sex is not None:
            self.records.extend(
                PopulationRecord(row.code, row.sex, r[0], r[1], n)
                for (_, r), n in zip(self.columns["parts"], row.parts, strict=False)
            )

    def check(self) -> None:
        """Every area has its 総数, 男 and 女 rows, and 男 + 女 = 総数 at every age."""
        if not self.records:
            raise PopulationFileError("no all-nationalities (0_国籍総数) rows for 男/女 found")
        for code, by_sex in self.totals.items():
            if set(by_sex) != {None, "male", "female"}:
                raise PopulationFileError(f"area {code}: need rows 総数, 男 and 女")
            row_no, all_parts = by_sex[None]
            for (_, r), t, m_, f_ in zip(self.columns["parts"], all_parts, by_sex["male"][1], by_sex["female"][1], strict=False):
                if m_ + f_ != t:
                    raise PopulationFileError(
                        f"row {row_no} ({code}): age {age_label(*r)}: 男 {m_} + 女 {f_} != 総数 {t}"
                    )


def _parse_census_rows(rows: Iterable[tuple]) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    it = enumerate(rows, start=1)
    table = _CensusTable(_census_columns(_census_labels(it)))
    width = max(table.columns["total"], *(c for c, _ in table.columns["parts"])) + 1
    for row_no, row in it:
        parsed = _census_row(row_no, padded(row, width), table.columns)
        if parsed is not None:
            table.add(parsed)
    table.check()
    return list(table.areas.values()), table.records


def _census_labels(it: Iterator[tuple[int, tuple]]) -> list[str]:
    """The row of age labels, read up to the header row (`it` then stands after it)."""
    label_row = None
    header_row_no = None
    for row_no, row in it:
        cells = [norm(c) for c in row]
        if label_row is None and any(_CENSUS_TOTAL.fullmatch(c) for c in cells):
            label_row = cells
        if cells[:4] == _CENSUS_HEADER:
            header_row_no = row_no
            break
        if row_no >= _HEADER_ROWS:
            break
    if label_row is None or header_row_no is None:
        raise PopulationFileError(
            "does not look like 国勢調査 第2-1表: expected a row of age labels (000_総数, "
            "001_0歳, ...) and a header row 国籍総数か日本人 / 男女 / 地域識別コード / 地域名 "
            "in the first 40 rows"
        )
    return label_row


def _census_row(row_no: int, row: tuple, columns: dict) -> _CensusRow | None:
    """One data row, checked; None for a row that is not counted (a note, 1_うち日本人, an
    aggregate such as 特別区部)."""
    if all(c is None or norm(c) == "" for c in row[1:5]):
        return None  # blank or a note
    nat, sex_cell = norm(row[0]), norm(row[1])
    area_cell = raw(row[3])
    m = _CENSUS_NUMBERED.fullmatch(nat)
    if not m:
        raise PopulationFileError(f"row {row_no}: unexpected nationality {nat!r}")
    if m.group(1) != _CENSUS_ALL_NATIONALITIES:
        return None  # 1_うち日本人
    m = _CENSUS_NUMBERED.fullmatch(sex_cell)
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
        return None
    total = cell_count(row[columns["total"]], row_no, "総数")
    parts = [cell_count(row[c], row_no, age_label(*r)) for c, r in columns["parts"]]
    if sum(parts) != total:
        raise PopulationFileError(
            f"row {row_no} ({code} {name}): ages add up to {sum(parts)}, 総数 is {total}"
        )
    return _CensusRow(row_no, code, name, sex, sex_cell, parts)


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
