"""Tests for app.representation.stats_exact: against scipy/statsmodels where they have the
method, brute-force enumeration, and cases worked out by hand in the comments."""
import ast
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sp
from statsmodels.stats.proportion import proportion_confint

from app.representation import multiplicity, sequential, stats_exact
from app.representation.stats import wilson_interval
from app.representation.stats_exact import (
    EXACT_BELOW,
    binomial_mean_absolute_deviation,
    binomial_p_value,
    clopper_pearson_interval,
    expected_dissimilarity,
    multinomial_test,
    share_interval,
    unknown_bounds,
)

PURE_SIBLINGS = {"app.representation.stats", "app.representation.stats_exact"}
SAPPORO_AGE_SHARES = [0.1388, 0.1356, 0.174, 0.1577, 0.1519, 0.1432, 0.0988]  # 18-29 ... 80+


@pytest.mark.parametrize("module", [stats_exact, multiplicity, sequential])
def test_new_modules_import_no_framework_and_only_pure_siblings(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            assert name.split(".")[0] not in {"flask", "sqlalchemy", "flask_sqlalchemy"}
            if name.split(".")[0] == "app":
                assert name in PURE_SIBLINGS, name


# --- Clopper-Pearson and the interval choice -----------------------------

@pytest.mark.parametrize("count,n", [(0, 1), (0, 10), (1, 10), (3, 9), (9, 9), (7, 30), (50, 261)])
def test_clopper_pearson_matches_scipy_and_statsmodels(count, n):
    low, high = clopper_pearson_interval(count, n)
    ci = sp.binomtest(count, n).proportion_ci(confidence_level=0.95, method="exact")
    assert (low, high) == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert (low, high) == pytest.approx(proportion_confint(count, n, method="beta"), abs=1e-10)


def test_clopper_pearson_zero_of_ten_by_hand():
    # upper end solves (1 - p)^10 = 0.025: p = 1 - 0.025^(1/10)
    assert clopper_pearson_interval(0, 10) == pytest.approx((0.0, 1 - 0.025 ** 0.1), abs=1e-12)
    assert clopper_pearson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        clopper_pearson_interval(3, 2)


def test_share_interval_is_exact_for_small_cells_and_their_complements():
    assert share_interval(EXACT_BELOW - 1, 100)[2] == "clopper_pearson"
    assert share_interval(EXACT_BELOW, 100) == (*wilson_interval(EXACT_BELOW, 100), "wilson")
    assert share_interval(95, 100)[2] == "clopper_pearson"  # 5 people are not in the group
    assert share_interval(3, 9)[:2] == clopper_pearson_interval(3, 9)


def test_share_interval_coverage_never_far_below_nominal_for_small_groups():
    # Exact coverage over a fine grid of true shares at n=100: Wilson alone covers only about
    # 84% of the time for very small groups (share about 0.2%); the combined rule never drops
    # below about 92.7% (its low point is near share 0.055, just inside Wilson's range).
    n = 100
    k = np.arange(n + 1)
    intervals = np.array([share_interval(int(c), n)[:2] for c in k])
    wilson = np.array([wilson_interval(int(c), n) for c in k])
    worst_rule, worst_wilson = 1.0, 1.0
    for p in np.linspace(0.0005, 0.5, 2000):
        pmf = sp.binom.pmf(k, n, p)
        worst_rule = min(worst_rule, pmf[(intervals[:, 0] <= p) & (p <= intervals[:, 1])].sum())
        worst_wilson = min(worst_wilson, pmf[(wilson[:, 0] <= p) & (p <= wilson[:, 1])].sum())
    assert worst_rule >= 0.92
    assert worst_wilson < 0.86


# --- exact binomial p-value ----------------------------------------------

@pytest.mark.parametrize("count,n,share", [(0, 10, 0.3), (3, 10, 0.5), (9, 30, 0.14), (50, 261, 0.139)])
def test_binomial_p_value_is_twice_the_smaller_scipy_tail(count, n, share):
    less = sp.binomtest(count, n, share, alternative="less").pvalue
    greater = sp.binomtest(count, n, share, alternative="greater").pvalue
    assert binomial_p_value(count, n, share) == pytest.approx(min(1.0, 2 * min(less, greater)))


def test_binomial_p_value_by_hand_and_edges():
    # 0 of 10 against 0.3: 2 * 0.7^10
    assert binomial_p_value(0, 10, 0.3) == pytest.approx(2 * 0.7 ** 10)
    assert binomial_p_value(5, 10, 0.5) == 1.0
    assert binomial_p_value(0, 10, 0.0) == 1.0 and binomial_p_value(1, 10, 0.0) == 0.0
    assert binomial_p_value(10, 10, 1.0) == 1.0 and binomial_p_value(9, 10, 1.0) == 0.0
    assert binomial_p_value(0, 0, 0.3) == 1.0
    with pytest.raises(ValueError):
        binomial_p_value(1, 10, 1.5)


@pytest.mark.parametrize("n", [9, 30, 261])
def test_binomial_p_value_is_dual_to_clopper_pearson(n):
    for count in range(0, n + 1, max(1, n // 20)):
        low, high = clopper_pearson_interval(count, n)
        for share in np.linspace(0.01, 0.99, 40):
            inside = low <= share <= high
            assert (binomial_p_value(count, n, share) >= 0.05) == inside, (count, share)


# --- exact and Monte-Carlo goodness of fit -------------------------------

def _brute_force_p(counts, shares):
    n, k = sum(counts), len(counts)
    p = np.asarray(shares) / sum(shares)
    expected = n * p
    observed = float((((np.asarray(counts) - expected) ** 2) / expected).sum())
    total = 0.0
    for head in itertools.product(range(n + 1), repeat=k - 1):
        if sum(head) > n:
            continue
        table = np.array([*head, n - sum(head)])
        if (((table - expected) ** 2) / expected).sum() >= observed - 1e-9:
            total += sp.multinomial.pmf(table, n, p)
    return total


def test_exact_test_two_categories_by_hand():
    # 0 and 4 against 1/2: tables 0-4 and 4-0 are as extreme, each 1/16
    res = multinomial_test([0, 4], [0.5, 0.5], method="exact")
    assert res.p_value == pytest.approx(2 / 16) and res.statistic == pytest.approx(4.0)
    assert res.method == "exact" and res.df == 1


@pytest.mark.parametrize("counts,shares", [
    ([1, 2, 0, 3], [0.1, 0.2, 0.3, 0.4]),
    ([3, 0, 0, 1, 2], [1, 1, 1, 1, 1]),
    ([2, 2, 1], [0.5, 0.3, 0.2]),
    ([0, 1, 0, 2, 0, 1, 0], SAPPORO_AGE_SHARES),
])
def test_exact_test_matches_brute_force_enumeration(counts, shares):
    assert multinomial_test(counts, shares, method="exact").p_value == pytest.approx(
        _brute_force_p(counts, shares), abs=1e-12)


def test_monte_carlo_agrees_with_exact_and_is_seeded():
    counts, shares = [9, 2, 3, 1, 4, 2, 0, 1], [1] * 8
    exact = multinomial_test(counts, shares, method="exact").p_value
    mc = multinomial_test(counts, shares, method="monte_carlo")
    assert mc.draws == 20_000
    assert abs(mc.p_value - exact) < 4 * math.sqrt(exact * (1 - exact) / mc.draws)
    assert multinomial_test(counts, shares, method="monte_carlo") == mc
    assert multinomial_test(counts, shares, method="monte_carlo", seed=1).p_value != mc.p_value


def test_auto_chooses_chi_square_exact_or_monte_carlo():
    big = multinomial_test([30, 40, 50], [1, 1, 1])
    assert big.method == "chi_square"
    assert big.p_value == pytest.approx(sp.chisquare([30, 40, 50]).pvalue)
    assert multinomial_test([1, 0, 3, 2, 0, 1, 0], SAPPORO_AGE_SHARES).method == "exact"
    # n = 60 over 8 categories is still enumerated (the feasibility the tracker promises)
    assert multinomial_test([1, 2, 3, 4, 5, 6, 9, 30], [1] * 7 + [10]).method == "exact"
    assert multinomial_test([1, 2, 3, 4, 5, 6, 9, 30], [1] * 7 + [10],
                            max_outcomes=1000).method == "monte_carlo"


def test_exact_test_edges():
    assert multinomial_test([0, 0], [1, 1]).method == "none"
    assert multinomial_test([3, 2], [1, 0]).method == "none"  # one category with a share
    # a participant where the population has nobody is impossible under the model
    impossible = multinomial_test([2, 2, 1], [1, 1, 0])
    assert impossible.p_value == 0.0
    with pytest.raises(ValueError):
        multinomial_test([1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        multinomial_test([1, 2], [1, 1], method="guess")


def test_exact_test_keeps_its_level_at_small_n():
    # the exact test at 5% rejects representative tables of n=12 over seven bands at most 5%
    n, p = 12, np.asarray(SAPPORO_AGE_SHARES) / sum(SAPPORO_AGE_SHARES)
    rng = np.random.default_rng(3)
    tables = rng.multinomial(n, p, size=250)
    rejected = sum(multinomial_test(t, p, method="exact").p_value < 0.05 for t in tables)
    assert rejected / 250 <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 250)


# --- dissimilarity expected by chance ------------------------------------

@pytest.mark.parametrize("n,p", [(1, 0.3), (4, 0.1388), (10, 0.5), (261, 0.0988), (37, 0.73)])
def test_binomial_mad_closed_form_equals_direct_sum(n, p):
    k = np.arange(n + 1)
    direct = float(np.sum(sp.binom.pmf(k, n, p) * np.abs(k - n * p)))
    assert binomial_mean_absolute_deviation(n, p) == pytest.approx(direct, rel=1e-10)


def test_expected_dissimilarity_two_halves_by_hand():
    # n=2, shares 1/2: |X/2 - 1/2| is 1/2 with prob 1/2 (0 or 2) else 0 -> E = 1/4 per cell
    assert expected_dissimilarity(2, [1, 1]) == pytest.approx(0.25)
    assert expected_dissimilarity(0, [1, 1]) is None


def test_expected_dissimilarity_matches_simulation_and_is_large_for_four_people():
    p = np.asarray(SAPPORO_AGE_SHARES) / sum(SAPPORO_AGE_SHARES)
    tables = np.random.default_rng(7).multinomial(4, p, size=100_000)
    simulated = 0.5 * np.abs(tables / 4 - p).sum(axis=1).mean()
    assert expected_dissimilarity(4, p) == pytest.approx(simulated, abs=0.003)
    assert expected_dissimilarity(4, p) == pytest.approx(0.533, abs=0.001)
    assert expected_dissimilarity(261, p) < 0.07


# --- bounds for unknown answers ------------------------------------------

def test_unknown_bounds_by_hand():
    # 20 young of 87 who answered, 13 unknown: 20/100 if none of them is young, 33/100 if all are
    b = unknown_bounds(20, 87, 13)
    assert (b.share_if_none, b.share_if_all) == pytest.approx((0.20, 0.33))
    assert b.ci_low == pytest.approx(wilson_interval(20, 100)[0])
    assert b.ci_high == pytest.approx(wilson_interval(33, 100)[1])
    assert b.ci_low < b.share_if_none < 20 / 87 < b.share_if_all < b.ci_high


def test_unknown_bounds_edges():
    assert unknown_bounds(0, 0, 0) is None
    everyone_unknown = unknown_bounds(0, 0, 5)
    assert (everyone_unknown.share_if_none, everyone_unknown.share_if_all) == (0.0, 1.0)
    assert unknown_bounds(3, 10, 0).share_if_none == unknown_bounds(3, 10, 0).share_if_all == 0.3
    with pytest.raises(ValueError):
        unknown_bounds(3, 10, -1)
