"""The prefecture's view as open data: the JSON document of the API and the CSV in the layout of
the Digital Agency's local-government standard open datasets (自治体標準オープンデータセット):
the 6-digit 全国地方公共団体コード (with its check digit) first, then the record's ID, then the
name (地方公共団体名), then the figures, Japanese headers, UTF-8 with a BOM. The three leading
columns are the ones every standard dataset opens with (checked against municipalities' published
files: `全国地方公共団体コード,ID,地方公共団体名,...`); a row here is a municipality, so its code
is also its ID. Only what the rows hold (released figures);
hidden figures read "x", as everywhere else. No Flask here."""
from __future__ import annotations

import csv
import io

from app.representation.prefecture import Overview, MemberRow
from app.representation.services import SUPPRESSED_MARK

_SHARE_FIELDS = ("share", "ci_low", "ci_high", "interval_method", "population_share", "verdict",
                 "flag", "suppressed", "estimated")


def _figure_dict(figure, with_band: bool) -> dict | None:
    if figure is None:
        return None
    data = {name: getattr(figure, name) for name in _SHARE_FIELDS}
    data["suppressed"] = bool(figure.suppressed)
    data["estimated"] = bool(figure.estimated)
    if with_band:
        data.update(low=figure.low, high=figure.high)
    return data


def row_as_dict(row: MemberRow) -> dict:
    return {"lg_code": row.lg_code, "code": row.code, "name_ja": row.name_ja,
            "name_en": row.name_en, "open_spaces": row.open_spaces, "status": row.status,
            "space": row.space_slug, "release": row.release_number,
            "participants": row.participants, "min_cell": row.min_cell,
            "youth": _figure_dict(row.youth, True), "women": _figure_dict(row.women, False),
            "extra": dict(row.extra)}


def overview_as_dict(overview: Overview) -> dict:
    area = overview.area
    return {"area": {"code": area.code, "kind": area.kind, "name_ja": area.name_ja,
                     "name_en": area.name_en},
            "columns": [c.key for c in overview.columns],
            "municipalities": [row_as_dict(r) for r in overview.rows]}


# Japanese headers, in the standard datasets' order: code, ID, name, then the figures.
CSV_HEADERS = ("全国地方公共団体コード", "ID", "地方公共団体名", "地方公共団体名_英字", "受付中の参加の場の数",
               "公表の状況", "公表した参加の場", "公表回", "公表参加者数",
               "若者_年齢下限", "若者_年齢上限", "若者_割合", "若者_95%区間下限", "若者_95%区間上限",
               "若者_人口割合", "若者_判定",
               "女性_割合", "女性_95%区間下限", "女性_95%区間上限", "女性_人口割合", "女性_判定")


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def _figure_cells(figure, with_band: bool) -> list[str]:
    band = [_number(figure.low), _number(figure.high)] if figure and with_band else (
        ["", ""] if with_band else [])
    if figure is None:
        return band + ["", "", "", "", ""]
    if figure.suppressed or figure.share is None and figure.n:
        shown = [SUPPRESSED_MARK, SUPPRESSED_MARK, SUPPRESSED_MARK]
        verdict = SUPPRESSED_MARK
    else:
        shown = [_number(figure.share), _number(figure.ci_low), _number(figure.ci_high)]
        verdict = figure.verdict or ""
    return band + shown + [_number(figure.population_share), verdict]


def overview_csv(overview: Overview) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel in Japan needs it to read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS + tuple(c.header_ja for c in overview.columns))
    for row in overview.rows:
        extras = [SUPPRESSED_MARK if row.extra.get(c.key) is None and c.key in row.extra
                  else _number(row.extra.get(c.key)) for c in overview.columns]
        code = row.lg_code or row.code
        writer.writerow([code, code, row.name_ja, row.name_en, row.open_spaces,
                         row.status, row.space_slug or "", _number(row.release_number),
                         _number(row.participants),
                         *_figure_cells(row.youth, True), *_figure_cells(row.women, False),
                         *extras])
    return out.getvalue()
