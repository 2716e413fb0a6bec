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


Link = tuple[Iterable[int], Iterable[int]]  # sum of the first atoms = sum of the second


def _linear(n_atoms: int, constraints, links) -> list:
    rows = list(constraints)
    links = list(links)
    if not rows and not links:
        return []
    matrix = np.zeros((len(rows) + len(links), n_atoms))
    values = np.zeros(len(rows) + len(links))
    for i, (atoms, value) in enumerate(rows):
        matrix[i, list(atoms)] = 1.0
        values[i] = value
    for j, (plus, minus) in enumerate(links, len(rows)):
        matrix[j, list(plus)] = 1.0
        matrix[j, list(minus)] = -1.0
    return [LinearConstraint(matrix, values, values)]


def feasible_range(n_atoms: int, constraints: Sequence[tuple[Iterable[int], int]],
                   target: Iterable[int], links: Sequence[Link] = (),
                   integral: bool = True) -> tuple[int, int]:
    """(min, max) of the sum of `target` atoms over non-negative integer atom vectors meeting
    every (atoms, value) equality and every link. `integral=False` solves the LP relaxation,
    whose range contains the integer one (a cheap first look). Raises ValueError when the
    constraints are inconsistent."""
    target = list(target)
    if not target:
        return (0, 0)
    linear = _linear(n_atoms, constraints, links)
    objective = np.zeros(n_atoms)
    objective[target] = 1.0
    bounds = Bounds(0, np.inf)
    integrality = np.ones(n_atoms) if integral else np.zeros(n_atoms)
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
    if not integral:
        return (out[0], out[1])
    return (round(out[0]), out[1] if out[1] == float("inf") else round(out[1]))


_CACHE: dict = {}
_CACHE_SIZE = 512


def protect(n_atoms: int, figures: Sequence[Figure], k: int,
            together: Iterable[Iterable[Hashable]] = (),
            forced: Iterable[Hashable] = (), links: Sequence[Link] = ()) -> Protection:
    """protect_uncached(), remembered: a page's figures change only when a batch closes, so the
    same audit is asked for again and again between two closings (per process; a copy is
    returned so callers cannot change what is remembered)."""
    together, forced = [tuple(g) for g in together], tuple(forced)
    links = [(tuple(a), tuple(b)) for a, b in links]
    key = (n_atoms, k, tuple(figures), tuple(together), forced, tuple(links))
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = protect_uncached(n_atoms, figures, k, together, forced, links)
    found = _CACHE[key]
    return Protection(set(found.hidden), set(found.primary), dict(found.ranges),
                      set(found.unprotectable))


def protect_uncached(n_atoms: int, figures: Sequence[Figure], k: int,  # noqa: C901
                     together: Iterable[Iterable[Hashable]] = (),
                     forced: Iterable[Hashable] = (), links: Sequence[Link] = ()) -> Protection:
    """Decide which figures to hide so that no primary figure (0 < value < k) can be narrowed
    below k values from the shown ones. `together` lists groups of keys that are hidden as a
    whole when any member is; `forced` keys are hidden from the start (e.g. every cell of a line
    whose total is small, so that its zero cells do not tell what the whole small group is)."""
    links = [(list(a), list(b)) for a, b in links]

    def _width(figures_by_key: dict, hidden_keys: set, n: int, target: Figure,
               integral: bool = True) -> tuple[float, float]:
        constraints = [(f.atoms, f.value) for f in figures_by_key.values()
                       if f.shown and f.key not in hidden_keys]
        return feasible_range(n, constraints, sorted(target.atoms), links, integral)

    by_key = {f.key: f for f in figures}
    if len(by_key) != len(figures):
        raise ValueError("figure keys must be unique")
    result = Protection()
    if k <= 1:
        return result
    primary = [f for f in figures if f.sensitive and 0 < f.value < k]
    result.primary = {f.key for f in primary if f.shown}
    hidden = {f.key for f in primary if f.shown and f.hideable}
    hidden |= {key for key in forced if key in by_key and by_key[key].hideable}
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
                # The relaxation first: if even it does not widen, the integer range cannot.
                r_low, r_high = _width(by_key, trial, n_atoms, target, integral=False)
                if r_high - r_low <= high - low + 1e-9:
                    continue
                t_low, t_high = _width(by_key, trial, n_atoms, target)
                if t_high - t_low > high - low:
                    hidden.add(candidate.key)
                    close_groups()
                    low, high = _width(by_key, hidden, n_atoms, target)
                    break
            else:
                if not candidates:
                    result.unprotectable.add(target.key)
                    break
                # No single figure widens it (two or more pin it): hide the likeliest one and
                # look again; this ends, at worst, with everything hideable hidden.
                hidden.add(candidates[0].key)
                close_groups()
                low, high = _width(by_key, hidden, n_atoms, target)
        result.ranges[target.key] = (low, high)
    # A later complement can only widen earlier ranges (fewer constraints), so one pass holds;
    # the final ranges are recomputed for the record.
    for target in primary:
        result.ranges[target.key] = _width(by_key, hidden, n_atoms, target)
    result.hidden = hidden
    return result

