"""One representation report and its outputs: `build_report` gives one dimension of the
protected page (app/representation/page.py, where the disclosure rules are written down), and
`report_as_dict` / `report_csv` turn a report into the API document and the CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.orm import Session

from app.representation.batches import WindowError
from app.representation.page import build_page
from app.representation.queries import ReportError, check_scope
from app.representation.reports import Report


def build_report(session: Session, space, dimension: str, *, module: str = "all",
                 since: date | None = None, until: date | None = None, min_cell: int = 5) -> Report:
    """Participants of `space` by `dimension` against the reference population (or targets):
    the whole batches of the window, protected together with everything the dashboard shows
    beside it (app/representation/page.py). Raises ReportError for a bad dimension, module or
    date range."""
    check_scope(dimension, module, since, until)
    try:
        page = build_page(session, space, module=module, since=since, until=until, k=min_cell,
                          dimensions=(dimension,))
    except WindowError as error:
        raise ReportError(str(error)) from None
    return page.reports[dimension]


# --- output -----------------------------------------------------------------------------------

CATEGORY_KEYS = ("key", "label", "count", "share", "population", "population_share", "ratio",
                 "ci_low", "ci_high", "flag", "parity_gap", "suppressed", "verdict", "p_value",
                 "p_adjusted", "interval_method", "unknown_low", "unknown_high", "estimated")


def report_as_dict(report: Report) -> dict:
    """The API document (exactly the keys the API promises; labels in the current locale)."""
    ref = report.reference
    return {
        "space": report.space_slug,
        "dimension": report.dimension,
        "module": report.module,
        "reference": {
            "area_codes": list(ref.area_codes),
            "source": ref.source,
            "reference_date": ref.reference_date.isoformat() if ref.reference_date else None,
            "base_min_age": ref.base_min_age,
            "kind": ref.api_kind,
            "estimated": bool(ref.estimated),
            "split_method": ref.split_method,
            "shape_areas": list(ref.shape_areas),
            "unknown_age_share": ref.unknown_age_share,
        },
        "participants": report.participants,
        "answered": report.answered,
        "unknown": report.unknown,
        "unreferenced": report.unreferenced,
        "min_cell": report.min_cell,
        "categories": [
            {"key": c.key, "label": str(c.label), "count": c.count, "share": c.share,
             "population": c.population, "population_share": c.population_share,
             "ratio": c.ratio, "ci_low": c.ci_low, "ci_high": c.ci_high, "flag": c.flag,
             "parity_gap": c.parity_gap, "suppressed": c.suppressed, "verdict": c.verdict,
             "p_value": c.p_value, "p_adjusted": c.p_adjusted,
             "interval_method": c.interval_method, "unknown_low": c.unknown_low,
             "unknown_high": c.unknown_high, "estimated": c.estimated}
            for c in report.categories
        ],
        # an invalid chi-square keeps its statistic but not its p-value: the approximation
        # does not hold, and overall_test gives the exact (or Monte-Carlo) p instead
        "chi_square": {"statistic": report.chi_square.statistic, "df": report.chi_square.df,
                       "p_value": report.chi_square.p_value if report.chi_square.valid else None,
                       "valid": report.chi_square.valid},
        "overall_test": {"method": report.overall_method, "p_value": report.overall_p_value,
                         "significant": report.overall_significant,
                         "adjustment": "holm" if report.overall_method else None},
        "merged_hidden": report.merged,
        "dissimilarity": report.dissimilarity,
        "expected_dissimilarity": report.expected_dissimilarity,
        "rate_ratio_min_max": report.rate_ratio_min_max,
        "withheld": report.withheld,
        "left_out": report.left_out,
    }


SUPPRESSED_MARK = "x"  # as official statistics mark 秘匿 cells: says nothing about the value


def _cell(value, suppressed: bool, k: int) -> str:
    if suppressed:
        return SUPPRESSED_MARK
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def report_csv(report: Report) -> str:
    """The report as CSV for spreadsheets: UTF-8 with a BOM (Excel in Japan needs it to read UTF-8),
    the category table first, then the overall figures as name,value lines. Hidden counts and
    shares read "x" (hidden because small, or to protect a small group: the mark does not say
    which, so it says nothing about the value)."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CATEGORY_KEYS)
    k = report.min_cell
    for c in report.categories:
        hidden = c.suppressed
        w.writerow([c.key, str(c.label), _cell(c.count, hidden, k), _cell(c.share, hidden, k),
                    _cell(c.population, False, k), _cell(c.population_share, False, k),
                    _cell(c.ratio, False, k), _cell(c.ci_low, False, k), _cell(c.ci_high, False, k),
                    c.flag or "", _cell(c.parity_gap, False, k), "1" if hidden else "0",
                    c.verdict or "", _cell(c.p_value, False, k), _cell(c.p_adjusted, False, k),
                    c.interval_method or "", _cell(c.unknown_low, False, k),
                    _cell(c.unknown_high, False, k),
                    "" if c.estimated is None else int(c.estimated)])
    w.writerow([])
    data = report_as_dict(report)
    ref = data["reference"]
    for name, value in (
        ("space", data["space"]), ("dimension", data["dimension"]), ("module", data["module"]),
        ("since", report.since.isoformat() if report.since else ""),
        ("until", report.until.isoformat() if report.until else ""),
        ("reference_kind", ref["kind"]), ("reference_source", ref["source"]),
        ("reference_date", ref["reference_date"]), ("area_codes", " ".join(ref["area_codes"])),
        ("base_min_age", ref["base_min_age"]), ("estimated", int(report.reference.estimated)),
        ("split_method", ref["split_method"]), ("shape_areas", " ".join(ref["shape_areas"])),
        ("unknown_age_share", ref["unknown_age_share"]),
        ("attribution", report.reference.attribution),
        ("participants", data["participants"]), ("answered", data["answered"]),
        ("unknown", data["unknown"]), ("unreferenced", data["unreferenced"]),
        ("min_cell", k), ("chi_square", data["chi_square"]["statistic"]),
        ("chi_square_df", data["chi_square"]["df"]),
        ("chi_square_p_value", data["chi_square"]["p_value"]),
        ("chi_square_valid", int(data["chi_square"]["valid"])),
        ("overall_test_method", data["overall_test"]["method"]),
        ("overall_test_p_value", data["overall_test"]["p_value"]),
        ("overall_test_significant", int(data["overall_test"]["significant"])),
        ("merged_hidden", int(data["merged_hidden"])),
        ("dissimilarity", data["dissimilarity"]),
        ("expected_dissimilarity", data["expected_dissimilarity"]),
        ("rate_ratio_min_max", data["rate_ratio_min_max"]), ("withheld", data["withheld"]),
        ("left_out", data["left_out"]),
    ):
        w.writerow([name, _cell(value, False, k)])
    return out.getvalue()
