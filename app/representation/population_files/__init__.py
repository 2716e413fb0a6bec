"""Reference population files: parse official tables into age-range records.

Pure package (stdlib + openpyxl, imported lazily) so it can be used by the build
script, the CLI and tests without the app. Every count is a ``PopulationRecord``
for one area, one sex and one inclusive age range:

* ``(a, a)``      a single year of age,
* ``(a, b)``      a band such as 0-4,
* ``(a, None)``   open-ended, e.g. 110+ or 100+,
* ``(None, None)`` age unknown (census 年齢「不詳」; in the resident register the
  persons whose age breakdown is not published, see ``read_register``).

Modules:

* ``records``      the records, areas and age ranges, and ``PopulationFileError``,
* ``codes``        local government codes (全国地方公共団体コード) and their check digit,
* ``spreadsheet``  reading .xlsx cells,
* ``census``       ``read_estat_census``: e-Stat 2020 census 第2-1表 (single years of age),
* ``register``     ``read_register``: 住民基本台帳 年齢階級別人口（市区町村別） (5-year bands),
* ``csv_formats``  ``read_plain_csv``: a hand-made CSV ``area_code,sex,age,count``, and
  ``read_compact_csv`` / ``write_compact_csv``: the wide format shipped in
  ``app/representation/data`` (one row per area x sex, one column per age range).

Errors are ``PopulationFileError`` (a ``ValueError``) with the spreadsheet row
(1-based, as Excel shows it) or the CSV line number. They stay a plain ValueError,
not the application's DomainError: the package imports nothing of the app, and its
messages (row numbers, cell values) reach the operator of the import commands only.
"""
from .census import read_estat_census
from .codes import NATION_CODE, jis_check_digit, prefecture_code, strip_check_digit, with_check_digit
from .csv_formats import PLAIN_CSV_COLUMNS, read_compact_csv, read_plain_csv, write_compact_csv
from .records import (AREA_KINDS, SEXES, UNKNOWN_LABEL, AreaInfo, PopulationFileError,
                      PopulationRecord, age_label, parse_age)
from .register import read_register

__all__ = [
    "AREA_KINDS", "NATION_CODE", "PLAIN_CSV_COLUMNS", "SEXES", "UNKNOWN_LABEL", "AreaInfo",
    "PopulationFileError", "PopulationRecord", "age_label", "jis_check_digit", "parse_age",
    "prefecture_code", "read_compact_csv", "read_estat_census", "read_plain_csv",
    "read_register", "strip_check_digit", "with_check_digit", "write_compact_csv",
]
