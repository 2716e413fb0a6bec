"""Accessible, server-rendered SVG charts. Pure: no Flask, no database.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; the
figures themselves are always also given in a data table beside the chart, so the SVG is a
picture of the table, not its only form. The Content-Security-Policy forbids inline style
attributes, so colours are presentation attributes (``fill``, ``stroke``) plus classes that the
stylesheet may refine. Every interpolated string is XML-escaped before the result is wrapped in
``Markup``; numbers are formatted from floats.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PARTICIPANT_COLOUR = "#0b5cad"
POPULATION_COLOUR = "#8d96a8"
INK = "#1d2433"
GRID = "#e3e6ec"
FLAG_COLOURS = {"under": "#b3261e", "over": "#0b5cad", "ok": "#1e7b34"}
SERIES_COLOURS = ("#0b5cad", "#a4366b", "#1e7b34", "#8a5a00")

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class BarRow:
    """One category of a paired bar chart. Shares are fractions in [0, 1]."""
    label: str
    share: float | None
    population_share: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False
    flag: str | None = None  # 'under' | 'over' | 'ok'


@dataclass(frozen=True)
class Line:
    """One series of a line chart, optionally with its reference level drawn dashed."""
    label: str
    values: Sequence[float | None]
    reference: float | None = None
    reference_label: str | None = None
    colour: str = SERIES_COLOURS[0]
    marker: str = "circle"  # 'circle' | 'square'


def _t(value: object) -> str:
    """XML-escape any text (labels, ids, colours) before it enters the markup."""
    return str(escape(str(value)))


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no exponent."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage for display; an en dash when unknown."""
    if value is None:
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def _safe_id(chart_id: str) -> str:
    cleaned = _ID_UNSAFE.sub("-", chart_id) or "chart"
    return cleaned if cleaned[0].isalpha() else f"c-{cleaned}"


def _axis(values: Sequence[float | None]) -> tuple[float, list[float]]:
    """The axis maximum and its ticks: 10% steps up to 50%, 20% steps beyond, always ending on a
    whole step (at most 100%) that holds every value."""
    top = max((float(v) for v in values if v is not None), default=0.0)
    step = 0.1 if top <= 0.5 else 0.2
    steps = max(1, math.ceil(round(top / step, 9)))
    axis_max = min(1.0, round(steps * step, 6))
    ticks = [round(i * step, 6) for i in range(steps + 1) if i * step <= 1.0 + 1e-9]
    if ticks[-1] < axis_max - 1e-9:
        ticks.append(axis_max)
    return axis_max, ticks


def _open_svg(cid: str, width: float, height: float, css_class: str, title: str,
              desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{_t(css_class)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{_t(title)}</title>',
        f'<desc id="{cid}-desc">{_t(desc)}</desc>',
    ]


def _text(x: float, y: float, content: str, *, css: str = "", anchor: str = "start",
          size: int = 13, weight: str | None = None, fill: str = INK) -> str:
    extra = f' font-weight="{_t(weight)}"' if weight else ""
    klass = f' class="{_t(css)}"' if css else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{_t(anchor)}" font-size="{size}" '
            f'fill="{_t(fill)}"{extra}{klass}>{_t(content)}</text>')


