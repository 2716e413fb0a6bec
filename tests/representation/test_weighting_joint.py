"""Tests for the joint raking and weighted-share intervals in app/representation/weighting.py,
loaded by path as in test_weighting.py (the module must stay pure numpy). Expected values are
worked out in the comments or checked against an independent estimator (the jackknife)."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[2] / "app" / "representation" / "weighting.py"
_spec = importlib.util.spec_from_file_location("hiroba_weighting_joint_under_test", _PATH)
weighting = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(weighting)
WeightingError = weighting.WeightingError

QUARTERS = {("young", "f"): 0.25, ("young", "m"): 0.25, ("old", "f"): 0.25, ("old", "m"): 0.25}


def cell_rows(counts):
    return [{"age": a, "gender": g} for (a, g), k in counts.items() for _ in range(k)]


# --- joint raking ---------------------------------------------------------

def test_joint_margin_meets_every_cell_by_hand():
    # cells (young,f)=1, (young,m)=3, (old,f)=3, (old,m)=1 and one row without gender.
    # The 8 answering rows keep their total 8 and each cell gets 8 * 1/4 = 2: weights 2 and 2/3;
    # the ninth row is not adjusted (weight 1); the mean over all 9 rows is already 1.
    rows = cell_rows({("young", "f"): 1, ("young", "m"): 3, ("old", "f"): 3, ("old", "m"): 1})
    rows.append({"age": "young", "gender": None})
    w = weighting.rake_joint(rows, {("age", "gender"): QUARTERS})
    assert w == pytest.approx([2, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2, 1])


def test_two_margins_do_not_meet_the_joint_table():
    # Same sample: the age and gender margins are each 1/2 but young women are 1 of 8. Raking
    # to the margins leaves young women at their sample share; the joint table lifts them to 1/4.
    rows = cell_rows({("young", "f"): 1, ("young", "m"): 3, ("old", "f"): 3, ("old", "m"): 1})
    marginal = weighting.rake(rows, {"age": {"young": 1, "old": 1}, "gender": {"f": 1, "m": 1}})
    joint = weighting.rake_joint(rows, {("age", "gender"): QUARTERS})
    assert marginal == pytest.approx([1.0] * 8)  # margins already met: nothing changes
    assert joint[0] / sum(joint) == pytest.approx(0.25)
    assert marginal[0] / sum(marginal) == pytest.approx(1 / 8)


@pytest.mark.parametrize("seed", range(3))
def test_joint_and_plain_margins_are_met_together(seed):
    rng = np.random.default_rng(seed)
    ages, genders, residency = ["a1", "a2", "a3"], ["f", "m"], ["in", "out"]
    rows = [{"age": ages[rng.integers(3)], "gender": genders[rng.integers(2)],
             "residency": residency[rng.integers(2)] if rng.random() > 0.1 else None}
            for _ in range(500)]
    target = rng.dirichlet(np.ones(6))
    joint = {(a, g): float(t) for (a, g), t in zip([(a, g) for a in ages for g in genders], target)}
    w = np.array(weighting.rake_joint(
        rows, {("age", "gender"): joint, "residency": {"in": 0.7, "out": 0.3}}))
    for (a, g), share in joint.items():
        mask = np.array([r["age"] == a and r["gender"] == g for r in rows])
        assert w[mask].sum() / w.sum() == pytest.approx(share, abs=1e-8)
    known = np.array([r["residency"] is not None for r in rows])
    inside = np.array([r["residency"] == "in" for r in rows])
    assert w[inside].sum() / w[known].sum() == pytest.approx(0.7, abs=1e-8)


def test_without_joint_margins_it_is_rake():
    rows = [{"g": "A"}, {"g": "A"}, {"g": "B"}]
    assert weighting.rake_joint(rows, {"g": {"A": 1, "B": 1}}) == weighting.rake(rows, {"g": {"A": 1, "B": 1}})


def test_joint_margin_errors():
    rows = cell_rows({("young", "f"): 2, ("young", "m"): 2, ("old", "m"): 2})
    with pytest.raises(WeightingError, match="no respondents"):
        weighting.rake_joint(rows, {("age", "gender"): QUARTERS})  # nobody old and female
    with pytest.raises(WeightingError, match="must be a tuple of 2 values"):
        weighting.rake_joint(rows, {("age", "gender"): {"young": 1, "old": 1}})
    with pytest.raises(WeightingError, match="tuple of variable names"):
        weighting.rake_joint(rows, {(): {(): 1}})
    with pytest.raises(WeightingError, match="not in the margins"):
        weighting.rake_joint(rows, {("age", "gender"): {("young", "f"): 1, ("young", "m"): 1}})


# --- Kish design effect and weighted shares -------------------------------

def test_kish_design_effect_by_hand():
    # weights 1, 1, 1, 3: n sum w^2 / (sum w)^2 = 4 * 12 / 36
    assert weighting.kish_design_effect([1, 1, 1, 3]) == pytest.approx(4 / 3)
    assert weighting.kish_design_effect([2, 2]) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        weighting.kish_design_effect([])


def test_weighted_share_with_equal_weights_is_the_plain_share():
    # 3 of 10: v = 10/9 * (3 * 0.7^2 + 7 * 0.3^2) / 100 = 0.21 / 9, effective n = 0.21 / v = 9
    res = weighting.weighted_share([1, 1, 1] + [0] * 7, [1.0] * 10)
    assert res.share == pytest.approx(0.3)
    assert res.standard_error == pytest.approx(math.sqrt(0.21 / 9))
    assert res.effective_n == pytest.approx(9.0)
    assert res.method == "linearised"
    z2 = weighting.Z95 ** 2  # Wilson with n = 9
    centre = (0.3 + z2 / 18) / (1 + z2 / 9)
    half = weighting.Z95 / (1 + z2 / 9) * math.sqrt(0.21 / 9 + z2 / 324)
    assert (res.ci_low, res.ci_high) == pytest.approx((centre - half, centre + half))


def test_weighted_share_by_hand_with_unequal_weights():
    # y = 1, 0, 0, 0 with weights 3, 1, 1, 1: share 3/6 = 0.5; residuals w (y - 0.5) are
    # 1.5, -0.5, -0.5, -0.5 -> sum of squares 3; v = 4/3 * 3 / 36 = 1/9
    res = weighting.weighted_share([1, 0, 0, 0], [3, 1, 1, 1])
    assert res.share == pytest.approx(0.5)
    assert res.standard_error == pytest.approx(1 / 3)
    assert res.effective_n == pytest.approx(0.25 * 9)
    assert res.design_effect == pytest.approx((1 / 9) / (0.25 / 4))
    kish = weighting.weighted_share([1, 0, 0, 0], [3, 1, 1, 1], method="kish")
    assert kish.effective_n == pytest.approx(36 / 12)  # (sum w)^2 / sum w^2
    assert kish.design_effect == pytest.approx(4 / 3)


def test_linearised_variance_agrees_with_the_jackknife():
    rng = np.random.default_rng(11)
    n = 400
    w = rng.lognormal(0, 0.6, n)
    y = (rng.random(n) < 0.2 + 0.2 * (w > 1)).astype(float)  # answers related to the weights
    res = weighting.weighted_share(y, w)
    leave_out = np.array([(np.dot(w, y) - w[i] * y[i]) / (w.sum() - w[i]) for i in range(n)])
    jackknife = (n - 1) / n * np.sum((leave_out - leave_out.mean()) ** 2)
    assert res.standard_error ** 2 == pytest.approx(jackknife, rel=0.03)


def test_weighted_share_zero_falls_back_to_kish_and_bad_input():
    res = weighting.weighted_share([0, 0, 0, 0], [1, 2, 1, 2])
    assert res.share == 0.0 and res.ci_low == 0.0 and res.method == "kish"
    assert 0 < res.ci_high < 1
    with pytest.raises(ValueError):
        weighting.weighted_share([1, 2], [1, 1])
    with pytest.raises(ValueError):
        weighting.weighted_share([1], [1])
    with pytest.raises(ValueError):
        weighting.weighted_share([1, 0], [1, -1])
    with pytest.raises(ValueError):
        weighting.weighted_share([1, 0], [1, 1], method="bootstrap")
