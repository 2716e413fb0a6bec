"""Representation reports: figures recomputed independently from the rows each test inserts,
suppression for every dimension and module filter, filters, headline, weekly series, targets."""
from __future__ import annotations

from flask_babel import force_locale

import math
import random
import re
from datetime import date, datetime, timedelta

import pytest
from scipy.stats import beta, binom, chi2
from sqlalchemy import select

from app.areas.models import Area
from app.representation import services
from app.representation import page as page_module
from app.representation.page import build_page
from app.representation.population import load_shipped_population
from app.representation.indicators import headline, weekly_series
from app.representation.queries import DIMENSIONS, MODULE_FILTERS, ReportError
from app.representation.targets import TargetError, get_targets, set_targets
from tests.representation.disclosure_checks import (page_small_groups, report_ranges,
                                                    same_window_truth)
from tests.statements import recorded
from tests.representation.ledger_rows import MODULE_FLAGS, add_rows, random_rows, sapporo, shipped_rows  # noqa: F401 (fixture)

Z = 1.959963984540054
BANDS = [("18-29", 18, 29), ("30-39", 30, 39), ("40-49", 40, 49), ("50-59", 50, 59),
         ("60-69", 60, 69), ("70-79", 70, 79), ("80+", 80, None)]


# --- independent arithmetic -----------------------------------------------------------------

def wilson(c: int, n: int) -> tuple[float, float]:
    p = c / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z / denom * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def interval(c: int, n: int) -> tuple[float, float]:
    """Wilson, or Clopper-Pearson (beta quantiles) for cells or complements under 10."""
    if min(c, n - c) >= 10:
        return wilson(c, n)
    a = 0.05
    return (0.0 if c == 0 else beta.ppf(a / 2, c, n - c + 1),
            1.0 if c == n else beta.isf(a / 2, c + 1, n - c))


def holm_flags(counts: dict[str, int], shares: dict[str, float], gate: bool) -> dict[str, str]:
    """under/over where the table's test rejects and the Holm-adjusted exact binomial p < 5%."""
    n = sum(counts.values())
    p = {k: min(1.0, 2 * min(binom.cdf(c, n, shares[k]), binom.sf(c - 1, n, shares[k])))
         for k, c in counts.items()}
    order = sorted(p, key=p.get)
    adjusted, running = {}, 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (len(order) - i) * p[k]))
        adjusted[k] = running
    return {k: ("under" if counts[k] / n < shares[k] else "over")
            if gate and adjusted[k] < 0.05 else "ok" for k in counts}


def gap(c: int, n: int, pi: float) -> int:
    return max(0, math.ceil((pi * n - c) / (1 - pi) - 1e-9))


def census_population() -> dict[tuple[str, int | None], int]:
    """{(sex, age or None for unknown): count} for Sapporo from the shipped CSV; 110+ as 110."""
    out = {}
    for sex, cells in shipped_rows("census2020.csv", "01100").items():
        for label, count in cells.items():
            out[(sex, None if label == "unknown" else int(label.rstrip("+")))] = count
    return out


def pop_between(pop, low, high, sex=None) -> int:
    return sum(c for (s, age), c in pop.items()
               if age is not None and age >= low and (high is None or age <= high)
               and (sex is None or s == sex))


