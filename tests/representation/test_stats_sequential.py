"""Tests for app.representation.sequential: published boundaries, an independent integration
by scipy's multivariate normal, and the rule's bookkeeping. The false-alarm simulation over a
consultation is in test_stats_simulation.py."""
import math

import numpy as np
import pytest
from scipy import stats as sp

from app.representation.sequential import (
    obrien_fleming_spending,
    sequential_under_alert,
    spending_boundaries,
    under_representation_z,
)


def test_spending_function_by_hand():
    # t = 1/4: 2 - 2 Phi(z_{0.9875} / 0.5) = 2 Phi(-2 * 2.2414) = 7.4e-6
    assert obrien_fleming_spending(0.25) == pytest.approx(2 * sp.norm.sf(2 * sp.norm.isf(0.0125)))
    assert obrien_fleming_spending(1.0) == 0.025 and obrien_fleming_spending(1.7) == 0.025
    assert obrien_fleming_spending(0.0) == 0.0
    assert obrien_fleming_spending(0.5, 0.05) == pytest.approx(2 * sp.norm.sf(sp.norm.isf(0.025) / math.sqrt(0.5)))
    with pytest.raises(ValueError):
        obrien_fleming_spending(0.5, 0.0)


@pytest.mark.parametrize("expected", [
    [3.7103, 2.5114, 1.9930],
    [4.3326, 2.9631, 2.3590, 2.0141],
    [4.8769, 3.3569, 2.6803, 2.2898, 2.0310],
])
def test_boundaries_match_published_lan_demets_values(expected):
    # equally spaced looks, one-sided alpha 2.5% (e.g. gsDesign sfLDOF, rpact designGroupSequential)
    k = len(expected)
    looks = spending_boundaries(list(range(1, k + 1)), maximum_information=k)
    assert [look.critical_z for look in looks] == pytest.approx(expected, abs=2e-4)
    assert looks[-1].alpha_spent == pytest.approx(0.025)
    assert [look.nominal_alpha for look in looks] == pytest.approx([sp.norm.sf(z) for z in expected], rel=2e-3)


def test_unequal_looks_spend_exactly_alpha_by_multivariate_normal():
    # independent check: P(no look crosses) from scipy's multivariate normal with the
    # Brownian-motion correlation sqrt(n_i / n_j) must be 1 - alpha spent
    ns = np.array([40, 95, 150, 260])
    looks = spending_boundaries(ns, maximum_information=300, alpha=0.05)
    corr = np.sqrt(np.minimum.outer(ns, ns) / np.maximum.outer(ns, ns))
    bounds = np.array([look.critical_z for look in looks])
    none = sp.multivariate_normal(mean=np.zeros(4), cov=corr, abseps=1e-7, releps=1e-7).cdf(bounds)
    assert 1 - none == pytest.approx(looks[-1].alpha_spent, abs=2e-4)
    assert looks[-1].alpha_spent == pytest.approx(obrien_fleming_spending(260 / 300, 0.05))


def test_boundaries_are_the_same_when_recomputed_with_more_history():
    early = spending_boundaries([30, 44, 58], maximum_information=300)
    later = spending_boundaries([30, 44, 58, 72, 86], maximum_information=300)
    assert [look.critical_z for look in later[:3]] == pytest.approx([look.critical_z for look in early], abs=1e-9)


def test_looks_after_the_plan_is_reached_test_nothing():
    looks = spending_boundaries([100, 200, 300, 350], maximum_information=300)
    assert looks[2].alpha_spent == pytest.approx(0.025)
    assert looks[3].critical_z == math.inf and looks[3].nominal_alpha == 0.0


def test_calendar_times_and_bad_input():
    looks = spending_boundaries([20, 50, 60], times=[1 / 3, 2 / 3, 1])
    assert looks[-1].alpha_spent == pytest.approx(0.025)
    assert spending_boundaries([], maximum_information=10) == []
    with pytest.raises(ValueError):
        spending_boundaries([10, 10], maximum_information=100)
    with pytest.raises(ValueError):
        spending_boundaries([10, 20])
    with pytest.raises(ValueError):
        spending_boundaries([10, 20], times=[0.5, 0.2])


def test_under_representation_z_by_hand():
    # 10 of 100 against 0.25: (25 - 10) / sqrt(100 * 0.25 * 0.75) = 15 / 4.33
    assert under_representation_z(10, 100, 0.25) == pytest.approx(15 / math.sqrt(18.75))
    assert under_representation_z(30, 100, 0.25) < 0
    with pytest.raises(ValueError):
        under_representation_z(1, 10, 0.0)


def test_alert_fires_at_the_first_crossing_and_skips_weeks_without_newcomers():
    # youth 27.4% of the population; 10% of participants young from week 1
    history = [(3, 30), (3, 30), (6, 60), (9, 90), (12, 120), (15, 150)]
    alert = sequential_under_alert(history, 0.274, planned_n=300)
    assert len(alert.looks) == 5  # the repeated (3, 30) is no new look
    crossings = [z >= look.critical_z for z, look in zip(alert.z_values, alert.looks)]
    assert alert.fired and alert.fired_at == crossings.index(True)
    assert alert.fired_at > 0  # the first look needs a gap beyond chance far larger than this
    assert not sequential_under_alert([(8, 30), (16, 60)], 0.274, planned_n=300).fired
    assert not sequential_under_alert([], 0.274, planned_n=300).fired
    with pytest.raises(ValueError):
        sequential_under_alert([(5, 40), (4, 30)], 0.274, planned_n=300)
