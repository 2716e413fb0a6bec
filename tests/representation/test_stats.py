"""Tests for app.representation.stats; expectations are worked out by hand."""
import ast
import math
from pathlib import Path

import pytest

from app.representation import stats
from app.representation.stats import (
    PARITY_UNREACHABLE,
    Z95,
    compare,
    parity_gap,
    suppressed_cells,
    suppressed_table,
    wilson_interval,
)


def _wilson_by_quadratic(count, n, z=Z95):
    """Independent form: roots of (p - t)^2 = z^2 t (1 - t) / n in t."""
    p, z2 = count / n, z * z
    a, b, c = 1 + z2 / n, -(2 * p + z2 / n), p * p
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


# --- module hygiene -------------------------------------------------------

def test_module_imports_no_framework_or_app():
    tree = ast.parse(Path(stats.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert not roots & {"flask", "sqlalchemy", "app", "flask_sqlalchemy"}


# --- Wilson ---------------------------------------------------------------

def test_wilson_zero_of_ten():
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    z2 = Z95 ** 2
    assert high == pytest.approx((z2 / 10) / (1 + z2 / 10), abs=1e-12)
    assert high == pytest.approx(0.2775, abs=1e-4)  # textbook value


def test_wilson_five_of_ten_symmetric():
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert low + high == pytest.approx(1.0, abs=1e-12)


def test_wilson_newcombe_81_of_263():
    low, high = wilson_interval(81, 263)
    # Newcombe (1998), Stat Med 17:857, example 81/263: 0.2553 to 0.3662
    assert (low, high) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    exp_low, exp_high = _wilson_by_quadratic(81, 263)
    assert low == pytest.approx(exp_low, abs=1e-6)
    assert high == pytest.approx(exp_high, abs=1e-6)


def test_wilson_all_and_empty_and_invalid():
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(1 - 0.2775, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)


# --- parity gap -----------------------------------------------------------

def test_parity_gap_examples():
    assert parity_gap(30, 100, 0.5) == 40  # 70/140 = 0.5
    assert parity_gap(10, 100, 0.25) == 20  # 30/120 = 0.25
    assert parity_gap(3, 30, 0.2) == 4  # 7/34 >= 0.2 > 6/33
    assert parity_gap(50, 100, 0.5) == 0
    assert parity_gap(60, 100, 0.5) == 0
    assert parity_gap(0, 0, 0.3) == 0
    assert parity_gap(0, 10, 0.0) == 0


def test_parity_gap_float_noise():
    assert 0.28 * 25 > 7  # the noise is real: 7.000000000000001
    assert parity_gap(7, 25, 0.28) == 0


def test_parity_gap_share_one_and_invalid():
    assert parity_gap(5, 5, 1.0) == 0
    with pytest.raises(ValueError):
        parity_gap(4, 5, 1.0)
    with pytest.raises(ValueError):
        parity_gap(6, 5, 0.5)
    with pytest.raises(ValueError):
        parity_gap(1, 5, -0.1)


# --- compare --------------------------------------------------------------

THIRDS = {"young": 100, "mid": 100, "old": 100}


def test_compare_flags_ratio_parity():
    res = compare({"young": 2, "mid": 10, "old": 18}, THIRDS)
    by = {c.key: c for c in res.categories}
    assert [c.key for c in res.categories] == ["young", "mid", "old"]
    # young: Wilson(2/30) high ~0.213 < 1/3; old: Wilson(18/30) low ~0.423 > 1/3
    assert [by[k].flag for k in ("young", "mid", "old")] == ["under", "ok", "over"]
    assert by["young"].share == pytest.approx(2 / 30)
    assert by["young"].population_share == pytest.approx(1 / 3)
    assert by["young"].ratio == pytest.approx(0.2)
    assert by["young"].ci_high == pytest.approx(_wilson_by_quadratic(2, 30)[1])
    assert by["young"].parity_gap == 12  # (10 - 2) / (2/3); 14/42 = 1/3
    assert by["mid"].parity_gap == 0
    assert by["old"].parity_gap == 0
    assert (res.participants, res.answered, res.unknown, res.unreferenced) == (30, 30, 0, 0)


def test_compare_tolerance_softens_over_but_not_under():
    res = compare({"young": 2, "mid": 10, "old": 18}, THIRDS, tolerance=0.3)
    # old: ci_low ~0.423 is not > 1/3 * 1.3 ~0.433; young: ~0.213 < 1/3 * 0.7
    assert [c.flag for c in res.categories] == ["under", "ok", "ok"]
    # young 4/30: Wilson high ~0.297 is below 1/3 but not below 1/3 * 0.7
    high = _wilson_by_quadratic(4, 30)[1]
    assert 1 / 3 * 0.7 < high < 1 / 3
    counts = {"young": 4, "mid": 12, "old": 14}
    assert compare(counts, THIRDS).categories[0].flag == "under"
    assert compare(counts, THIRDS, tolerance=0.3).categories[0].flag == "ok"


def test_compare_chi_square_dissimilarity_rate_ratio():
    res = compare({"young": 2, "mid": 10, "old": 18}, THIRDS)
    chi = res.chi_square
    # expected 10 each: (64 + 0 + 64) / 10; df=2 survival is exp(-x/2)
    assert chi.statistic == pytest.approx(12.8)
    assert chi.df == 2
    assert chi.p_value == pytest.approx(math.exp(-6.4))
    assert chi.valid is True and chi.reason is None
    assert res.dissimilarity == pytest.approx(0.5 * (8 / 30 + 0 + 8 / 30))
    assert res.rate_ratio_min_max == pytest.approx((2 / 100) / (18 / 100))


def test_compare_chi_square_small_expected():
    res = compare({"a": 2, "b": 3, "c": 5}, {"a": 1, "b": 1, "c": 2})
    chi = res.chi_square
    # expected 2.5, 2.5, 5: still computed but flagged
    assert chi.valid is False and chi.reason == "small_expected"
    assert chi.statistic == pytest.approx(0.25 / 2.5 + 0.25 / 2.5)
    assert chi.p_value == pytest.approx(math.exp(-0.1))
    assert chi.df == 2


def test_compare_unreferenced_and_missing_keys_and_order():
    res = compare({"a": 5, "zz": 3}, {"b": 1.5, "a": 1.5}, unknown=2, unreferenced=1)
    assert [c.key for c in res.categories] == ["b", "a"]
    assert res.unreferenced == 4
    assert res.answered == 5
    assert res.unknown == 2
    assert res.participants == 11
    b = res.categories[0]
    assert b.count == 0 and b.share == 0.0 and b.population == 1.5
    assert res.rate_ratio_min_max == 0.0
    assert res.dissimilarity == pytest.approx(0.5)


def test_compare_zero_participants():
    res = compare({}, THIRDS, unknown=3)
    assert res.participants == 3 and res.answered == 0
    for c in res.categories:
        assert c.share is None and c.ratio is None
        assert c.ci_low is None and c.ci_high is None
        assert c.flag == "ok" and c.parity_gap == 0
    assert res.chi_square.statistic is None and res.chi_square.p_value is None
    assert res.chi_square.valid is False
    assert res.chi_square.reason == "no_participants"
    assert res.dissimilarity is None and res.rate_ratio_min_max is None


def test_compare_zero_population_category():
    res = compare({"a": 5, "b": 2}, {"a": 10, "b": 0})
    a, b = res.categories
    assert b.population_share == 0.0 and b.ratio is None
    assert b.flag == "over" and b.parity_gap == 0
    assert a.population_share == 1.0 and a.parity_gap == PARITY_UNREACHABLE
    assert res.chi_square.reason == "too_few_categories"
    assert res.chi_square.df == 0 and res.chi_square.statistic is None


def test_compare_chi_square_ignores_zero_population_cells():
    res = compare({"a": 10, "b": 10, "c": 5}, {"a": 1, "b": 1, "c": 0})
    assert res.chi_square.statistic == pytest.approx(0.0)
    assert res.chi_square.p_value == pytest.approx(1.0)
    assert res.chi_square.df == 1 and res.chi_square.valid


def test_compare_rejects_bad_input():
    with pytest.raises(ValueError):
        compare({"a": 1}, {"a": 0})
    with pytest.raises(ValueError):
        compare({"a": -1}, {"a": 1})
    with pytest.raises(ValueError):
        compare({"a": 1}, {"a": -1, "b": 3})


def test_comparison_is_frozen():
    res = compare({"a": 1}, {"a": 1, "b": 1})
    with pytest.raises(AttributeError):
        res.answered = 5


# --- suppression, 1-D -----------------------------------------------------

def test_suppress_single_primary_adds_smallest_secondary():
    assert suppressed_cells({"a": 2, "b": 10, "c": 7, "d": 0}, 5) == {"a", "c"}


def test_suppress_secondary_ties_follow_key_order():
    assert suppressed_cells({"a": 2, "b": 7, "c": 7}, 5) == {"a", "b"}
    assert suppressed_cells({"a": 2, "c": 7, "b": 7}, 5) == {"a", "c"}


def test_suppress_two_primaries_no_secondary():
    assert suppressed_cells({"a": 2, "b": 3, "c": 10, "d": 20}, 5) == {"a", "b"}


def test_suppress_zero_cells_and_boundaries():
    assert suppressed_cells({"a": 0, "b": 0, "c": 10}, 5) == set()
    assert suppressed_cells({"a": 0, "b": 3, "c": 0}, 5) == {"b"}
    assert suppressed_cells({"a": 5, "b": 6}, 5) == set()  # count == k is shown
    assert suppressed_cells({"a": 1, "b": 6}, 1) == set()
    assert suppressed_cells({"a": 1, "b": 6}, 0) == set()


# --- suppression, 2-D -----------------------------------------------------

def _table(rows):
    cols = ["x", "y", "z"]
    return {(r, c): v for r, vals in rows.items() for c, v in zip(cols, vals)}


def _lines_safe(cells, hidden):
    lines = {}
    for key in cells:
        lines.setdefault(("r", key[0]), []).append(key)
        lines.setdefault(("c", key[1]), []).append(key)
    return all(sum(k in hidden for k in m) != 1 for m in lines.values())


def test_table_row_secondary_creates_column_single():
    cells = _table({"a": [2, 10, 20], "b": [10, 8, 30], "c": [12, 15, 9]})
    hidden = suppressed_table(cells, 5)
    # row a -> (a,y)=10; col x -> (b,x)=10; (a,y) alone in col y -> (b,y)=8
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert _lines_safe(cells, hidden)


def test_table_propagation_returns_to_earlier_line():
    cells = _table({"a": [20, 20, 8], "b": [20, 30, 9], "c": [6, 12, 2]})
    hidden = suppressed_table(cells, 5)
    # (c,z)=2; row c -> (c,x)=6; col z -> (a,z)=8; row a now single ->
    # (a,x) (tie 20/20, key order); col x then has (a,x) and (c,x)
    assert hidden == {("c", "z"), ("c", "x"), ("a", "z"), ("a", "x")}
    assert _lines_safe(cells, hidden)


def test_table_zeros_untouched_and_k_one():
    cells = _table({"a": [3, 0, 0], "b": [0, 0, 0]})
    # nothing non-zero to pair with: only the primary (caller hides marginals)
    assert suppressed_table(cells, 5) == {("a", "x")}
    assert suppressed_table(_table({"a": [3, 4, 9]}), 1) == set()
    assert suppressed_table(_table({"a": [5, 6, 9], "b": [7, 0, 8]}), 5) == set()
