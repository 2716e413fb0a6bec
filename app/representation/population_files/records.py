"""What the parsers produce: areas, population records and age ranges, and the error they
raise."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .codes import CODE5

SEXES = ("male", "female")
AREA_KINDS = ("nation", "prefecture", "municipality", "ward")
UNKNOWN_LABEL = "unknown"


class PopulationFileError(ValueError):
    """A population file could not be read; the message names the row or line."""


@dataclass(frozen=True)
class AreaInfo:
    code: str  # 5-digit local government code (全国地方公共団体コード without check digit)
    name_ja: str
    kind: str  # 'nation' | 'prefecture' | 'municipality' | 'ward'
    parent_code: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.code, str) and CODE5.fullmatch(self.code)):
            raise ValueError(f"area code must be 5 digits, got {self.code!r}")
        if self.kind not in AREA_KINDS:
            raise ValueError(f"area kind must be one of {AREA_KINDS}, got {self.kind!r}")
        if self.parent_code is not None and not CODE5.fullmatch(self.parent_code):
            raise ValueError(f"parent code must be 5 digits or None, got {self.parent_code!r}")


@dataclass(frozen=True)
class PopulationRecord:
    area_code: str
    sex: str  # 'male' | 'female'
    age_from: int | None  # inclusive; None together with age_to None = age unknown
    age_to: int | None  # inclusive; None = open-ended (e.g. 110+)
    count: int

    def __post_init__(self) -> None:
        if not (isinstance(self.area_code, str) and CODE5.fullmatch(self.area_code)):
            raise ValueError(f"area code must be 5 digits, got {self.area_code!r}")
        if self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}, got {self.sex!r}")
        check_range(self.age_from, self.age_to)
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"count must be a non-negative integer, got {self.count!r}")

    @property
    def age_unknown(self) -> bool:
        return self.age_from is None

    @property
    def age_label(self) -> str:
        return age_label(self.age_from, self.age_to)


def check_range(age_from: int | None, age_to: int | None) -> None:
    for v in (age_from, age_to):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ValueError(f"ages must be non-negative integers or None, got {v!r}")
    if age_from is None and age_to is not None:
        raise ValueError(f"age range with no start but an end ({age_to}) is not allowed")
    if age_from is not None and age_to is not None and age_to < age_from:
        raise ValueError(f"age range {age_from}-{age_to} ends before it starts")


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
    check_range(age_from, age_to)
    if age_from is None:
        return UNKNOWN_LABEL
    if age_to is None:
        return f"{age_from}+"
    if age_to == age_from:
        return str(age_from)
    return f"{age_from}-{age_to}"


def range_sort_key(r: tuple[int | None, int | None]) -> tuple:
    a, b = r
    return (a is None, a or 0, b is None, b or 0)


def check_no_overlap(ranges: list[tuple[tuple[int | None, int | None], str]], what: str) -> None:
    """ranges: ((from, to), where) for one area x sex. Unknown age may appear once."""
    known = sorted((r for r in ranges if r[0][0] is not None), key=lambda r: range_sort_key(r[0]))
    unknown = [r for r in ranges if r[0][0] is None]
    if len(unknown) > 1:
        raise PopulationFileError(
            f"{what}: unknown age given twice ({unknown[0][1]} and {unknown[1][1]})"
        )
    for (prev, prev_at), (cur, cur_at) in zip(known, known[1:], strict=False):
        if prev[1] is None or prev[1] >= cur[0]:
            raise PopulationFileError(
                f"{what}: age {age_label(*cur)} ({cur_at}) overlaps age "
                f"{age_label(*prev)} ({prev_at})"
            )
