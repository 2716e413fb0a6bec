"""`app/representation/sortition.py` loaded by path: the module is pure (numpy + HiGHS), and its
tests should not depend on `app/__init__.py`, which imports Flask."""
from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np

PATH = Path(__file__).resolve().parents[2] / "app" / "representation" / "sortition.py"
_spec = importlib.util.spec_from_file_location("hiroba_sortition_under_test", PATH)
sortition = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = sortition  # dataclasses look their module up by name
_spec.loader.exec_module(sortition)


def feasible_panels(pool, quotas, k):
    """Every feasible panel, by brute force over all k-subsets (tiny pools only)."""
    ids = list(pool)
    found = []
    for panel in itertools.combinations(range(len(ids)), k):
        if all(q.min <= sum(pool[ids[i]][q.feature] == q.value for i in panel) <= q.max for q in quotas):
            found.append(panel)
    return found


def brute_force_maximin(pool, quotas, k):
    """The largest achievable minimum probability over the volunteers in some feasible panel, by an
    LP over every feasible panel (scipy's linprog, independent of the module's code)."""
    from scipy.optimize import linprog

    panels = feasible_panels(pool, quotas, k)
    n = len(pool)
    covered = sorted({i for panel in panels for i in panel})
    member = np.zeros((n, len(panels)))
    for j, panel in enumerate(panels):
        member[list(panel), j] = 1
    # variables: weights per panel, then z; maximise z s.t. member @ w >= z for covered, sum w = 1
    c = np.r_[np.zeros(len(panels)), -1.0]
    a_ub = np.c_[-member[covered], np.ones(len(covered))]
    result = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(covered)), A_eq=[np.r_[np.ones(len(panels)), 0.0]],
                     b_eq=[1.0], bounds=[(0, None)] * len(panels) + [(None, None)], method="highs")
    return -result.fun


def brute_force_leximin(pool, quotas, k, tol=1e-9):
    """Leximin probabilities by its definition, with scipy's linprog over every feasible panel:
    maximise the smallest probability of those not yet fixed; fix each one whose probability
    cannot exceed that value while the others keep theirs; repeat."""
    from scipy.optimize import linprog

    panels = feasible_panels(pool, quotas, k)
    n, P = len(pool), len(panels)
    member = np.zeros((n, P))
    for j, panel in enumerate(panels):
        member[list(panel), j] = 1
    fixed = {i: 0.0 for i in range(n) if not member[i].any()}
    bounds = [(0, None)] * P + [(None, None)]
    eq = ([np.r_[np.ones(P), 0.0]], [1.0])

    def rows(level):  # member @ w >= fixed value, and >= z (the last variable) for the others
        a = [np.r_[-member[i], 0.0] for i in fixed] + [np.r_[-member[i], 1.0] for i in range(n) if i not in fixed]
        b = [-fixed[i] for i in fixed] + [0.0] * (n - len(fixed))
        return np.array(a), np.array(b)

    while len(fixed) < n:
        a, b = rows(None)
        z = -linprog(np.r_[np.zeros(P), -1.0], A_ub=a, b_ub=b, A_eq=eq[0], b_eq=eq[1], bounds=bounds,
                     method="highs").fun
        open_ = [i for i in range(n) if i not in fixed]
        stuck = []
        for i in open_:
            # can i rise above z while every other open one keeps at least z?
            others = [np.r_[-member[j], 0.0] for j in open_ if j != i]
            a2 = np.array([np.r_[-member[f], 0.0] for f in fixed] + others) if fixed or others else None
            b2 = np.array([-fixed[f] for f in fixed] + [-z] * len(others)) if a2 is not None else None
            best = -linprog(np.r_[-member[i], 0.0], A_ub=a2, b_ub=b2, A_eq=eq[0], b_eq=eq[1],
                            bounds=bounds, method="highs").fun
            if best <= z + tol:
                stuck.append(i)
        for i in stuck or open_:
            fixed[i] = z
    return np.array([fixed[i] for i in range(n)])


def agent_level_best(pool, quotas, k, weights):
    """max sum of weights over a feasible panel, as a MILP with one binary per volunteer (scipy's
    milp), independent of the module's type-level pricing."""
    from scipy.optimize import LinearConstraint, milp

    ids = list(pool)
    rows = [np.ones(len(ids))] + [np.array([pool[p][q.feature] == q.value for p in ids], float) for q in quotas]
    low = [k] + [q.min for q in quotas]
    high = [k] + [q.max for q in quotas]
    result = milp(-np.asarray(weights), constraints=LinearConstraint(np.array(rows), low, high),
                  integrality=np.ones(len(ids)), bounds=(0, 1))
    return -result.fun