def check_figures(report, counts: dict[str, int], population: dict[str, float]) -> None:
    n = sum(counts.values())
    total_pop = sum(population.values())
    assert report.answered == n
    assert [c.key for c in report.categories] == list(population)
    expected_chi = 0.0
    for row in report.categories:
        c, pi = counts[row.key], population[row.key] / total_pop
        lo, hi = interval(c, n)
        assert row.count == c and not row.suppressed
        assert row.population == pytest.approx(population[row.key])
        assert row.population_share == pytest.approx(pi)
        assert row.share == pytest.approx(c / n)
        assert row.ratio == pytest.approx((c / n) / pi)
        assert (row.ci_low, row.ci_high) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
        assert row.parity_gap == gap(c, n, pi)
        expected_chi += (c - n * pi) ** 2 / (n * pi)
    df = len(population) - 1
    assert report.chi_square.df == df
    assert report.chi_square.statistic == pytest.approx(expected_chi)
    assert report.chi_square.p_value == pytest.approx(chi2.sf(expected_chi, df))
    assert report.chi_square.valid == all(n * p / total_pop >= 5 for p in population.values())
    flags = holm_flags(counts, {k: v / total_pop for k, v in population.items()},
                       chi2.sf(expected_chi, df) < 0.05)
    assert {row.key: row.flag for row in report.categories} == flags
    assert report.dissimilarity == pytest.approx(
        0.5 * sum(abs(counts[k] / n - population[k] / total_pop) for k in population))
    rates = [counts[k] / population[k] for k in population]
    assert report.rate_ratio_min_max == pytest.approx(min(rates) / max(rates))


# --- fixtures ---------------------------------------------------------------------------------

# --- figures recomputed -------------------------------------------------------------------------

def test_gender_report_matches_independent_computation(db, sapporo):
    rng = random.Random(7)
    rows = random_rows(rng, 400)
    add_rows(db.session, sapporo, rows)
    report = services.build_report(db.session, sapporo, "gender", min_cell=1)
    eligible = [r for r in rows if r["age"] is not None and r["age"] >= 18]  # issue #12
    counts = {g: sum(1 for r in eligible if r["gender"] == g) for g in ("female", "male")}
    pop = census_population()
    check_figures(report, counts, {"female": pop_between(pop, 18, None, "female"),
                                   "male": pop_between(pop, 18, None, "male")})
    assert report.categories[0].population == 911_870
    assert report.participants == 400
    assert report.unknown == sum(1 for r in eligible if r["gender"] in (None, "no_answer"))
    assert report.unreferenced == sum(1 for r in eligible if r["gender"] == "other")
    assert report.left_out == 400 - len(eligible)
    assert report.available and report.reference.kind == "census"


@pytest.mark.parametrize("module", ["all", "forum", "proposal_supporters"])
def test_age_band_report_matches_independent_computation(db, sapporo, module):
    rows = random_rows(random.Random(11), 500)
    add_rows(db.session, sapporo, rows)
    report = services.build_report(db.session, sapporo, "age_band", module=module, min_cell=1)
    chosen = [r for r in rows if module == "all" or r[module]]
    counts = {key: sum(1 for r in chosen if r["age"] is not None and lo <= r["age"]
                       and (hi is None or r["age"] <= hi)) for key, lo, hi in BANDS}
    pop = census_population()
    check_figures(report, counts, {key: pop_between(pop, lo, hi) for key, lo, hi in BANDS})
    assert sum(c.population for c in report.categories) == 1_679_929
    assert report.participants == len(chosen)
    assert report.unknown == sum(1 for r in chosen if r["age"] is None)
    assert report.unreferenced == sum(1 for r in chosen if r["age"] is not None and r["age"] < 18)


def test_age_band_x_gender_report_matches_independent_computation(db, sapporo):
    rows = random_rows(random.Random(5), 600)
    add_rows(db.session, sapporo, rows)
    report = services.build_report(db.session, sapporo, "age_band_x_gender", min_cell=1)
    pop = census_population()
    counts, population = {}, {}
    for key, lo, hi in BANDS:
        for g in ("female", "male"):
            counts[f"{key}|{g}"] = sum(1 for r in rows if r["gender"] == g and r["age"] is not None
                                       and lo <= r["age"] and (hi is None or r["age"] <= hi))
            population[f"{key}|{g}"] = pop_between(pop, lo, hi, g)
    check_figures(report, counts, population)
    unknown = sum(1 for r in rows if r["age"] is None or r["gender"] in (None, "no_answer"))
    assert report.unknown == unknown
    assert report.unreferenced == len(rows) - unknown - sum(counts.values())
    assert (report.categories[1].row_key, report.categories[1].col_key) == ("18-29", "male")


