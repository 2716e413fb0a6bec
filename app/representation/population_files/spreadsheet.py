"""Reading the cells of the official .xlsx tables (openpyxl, imported only when needed)."""
from __future__ import annotations

import os
import re
import unicodedata

from .records import PopulationFileError

DIGITS = re.compile(r"[0-9]+")


def open_workbook(path):
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


def norm(value) -> str:
    """Cell text for matching labels (NFKC: full-width digits, ～ -> ~)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def raw(value) -> str:
    """Cell text as published (names are not normalised)."""
    return "" if value is None else str(value).strip()


def cell_count(value, row_no: int, what: str) -> int:
    """A count cell: int (or integral float), '-' = 0 (e-Stat), digit strings allowed."""
    if isinstance(value, bool):
        raise PopulationFileError(f"row {row_no}: {what}: {value!r} is not a count")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        s = norm(value).replace(",", "")
        if s in ("-", "−", "ー"):
            return 0
        if not DIGITS.fullmatch(s):
            raise PopulationFileError(f"row {row_no}: {what}: {value!r} is not a count")
        n = int(s)
    if n < 0:
        raise PopulationFileError(f"row {row_no}: {what}: negative count {n}")
    return n


def padded(row: tuple, width: int) -> tuple:
    return tuple(row) + (None,) * (width - len(row)) if len(row) < width else tuple(row)
