"""Turns representation reports into what the pages show: translated labels, formatted figures,
SVG charts and sentences. Presentation only (Babel, no database, no request data), so the
dashboard, the body pages and the public transparency page read the same way."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.common.charts import SERIES_COLOURS, BarRow, Line, line_chart, paired_bar_chart, pct
from app.representation import labels
from app.representation.stats import PARITY_UNREACHABLE


def suppressed_text(k: int) -> str:
    """The mark of a hidden figure. The same for a small group and for a figure hidden to
    protect one, so the mark says nothing about the value (not even that it is below k)."""
    return _("hidden")


def fmt_int(value: int | float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value):,}"


def fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def fmt_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"{pct(low)}–{pct(high)}"


def flag_words() -> dict[str, str]:
    return {flag: labels.flag_label(flag) for flag in ("under", "over", "ok")}


@dataclass
class TableRow:
    label: str
    count: str
    share: str
    interval: str
    population: str
    population_share: str
    ratio: str
    flag: str | None
    flag_label: str
    gap: str
    suppressed: bool
    p_value: str = "–"  # exact binomial, unadjusted
    p_adjusted: str = "–"  # Holm within the dimension
    unknown_bounds: str = "–"  # share if no / every participant without an answer is in it
    estimated: bool = False  # the population figure cuts a published age range


ESTIMATE_MARK = "≈"


@dataclass
class Section:
    """One dimension: its chart, its table and the overall statistics, ready to render."""
    dimension: str
    title: str
    available: bool
    unavailable_reason: str = ""
    chart: Markup | None = None
    rows: list[TableRow] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    is_target: bool = False
    show_counts: bool = True
    hidden_totals: bool = False  # a total beside the table is hidden
    count_label: str = ""
    csv_url: str = ""
    json_url: str = ""
    show_bounds: bool = False  # some row has bounds for unknown answers


def gap_sentence(group: str, gap: int | None, band: str = "") -> str:
    """The parity gap in words, for a headline group ('youth' with its band, or 'women') or any
    category (group = its label)."""
    if gap is None:
        return ""
    if gap == PARITY_UNREACHABLE:
        return _("Parity cannot be reached: the population share is 100%.")
    if gap == 0:
        return _("Already at or above parity.")
    if group == "youth":
        return ngettext(
            "%(num)d more participant aged %(band)s is needed to reach their population share.",
            "%(num)d more participants aged %(band)s are needed to reach their population share.",
            gap, band=band)
    if group == "women":
        return ngettext("%(num)d more woman is needed to reach their population share.",
                        "%(num)d more women are needed to reach their population share.", gap)
    return ngettext("%(num)d more participant in “%(group)s” is needed to reach parity.",
                    "%(num)d more participants in “%(group)s” are needed to reach parity.",
                    gap, group=group)


def gap_cell(gap: int | None) -> str:
    if gap is None:
        return "–"
    if gap == PARITY_UNREACHABLE:
        return _("cannot be reached")
    return fmt_int(gap)


def fmt_p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else format(value, ".3f")


def verdict_text(row, *, target: bool) -> str:
    """The words of a row's (or a headline's) verdict; a body's rows have none and keep their
    flag (a body is counted whole, not a sample of anyone)."""
    verdict = getattr(row, "verdict", None)
    if verdict is not None:
        return labels.verdict_label(verdict, target=target)
    return labels.flag_label(row.flag) if row.flag else "–"


def table_rows(categories: Sequence, k: int, *, show_population: bool = True,
               target: bool = False) -> list[TableRow]:
    rows = []
    for c in categories:
        hidden = suppressed_text(k)
        low, high = getattr(c, "unknown_low", None), getattr(c, "unknown_high", None)
        estimated = bool(getattr(c, "estimated", False))
        mark = f"{ESTIMATE_MARK} " if estimated else ""
        rows.append(TableRow(
            label=str(c.label),
            count=hidden if c.suppressed else fmt_int(c.count),
            share=hidden if c.suppressed or (c.share is None and c.count) else pct(c.share),
            interval=fmt_interval(c.ci_low, c.ci_high),
            population=mark + fmt_int(c.population) if show_population else "",
            population_share=mark + pct(c.population_share),
            ratio=fmt_ratio(c.ratio),
            flag=c.flag if c.flag in ("under", "over") else None,
            flag_label=verdict_text(c, target=target),
            gap=gap_cell(c.parity_gap),
            suppressed=c.suppressed,
            p_value=fmt_p(getattr(c, "p_value", None)),
            p_adjusted=fmt_p(getattr(c, "p_adjusted", None)),
            unknown_bounds=fmt_interval(low, high),
            estimated=estimated,
        ))
    return rows


def bar_chart(categories: Sequence, *, title: str, chart_id: str, k: int,
              participants_label: str | None = None) -> Markup:
    """Paired bars for a report's (or a body's) categories, with a description that names the
    flagged categories so the picture's message is also in words."""
    under = [str(c.label) for c in categories if c.flag == "under"]
    over = [str(c.label) for c in categories if c.flag == "over"]
    desc = [_("Share of participants in each category next to its share of the population, "
              "with the uncertainty of the participants' share (interval, 95%).")]
    if under:
        desc.append(_("Under-represented: %(groups)s.", groups=", ".join(under)))
    if over:
        desc.append(_("Over-represented: %(groups)s.", groups=", ".join(over)))
    if not under and not over:
        desc.append(_("No category is flagged."))
    rows = [BarRow(label=str(c.label), share=c.share, population_share=c.population_share,
                   ci_low=c.ci_low, ci_high=c.ci_high, suppressed=c.suppressed,
                   # only a verdict colours a bar: an unflagged cell is not thereby "in line"
                   flag=c.flag if c.flag in ("under", "over") else None)
            for c in categories]
    return paired_bar_chart(
        rows, title=title, desc=" ".join(desc),
        participant_label=participants_label or _("Participants"),
        population_label=_("Population"), interval_label=_("Interval (95%)"),
        suppressed_text=suppressed_text(k), chart_id=chart_id, flag_labels=flag_words())