def test_register_reference_report_is_marked_estimated(app, db, make):
    load_shipped_population(db.session, area_codes={"01304"})
    db.session.commit()
    space = make.space(area=db.session.scalar(select(Area).where(Area.code == "01304")))
    add_rows(db.session, space, [{"age": 18 + i, "gender": "female"} for i in range(30)])
    report = services.build_report(db.session, space, "age_band", min_cell=1)
    assert report.reference.kind == "register" and report.reference.estimated
    with app.test_request_context():  # labels are translated for a request's locale
        assert services.report_as_dict(report)["reference"]["kind"] == "register"
    band = shipped_rows("register2022.csv", "01304")
    expected = sum(2 / 5 * band[s]["15-19"] + band[s]["20-24"] + band[s]["25-29"] for s in band)
    assert report.categories[0].population == pytest.approx(expected)


def test_report_counts_come_from_one_group_by(db, sapporo):
    """No ledger row leaves the database: every statement over the ledger is an aggregate, and
    a dimension's counts come from one statement of GROUP BYs over the window's rows after
    their chunks' tallies (app/representation/tallies)."""
    add_rows(db.session, sapporo, random_rows(random.Random(1), 50))
    grouped_by = {"age_band": "age", "gender": "gender", "residency": "residency",
                  "sector": "sector", "age_band_x_gender": "gender",
                  "relationship_kind": "tie_kind", "furusato": "furusato_tier"}
    with recorded() as statements:
        for dimension in DIMENSIONS:
            set_targets(db.session, sapporo, "residency", {"resident": 1.0})
            set_targets(db.session, sapporo, "sector", {"none": 1.0})
            set_targets(db.session, sapporo, "relationship_kind", {"family": 1.0})
            set_targets(db.session, sapporo, "furusato", {"none": 0.5, "basic": 0.5})
            statements.clear()
            services.build_report(db.session, sapporo, dimension, module="forum")
            ledger = [s for s in statements if "FROM participations" in s]
            assert ledger and len(ledger) <= 6, dimension  # a fixed handful, whatever the data
            for statement in ledger:
                top = statement.split("FROM", 1)[0]
                assert any(f in top for f in ("count(", "min(", "sum(")), statement
            counts = [s for s in ledger if re.search(
                rf"GROUP BY [^()]*\be\d+\.{grouped_by[dimension]}\b", s)]
            assert len(counts) == 1, dimension


# --- suppression ------------------------------------------------------------------------------

def _check_suppression(report, truth, k: int) -> None:
    """`truth`: the same people's report with nothing hidden (k = 1)."""
    assert (report.participants, report.min_cell) == (truth.participants, k)
    assert report.participants % k == 0  # whole batches only
    true_counts = {c.key: c.count for c in truth.categories}
    for row in report.categories:
        if row.suppressed:
            assert (row.count, row.share, row.ratio, row.ci_low, row.ci_high, row.flag,
                    row.parity_gap) == (None,) * 7
        else:
            assert row.count == true_counts[row.key]
            assert not 0 < row.count < k
            if report.answered is None:  # a share would reveal the hidden total
                assert (row.share, row.ratio, row.ci_low, row.ci_high, row.flag,
                        row.parity_gap) == (None,) * 6
        if 0 < true_counts[row.key] < k:
            assert row.suppressed
    for name in ("answered", "unknown", "unreferenced", "left_out"):
        value, true = getattr(report, name), getattr(truth, name)
        assert value is None or value == true
        if true is not None and 0 < true < k:
            assert value is None
    if report.answered is None:
        assert report.chi_square.statistic is None and report.dissimilarity is None
    # The rule that replaced "a lone hidden cell hides the total": no hidden small group can be
    # narrowed below k values from the figures printed beside it.
    truth_totals = {"answered": truth.answered, "unknown": truth.unknown,
                    "unreferenced": truth.unreferenced, "left_out": truth.left_out}
    for key, (low, high) in report_ranges(report).items():
        true = true_counts.get(key, truth_totals.get(key))
        assert low <= true <= high, (key, true, low, high)
        if 0 < true < k:
            assert high - low >= k - 1, (report.dimension, key, true, low, high)


