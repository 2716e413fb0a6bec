"""Worked examples for app/representation/sortition.py whose fair probabilities follow by hand
(the reasoning is in each test), the optimality certificate and infeasibility explanations."""
from __future__ import annotations


import numpy as np
import pytest

from tests.panels.sortition_loader import (PATH, agent_level_best, brute_force_maximin, feasible_panels, imported_roots,
                                          instance_a, pool_of, quotas_of, sortition)

Quota = sortition.Quota

def test_instance_a_gives_everyone_one_tenth_and_proves_it():
    # Ten male-conservatives and ten female-liberals meet every quota, and so do panels with the
    # lone female conservative in place of a liberal; mixing them gives all 200 exactly 20/200.
    pool, quotas, k = instance_a()
    for algorithm in ("leximin", "maximin"):
        d = sortition.find_distribution(pool, quotas, k, algorithm)
        assert np.allclose(d.probabilities, 0.1, atol=1e-9)
        assert d.min_probability == pytest.approx(0.1, abs=1e-9)
        assert d.dual_bound == pytest.approx(0.1, abs=1e-9)


def test_legacy_treats_the_lone_female_conservative_worse():
    pool, quotas, k = instance_a()
    d = sortition.find_distribution(pool, quotas, k, "legacy", seed=3, samples=500)
    assert d.probabilities.sum() == pytest.approx(k)
    assert d.probabilities[list(pool).index("g2_0")] < 0.05
    again = sortition.find_distribution(pool, quotas, k, "legacy", seed=3, samples=500)
    assert np.array_equal(d.probabilities, again.probabilities) and d.drawn == again.drawn


def test_forced_tiers():
    # C alone is "z" (exactly one z), A and B are "x" (exactly one), D, E, F are "y"; k = 3, so
    # every panel is C, one of A/B and one of D/E/F: C 1, A and B 1/2, D, E and F 1/3.
    pool = pool_of((1, {"g": "z"}), (2, {"g": "x"}), (3, {"g": "y"}))
    quotas = quotas_of({"g": {"z": (1, 1), "x": (1, 1), "y": (0, 3)}})
    d = sortition.find_distribution(pool, quotas, 3)
    assert np.allclose(d.probabilities, [1, 1 / 2, 1 / 2, 1 / 3, 1 / 3, 1 / 3], atol=1e-9)
    assert d.dual_bound == pytest.approx(1 / 3, abs=1e-9)


def test_leximin_raises_the_second_smallest_where_maximin_need_not():
    # The "z" volunteer can never sit (max 0), so every distribution has minimum 0 and each is
    # maximin-optimal; leximin then shares the one seat equally among the other three.
    pool = pool_of((1, {"g": "z"}), (1, {"g": "x"}), (2, {"g": "y"}))
    quotas = quotas_of({"g": {"z": (0, 0), "x": (0, 1), "y": (0, 1)}})
    d = sortition.find_distribution(pool, quotas, 1)
    assert d.min_probability == 0.0
    assert np.allclose(d.probabilities, [0, 1 / 3, 1 / 3, 1 / 3], atol=1e-9)


def test_leximin_lifts_the_old_man_whom_maximin_may_leave_at_the_minimum():
    # k = 3 with at least two old and one or two men. The three young share the one seat the old
    # leave (1/3 each, the best minimum); with it always filled, the three old share two seats
    # (2/3 each). Maximin is satisfied as soon as everyone has 1/3, old man included.
    pool = {"my1": {"g": "m", "a": "y"}, "my2": {"g": "m", "a": "y"}, "fy": {"g": "f", "a": "y"},
            "fo1": {"g": "f", "a": "o"}, "fo2": {"g": "f", "a": "o"}, "mo": {"g": "m", "a": "o"}}
    quotas = quotas_of({"g": {"f": (0, 3), "m": (1, 2)}, "a": {"y": (0, 3), "o": (2, 3)}})
    d = sortition.find_distribution(pool, quotas, 3)
    assert np.allclose(d.probabilities, [1 / 3, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3], atol=1e-9)
    maximin = sortition.find_distribution(pool, quotas, 3, "maximin")
    assert maximin.min_probability == pytest.approx(1 / 3, abs=1e-9) and maximin.stages == 1


def test_the_reported_minimum_is_certified_by_the_dual():
    # Two features that pull against each other; the certificate weights must bound every
    # feasible panel (checked by brute force) by the reported dual bound, which the minimum meets.
    pool = pool_of((3, {"g": "f", "a": "young"}), (1, {"g": "f", "a": "old"}),
                   (1, {"g": "m", "a": "young"}), (4, {"g": "m", "a": "old"}))
    quotas = quotas_of({"g": {"f": (2, 3), "m": (2, 3)}, "a": {"young": (2, 2), "old": (2, 3)}})
    d = sortition.find_distribution(pool, quotas, 4)
    y = d.certificate
    assert y.min() >= 0 and y.sum() == pytest.approx(1)
    assert max(y[list(panel)].sum() for panel in feasible_panels(pool, quotas, 4)) <= d.dual_bound + 1e-9
    assert d.min_probability >= d.dual_bound - 1e-7
    assert d.min_probability == pytest.approx(brute_force_maximin(pool, quotas, 4), abs=1e-7)