def paired_bar_chart(rows: Sequence[BarRow], *, title: str, desc: str, participant_label: str,
                     population_label: str, interval_label: str, suppressed_text: str,
                     chart_id: str, flag_labels: Mapping[str, str] | None = None,
                     width: int = 440) -> Markup:
    """Participant share against population share per category, as horizontal bar pairs.

    Each category has its label on a line of its own (so long labels never squeeze the bars on
    a phone), then the participant bar with its 95% interval whisker, then the population bar.
    A suppressed category is drawn as a small hatched, empty box with ``suppressed_text`` (e.g.
    "< 5") instead of a bar, since its share must not be shown. ``flag_labels`` maps a flag to
    the words written at the right of the category's label line (not for 'ok').
    """
    cid = _safe_id(chart_id)
    flag_labels = flag_labels or {}
    left, right_reserve = 14.0, 58.0
    plot_w = width - left - 8.0 - right_reserve
    legend_h, block_h, axis_h = 46.0, 58.0, 26.0
    height = legend_h + block_h * max(1, len(rows)) + axis_h
    axis_max, ticks = _axis([v for r in rows for v in (
        None if r.suppressed else r.share, r.population_share,
        None if r.suppressed else r.ci_high)])

    def x_of(value: float) -> float:
        return left + max(0.0, min(float(value), axis_max)) / axis_max * plot_w

    out = _open_svg(cid, width, height, "chart-svg bar-chart", title, desc)
    out.append(
        f'<defs><pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        f'stroke="{PARTICIPANT_COLOUR}" stroke-width="2"/></pattern></defs>')
    # Legend: two swatches on the first line, the whisker on the second.
    out.append('<g class="legend">')
    out.append(f'<rect x="{_n(left)}" y="4" width="14" height="12" fill="{PARTICIPANT_COLOUR}"/>')
    out.append(_text(left + 20, 14, participant_label))
    half = left + plot_w / 2 + 20
    out.append(f'<rect x="{_n(half)}" y="6" width="14" height="8" fill="{POPULATION_COLOUR}"/>')
    out.append(_text(half + 20, 14, population_label))
    out.append(f'<line x1="{_n(left)}" y1="30" x2="{_n(left + 14)}" y2="30" stroke="{INK}" '
               f'stroke-width="1.5"/><line x1="{_n(left)}" y1="25" x2="{_n(left)}" y2="35" '
               f'stroke="{INK}" stroke-width="1.5"/><line x1="{_n(left + 14)}" y1="25" '
               f'x2="{_n(left + 14)}" y2="35" stroke="{INK}" stroke-width="1.5"/>')
    out.append(_text(left + 20, 34, interval_label))
    out.append("</g>")
    grid_top, grid_bottom = legend_h, legend_h + block_h * max(1, len(rows))
    out.append('<g class="grid">')
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line x1="{_n(x)}" y1="{_n(grid_top)}" x2="{_n(x)}" y2="{_n(grid_bottom)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(x, grid_bottom + 16, pct(tick, 0), anchor="middle", size=11,
                         css="tick"))
    out.append("</g>")
    for index, row in enumerate(rows):
        top = legend_h + index * block_h
        flag = row.flag if row.flag in FLAG_COLOURS else None
        out.append(f'<g class="category{" flag-" + flag if flag else ""}">')
        out.append(_text(left, top + 13, row.label, size=13, weight="600", css="category-label"))
        if flag and flag != "ok" and flag_labels.get(flag):
            out.append(_text(width - 8, top + 13, flag_labels[flag], anchor="end",
                             fill=FLAG_COLOURS[flag], weight="600", css="flag-label"))
        bar_y, bar_h = top + 18, 14.0
        if row.suppressed:
            out.append(f'<rect class="bar-suppressed" x="{_n(left)}" y="{_n(bar_y)}" width="28" '
                       f'height="{_n(bar_h)}" fill="url(#{cid}-hatch)" '
                       f'stroke="{PARTICIPANT_COLOUR}" stroke-width="1"/>')
            out.append(_text(left + 34, bar_y + 11, suppressed_text, css="value"))
        else:
            end = left
            if row.share is not None:
                end = x_of(row.share)
                out.append(f'<rect class="bar-participants" x="{_n(left)}" y="{_n(bar_y)}" '
                           f'width="{_n(end - left)}" height="{_n(bar_h)}" '
                           f'fill="{PARTICIPANT_COLOUR}"/>')
            if row.ci_low is not None and row.ci_high is not None:
                lo, hi, mid = x_of(row.ci_low), x_of(row.ci_high), bar_y + bar_h / 2
                out.append(
                    f'<g class="whisker"><line x1="{_n(lo)}" y1="{_n(mid)}" x2="{_n(hi)}" '
                    f'y2="{_n(mid)}" stroke="{INK}" stroke-width="1.5"/>'
                    f'<line x1="{_n(lo)}" y1="{_n(mid - 5)}" x2="{_n(lo)}" y2="{_n(mid + 5)}" '
                    f'stroke="{INK}" stroke-width="1.5"/>'
                    f'<line x1="{_n(hi)}" y1="{_n(mid - 5)}" x2="{_n(hi)}" y2="{_n(mid + 5)}" '
                    f'stroke="{INK}" stroke-width="1.5"/></g>')
                end = max(end, hi)
            out.append(_text(end + 5, bar_y + 11, pct(row.share), css="value"))
        pop_y = top + 35
        pop_end = left
        if row.population_share is not None:
            pop_end = x_of(row.population_share)
            out.append(f'<rect class="bar-population" x="{_n(left)}" y="{_n(pop_y)}" '
                       f'width="{_n(pop_end - left)}" height="10" fill="{POPULATION_COLOUR}"/>')
        out.append(_text(pop_end + 5, pop_y + 9, pct(row.population_share), size=11,
                         css="value value-population"))
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # nosec B704: every interpolated string went through _t()