@pytest.mark.parametrize("k", [5, 10])
def test_suppression_holds_for_every_dimension_and_module(db, make, sapporo, k):
    rng = random.Random(k)
    spaces = []
    for size in (3, 9, 14, 25, 40, 80):
        space = make.space(area=sapporo.area)
        add_rows(db.session, space, random_rows(rng, size))
        set_targets(db.session, space, "residency", {"resident": 0.7, "relationship": 0.2,
                                                              "commuter": 0.1})
        set_targets(db.session, space, "sector", {"industry": 0.3, "government": 0.2,
                                                           "academia": 0.2, "none": 0.3})
        set_targets(db.session, space, "relationship_kind", {"family": 0.4, "visits": 0.3,
                                                             "works_or_studies": 0.3})
        set_targets(db.session, space, "furusato", {"none": 0.6, "basic": 0.3, "premium": 0.1})
        spaces.append(space)
    db.session.commit()
    seen_hidden = small_groups = 0
    for space in spaces:
        for module in MODULE_FILTERS:
            page = build_page(db.session, space, module=module, k=k)
            truth = same_window_truth(db.session, space, page)
            for dimension in DIMENSIONS:
                report = page.reports[dimension]
                assert report == services.build_report(db.session, space, dimension,
                                                       module=module, min_cell=k)
                _check_suppression(report, truth.reports[dimension], k)
                seen_hidden += sum(r.suppressed for r in report.categories)
            # Across the tables and cards of one page: no sum or difference of what it prints
            # narrows a small group (a cell, a total, 'not young', a finest age x gender group).
            for key, (true, low, high) in page_small_groups(db.session, space, page, k).items():
                assert low <= true <= high and high - low >= k - 1, (key, true, low, high)
                small_groups += 1
    assert seen_hidden > 50 and small_groups > 50  # the data did exercise suppression


def test_a_lone_small_cell_stays_wide_without_hiding_every_total(db, sapporo):
    # 3 women, 2 of another gender and 20 adults without an answer: 25, five whole batches
    # of 5 (gender counts people of a known eligible age only, issue #12).
    add_rows(db.session, sapporo, [{"age": 30, "gender": "female"}] * 3
             + [{"age": 31, "gender": "other"}] * 2 + [{"age": 50, "gender": None}] * 20)
    page = build_page(db.session, sapporo, k=5)
    report = page.reports["gender"]
    female, male = report.categories
    assert female.suppressed and female.count is None and female.share is None
    assert report.participants == 25 and report.unknown == 20  # large totals stay shown
    assert report.left_out == 0
    assert report.unreferenced is None  # 2 of another gender: small itself
    # Whatever stays shown, the 3 women could be anything from 0 to 5 (at least k values).
    ranges = report_ranges(report)
    low, high = ranges["female"]
    assert low <= 3 <= high and high - low >= 4
    for key, (true, low, high) in page_small_groups(db.session, sapporo, page, 5).items():
        assert high - low >= 4, (key, true, low, high)
    # Four more men make 29, still five batches: nothing changes until a batch closes.
    add_rows(db.session, sapporo, [{"age": 40, "gender": "male"}] * 4)
    assert services.build_report(db.session, sapporo, "gender", min_cell=5) == report
    add_rows(db.session, sapporo, [{"age": 40, "gender": "male"}] * 1)
    report = services.build_report(db.session, sapporo, "gender", min_cell=5)
    assert report.participants == 30 and report.categories[0].suppressed
    # 5 men shown beside the 8 who answered would give the 3 women away: one of them goes.
    assert report.categories[1].suppressed or report.answered is None
    low, high = report_ranges(report)["female"]
    assert high - low >= 4


