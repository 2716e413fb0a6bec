"""Tests for app.representation.multiplicity: adjustments against statsmodels, the gate, the
'in line' rule, worked by hand. Error-rate simulations are in test_stats_simulation.py."""
import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from app.representation.multiplicity import (
    VERDICTS,
    benjamini_hochberg,
    flag_dimension,
    flag_page,
    holm,
    in_line_verdict,
    tolerance_band,
)
from app.representation.stats_exact import binomial_p_value, share_interval

SAPPORO_AGES = {"18-29": 0.1388, "30-39": 0.1356, "40-49": 0.174, "50-59": 0.1577,
                "60-69": 0.1519, "70-79": 0.1432, "80+": 0.0988}


# --- adjustments ----------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_holm_and_bh_match_statsmodels(seed):
    p = np.random.default_rng(seed).uniform(0, 0.2, size=9)
    p[3] = p[5]  # a tie
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]), abs=1e-12)
    assert benjamini_hochberg(p) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]), abs=1e-12)


def test_adjustments_by_hand():
    # Holm: sorted 0.01, 0.02, 0.04 -> 0.03, 0.04, 0.04 (monotone); BH: 0.03, 0.03, 0.04
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert benjamini_hochberg([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.03])
    assert holm([]) == [] and benjamini_hochberg([]) == []
    assert holm([0.6, 0.7]) == [1.0, 1.0]


# --- tolerance band and the 'in line' rule --------------------------------

def test_tolerance_band_relative_and_absolute():
    assert tolerance_band(0.25) == pytest.approx((0.2, 0.3))
    assert tolerance_band(0.25, relative=0.1) == pytest.approx((0.225, 0.275))
    assert tolerance_band(0.03, absolute=0.05) == pytest.approx((0.0, 0.08))
    assert tolerance_band(0.98, absolute=0.05) == pytest.approx((0.93, 1.0))
    with pytest.raises(ValueError):
        tolerance_band(0.2, relative=-0.1)


def test_zero_of_nine_young_is_not_in_line_but_too_few_to_tell():
    # the example: 0 of 9 young against 13.9% is not significant (exact upper end
    # 0.336 > 0.139) and the interval is far wider than 0.111-0.167
    assert in_line_verdict(0, 9, 0.1388) == "not_significant_wide"


def test_in_line_needs_an_interval_inside_the_band():
    # 500 of 1000 against 0.5: Wilson 0.469-0.531 lies inside 0.4-0.6
    assert in_line_verdict(500, 1000, 0.5) == "in_line"
    # 15 of 30: Wilson 0.331-0.669 reaches past the band
    assert in_line_verdict(15, 30, 0.5) == "not_significant_wide"
    # with +-5 points absolute the 1000 is still in line, 15 of 30 still too wide
    assert in_line_verdict(500, 1000, 0.5, absolute=0.05) == "in_line"
    assert in_line_verdict(15, 30, 0.5, absolute=0.05) == "not_significant_wide"


def test_absolute_band_would_call_zero_participants_of_a_small_group_in_line():
    # why the default is relative: 0 of 50 in a 3% group has exact upper end 0.071 < 0.08
    assert in_line_verdict(0, 50, 0.03, absolute=0.05) == "in_line"
    assert in_line_verdict(0, 50, 0.03) == "not_significant_wide"


def test_verdict_under_over_no_data_and_caller_decision():
    assert in_line_verdict(2, 30, 1 / 3) == "under"
    assert in_line_verdict(18, 30, 1 / 3) == "over"
    assert in_line_verdict(0, 0, 0.3) == "no_data"
    # a Holm decision overrides the unadjusted interval in both directions
    assert in_line_verdict(2, 30, 1 / 3, significant=False) == "not_significant_wide"
    assert in_line_verdict(9, 30, 1 / 3, significant=True) == "under"


# --- one dimension: gate + Holm -------------------------------------------

def test_flag_dimension_flags_only_after_the_overall_test():
    counts = {"18-29": 10, "30-39": 30, "40-49": 40, "50-59": 40, "60-69": 50, "70-79": 50, "80+": 41}
    res = flag_dimension(counts, SAPPORO_AGES)
    assert res.overall.method == "chi_square" and res.overall_significant
    by = {c.key: c for c in res.cells}
    n = sum(counts.values())
    assert by["18-29"].p_value == pytest.approx(binomial_p_value(10, n, 0.1388 / sum(SAPPORO_AGES.values())))
    assert [c.p_adjusted for c in res.cells] == pytest.approx(holm([c.p_value for c in res.cells]))
    assert by["18-29"].verdict == "under" and by["80+"].verdict == "over"
    # 70-79: unadjusted p 0.038 < 0.05, but Holm-adjusted 0.19: no flag
    assert by["70-79"].p_value < 0.05 < by["70-79"].p_adjusted
    assert by["70-79"].verdict == "not_significant_wide"
    assert (by["18-29"].ci_low, by["18-29"].ci_high, by["18-29"].interval_method) == share_interval(10, n)
    assert {c.verdict for c in res.cells} <= set(VERDICTS)


def test_flag_dimension_gate_closed_means_no_flag_even_with_a_small_holm_p():
    # 6, 6, 0 over three equal groups: the empty group's exact p is 2 * (2/3)^12 = 0.015 and
    # Holm gives 3 * 0.015 = 0.046 < 5%, but the table as a whole (exact p 0.070) is
    # compatible with the population, so nothing is flagged
    res = flag_dimension({"a": 6, "b": 6, "c": 0}, dict.fromkeys("abc", 1))
    assert res.overall.method == "exact"
    assert res.overall.p_value == pytest.approx(0.0704, abs=1e-4)
    assert not res.overall_significant
    assert res.cells[2].p_value == pytest.approx(2 * (2 / 3) ** 12)
    assert res.cells[2].p_adjusted < 0.05
    assert [c.verdict for c in res.cells] == ["not_significant_wide"] * 3


def test_flag_dimension_no_participants_and_unknown_keys():
    res = flag_dimension({"zz": 4}, {"a": 1, "b": 1})
    assert [c.verdict for c in res.cells] == ["no_data", "no_data"]
    assert res.overall.method == "none" and not res.overall_significant
    assert all(c.p_value is None and c.share is None for c in res.cells)
    with pytest.raises(ValueError):
        flag_dimension({"a": -1}, {"a": 1, "b": 1})
    with pytest.raises(ValueError):
        flag_dimension({"a": 1}, {"a": 0})


# --- a page: Benjamini-Hochberg across dimensions -------------------------

def test_flag_page_pools_every_cell_of_the_page():
    page = {"age": ({"18-29": 10, "30-39": 30, "40-49": 40, "50-59": 40, "60-69": 50,
                     "70-79": 50, "80+": 41}, SAPPORO_AGES),
            "gender": ({"female": 100, "male": 161}, {"female": 0.53, "male": 0.47}),
            "empty": ({}, {"x": 1, "y": 1})}
    res = flag_page(page)
    cells = [c for name in ("age", "gender") for c in res[name].cells]
    pooled = benjamini_hochberg([c.p_value for c in cells])
    assert [c.p_adjusted for c in cells] == pytest.approx(pooled)
    assert res["age"].adjustment == "benjamini_hochberg"
    assert {c.key for c in cells if c.verdict in ("under", "over")} == {
        "18-29", "80+", "female", "male"}
    # 70-79: unadjusted 0.038, adjusted over the page's 9 cells to 0.068: not flagged
    assert cells[5].p_value < 0.05 < cells[5].p_adjusted
    assert [c.verdict for c in res["empty"].cells] == ["no_data", "no_data"]
