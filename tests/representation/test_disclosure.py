"""The page-wide disclosure audit: no hidden small count can be narrowed below k values from the
figures shown beside it."""
from __future__ import annotations

import itertools

from app.representation.disclosure import Figure, feasible_range, protect


def _figures(values: list[int], spec: dict, **fixed) -> list[Figure]:
    out = []
    for key, atoms in spec.items():
        out.append(Figure(key, frozenset(atoms), sum(values[i] for i in atoms),
                          group=fixed.get("group", {}).get(key, "t"),
                          hideable=key not in fixed.get("fixed", ()),
                          shown=key not in fixed.get("implied", ())))
    return out


def test_feasible_range_of_a_margin_cell():
    # x0 + x1 = 5, x1 + x2 = 3: x0 in [2, 5]
    assert feasible_range(3, [([0, 1], 5), ([1, 2], 3)], [0]) == (2, 5)
    assert feasible_range(2, [], [0]) == (0, float("inf"))


def test_a_lone_small_cell_is_not_recoverable_from_the_total():
    values = [3, 40, 0, 2]  # female, male, other, unknown
    spec = {"female": [0], "male": [1], "other": [2], "unknown": [3], "answered": [0, 1],
            "total": [0, 1, 2, 3]}
    result = protect(4, _figures(values, spec, fixed={"total"}), 5)
    assert {"female", "unknown"} <= result.hidden
    for key in ("female", "unknown"):
        low, high = result.ranges[key]
        assert high - low >= 4
    assert "total" not in result.hidden


def test_shown_zeros_do_not_pin_hidden_cells():
    # 9 answered: one cell of 5 shown, four of 1 hidden; the attack read each as 1.
    values = [5, 1, 1, 1, 1, 0]
    spec = {f"c{i}": [i] for i in range(6)}
    spec["total"] = list(range(6))
    result = protect(6, _figures(values, spec, fixed={"total"}), 5)
    for key in ("c1", "c2", "c3", "c4"):
        low, high = result.ranges[key]
        assert high - low >= 4, (key, low, high)


def test_implied_complement_is_protected():
    # youth card: youth 30 of 32 eligible shown as a share; the 2 who are not young are implied.
    values = [30, 2]
    spec = {"youth": [0], "eligible": [0, 1], "not_youth": [1], "total": [0, 1]}
    result = protect(2, _figures(values, spec, fixed={"total"}, implied={"not_youth"}), 5)
    low, high = result.ranges["not_youth"]
    assert high - low >= 4 or result.ranges["not_youth"] == (0, 32)
    assert result.hidden & {"youth", "eligible"}


def test_groups_hide_together():
    values = [1, 0, 20, 20]  # a small line: 40-49|female 1, 40-49|male 0
    spec = {"f40": [0], "m40": [1], "f50": [2], "m50": [3], "total": [0, 1, 2, 3]}
    result = protect(4, _figures(values, spec, fixed={"total"}), 5, together=[("f40", "m40")])
    assert {"f40", "m40"} <= result.hidden


def test_every_small_two_way_table_is_protected_exhaustively():
    """All 2x2 tables with counts 0..4 and shown margins: no primary cell narrower than k-1."""
    k = 5
    spec = {"a": [0], "b": [1], "c": [2], "d": [3], "row1": [0, 1], "row2": [2, 3],
            "col1": [0, 2], "col2": [1, 3], "total": [0, 1, 2, 3]}
    for values in itertools.product(range(0, 7, 2), repeat=4):
        values = list(values)
        result = protect(4, _figures(values, spec, fixed={"total"}), k)
        n = sum(values)
        for key, (low, high) in result.ranges.items():
            assert high - low >= k - 1 or (low, high) == (0, n) or key in result.unprotectable