def test_secondary_suppression_merges_hidden_cells_for_overall_statistics(db, sapporo):
    ages = [25] * 3 + [35] * 27 + [45] * 30 + [55] * 25 + [65] * 22 + [75] * 12 + [85] * 11
    add_rows(db.session, sapporo, [{"age": a, "gender": "female"} for a in ages])
    report = services.build_report(db.session, sapporo, "age_band", min_cell=10)
    assert report.participants == report.answered == 130
    hidden = [c.key for c in report.categories if c.suppressed]
    assert "18-29" in hidden and len(hidden) >= 2  # 3 (primary), and at least one complement
    assert report_ranges(report)["18-29"][1] - report_ranges(report)["18-29"][0] >= 9
    pop = census_population()
    counts = {c.key: c.count for c in report.categories if not c.suppressed}
    population = {key: pop_between(pop, lo, hi) for key, lo, hi in BANDS if key not in hidden}
    counts["hidden"] = report.answered - sum(counts.values())
    population["hidden"] = sum(pop_between(pop, lo, hi) for key, lo, hi in BANDS if key in hidden)
    assert counts["hidden"] == sum(1 for a in ages for key, lo, hi in BANDS
                                   if key in hidden and lo <= a and (hi is None or a <= hi))
    total = sum(population.values())
    n = sum(counts.values())
    expected = sum((counts[k] - n * population[k] / total) ** 2 / (n * population[k] / total)
                   for k in counts)
    assert report.chi_square.statistic == pytest.approx(expected)
    assert report.chi_square.df == len(counts) - 1


# --- filters ------------------------------------------------------------------------------------

def test_module_filter_separates_supporters_from_authors(db, sapporo):
    add_rows(db.session, sapporo, [{"age": 30, "gender": "female", "proposals": True}] * 10
             + [{"age": 70, "gender": "male", "proposal_supporters": True}] * 5
             + [{"age": 50, "gender": "male", "proposals": True, "proposal_supporters": True}] * 5)
    authors = services.build_report(db.session, sapporo, "gender", module="proposals", min_cell=5)
    supporters = services.build_report(db.session, sapporo, "gender", module="proposal_supporters", min_cell=5)
    everyone = services.build_report(db.session, sapporo, "gender", module="all", min_cell=5)
    forum = services.build_report(db.session, sapporo, "gender", module="forum", min_cell=5)
    assert [c.count for c in authors.categories] == [10, 5]
    assert [c.count for c in supporters.categories] == [0, 10]
    assert [c.count for c in everyone.categories] == [10, 10]
    assert forum.participants == 0 and [c.count for c in forum.categories] == [0, 0]
    assert all(c.share is None and c.flag is None for c in forum.categories)


def test_date_filter_uses_japan_days_inclusive(db, sapporo):
    # 2026-06-01 00:00 JST is 2026-05-31 15:00 UTC. Groups are whole batches of 5, so every
    # day boundary below is also a batch cut and the window is exactly the days asked.
    add_rows(db.session, sapporo, [{"age": 40, "gender": "female", "first_at": datetime(2026, 5, 31, 14, 59)}] * 5
             + [{"age": 40, "gender": "female", "first_at": datetime(2026, 5, 31, 15, 0)}] * 5
             + [{"age": 40, "gender": "male", "first_at": datetime(2026, 6, 30, 14, 59)}] * 10
             + [{"age": 40, "gender": "male", "first_at": datetime(2026, 6, 30, 15, 0)}] * 5)
    june = services.build_report(db.session, sapporo, "gender", since=date(2026, 6, 1),
                                 until=date(2026, 6, 30), min_cell=5)
    assert [c.count for c in june.categories] == [5, 10] and june.participants == 15
    assert (june.since, june.until) == (date(2026, 6, 1), date(2026, 6, 30))
    assert services.build_report(db.session, sapporo, "gender", until=date(2026, 5, 31)).participants == 5
    assert services.build_report(db.session, sapporo, "gender", since=date(2026, 7, 1)).participants == 5


