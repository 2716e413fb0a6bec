"""Representation reports: participants of a space against its reference population.

Counts come from one GROUP BY over the participation ledger (age bands as a SQL CASE), never from
ledger rows loaded into Python; the figures come from the pure stats module. Small cells are
suppressed here, so every caller (dashboard, public page, API, CSV) gets the same protection:
  * primary: a category with 0 < count < k; secondary: stats.suppressed_cells / suppressed_table
    so no line has a lone hidden cell that the total would reveal;
  * a lone hidden cell with no non-zero partner can only be protected by hiding the total: then
    `answered`, `unknown`, `unreferenced` and every share/interval (which would reveal n) go too;
  * `unknown` and `unreferenced` (e.g. another gender, below the minimum age) are hidden together
    when either is 0 < x < k, so only their sum (participants - answered) can be derived;
  * overall statistics are computed with the hidden cells merged into one, so they reveal nothing
    beyond the hidden cells' sum.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.accounts.models import RESIDENCY_TYPES, SECTORS
from app.representation import stats
from app.representation.figures import CategoryLabel, CategoryRow, HeadlineFigure, Report, WeekPoint
from app.representation.indicators import headline, weekly_series
from app.representation.population import TARGET_DIMENSIONS, Target
from app.representation.queries import (BELOW, DIMENSIONS, GENDERS, MODULE_FILTERS, UNKNOWN,
                                        ReportError, band_expression, check_scope,
                                        counts_statement, scope_filters)
from app.representation.reference import (AgeBand, Reference, age_bands, reference_for,
                                          target_reference, youth_band)

# The interface other modules use; the types and indicators live in their own modules.
__all__ = [
    "BELOW", "DIMENSIONS", "GENDERS", "MODULE_FILTERS", "UNKNOWN", "AgeBand", "CategoryLabel",
    "CategoryRow", "HeadlineFigure", "Reference", "Report", "ReportError", "TargetError",
    "WeekPoint", "age_bands", "band_expression", "build_report", "counts_statement", "get_targets",
    "headline", "reference_for", "report_as_dict", "report_csv", "scope_filters", "set_targets",
    "weekly_series", "youth_band",
]

TARGET_CATEGORIES = {"residency": RESIDENCY_TYPES, "sector": SECTORS}
HIDDEN = "~hidden"  # the merged suppressed cells in the overall statistics


class TargetError(ValueError):
    """Targets could not be set. `message` is an English msgid (translate with `params`)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _tally(dimension: str, rows, keys: list[str]) -> tuple[dict[str, int], int, int, int]:
    """(counts per reference key, participants, unknown, unreferenced) from the GROUP BY rows."""
    counts = dict.fromkeys(keys, 0)
    total = unknown = unreferenced = 0
    for *group, n in rows:
        n = int(n)  # a SUM comes back as Decimal on PostgreSQL
        total += n
        if dimension == "age_band_x_gender":
            band, gender = group
            if band == UNKNOWN or gender in (None, "no_answer"):
                unknown += n
                continue
            key = f"{band}|{gender}"
        else:
            key = group[0]
            if key in (None, UNKNOWN) or (dimension == "gender" and key == "no_answer"):
                unknown += n
                continue
        if key in counts:
            counts[key] += n
        else:
            unreferenced += n
    return counts, total, unknown, unreferenced


def _population(dimension: str, space, reference: Reference, targets: dict[str, float]) -> dict[str, float]:
    if dimension in TARGET_DIMENSIONS:
        return dict(targets)
    bands = age_bands(space)
    if dimension == "age_band":
        return {b.key: reference.population(b.low, b.high) for b in bands}
    if dimension == "gender":
        return {g: reference.population(space.min_age, None, g) for g in GENDERS}
    return {f"{b.key}|{g}": reference.population(b.low, b.high, g) for b in bands for g in GENDERS}


