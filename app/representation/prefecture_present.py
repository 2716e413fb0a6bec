"""What the prefecture page prints in each cell: released figures in the reader's language,
the hidden mark where the release hid a figure, and why a row has no figures."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.common.charts import pct
from app.representation import labels
from app.representation.prefecture import (FIGURES, NO_SPACE, NOT_PUBLISHED, TOO_FEW,
                                           MemberRow)
from app.representation.presenters import fmt_int, fmt_interval, suppressed_text, verdict_text


@dataclass(frozen=True)
class ShareCell:
    share: str
    interval: str
    population_share: str
    verdict: str
    flag: str | None  # 'under' | 'over' colours the badge
    band: str = ""
    hidden: bool = False


def share_cell(figure, k: int) -> ShareCell | None:
    if figure is None:
        return None
    band = ""
    if figure.low is not None:
        band = labels.age_band_label(f"{figure.low}-{figure.high}" if figure.high is not None
                                     else f"{figure.low}+")
    population = pct(figure.population_share)
    if figure.share is None:
        hidden = bool(figure.suppressed or figure.n)
        return ShareCell(suppressed_text(k) if hidden else "–", "", population,
                         "" if hidden else labels.verdict_label("no_data"), None, band, hidden)
    return ShareCell(pct(figure.share), fmt_interval(figure.ci_low, figure.ci_high), population,
                     verdict_text(figure, target=False),
                     figure.flag if figure.flag in ("under", "over") else None, band)


def status_text(row: MemberRow, public_k: int) -> str:
    if row.status == TOO_FEW:
        return _("Too few participants: figures are published once at least %(k)s people have "
                 "taken part.", k=public_k)
    if row.status == NOT_PUBLISHED:
        return _("Its spaces do not publish their figures.")
    if row.status == NO_SPACE:
        return _("No public space yet.")
    return ""


@dataclass(frozen=True)
class PageRow:
    row: MemberRow
    name: str
    participants: str
    youth: ShareCell | None
    women: ShareCell | None
    status: str
    has_figures: bool


def page_rows(rows, locale: str, public_k: int) -> list[PageRow]:
    out = []
    for row in rows:
        k = row.min_cell or public_k
        out.append(PageRow(row, row.name(locale), fmt_int(row.participants)
                           if row.participants is not None else "",
                           share_cell(row.youth, k), share_cell(row.women, k),
                           status_text(row, public_k), row.status == FIGURES))
    return out


def sort_headers(current: str, descending: bool, extra_keys=()) -> dict:
    """Per sortable column: the query for its link and its aria-sort value."""
    headers = {}
    for key in ("code", "name", "open_spaces", "participants", "youth_share", "women_share",
                *extra_keys):
        active = key == current
        headers[key] = {"order": "asc" if active and descending else (
                            "desc" if active else "asc"),
                        "aria": ("descending" if descending else "ascending") if active else None}
    return headers