@pytest.mark.parametrize("kwargs", [{"dimension": "age"}, {"dimension": "gender", "module": "panelists"},
                                    {"dimension": "gender", "since": date(2026, 2, 1), "until": date(2026, 1, 1)}])
def test_bad_parameters_are_refused(db, sapporo, kwargs):
    with pytest.raises(ReportError):
        services.build_report(db.session, sapporo, **kwargs)


def test_unknown_and_unreferenced_are_classified(db, sapporo):
    add_rows(db.session, sapporo, [{"age": 16, "gender": "other"}] * 5 + [{"age": None, "gender": "no_answer"}] * 5
             + [{"age": 20, "gender": None}] * 10 + [{"age": 30, "gender": "female"}] * 5)
    age = services.build_report(db.session, sapporo, "age_band")
    assert (age.participants, age.answered, age.unknown, age.unreferenced) == (25, 15, 5, 5)
    gender = services.build_report(db.session, sapporo, "gender")
    # issue #12: gender counts the 15 of a known eligible age; the 16-year-olds and the 5 of
    # unknown age are left out of it, whatever they answered
    assert (gender.answered, gender.unknown, gender.unreferenced, gender.left_out) == (5, 10, 0, 10)
    both = services.build_report(db.session, sapporo, "age_band_x_gender")
    assert (both.answered, both.unknown, both.unreferenced) == (5, 15, 5)


def test_space_without_population_figures_is_unavailable(app, db, make):
    space = make.space(area=make.area(code="99999", name_ja="架空町"))
    add_rows(db.session, space, [{"age": 30, "gender": "female"}] * 12)
    report = services.build_report(db.session, space, "gender")
    assert not report.available and report.unavailable_reason == "no_reference"
    assert report.participants == 10 and report.categories == [] and report.answered is None
    with app.test_request_context():
        data = services.report_as_dict(report)
    assert data["reference"]["source"] is None and data["categories"] == []
    assert headline(db.session, space)["youth"] is None


# --- targets ----------------------------------------------------------------------------------

def test_targets_drive_residency_and_sector_reports(app, db, sapporo):
    assert services.build_report(db.session, sapporo, "residency").unavailable_reason == "no_targets"
    set_targets(db.session, sapporo, "residency", {"relationship": 0.25, "resident": 0.75})
    db.session.commit()
    assert get_targets(db.session, sapporo, "residency") == {"resident": 0.75, "relationship": 0.25}
    add_rows(db.session, sapporo, [{"residency": "resident"}] * 30 + [{"residency": "relationship"}] * 10
             + [{"residency": "commuter"}] * 5 + [{"residency": None}] * 5)
    report = services.build_report(db.session, sapporo, "residency", min_cell=5)
    assert report.reference.kind == "target"
    with app.test_request_context():
        assert services.report_as_dict(report)["reference"]["kind"] == "target"
    rows = {c.key: c for c in report.categories}
    assert rows["resident"].population is None
    assert rows["resident"].population_share == pytest.approx(0.75)
    assert rows["relationship"].share == pytest.approx(10 / 40)
    lo, hi = wilson(10, 40)
    assert rows["relationship"].ci_low == pytest.approx(lo)
    assert (report.answered, report.unknown, report.unreferenced) == (40, 5, 5)
    set_targets(db.session, sapporo, "residency", {})
    assert get_targets(db.session, sapporo, "residency") == {}