def line_chart(lines: Sequence[Line], *, x_labels: Sequence[str], title: str, desc: str,  # noqa: C901
               chart_id: str, width: int = 440, plot_height: int = 180,
               max_x_labels: int = 5) -> Markup:
    """Shares over time (fractions), one solid line per series with its reference level as a
    dashed line of the same colour. A None value breaks the line (no data that week)."""
    cid = _safe_id(chart_id)
    count = len(x_labels)
    if any(len(line.values) != count for line in lines):
        raise ValueError("every line needs one value per x label")
    legend_row = 18.0
    legend_rows = sum(2 if line.reference is not None and line.reference_label else 1
                      for line in lines)
    legend_h = legend_row * legend_rows + 8
    left, right = 40.0, width - 12.0
    top = legend_h + 8
    bottom = top + plot_height
    height = bottom + 26
    axis_max, ticks = _axis([v for line in lines for v in (*line.values, line.reference)])

    def x_of(i: int) -> float:
        return (left + right) / 2 if count <= 1 else left + i * (right - left) / (count - 1)

    def y_of(value: float) -> float:
        return bottom - max(0.0, min(float(value), axis_max)) / axis_max * plot_height

    out = _open_svg(cid, width, height, "chart-svg line-chart", title, desc)
    out.append('<g class="legend">')
    row = 0
    for line in lines:
        colour = _t(line.colour)
        y = 4 + row * legend_row
        out.append(f'<line x1="8" y1="{_n(y + 7)}" x2="30" y2="{_n(y + 7)}" stroke="{colour}" '
                   f'stroke-width="2.5"/>')
        out.append(_text(36, y + 11, line.label))
        row += 1
        if line.reference is not None and line.reference_label:
            y = 4 + row * legend_row
            out.append(f'<line x1="8" y1="{_n(y + 7)}" x2="30" y2="{_n(y + 7)}" '
                       f'stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>')
            out.append(_text(36, y + 11, line.reference_label))
            row += 1
    out.append("</g>")
    out.append('<g class="grid">')
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 4, y + 4, pct(tick, 0), anchor="end", size=11, css="tick"))
    step = max(1, math.ceil(count / max(1, max_x_labels)))
    shown = sorted({*range(0, count, step), count - 1}) if count else []
    if len(shown) >= 2 and shown[-1] - shown[-2] < step:
        shown.pop(-2)  # keep the last label, drop its too-close neighbour
    for i in shown:
        anchor = "start" if i == 0 and count > 1 else ("end" if i == count - 1 and count > 1
                                                        else "middle")
        out.append(_text(x_of(i), bottom + 16, x_labels[i], anchor=anchor, size=11,
                         css="tick x-tick"))
    out.append("</g>")
    for index, line in enumerate(lines):
        colour = _t(line.colour)
        out.append(f'<g class="series series-{index + 1}">')
        if line.reference is not None:
            y = y_of(line.reference)
            out.append(f'<line class="ref-line" x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" '
                       f'y2="{_n(y)}" stroke="{colour}" stroke-width="1.5" '
                       f'stroke-dasharray="5 3"/>')
        path: list[str] = []
        pen_down = False
        for i, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            path.append(f'{"L" if pen_down else "M"}{_n(x_of(i))} {_n(y_of(value))}')
            pen_down = True
        if path:
            out.append(f'<path class="line" d="{" ".join(path)}" fill="none" stroke="{colour}" '
                       f'stroke-width="2.5" stroke-linejoin="round"/>')
        if count <= 60:
            for i, value in enumerate(line.values):
                if value is None:
                    continue
                x, y = x_of(i), y_of(value)
                if line.marker == "square":
                    out.append(f'<rect class="marker" x="{_n(x - 3)}" y="{_n(y - 3)}" width="6" '
                               f'height="6" fill="{colour}"/>')
                else:
                    out.append(f'<circle class="marker" cx="{_n(x)}" cy="{_n(y)}" r="3" '
                               f'fill="{colour}"/>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # nosec B704: every interpolated string went through _t()


# --- surveys: shares of answers (app/surveys) -------------------------------------------------

@dataclass(frozen=True)
class ShareBar:
    """One answer option: its share among respondents, and optionally a second figure drawn
    beside it (the population-weighted share)."""
    label: str
    share: float | None
    second: float | None = None


def bar_chart(rows: Sequence[ShareBar], *, title: str, desc: str, chart_id: str = "bars",
              series_labels: Sequence[str] = (), width: int = 480) -> Markup:
    """Horizontal bars of shares (fractions) per option, the label on its own line above its
    bar(s). With a second series (``second`` set on any row) each option gets two bars and a
    legend naming ``series_labels``."""
    cid = _safe_id(chart_id)
    paired = any(r.second is not None for r in rows)
    left, plot_w = 8.0, width - 8.0 - 8.0 - 56.0
    legend_h = 24.0 if paired and len(series_labels) >= 2 else 4.0
    block_h = 50.0 if paired else 36.0
    axis_h = 22.0
    height = legend_h + block_h * max(1, len(rows)) + axis_h
    axis_max, ticks = _axis([v for r in rows for v in (r.share, r.second)])
    colours = (PARTICIPANT_COLOUR, SERIES_COLOURS[1])

    def x_of(value: float) -> float:
        return left + max(0.0, min(float(value), axis_max)) / axis_max * plot_w

    out = _open_svg(cid, width, height, "chart-svg share-chart", title, desc)
    if legend_h > 4:
        half = left + plot_w / 2 + 20
        for x, colour, label in ((left, colours[0], series_labels[0]),
                                 (half, colours[1], series_labels[1])):
            out.append(f'<rect x="{_n(x)}" y="4" width="14" height="12" fill="{colour}"/>')
            out.append(_text(x + 20, 14, label))
    grid_top, grid_bottom = legend_h, legend_h + block_h * max(1, len(rows))
    out.append('<g class="grid">')
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line x1="{_n(x)}" y1="{_n(grid_top)}" x2="{_n(x)}" y2="{_n(grid_bottom)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(x, grid_bottom + 15, pct(tick, 0), size=11, css="tick",
                         anchor="start" if tick == 0 else "middle"))
    out.append("</g>")
    for index, row in enumerate(rows):
        top = legend_h + index * block_h
        out.append('<g class="option">')
        out.append(_text(left, top + 13, row.label, weight="600", css="category-label"))
        values = [(row.share, colours[0], 14.0)]
        if paired:
            values.append((row.second, colours[1], 10.0))
        y = top + 18
        for value, colour, bar_h in values:
            end = left
            if value is not None:
                end = x_of(value)
                out.append(f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(end - left)}" '
                           f'height="{_n(bar_h)}" fill="{colour}"/>')
            out.append(_text(end + 5, y + bar_h - 3, pct(value), size=11, css="value"))
            y += bar_h + 3
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # nosec B704: every interpolated string went through _t()