def chi_square_text(chi) -> str:
    if chi.valid and chi.statistic is not None:
        stat = format(chi.statistic, ".2f")  # formatted apart: Babel extracts the call as is
        if chi.p_value is not None and chi.p_value < 0.001:
            return ngettext("χ² = %(stat)s with %(num)d degree of freedom; p < 0.001",
                            "χ² = %(stat)s with %(num)d degrees of freedom; p < 0.001",
                            chi.df, stat=stat)
        p_value = "–" if chi.p_value is None else format(chi.p_value, ".3f")
        return ngettext("χ² = %(stat)s with %(num)d degree of freedom; p = %(p)s",
                        "χ² = %(stat)s with %(num)d degrees of freedom; p = %(p)s",
                        chi.df, stat=stat, p=p_value)
    if chi.reason == "small_expected":
        return _("Expected counts too small for this test.")
    return labels.chi_square_reason_label(chi.reason) or "–"


def overall_test_text(report) -> str:
    """The test that gates the cell flags: chi-square where it is valid, otherwise the exact
    (or Monte-Carlo) p-value, so a small table gets a p-value instead of none."""
    method = getattr(report, "overall_method", None)
    if method is None or report.overall_p_value is None:
        return ""
    if report.overall_significant:
        text = _("The table as a whole differs from the reference, so groups are flagged where "
                 "their Holm-adjusted p-value is below 5%.")
    else:
        text = _("The table as a whole is not significantly different from the reference, so "
                 "no group is flagged.")
    if method == "chi_square":  # its p-value is the line above
        return text
    value = report.overall_p_value
    p_text = "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
    return _("%(method)s: %(p)s.", method=labels.overall_method_label(method),
             p=p_text) + " " + text


def dissimilarity_text(value: float | None, expected: float | None = None, *,
                       target: bool = False) -> str:
    if value is None:
        return "–"
    index, share = format(value, ".3f"), pct(value)
    if target:
        text = _("%(value)s: %(share)s of the people counted would have to be in another "
                 "category to match the targets.", value=index, share=share)
    else:
        text = _("%(value)s: %(share)s of the people counted would have to be in another "
                 "category to match the population.", value=index, share=share)
    if expected is not None:
        text += " " + _("With this number of participants, chance alone gives about "
                        "%(expected)s even when they are perfectly representative.",
                        expected=format(expected, ".3f"))
    return text


def rate_ratio_text(value: float | None) -> str:
    if value is None:
        return "–"
    ratio, share = format(value, ".2f"), pct(value, 0)
    return _("%(value)s: the least represented category takes part at %(share)s of the rate of "
             "the most represented.", value=ratio, share=share)