def _hidden_cells(dimension: str, counts: dict[str, int], k: int) -> set[str]:
    if dimension != "age_band_x_gender":
        return stats.suppressed_cells(counts, k)
    cells = {tuple(key.split("|")): c for key, c in counts.items()}
    return {"|".join(cell) for cell in stats.suppressed_table(cells, k)}


def _unavailable(space, dimension, module, reference, rows, k, reason, since, until) -> Report:
    total = sum(int(row[-1]) for row in rows)
    return Report(space.slug, dimension, module, reference, total, None, None, None, k, [],
                  stats.ChiSquare(None, 0, None, False, "unavailable"), None, None,
                  False, reason, since, until)


def build_report(session: Session, space, dimension: str, *, module: str = "all",
                 since: date | None = None, until: date | None = None, min_cell: int = 5) -> Report:
    """Participants of `space` by `dimension` against the reference population (or targets),
    with cells below `min_cell` suppressed. Raises ReportError for a bad dimension/module/range."""
    check_scope(dimension, module, since, until)
    k = max(1, int(min_cell))
    rows = session.execute(counts_statement(space, dimension, module=module,
                                            since=since, until=until)).all()
    targets: dict[str, float] = {}
    if dimension in TARGET_DIMENSIONS:
        reference = target_reference(session, space)
        targets = get_targets(session, space, dimension)
        if not targets:
            return _unavailable(space, dimension, module, reference, rows, k, "no_targets", since, until)
    else:
        reference = reference_for(session, space)
        if not reference.available:
            return _unavailable(space, dimension, module, reference, rows, k, "no_reference", since, until)
    population = _population(dimension, space, reference, targets)
    if sum(population.values()) <= 0:
        return _unavailable(space, dimension, module, reference, rows, k, "no_population", since, until)
    counts, total, unknown, unreferenced = _tally(dimension, rows, list(population))
    comparison = stats.compare(counts, population, unknown=unknown, unreferenced=unreferenced)
    hidden = _hidden_cells(dimension, counts, k)
    lone = len(hidden) == 1  # no partner: n itself would reveal it
    answered = comparison.answered
    chi, dissimilarity, rate_ratio = (comparison.chi_square, comparison.dissimilarity,
                                      comparison.rate_ratio_min_max)
    if lone:
        answered = unknown = unreferenced = None
        chi = stats.ChiSquare(None, 0, None, False, "suppressed")
        dissimilarity = rate_ratio = None
    elif hidden:
        merged_counts = {key: c for key, c in counts.items() if key not in hidden}
        merged_pop = {key: p for key, p in population.items() if key not in hidden}
        merged_counts[HIDDEN] = sum(counts[key] for key in hidden)
        merged_pop[HIDDEN] = sum(population[key] for key in hidden)
        merged = stats.compare(merged_counts, merged_pop)
        chi, dissimilarity, rate_ratio = (merged.chi_square, merged.dissimilarity,
                                          merged.rate_ratio_min_max)
    if not lone and (0 < unknown < k or 0 < unreferenced < k):
        unknown = unreferenced = None
    categories = [_row(dimension, cat, cat.key in hidden, lone, targets) for cat in comparison.categories]
    return Report(space.slug, dimension, module, reference, total, answered, unknown, unreferenced,
                  k, categories, chi, dissimilarity, rate_ratio, True, None, since, until)


def _row(dimension: str, cat: stats.CategoryStat, hidden: bool, lone: bool,
         targets: dict) -> CategoryRow:
    row_key = col_key = None
    if dimension == "age_band_x_gender":
        row_key, col_key = cat.key.split("|")
    population = None if targets else cat.population
    label = CategoryLabel(dimension, cat.key)
    if hidden or lone:
        return CategoryRow(cat.key, label, None if hidden else cat.count, None, population,
                           cat.population_share, None, None, None, None, None, hidden,
                           row_key, col_key)
    flag = cat.flag if cat.share is not None else None  # no participants: nothing to flag
    return CategoryRow(cat.key, label, cat.count, cat.share, population, cat.population_share,
                       cat.ratio, cat.ci_low, cat.ci_high, flag, cat.parity_gap, False,
                       row_key, col_key)