@pytest.mark.parametrize("dimension,shares,message", [
    ("gender", {"female": 0.5}, "cannot be set for this dimension"),
    ("sector", {"astrology": 0.5}, "Unknown categories: astrology"),
    ("sector", {"media": 1.5}, "between 0% and 100%"),
    ("sector", {"media": "half"}, "between 0% and 100%"),
    ("sector", {"media": 0.0}, "above 0%"),
    ("sector", {"media": 0.6, "finance": 0.6}, "add up to 120.0%"),
])
def test_bad_targets_are_refused(db, sapporo, dimension, shares, message):
    with pytest.raises(TargetError, match=message):
        set_targets(db.session, sapporo, dimension, shares)


# --- headline and weekly series ---------------------------------------------------------------

def test_headline_youth_and_women(db, sapporo):
    rows = random_rows(random.Random(3), 300)
    add_rows(db.session, sapporo, rows)
    result = headline(db.session, sapporo, min_cell=5)
    assert not result["youth"].suppressed and not result["women"].suppressed
    pop = census_population()
    youth = result["youth"]
    eligible = [r for r in rows if r["age"] is not None and r["age"] >= 18]
    c = sum(1 for r in eligible if r["age"] <= 39)
    pi = 460_979 / 1_679_929
    assert (youth.count, youth.n, youth.low, youth.high) == (c, len(eligible), 18, 39)
    assert youth.population == 460_979 and youth.population_share == pytest.approx(pi)
    assert (youth.ci_low, youth.ci_high) == tuple(pytest.approx(v) for v in interval(c, len(eligible)))
    assert youth.parity_gap == gap(c, len(eligible), pi)
    women = result["women"]
    gendered = [r for r in eligible if r["gender"] in ("female", "male")]  # issue #12
    w = sum(1 for r in gendered if r["gender"] == "female")
    pi_w = pop_between(pop, 18, None, "female") / 1_679_929
    assert (women.count, women.n) == (w, len(gendered))
    assert women.population_share == pytest.approx(pi_w)
    lo, hi = wilson(w, len(gendered))
    assert women.flag == ("under" if hi < pi_w else "over" if lo > pi_w else "ok")
    assert result["participants"] == 300 and result["reference"].source_key == "census2020"


def test_headline_suppresses_small_groups(db, sapporo):
    add_rows(db.session, sapporo, [{"age": 25, "gender": "female"}] * 3 + [{"age": 50, "gender": "male"}] * 22)
    result = headline(db.session, sapporo, min_cell=5)
    assert result["youth"].suppressed and result["youth"].count is None and result["youth"].n == 25
    assert result["youth"].share is None and result["youth"].ci_low is None
    assert result["women"].suppressed and result["women"].parity_gap is None
    assert result["participants"] == 25
    smaller = headline(db.session, sapporo, min_cell=3)  # 24: eight batches of 3
    assert not smaller["women"].suppressed and (smaller["women"].count, smaller["women"].n) == (3, 24)


def test_weekly_series_is_cumulative_by_japan_week(db, sapporo):
    # 2026-06-07 is a Sunday: 14:59 UTC is still Sunday in Japan, 20:00 UTC is Monday
    # 2026-06-08 05:00 JST. Each group is one batch of 5, so every week ends on a cut.
    add_rows(db.session, sapporo,
             [{"age": 25, "gender": "female", "first_at": datetime(2026, 6, 2, 1)}] * 5
             + [{"age": 60, "gender": "male", "first_at": datetime(2026, 6, 7, 14, 59)}] * 5
             + [{"age": 30, "gender": "male", "first_at": datetime(2026, 6, 7, 20)}] * 5
             + [{"age": None, "gender": "female", "first_at": datetime(2026, 6, 24, 3)}] * 5)
    series = weekly_series(db.session, sapporo)
    # a week in which no batch closed (from 15 June) adds no point
    assert [p.week_start for p in series] == [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 22)]
    assert all(p.week_start.weekday() == 0 for p in series)
    assert [p.participants for p in series] == [10, 15, 20]
    assert [p.youth_share for p in series] == [pytest.approx(5 / 10), pytest.approx(10 / 15),
                                               pytest.approx(10 / 15)]
    # the women of unknown age in the last week are left out, like the youth series' (#12)
    assert [p.women_share for p in series] == [pytest.approx(5 / 10), pytest.approx(5 / 15),
                                               pytest.approx(5 / 15)]
    assert weekly_series(db.session, sapporo, module="surveys") == []


