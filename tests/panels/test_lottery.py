"""app/panels/lottery.py: rounding a distribution to m equally likely panels, and the public pick."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tests.panels.sortition_loader import LOTTERY_PATH, imported_roots, instance_a, lottery, pool_of, quotas_of, sortition


def test_lottery_of_instance_a_is_exact_and_every_panel_is_feasible():
    pool, quotas, k = instance_a()
    made = lottery.to_lottery(sortition.find_distribution(pool, quotas, k), 1000, seed=5)
    assert len(made.panels) == 1000
    assert made.max_loss == pytest.approx(0, abs=1e-12)  # 1000 * 20 seats share out evenly
    ids = list(pool)
    for panel in made.panels:
        assert len(set(panel)) == k
        for q in quotas:
            assert q.min <= sum(pool[ids[i]][q.feature] == q.value for i in panel) <= q.max


def test_lottery_reports_the_loss_it_makes():
    # C is certain, A/B 1/2 and D/E/F 1/3: with 7 panels these cannot be met exactly.
    pool = pool_of((1, {"g": "z"}), (2, {"g": "x"}), (3, {"g": "y"}))
    d = sortition.find_distribution(pool, quotas_of({"g": {"z": (1, 1), "x": (1, 1), "y": (0, 3)}}), 3)
    made = lottery.to_lottery(d, 7, seed=1)
    assert made.max_loss == pytest.approx(np.abs(made.probabilities - d.probabilities).max())
    assert 0 < made.max_loss < 1 / 7  # round-robin within a type: 7 seats over 3 people is 3/2/2
    assert made.probabilities.sum() == pytest.approx(3)


def test_lottery_is_reproducible_from_the_seed():
    pool, quotas, k = instance_a()
    d = sortition.find_distribution(pool, quotas, k)
    assert lottery.to_lottery(d, 50, seed=9).panels == lottery.to_lottery(d, 50, seed=9).panels
    assert lottery.to_lottery(d, 50, seed=9).panels != lottery.to_lottery(d, 50, seed=10).panels


def test_legacy_has_no_lottery():
    pool, quotas, k = instance_a()
    with pytest.raises(lottery.LotteryInputError):
        lottery.to_lottery(sortition.find_distribution(pool, quotas, k, "legacy", samples=10))


def test_pick_number_is_sha256_of_the_decimal_number():
    expected = 1 + int(hashlib.sha256(b"42").hexdigest(), 16) % 1000
    assert lottery.pick_number("42", 1000) == expected
    assert lottery.pick_number("0042", 1000) == lottery.pick_number(" 4-2 ", 1000) == expected
    assert {lottery.pick_number(str(n), 7) for n in range(200)} == set(range(1, 8))
    for bad in ("", "12a", "١٢"):
        with pytest.raises(lottery.LotteryInputError):
            lottery.pick_number(bad, 10)


def test_module_imports_no_web_or_database_code():
    assert imported_roots(LOTTERY_PATH) <= {"__future__", "dataclasses", "hashlib", "numpy", "highspy"}
