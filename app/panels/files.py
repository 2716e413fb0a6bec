"""The CSV files of `flask panel select`, in the formats citizens' assembly organisers use.

CATEGORIES.csv: ``category,name,min,max`` (or ``feature,value,min,max``; further columns such as
``min_flex`` are ignored). PEOPLE.csv: an ``id`` column (else the first column is the id) and one
column per category; other columns are kept in SELECTED.csv untouched. Files may carry a UTF-8
byte-order mark (as Excel writes them).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.panels.lottery import Lottery
from app.representation.sortition import Quota

_HEADERS = (("category", "name"), ("feature", "value"))


class PanelFileError(ValueError):
    """A malformed input file; the message names the file and the line."""


@dataclass(frozen=True)
class People:
    header: tuple[str, ...]
    rows: dict[str, dict[str, str]]       # id -> the whole row, as read
    pool: dict[str, dict[str, str]]       # id -> category -> value


def _rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    name = Path(path).name
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [cell.strip() for cell in next(reader, [])]
            if not any(header):
                raise PanelFileError(f"{name}: the file is empty")
            if len(set(header)) != len(header):
                raise PanelFileError(f"{name}: a column name appears twice in the header")
            rows = []
            for line, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines, as spreadsheets leave at the end
                if len(cells) > len(header):
                    raise PanelFileError(f"{name} line {line}: more cells than columns")
                rows.append((line, {h: c.strip() for h, c in zip(header, cells + [""] * len(header))}))
    except UnicodeDecodeError:
        raise PanelFileError(f"{name}: not UTF-8 text (save it as CSV UTF-8)") from None
    except csv.Error as exc:
        raise PanelFileError(f"{name}: not readable as CSV ({exc})") from None
    return header, rows


def _whole(name: str, line: int, column: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise PanelFileError(f"{name} line {line}: {column} must be a whole number, not {text!r}") from None
    if value < 0:
        raise PanelFileError(f"{name} line {line}: {column} must not be negative ({value})")
    return value


def read_categories(path: str | Path) -> list[Quota]:
    name = Path(path).name
    header, rows = _rows(path)
    lower = {h.lower(): h for h in header}
    columns = next((pair for pair in _HEADERS if all(c in lower for c in pair)), None)
    missing = [c for c in ("min", "max") if c not in lower]
    if columns is None or missing:
        raise PanelFileError(f"{name}: needs the columns category,name,min,max (or feature,value,min,max);"
                             f" found {','.join(header)}")
    feature_col, value_col = (lower[c] for c in columns)
    quotas, seen = [], {}
    for line, row in rows:
        feature, value = row[feature_col], row[value_col]
        if not feature or not value:
            raise PanelFileError(f"{name} line {line}: the {columns[0]} and the {columns[1]} must not be empty")
        if (feature, value) in seen:
            raise PanelFileError(f"{name} line {line}: {feature}={value} is already on line {seen[feature, value]}")
        seen[feature, value] = line
        low = _whole(name, line, "min", row[lower["min"]])
        high = _whole(name, line, "max", row[lower["max"]])
        if low > high:
            raise PanelFileError(f"{name} line {line}: {feature}={value} has min {low} > max {high}")
        quotas.append(Quota(feature, value, low, high))
    if not quotas:
        raise PanelFileError(f"{name}: no categories")
    return quotas


def read_people(path: str | Path, quotas: list[Quota]) -> People:
    name = Path(path).name
    header, rows = _rows(path)
    id_col = next((h for h in header if h.lower() == "id"), header[0])
    values: dict[str, list[str]] = {}
    for quota in quotas:
        values.setdefault(quota.feature, []).append(quota.value)
    missing = [feature for feature in values if feature not in header]
    if missing:
        raise PanelFileError(f"{name}: no column for the categories {', '.join(missing)}")
    by_id, pool, lines = {}, {}, {}
    for line, row in rows:
        person_id = row[id_col]
        if not person_id:
            raise PanelFileError(f"{name} line {line}: the id ({id_col}) is empty")
        if person_id in lines:
            raise PanelFileError(f"{name} line {line}: the id {person_id} is already on line {lines[person_id]}")
        lines[person_id] = line
        for feature, allowed in values.items():
            if row[feature] not in allowed:
                raise PanelFileError(f"{name} line {line}: {feature}={row[feature]!r} is not a category"
                                     f" (the categories are {', '.join(allowed)})")
        by_id[person_id] = row
        pool[person_id] = {feature: row[feature] for feature in values}
    return People(tuple(header), by_id, pool)


def write_selected(path: str | Path, people: People, ids) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(people.header)
        for person_id in ids:
            writer.writerow([people.rows[person_id].get(column, "") for column in people.header])


def write_probabilities(path: str | Path, ids, probabilities) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "probability"])
        for person_id, probability in zip(ids, probabilities):
            writer.writerow([person_id, f"{probability:.6f}"])


def write_lottery(path: str | Path, lottery: Lottery) -> None:
    """One row per lottery number: ``panel,member_1,...,member_k`` (the members' ids)."""
    size = max((len(panel) for panel in lottery.panels), default=0)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["panel", *(f"member_{j}" for j in range(1, size + 1))])
        for number, panel in enumerate(lottery.panels, start=1):
            writer.writerow([number, *(lottery.ids[i] for i in panel)])