def report_section(report, *, chart_id: str, show_counts: bool = True,
                   participants_label: str | None = None, count_label: str | None = None) -> Section:
    """A dimension's section from services.build_report's Report (or a body's, which has the
    same shape). show_counts=False leaves out every count: the public page shows shares only."""
    title = labels.dimension_label(report.dimension)
    is_target = report.reference.kind == "target"
    count_label = count_label or _("Participants")
    if not report.available:
        return Section(report.dimension, title, False,
                       labels.unavailable_reason_label(report.unavailable_reason),
                       is_target=is_target, show_counts=show_counts, count_label=count_label)
    k = report.min_cell
    facts = []
    if report.module == "body":  # a body's own composition: every member is counted
        facts.append((count_label, fmt_int(report.participants)))
        if report.unreferenced:
            facts.append((_("Without a population figure (e.g. another gender)"),
                          fmt_int(report.unreferenced)))
    elif show_counts:
        facts += [
            (count_label, fmt_int(report.participants)),
            (_("With an answer that has a reference figure"),
             fmt_int(report.answered) if report.answered is not None else _("hidden")),
            (_("No answer or prefer not to say"),
             fmt_int(report.unknown) if report.unknown is not None else _("hidden")),
            (_("Not in the relationship population (not compared)")
             if report.dimension == "relationship_kind" else _("Answer without a reference figure"),
             fmt_int(report.unreferenced) if report.unreferenced is not None else _("hidden")),
        ]
        if report.dimension == "gender":
            facts.append((_("Left out: age unknown or below the minimum age"),
                          fmt_int(report.left_out) if report.left_out is not None
                          else _("hidden")))
    withheld = getattr(report, "withheld", None)
    facts.append((_("Goodness of fit (chi-square)"), chi_square_text(report.chi_square)))
    overall = overall_test_text(report)
    if overall and show_counts:
        facts.append((_("Overall test"), overall))
    if withheld in ("all_hidden", "no_participants"):
        facts.append((_("Dissimilarity index"), labels.withheld_label(withheld)))
    else:
        facts += [
            (_("Dissimilarity index"), dissimilarity_text(
                report.dissimilarity, getattr(report, "expected_dissimilarity", None),
                target=is_target)),
            (_("Participation rate ratio (lowest / highest)"),
             rate_ratio_text(report.rate_ratio_min_max)),
        ]
    if getattr(report, "merged", False) and withheld is None:
        facts.append((_("Hidden groups"), _("The overall figures are computed with the hidden "
                                             "groups merged into one.")))
    hidden_totals = report.module != "body" and show_counts and None in (
        report.answered, report.unknown, report.unreferenced)
    rows = table_rows(report.categories, k, show_population=not is_target, target=is_target)
    return Section(report.dimension, title, True, hidden_totals=hidden_totals, chart=bar_chart(
        report.categories, title=title, chart_id=chart_id, k=k,
        participants_label=participants_label),
        rows=rows, facts=facts, is_target=is_target, show_counts=show_counts,
        count_label=count_label, show_bounds=any(r.unknown_bounds != "–" for r in rows))


@dataclass
class HeadlineCard:
    key: str
    title: str
    available: bool
    suppressed: bool = False
    share: str = ""
    population_share: str = ""
    interval: str = ""
    flag: str | None = None
    flag_label: str = ""
    gap: str = ""
    n: str = ""
    estimated: bool = False
    no_data: bool = False  # nobody answered: nothing to compare yet
    unknown_bounds: str = ""
    left_out: str = ""


def headline_cards(figures: dict, k: int) -> list[HeadlineCard]:
    cards = []
    for key in ("youth", "women"):
        figure = figures.get(key)
        if key == "youth":
            band = ""
            if figure is not None:
                band = labels.age_band_label(f"{figure.low}-{figure.high}"
                                             if figure.high is not None else f"{figure.low}+")
            title = _("Young people (%(band)s)", band=band) if band else _("Young people")
        else:
            band, title = "", _("Women")
        if figure is None:
            cards.append(HeadlineCard(key, title, False))
            continue
        no_data = figure.n == 0 and not figure.suppressed
        left_out = ""
        if getattr(figure, "left_out", None):
            left_out = ngettext(
                "%(num)d participant of unknown age or below the minimum age is not counted.",
                "%(num)d participants of unknown age or below the minimum age are not counted.",
                figure.left_out)
        cards.append(HeadlineCard(
            key, title, True, suppressed=figure.share is None and not no_data,
            share=("–" if no_data else suppressed_text(k)) if figure.share is None
            else pct(figure.share),
            population_share=pct(figure.population_share),
            interval=fmt_interval(figure.ci_low, figure.ci_high),
            flag=figure.flag if figure.flag in ("under", "over") else None,
            flag_label=verdict_text(figure, target=False) if figure.share is not None else "",
            gap="" if no_data else gap_sentence(key, figure.parity_gap, band),
            n=fmt_int(figure.n), estimated=figure.estimated, no_data=no_data,
            unknown_bounds=fmt_interval(getattr(figure, "unknown_low", None),
                                        getattr(figure, "unknown_high", None))
            if getattr(figure, "unknown_low", None) is not None else "",
            left_out=left_out))
    return cards


def weekly_chart(points: Sequence, figures: dict, *, chart_id: str) -> Markup | None:
    """Cumulative youth and women shares per week, their population shares dashed."""
    if not points:
        return None
    youth, women = figures.get("youth"), figures.get("women")
    youth_title = _("Young people")
    lines = [
        Line(youth_title, [p.youth_share for p in points],
             reference=youth.population_share if youth else None,
             reference_label=_("Young people in the population"), colour=SERIES_COLOURS[0]),
        Line(_("Women"), [p.women_share for p in points],
             reference=women.population_share if women else None,
             reference_label=_("Women in the population"), colour=SERIES_COLOURS[1],
             marker="square"),
    ]
    first, last = points[0].week_start, points[-1].week_start
    desc = _("Cumulative share of young people and of women among participants, week by week "
             "from %(first)s to %(last)s; dashed lines show their shares of the population.",
             first=first.isoformat(), last=last.isoformat())
    return line_chart(lines, x_labels=[p.week_start.strftime("%m/%d") for p in points],
                      title=_("Participation over time"), desc=desc, chart_id=chart_id)
