"""The CSV formats: a hand-made ``area_code,sex,age,count`` file, and the compact wide format
shipped in app/representation/data (one row per area x sex, one column per age range)."""
from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable

from .codes import CODE5, parse_area_code
from .records import (SEXES, PopulationFileError, PopulationRecord, age_label, check_no_overlap,
                      parse_age, range_sort_key)
from .spreadsheet import DIGITS


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


def _parse_count(text: str) -> int:
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if not DIGITS.fullmatch(s):
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
                code = parse_area_code(row[idx["area_code"]])
                sex = _parse_sex(row[idx["sex"]])
                age_from, age_to = parse_age(row[idx["age"]])
                count = _parse_count(row[idx["count"]])
            except ValueError as exc:
                raise PopulationFileError(f"line {line}: {exc}") from None
            records.append(PopulationRecord(code, sex, age_from, age_to, count))
            seen.setdefault((code, sex), []).append(((age_from, age_to), f"line {line}"))
        for (code, sex), ranges in seen.items():
            check_no_overlap(ranges, f"area {code} {sex}")
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
        check_no_overlap([(k, "") for k in cells], f"area {code} {sex}")
    columns = sorted(ranges, key=range_sort_key)
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
        columns = _compact_columns(header)
        records: list[PopulationRecord] = []
        seen: set[tuple[str, str]] = set()
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise PopulationFileError(f"line {line}: {len(row)} fields, expected {len(header)}")
            records.extend(_compact_row(row, line, columns, seen))
        return records
    finally:
        done()


def _compact_columns(header: list[str] | None) -> list[tuple[int | None, int | None]]:
    """The age range of each count column of a compact CSV's header, checked."""
    if header is None or [h.strip().lstrip("\ufeff") for h in header[:2]] != ["area_code", "sex"]:
        raise PopulationFileError("line 1: header must start with area_code,sex")
    if any(not h.strip() for h in header[2:]):
        raise PopulationFileError("line 1: empty column name (use 'unknown' for age unknown)")
    try:
        columns = [parse_age(h) for h in header[2:]]
    except ValueError as exc:
        raise PopulationFileError(f"line 1: {exc}") from None
    check_no_overlap([(c, f"column {age_label(*c)}") for c in columns], "line 1")
    return columns


def _compact_row(row: list[str], line: int, columns, seen: set) -> list[PopulationRecord]:
    """The records of one area x sex row (`seen`: the rows read so far, which it joins)."""
    code, sex = row[0].strip(), row[1].strip()
    if not CODE5.fullmatch(code):
        raise PopulationFileError(f"line {line}: area_code {code!r} is not 5 digits")
    if sex not in SEXES:
        raise PopulationFileError(f"line {line}: sex {sex!r} is not male/female")
    if (code, sex) in seen:
        raise PopulationFileError(f"line {line}: second row for {code} {sex}")
    seen.add((code, sex))
    records = []
    for (a, b), cell in zip(columns, row[2:], strict=False):
        cell = cell.strip()
        if cell == "":
            continue
        if not DIGITS.fullmatch(cell):
            raise PopulationFileError(
                f"line {line}: age {age_label(a, b)}: {cell!r} is not a non-negative integer"
            )
        records.append(PopulationRecord(code, sex, a, b, int(cell)))
    return records