def test_a_larger_pool_is_certified_by_an_independent_milp():
    # 150 volunteers over 3 x 2 x 4 values with skewed shares: too many panels to list, so the
    # certificate is checked by a MILP with one binary per volunteer (scipy.optimize.milp).
    rng = np.random.default_rng(7)
    values = {"age": ["y", "m", "o"], "g": ["f", "m"], "area": ["n", "s", "e", "w"]}
    lean = {"age": [0.15, 0.35, 0.5], "g": [0.35, 0.65], "area": [0.4, 0.3, 0.2, 0.1]}
    pool = {f"v{i}": {f: str(rng.choice(vs, p=lean[f])) for f, vs in values.items()} for i in range(150)}
    quotas = quotas_of({"age": {"y": (4, 5), "m": (4, 6), "o": (4, 6)}, "g": {"f": (7, 8), "m": (7, 8)},
                        "area": {"n": (3, 5), "s": (3, 5), "e": (3, 4), "w": (2, 4)}})
    d = sortition.find_distribution(pool, quotas, 15)
    assert agent_level_best(pool, quotas, 15, d.certificate) <= d.dual_bound + 1e-7
    assert d.min_probability >= d.dual_bound - 1e-7
    assert d.probabilities.sum() == pytest.approx(15)


def test_every_composition_meets_the_quotas_and_weights_sum_to_one():
    pool, quotas, k = instance_a()
    d = sortition.find_distribution(pool, quotas, k)
    assert d.weights.sum() == pytest.approx(1) and (d.weights > 0).all()
    assert (d.compositions.sum(axis=1) == k).all()


# --- infeasible quotas --------------------------------------------------------

def explain(pool, quotas, k):
    with pytest.raises(sortition.InfeasibleQuotas) as caught:
        sortition.find_distribution(pool, quotas, k)
    return caught.value


def test_pool_short_of_a_minimum():
    pool = pool_of((2, {"g": "f"}), (8, {"g": "m"}))
    error = explain(pool, quotas_of({"g": {"f": (3, 5), "m": (0, 5)}}), 5)
    assert sortition.Conflict("pool_short", (("g", "f"),), 1) in error.conflicts
    assert error.relaxation == (sortition.QuotaChange("g", "f", "min", 3, 2),)
    assert error.total_relaxation == 1


def test_minimums_exceed_and_maximums_fall_short_of_the_size():
    pool = pool_of((5, {"g": "f"}), (5, {"g": "m"}))
    error = explain(pool, quotas_of({"g": {"f": (3, 5), "m": (3, 5)}}), 5)
    assert error.conflicts == (sortition.Conflict("minimums_exceed_size", (("g", "f"), ("g", "m")), 1),)
    assert error.total_relaxation == 1
    error = explain(pool, quotas_of({"g": {"f": (0, 2), "m": (0, 2)}}), 5)
    assert error.conflicts == (sortition.Conflict("maximums_below_size", (("g", "f"), ("g", "m")), 1),)
    assert [(c.bound, c.new - c.old) for c in error.relaxation] == [("max", 1)]


def test_quotas_that_conflict_only_together():
    # Every woman is young: 3 women and 2 old people do not fit in 4 seats, though each feature
    # on its own is fine. Relaxing one minimum by one is the nearest fix.
    pool = pool_of((3, {"g": "f", "a": "young"}), (3, {"g": "m", "a": "old"}))
    quotas = quotas_of({"g": {"f": (3, 4), "m": (0, 4)}, "a": {"young": (0, 4), "old": (2, 4)}})
    error = explain(pool, quotas, 4)
    assert [c.kind for c in error.conflicts] == ["combined"]
    assert error.conflicts[0].people == 1 and error.total_relaxation == 1
    (change,) = error.relaxation
    assert change.bound == "min" and change.new == change.old - 1
    relaxed = [Quota(q.feature, q.value, change.new, q.max) if (q.feature, q.value) == (change.feature, change.value)
               else q for q in quotas]
    assert feasible_panels(pool, relaxed, 4)


def test_a_pool_smaller_than_the_panel():
    error = explain(pool_of((3, {"g": "f"})), quotas_of({"g": {"f": (0, 5)}}), 5)
    assert error.conflicts == (sortition.Conflict("pool_too_small", (), 2),) and error.relaxation == ()


@pytest.mark.parametrize("pool, quotas, k, problem", [
    ({"a": {"g": "f"}}, [Quota("g", "f", 2, 1)], 1, "min_above_max"),
    ({"a": {"g": "x"}}, [Quota("g", "f", 0, 1)], 1, "unknown_value"),
    ({"a": {}}, [Quota("g", "f", 0, 1)], 1, "unknown_value"),
    ({"a": {"g": "f"}}, [Quota("g", "f", 0, 1), Quota("g", "f", 0, 1)], 1, "duplicate_quota"),
    ({"a": {"g": "f"}}, [Quota("g", "f", 0, 1)], 0, "size"),
])
def test_malformed_input_is_named(pool, quotas, k, problem):
    with pytest.raises(sortition.InvalidSelectionInput) as caught:
        sortition.find_distribution(pool, quotas, k)
    assert caught.value.problem == problem


def test_module_imports_no_web_or_database_code():
    assert imported_roots(PATH) <= {"__future__", "collections", "dataclasses", "numpy", "highspy"}
