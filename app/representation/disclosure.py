"""Disclosure control over everything a page shows together (pure: numpy/scipy only).

A page shows many counts of the same people: a table per dimension with its total, unknown and
unreferenced counts, an age x gender table, headline cards, a series over time. Each is a sum
over *atoms*: the counts of the finest groups the page distinguishes (e.g. segment x fine age x
gender). Suppressing each table on its own is not enough: a sum or difference of shown figures
can recover a hidden one. So suppression is decided once, here, over all the figures of a page:

1. primary: every sensitive figure with 0 < value < k is hidden;
2. audit: for every primary figure, the smallest and largest value it can take given every
   *shown* figure (atoms are unknown non-negative integers: a mixed-integer programme, solved by
   HiGHS through scipy) must lie at least k - 1 apart, i.e. the hidden value stays consistent
   with at least k - 1 other values. Hidden figures may be 0 (zeros are hidden as complements
   too), so hiding a cell says nothing about it being non-empty;
3. complement: while a primary figure fails the audit, hide the shown figure that widens its
   range, preferring figures of the same table and small values (less information lost), and
   audit again. A figure that cannot be widened any further (e.g. everything hideable is hidden
   and the total itself is below k) is as protected as the always-shown total allows.

Figures that are protected but never printed (e.g. "participants who are not young", which a
card implies) are `shown=False`: audited, never a constraint.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass(frozen=True)
class Figure:
    """One count a page may show: the sum of `atoms` (indices into the atom vector)."""
    key: Hashable
    atoms: frozenset[int]
    value: int
    group: Hashable = None  # the table it belongs to (complements are sought there first)
    shown: bool = True  # False: implied by the page, audited but never a constraint
    hideable: bool = True  # False for the grand total, which every page states
    sensitive: bool = True  # subject to the primary rule


@dataclass
class Protection:
    hidden: set = field(default_factory=set)  # keys of hidden figures
    primary: set = field(default_factory=set)  # keys hidden because 0 < value < k
    ranges: dict = field(default_factory=dict)  # primary key -> (low, high) the attacker can tell
    unprotectable: set = field(default_factory=set)  # primary keys narrower than k - 1 at best


def feasible_range(n_atoms: int, constraints: Sequence[tuple[Iterable[int], int]],
                   target: Iterable[int]) -> tuple[int, int]:
    """(min, max) of the sum of `target` atoms over non-negative integer atom vectors meeting
    every (atoms, value) equality. Raises ValueError when the constraints are inconsistent."""
    target = list(target)
    if not target:
        return (0, 0)
    rows = [r for r in constraints]
    if rows:
        matrix = np.zeros((len(rows), n_atoms))
        values = np.zeros(len(rows))
        for i, (atoms, value) in enumerate(rows):
            matrix[i, list(atoms)] = 1.0
            values[i] = value
        linear = [LinearConstraint(matrix, values, values)]
    else:
        linear = []
    objective = np.zeros(n_atoms)
    objective[target] = 1.0
    bounds = Bounds(0, np.inf)
    integrality = np.ones(n_atoms)
    out = []
    for sign in (1.0, -1.0):
        result = milp(sign * objective, constraints=linear, integrality=integrality, bounds=bounds)
        if not result.success:
            check = milp(np.zeros(n_atoms), constraints=linear, integrality=integrality,
                         bounds=bounds)
            if sign < 0 and check.success:  # feasible but unbounded: nothing shown bounds it
                out.append(float("inf"))
                continue
            raise ValueError(f"inconsistent figures: {result.message}")
        out.append(sign * result.fun)
    return (round(out[0]), out[1] if out[1] == float("inf") else round(out[1]))


def _width(figures: dict, hidden: set, n_atoms: int, target: Figure) -> tuple[int, float]:
    constraints = [(f.atoms, f.value) for f in figures.values() if f.shown and f.key not in hidden]
    return feasible_range(n_atoms, constraints, sorted(target.atoms))


def protect(n_atoms: int, figures: Sequence[Figure], k: int,
            together: Iterable[Iterable[Hashable]] = ()) -> Protection:
    """Decide which figures to hide so that no primary figure (0 < value < k) can be narrowed
    below k values from the shown ones. `together` lists groups of keys that are hidden as a
    whole when any member is (e.g. a line of a 2-D table whose total is small, so that its zero
    cells do not tell what the whole small group is)."""
    by_key = {f.key: f for f in figures}
    if len(by_key) != len(figures):
        raise ValueError("figure keys must be unique")
    result = Protection()
    if k <= 1:
        return result
    primary = [f for f in figures if f.sensitive and 0 < f.value < k]
    result.primary = {f.key for f in primary if f.shown}
    hidden = {f.key for f in primary if f.shown and f.hideable}
    groups = [set(g) for g in together]

    def close_groups() -> None:
        changed = True
        while changed:
            changed = False
            for members in groups:
                if members & hidden:
                    before = len(hidden)
                    hidden.update(m for m in members if by_key[m].hideable)
                    changed = changed or len(hidden) > before
    close_groups()
    order = {f.key: i for i, f in enumerate(figures)}
    need = k - 1
    for target in sorted(primary, key=lambda f: order[f.key]):
        low, high = _width(by_key, hidden, n_atoms, target)
        while high - low < need:
            candidates = [f for f in figures if f.shown and f.hideable and f.key not in hidden]
            candidates.sort(key=lambda f: (f.group != target.group, f.value, order[f.key]))
            for candidate in candidates:
                trial = hidden | {candidate.key}
                t_low, t_high = _width(by_key, trial, n_atoms, target)
                if t_high - t_low > high - low:
                    hidden.add(candidate.key)
                    close_groups()
                    low, high = _width(by_key, hidden, n_atoms, target)
                    break
            else:
                result.unprotectable.add(target.key)
                break
        result.ranges[target.key] = (low, high)
    # A later complement can only widen earlier ranges (fewer constraints), so one pass holds;
    # the final ranges are recomputed for the record.
    for target in primary:
        result.ranges[target.key] = _width(by_key, hidden, n_atoms, target)
    result.hidden = hidden
    return result