def test_weekly_series_points_are_last_cuts_and_hide_small_groups(db, sapporo):
    add_rows(db.session, sapporo,
             [{"age": 60, "gender": "male", "first_at": datetime(2026, 6, 2, 1)}] * 7
             + [{"age": 25, "gender": "female", "first_at": datetime(2026, 6, 9, 1)}] * 3
             + [{"age": 60, "gender": "male", "first_at": datetime(2026, 6, 16, 1)}] * 6)
    series = weekly_series(db.session, sapporo, min_cell=5)
    # the last cut reached by each week's end: 5 (7 joined), 10, then 15 of 16
    assert [(p.week_start, p.participants) for p in series] == [
        (date(2026, 6, 1), 5), (date(2026, 6, 8), 10), (date(2026, 6, 15), 15)]
    assert series[0].youth_share == 0.0 and series[0].women_share == 0.0
    # 3 young women among 10 and 15: hidden at k = 5, shown without protection
    assert [p.youth_share for p in series[1:]] == [None, None]
    assert [p.women_share for p in series[1:]] == [None, None]
    open_ = weekly_series(db.session, sapporo, min_cell=1)
    assert [p.participants for p in open_] == [7, 10, 16]
    assert open_[1].youth_share == pytest.approx(3 / 10)


def test_weekly_series_has_at_most_a_dozen_points(db, sapporo):
    add_rows(db.session, sapporo, [{"age": 30 + i % 40, "gender": ("female", "male")[i % 2],
                                    "first_at": datetime(2026, 1, 5, 3) + timedelta(days=7 * (i // 5))}
                                   for i in range(5 * 30)])  # one batch a week for 30 weeks
    series = weekly_series(db.session, sapporo, min_cell=5)
    assert len(series) == page_module.SERIES_POINTS == 12
    assert series[-1].participants == 150  # the window's end is always the last point
    assert [p.participants for p in series] == sorted({p.participants for p in series})
    assert all(p.participants % 5 == 0 for p in series)


# --- output -----------------------------------------------------------------------------------

def test_report_csv_has_bom_table_and_suppression_marks(app, db, sapporo):
    add_rows(db.session, sapporo, [{"age": 30, "gender": "female"}] * 3
             + [{"age": 30, "gender": "male"}] * 40)
    report = services.build_report(db.session, sapporo, "gender", min_cell=10)
    with app.test_request_context(), force_locale("en"):
        text = services.report_csv(report)
    assert text.startswith("\ufeffkey,label,count,share,population,population_share,")
    lines = text[1:].splitlines()
    # "x" as official statistics mark 秘匿: it never says "fewer than k" (which would tell a
    # hidden 0 from a hidden small group)
    header = lines[0].split(",")
    female, male = (dict(zip(header, line.split(","))) for line in lines[1:3])
    assert lines[1].startswith("female,Women,x,x,911870,") and female["suppressed"] == "1"
    assert female["verdict"] == female["p_value"] == female["flag"] == ""  # nothing beside x
    assert lines[2].startswith("male,Men,x,x,")  # else 40 answered - 37 men = 3 women
    assert male["suppressed"] == "1"
    assert "left_out," in lines  # 0 here, hidden as a complement like the other totals
    assert "<" not in text
    assert "participants,40" in lines and "answered,40" in lines and "min_cell,10" in lines
    assert any(line.startswith("attribution,出典：「令和2年国勢調査」") for line in lines)
