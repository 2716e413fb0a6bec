"""Weighted-share intervals from per-cell totals, and joint raking of rows that answered part of
a joint table (app/representation/weighting.py, loaded by path: it must stay pure numpy).
Checked by hand, against the per-respondent weighted_share, and against statsmodels: the
linearised variance of a weighted mean is the HC1 sandwich variance of a weighted regression
on a constant, and the interval is Wilson's at the effective sample size."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.proportion import proportion_confint

_PATH = Path(__file__).resolve().parents[2] / "app" / "representation" / "weighting.py"
_spec = importlib.util.spec_from_file_location("hiroba_weighting_cells_under_test", _PATH)
weighting = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(weighting)
WeightingError = weighting.WeightingError


def expand(weights, respondents, chose):
    """One (indicator, weight) per respondent of the cells."""
    y, w = [], []
    for weight, n, yes in zip(weights, respondents, chose):
        y += [1] * yes + [0] * (n - yes)
        w += [weight] * n
    return y, w


def random_cells(seed, cells=12):
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 0.6, cells)
    respondents = rng.integers(1, 30, cells)
    chose = np.array([rng.integers(0, n + 1) for n in respondents])
    return weights.tolist(), respondents.tolist(), chose.tolist()


# --- by hand ----------------------------------------------------------------------------------

def test_cells_by_hand():
    # Cell A: weight 2, 2 respondents, 1 chose; cell B: weight 1, 4 respondents, 3 chose.
    # sum w n = 8, sum w y = 5: p = 5/8. Squares: A 4 [1 (3/8)^2 + 1 (5/8)^2] = 17/8,
    # B 1 [3 (3/8)^2 + 1 (5/8)^2] = 13/16; sum 47/16. v = 6/5 * 47/16 / 64 = 141/2560.
    # p (1 - p) / n = (15/64) / 6 = 5/128, so the design effect is (141/2560) / (5/128) = 1.41,
    # Kish's 6 (2*4 + 4*1) / 64 = 1.125, and the effective n (15/64) / (141/2560) = 600/141.
    got = weighting.weighted_share_of_cells([2, 1], [2, 4], [1, 3])
    assert got.share == pytest.approx(5 / 8)
    assert got.standard_error == pytest.approx(math.sqrt(141 / 2560))
    assert got.design_effect == pytest.approx(1.41)
    assert got.effective_n == pytest.approx(600 / 141)
    assert got.method == "linearised"
    kish = weighting.weighted_share_of_cells([2, 1], [2, 4], [1, 3], method="kish")
    assert kish.design_effect == pytest.approx(1.125)
    assert kish.effective_n == pytest.approx(6 / 1.125)


def test_the_brief_s_formula_without_the_small_sample_factor():
    # sum w_c^2 [y_c (1-p)^2 + (n_c - y_c) p^2] / (sum w_c n_c)^2, times N / (N - 1)
    weights, respondents, chose = random_cells(3)
    got = weighting.weighted_share_of_cells(weights, respondents, chose)
    w, n, y = (np.array(a, dtype=float) for a in (weights, respondents, chose))
    p = (w * y).sum() / (w * n).sum()
    plain = (w ** 2 * (y * (1 - p) ** 2 + (n - y) * p ** 2)).sum() / (w * n).sum() ** 2
    assert got.standard_error ** 2 == pytest.approx(plain * n.sum() / (n.sum() - 1))


def test_equal_weights_give_the_plain_wilson_interval():
    got = weighting.weighted_share_of_cells([1.5, 1.5], [10, 20], [3, 9])
    low, high = proportion_confint(12, 30, alpha=0.05, method="wilson")
    # with equal weights the linearised variance is the plain one times n / (n - 1)
    assert got.share == pytest.approx(0.4)
    assert got.design_effect == pytest.approx(30 / 29)
    plain = weighting.weighted_share_of_cells([1.5, 1.5], [10, 20], [3, 9], method="kish")
    assert (plain.ci_low, plain.ci_high) == pytest.approx((low, high))


# --- against the per-respondent estimator and statsmodels --------------------------------------

@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", ["linearised", "kish"])
def test_cells_equal_the_per_respondent_estimate(seed, method):
    weights, respondents, chose = random_cells(seed)
    by_cell = weighting.weighted_share_of_cells(weights, respondents, chose, method=method)
    y, w = expand(weights, respondents, chose)
    by_row = weighting.weighted_share(y, w, method=method)
    assert by_cell.method == by_row.method
    for a, b in zip(by_cell[:-1], by_row[:-1]):
        assert a == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_linearised_variance_is_statsmodels_hc1(seed):
    weights, respondents, chose = random_cells(seed)
    got = weighting.weighted_share_of_cells(weights, respondents, chose)
    y, w = expand(weights, respondents, chose)
    fit = WLS(np.asarray(y, dtype=float), np.ones((len(y), 1)), weights=w).fit(cov_type="HC1")
    assert got.share == pytest.approx(fit.params[0])
    assert got.standard_error == pytest.approx(fit.bse[0], rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_interval_is_wilson_at_the_effective_n(seed):
    got = weighting.weighted_share_of_cells(*random_cells(seed))
    low, high = proportion_confint(got.share * got.effective_n, got.effective_n, alpha=0.05,
                                   method="wilson")
    assert (got.ci_low, got.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert got.ci_low < got.share < got.ci_high


def test_none_or_all_chose_falls_back_to_kish():
    nobody = weighting.weighted_share_of_cells([2, 1], [3, 5], [0, 0])
    assert nobody.method == "kish" and nobody.share == 0 and nobody.ci_low == 0
    assert nobody.ci_high > 0
    everybody = weighting.weighted_share_of_cells([2, 1], [3, 5], [3, 5])
    assert everybody.method == "kish" and everybody.ci_high == 1 and everybody.ci_low < 1


@pytest.mark.parametrize("args, message", [
    (([1, 1], [2], [1]), "same length"),
    (([1, -1], [2, 2], [1, 1]), ">= 0"),
    (([1, 1], [2, 2], [3, 1]), "chose <= respondents"),
    (([1, float("nan")], [2, 2], [1, 1]), "finite"),
    (([1], [1], [1]), "at least two"),
    (([0, 0], [2, 2], [1, 1]), "at least two"),
])
def test_bad_cells(args, message):
    with pytest.raises(ValueError, match=message):
        weighting.weighted_share_of_cells(*args)
    with pytest.raises(ValueError, match="unknown method"):
        weighting.weighted_share_of_cells([1, 1], [2, 2], [1, 1], method="bootstrap")


# --- joint raking with rows that answered part of the table -------------------------------------

QUARTERS = {("young", "f"): 0.25, ("young", "m"): 0.25, ("old", "f"): 0.25, ("old", "m"): 0.25}


def rows_of(counts):
    return [{"age": a, "gender": g} for (a, g), k in counts.items() for _ in range(k)]


def test_partial_rows_are_raked_on_what_they_answered_by_hand():
    # The table's rows as in test_weighting_joint: 8 rows, weights 2 and 2/3. Three rows gave
    # their age only (2 young, 1 old): among themselves they are raked to the table's age
    # totals, 1/2 each, keeping their total 3: 0.75 per young row, 1.5 for the old one. One
    # row gave only its gender (one category among such rows: unchanged) and one nothing.
    rows = rows_of({("young", "f"): 1, ("young", "m"): 3, ("old", "f"): 3, ("old", "m"): 1})
    rows += [{"age": "young", "gender": None}] * 2 + [{"age": "old", "gender": None}]
    rows += [{"age": None, "gender": "f"}, {"age": None, "gender": None}]
    w = weighting.rake_joint(rows, {("age", "gender"): QUARTERS}, partial=True)
    assert w == pytest.approx([2, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2,
                               0.75, 0.75, 1.5, 1, 1])
    # without `partial` the age-only rows are not adjusted at all
    plain = weighting.rake_joint(rows, {("age", "gender"): QUARTERS})
    assert plain[8:] == pytest.approx([1, 1, 1, 1, 1])


@pytest.mark.parametrize("seed", range(4))
def test_partial_rows_meet_the_table_s_totals_and_other_margins(seed):
    rng = np.random.default_rng(seed)
    ages, genders, places = ["young", "mid", "old"], ["f", "m"], ["in", "out"]
    table = {(a, g): float(v) for (a, g), v in zip(
        [(a, g) for a in ages for g in genders], rng.uniform(1, 3, 6))}
    rows = [{"age": rng.choice(ages + [None], p=[0.3, 0.3, 0.3, 0.1]),
             "gender": rng.choice(genders + [None], p=[0.45, 0.45, 0.1]),
             "place": rng.choice(places)} for _ in range(400)]
    w = np.array(weighting.rake_joint(
        rows, {("age", "gender"): table, "place": {"in": 0.7, "out": 0.3}}, partial=True))
    total = sum(table.values())
    both = [i for i, r in enumerate(rows) if r["age"] is not None and r["gender"] is not None]
    for cell, value in table.items():
        mine = sum(w[i] for i in both if (rows[i]["age"], rows[i]["gender"]) == cell)
        assert mine / w[both].sum() == pytest.approx(value / total, abs=1e-8)
    age_only = [i for i, r in enumerate(rows) if r["age"] is not None and r["gender"] is None]
    present = {rows[i]["age"] for i in age_only}  # the table's age totals, over these ages
    among = sum(v for (a, _g), v in table.items() if a in present)
    for age in present:
        target = sum(v for (a, _g), v in table.items() if a == age) / among
        mine = sum(w[i] for i in age_only if rows[i]["age"] == age) / w[age_only].sum()
        assert mine == pytest.approx(target, abs=1e-8)
    inside = sum(w[i] for i, r in enumerate(rows) if r["place"] == "in") / w.sum()
    assert inside == pytest.approx(0.7, abs=1e-8)


def test_partial_row_with_a_category_the_table_lacks():
    rows = rows_of({("young", "f"): 1, ("young", "m"): 1, ("old", "f"): 1, ("old", "m"): 1})
    rows.append({"age": "ancient", "gender": None})
    with pytest.raises(WeightingError, match="ancient"):
        weighting.rake_joint(rows, {("age", "gender"): QUARTERS}, partial=True)