# --- targets ----------------------------------------------------------------------------------

def get_targets(session: Session, space, dimension: str) -> dict[str, float]:
    """Target shares of `dimension` ('residency' | 'sector'), in the categories' canonical order."""
    if dimension not in TARGET_DIMENSIONS:
        raise TargetError("Targets can be set for residency type and sector only.")
    rows = dict(session.execute(select(Target.category, Target.share)
                                .where(Target.space_id == space.id, Target.dimension == dimension)).all())
    return {c: rows[c] for c in TARGET_CATEGORIES[dimension] if c in rows}


def set_targets(session: Session, space, dimension: str, shares: Mapping[str, float]) -> None:
    """Replace the target shares of `dimension`. Shares are fractions (0..1) adding up to at most 1;
    an empty mapping removes the targets. Only flushes."""
    if dimension not in TARGET_DIMENSIONS:
        raise TargetError("Targets can be set for residency type and sector only.")
    allowed = TARGET_CATEGORIES[dimension]
    unknown = sorted(set(shares) - set(allowed))
    if unknown:
        raise TargetError("Unknown categories: %(categories)s.", categories=", ".join(unknown))
    clean = {}
    for category, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise TargetError("Each target share must be between 0% and 100%.")
        clean[category] = float(share)
    total = sum(clean.values())
    if clean and total <= 0:
        raise TargetError("At least one target share must be above 0%.")
    if total > 1 + 1e-9:
        raise TargetError("Target shares add up to %(total)s%%; they may not exceed 100%%.",
                          total=round(total * 100, 1))
    session.execute(delete(Target).where(Target.space_id == space.id, Target.dimension == dimension))
    if clean:
        session.execute(insert(Target), [
            {"space_id": space.id, "dimension": dimension, "category": c, "share": s}
            for c, s in clean.items()])
    session.flush()


# --- output -----------------------------------------------------------------------------------

CATEGORY_KEYS = ("key", "label", "count", "share", "population", "population_share", "ratio",
                 "ci_low", "ci_high", "flag", "parity_gap", "suppressed")


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
             "parity_gap": c.parity_gap, "suppressed": c.suppressed}
            for c in report.categories
        ],
        "chi_square": {"statistic": report.chi_square.statistic, "df": report.chi_square.df,
                       "p_value": report.chi_square.p_value, "valid": report.chi_square.valid},
        "dissimilarity": report.dissimilarity,
        "rate_ratio_min_max": report.rate_ratio_min_max,
    }


def _cell(value, suppressed: bool, k: int) -> str:
    if suppressed:
        return f"<{k}"
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def report_csv(report: Report) -> str:
    """The report as CSV for spreadsheets: UTF-8 with a BOM (Excel in Japan needs it to read UTF-8),
    the category table first, then the overall figures as name,value lines. Suppressed counts and
    shares read "<k"."""
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
                    c.flag or "", _cell(c.parity_gap, False, k), "1" if hidden else "0"])
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
        ("attribution", report.reference.attribution),
        ("participants", data["participants"]), ("answered", data["answered"]),
        ("unknown", data["unknown"]), ("unreferenced", data["unreferenced"]),
        ("min_cell", k), ("chi_square", data["chi_square"]["statistic"]),
        ("chi_square_df", data["chi_square"]["df"]),
        ("chi_square_p_value", data["chi_square"]["p_value"]),
        ("chi_square_valid", int(data["chi_square"]["valid"])),
        ("dissimilarity", data["dissimilarity"]), ("rate_ratio_min_max", data["rate_ratio_min_max"]),
    ):
        w.writerow([name, _cell(value, False, k)])
    return out.getvalue()
