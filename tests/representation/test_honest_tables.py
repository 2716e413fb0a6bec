"""app/representation/honest.py: what a protected table may say (issue #12), without the app."""
from __future__ import annotations

import pytest

from app.representation import honest, stats_exact
from app.representation.multiplicity import binomial_p_value

AGES = {"18-29": 139, "30-39": 135, "40-49": 167, "50-59": 153, "60-69": 158, "70-79": 150,
        "80+": 98}


def test_a_nominally_significant_cell_is_not_flagged_when_the_table_is_not():
    # 18-29 alone: 2 of 60 against 13.9% has p < 0.05, but the table as a whole fits
    counts = {"18-29": 2, "30-39": 9, "40-49": 11, "50-59": 10, "60-69": 11, "70-79": 10, "80+": 7}
    share = AGES["18-29"] / sum(AGES.values())
    assert binomial_p_value(2, 60, share) < 0.05
    result = honest.table_result(counts, AGES, set(), unknown=0)
    assert not result.overall_significant and result.overall.p_value >= 0.05
    young = result.cells["18-29"]
    assert young.p_value < 0.05 <= young.p_adjusted  # both shown, Holm larger
    assert young.verdict == "not_significant_wide"
    assert all(c.verdict not in ("under", "over") for c in result.cells.values())


def test_a_clear_gap_is_flagged_after_the_gate():
    counts = {"18-29": 0, "30-39": 2, "40-49": 10, "50-59": 20, "60-69": 40, "70-79": 40, "80+": 20}
    result = honest.table_result(counts, AGES, set(), unknown=0)
    assert result.overall_significant and result.overall.method == "chi_square"
    assert result.cells["18-29"].verdict == "under"
    assert result.cells["60-69"].verdict == "over"


def test_small_table_gets_an_exact_p_value_and_exact_intervals():
    counts = {"18-29": 0, "30-39": 1, "40-49": 1, "50-59": 2, "60-69": 3, "70-79": 2, "80+": 1}
    result = honest.table_result(counts, AGES, set(), unknown=0)
    assert result.overall.method == "exact" and 0 <= result.overall.p_value <= 1
    cell = result.cells["60-69"]
    assert cell.interval_method == "clopper_pearson"
    assert (cell.ci_low, cell.ci_high) == pytest.approx(
        stats_exact.clopper_pearson_interval(3, 10))
    # dissimilarity beside what chance alone gives at n = 10
    assert result.expected_dissimilarity == pytest.approx(
        stats_exact.expected_dissimilarity(10, list(AGES.values())))
    assert result.expected_dissimilarity > 0.25


def test_nothing_depends_on_how_the_hidden_cells_split():
    base = {"18-29": 30, "30-39": 25, "40-49": 30, "50-59": 26, "60-69": 28, "70-79": 3, "80+": 1}
    other = {**base, "70-79": 1, "80+": 3}  # the same shown figures, another hidden split
    hidden = {"70-79", "80+"}
    a = honest.table_result(base, AGES, hidden, unknown=4)
    b = honest.table_result(other, AGES, hidden, unknown=4)
    assert a == b and a.merged
    assert set(a.cells) == set(AGES) - hidden


def test_dissimilarity_is_withheld_when_every_non_zero_cell_is_hidden():
    counts = {"18-29": 0, "30-39": 2, "40-49": 3, "50-59": 0, "60-69": 0, "70-79": 0, "80+": 0}
    result = honest.table_result(counts, AGES, {"30-39", "40-49"}, unknown=0)
    assert result.withheld == "all_hidden"
    assert result.dissimilarity is None and result.rate_ratio is None
    assert result.expected_dissimilarity is None


def test_nobody_answered_says_nothing_to_compare():
    result = honest.table_result(dict.fromkeys(AGES, 0), AGES, set(), unknown=7)
    assert result.withheld == "no_participants" and result.cells == {}
    assert honest.headline_result(0, 0, 0.3, 7) is None


def test_bounds_for_unknown_answers():
    counts = {"young": 20, "old": 67}
    result = honest.table_result(counts, {"young": 25, "old": 75}, set(), unknown=13)
    young = result.cells["young"]
    assert (young.unknown_low, young.unknown_high) == pytest.approx((0.20, 0.33))
    headline = honest.headline_result(20, 87, 0.25, 13)
    assert (headline.unknown_low, headline.unknown_high) == pytest.approx((0.20, 0.33))
    assert honest.headline_result(20, 87, 0.25, 0).unknown_low is None


def test_in_line_needs_a_narrow_interval():
    # 0 of 9 young against 27%: not significant, but far too few to call it in line
    assert honest.headline_result(0, 9, 0.274, None).verdict == "not_significant_wide"
    assert honest.headline_result(530, 1000, 0.53, None).verdict == "in_line"
