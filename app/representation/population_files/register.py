"""The resident register table 住民基本台帳年齢階級別人口（市区町村別）."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .codes import CODE6, prefecture_code, strip_check_digit
from .records import AreaInfo, PopulationFileError, PopulationRecord, age_label
from .spreadsheet import cell_count, norm, open_workbook, padded, raw

_REG_BAND = re.compile(r"(\d+)歳~(\d+)歳")
_REG_OPEN = re.compile(r"(\d+)歳以上")
_REG_HEADER = ["団体コード", "都道府県名", "市区町村名", "性別"]
_REG_SEX = {"計": None, "男": "male", "女": "female"}
_BLOCK_SEXES = ("計", "男", "女")  # the rows of one area, in this order
_MUNICIPAL_SUFFIXES = ("市", "区", "町", "村")
_HEADER_ROWS = 20  # the header lies within the first rows


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
    wb = open_workbook(path)
    try:
        ws = wb[wb.sheetnames[0]]
        return _parse_register_rows(ws.iter_rows(values_only=True))
    finally:
        wb.close()


def _parse_register_rows(rows: Iterable[tuple]) -> tuple[list[AreaInfo], list[PopulationRecord]]:
    it = enumerate(rows, start=1)
    reader = _RegisterReader(_register_bands(_register_labels(it)))
    block: list[tuple[int, tuple]] = []  # the 計/男/女 rows of the current area
    for row_no, row in it:
        entry = reader.entry(row_no, row)
        if entry is None:
            continue
        block.append((row_no, entry))
        if len(block) == 3:
            reader.add_area(block)
            block = []
    if block:
        raise PopulationFileError(f"row {block[0][0]}: area {block[0][1][0]} lacks its 男/女 rows")
    if not reader.records:
        raise PopulationFileError("no areas found")
    return list(reader.areas.values()), reader.records


def _register_labels(it: Iterator[tuple[int, tuple]]) -> list[str]:
    """The row of age labels, read up to the header row (`it` then stands after it)."""
    label_row = None
    header_found = False
    for row_no, row in it:
        cells = [norm(c) for c in row]
        if len(cells) > 5 and cells[4] == "総数" and any(_REG_BAND.fullmatch(c) for c in cells):
            label_row = cells
        if cells[:4] == _REG_HEADER:
            header_found = True
            break
        if row_no >= _HEADER_ROWS:
            break
    if label_row is None or not header_found:
        raise PopulationFileError(
            "does not look like 住民基本台帳 年齢階級別人口（市区町村別）: expected a row of "
            "age labels (総数, 0歳～4歳, ..., 100歳以上) and a header row "
            "団体コード / 都道府県名 / 市区町村名 / 性別 in the first 20 rows"
        )
    return label_row


@dataclass
class _RegisterReader:
    """Areas and records of the register, read block by block (an area's 計, 男 and 女 rows).
    A designated city's wards follow the city, so the last prefecture and city are kept."""
    bands: list[tuple[int, int | None]]
    areas: dict[str, AreaInfo] = field(default_factory=dict)
    records: list[PopulationRecord] = field(default_factory=list)
    pref: AreaInfo | None = None
    city: AreaInfo | None = None  # last city, for designated-city wards

    @property
    def width(self) -> int:
        return 5 + len(self.bands)

    def entry(self, row_no: int, row: tuple) -> tuple | None:
        """(6-digit code, prefecture, municipality, sex, count cells...) of a data row, or
        None for a blank row or a note (注1, 注2)."""
        row = padded(row, self.width)
        cells = [norm(c) for c in row[:4]]
        if all(c == "" for c in cells[1:]) and all(v is None for v in row[4:self.width]):
            return None
        raw_code = row[0]
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            cells[0] = f"{raw_code:06d}"  # leading zero lost by a spreadsheet program
        code6, sex = cells[0], cells[3]
        pref_name, muni_name = raw(row[1]), raw(row[2])
        if sex not in _REG_SEX:
            raise PopulationFileError(f"row {row_no}: 性別 {sex!r} is not 計/男/女")
        if code6 == "-" and pref_name != "合計":
            raise PopulationFileError(f"row {row_no}: no 団体コード")
        if code6 != "-" and not CODE6.fullmatch(code6):
            raise PopulationFileError(f"row {row_no}: 団体コード {code6!r} is not 6 digits")
        return (code6, pref_name, muni_name, sex, *row[4:self.width])

    def add_area(self, block: list[tuple[int, tuple]]) -> None:
        """One area's block: checked, then its area and records kept (unless skipped)."""
        (t_no, t), _male, _female = block
        code6 = t[0]
        for (no, r), sex in zip(block, _BLOCK_SEXES, strict=False):
            if r[0] != code6 or r[3] != sex:
                raise PopulationFileError(
                    f"row {no}: expected the {sex} row of {code6}, got {r[0]} {r[3]}"
                )
        values = self._values(block)
        if code6 == "-":
            return  # national total
        try:
            code = strip_check_digit(code6)
        except ValueError as exc:
            raise PopulationFileError(f"row {t_no}: 団体コード {exc}") from None
        info = self._area(t_no, code, code6, t[1], t[2], values["計"][0])
        if info is None:
            return
        if code in self.areas:
            raise PopulationFileError(f"row {t_no}: area {code6} appears twice")
        self.areas[code] = info
        for _no, r in block[1:]:
            sex = _REG_SEX[r[3]]
            total, parts = values[r[3]]
            self.records.extend(PopulationRecord(code, sex, b[0], b[1], n)
                                for b, n in zip(self.bands, parts, strict=False))
            self.records.append(PopulationRecord(code, sex, None, None, total - sum(parts)))

    def _values(self, block: list[tuple[int, tuple]]) -> dict[str, tuple[int, list[int]]]:
        """{計/男/女: (総数, counts per band)}, checked: bands within 総数, 男 + 女 = 計."""
        t_no, code6 = block[0][0], block[0][1][0]
        values = {}
        for no, r in block:
            total = cell_count(r[4], no, "総数")
            parts = [cell_count(v, no, age_label(*b)) for v, b in zip(r[5:self.width], self.bands, strict=False)]
            if sum(parts) > total:
                raise PopulationFileError(
                    f"row {no} ({code6}): bands add up to {sum(parts)}, more than 総数 {total}"
                )
            values[r[3]] = (total, parts)
        for i in range(len(self.bands) + 1):
            tv, mv, fv = (values[s][0] if i == 0 else values[s][1][i - 1] for s in _BLOCK_SEXES)
            if mv + fv != tv:
                what = "総数" if i == 0 else age_label(*self.bands[i - 1])
                raise PopulationFileError(f"row {t_no} ({code6}): {what}: 男 {mv} + 女 {fv} != 計 {tv}")
        return values

    def _area(self, t_no: int, code: str, code6: str, pref_name: str, muni_name: str,
              population: int) -> AreaInfo | None:
        """The area of a block, or None for a subtotal or an area nobody lives in."""
        if muni_name in ("", "-"):
            if not code.endswith("000"):
                raise PopulationFileError(f"row {t_no}: {code6} has no 市区町村名 but is not a prefecture")
            self.pref, self.city = AreaInfo(code, pref_name, "prefecture", None), None
            return self.pref
        if self.pref is None or prefecture_code(code) != self.pref.code:
            raise PopulationFileError(f"row {t_no}: {code6} {muni_name} does not follow its prefecture")
        if not muni_name.endswith(_MUNICIPAL_SUFFIXES):
            return None  # district (郡) or Tokyo islands (島しょ) subtotal
        if population == 0:
            return None  # zero population: the Northern Territories villages
        if (
            self.city is not None
            and muni_name.endswith("区")
            and muni_name.startswith(self.city.name_ja)
            and len(muni_name) > len(self.city.name_ja)
        ):
            return AreaInfo(code, muni_name, "ward", self.city.code)
        info = AreaInfo(code, muni_name, "municipality", self.pref.code)
        self.city = info if muni_name.endswith("市") else None
        return info


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
