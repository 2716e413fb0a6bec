"""`app/representation/sortition.py` and `app/panels/lottery.py` loaded by path (both are pure,
numpy + HiGHS, and their tests should not depend on `app/__init__.py`, which imports Flask), with
brute-force references computed independently of them and the small instances the tests share."""
from __future__ import annotations

import ast
import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "app" / "representation" / "sortition.py"
LOTTERY_PATH = ROOT / "app" / "panels" / "lottery.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


sortition = _load("hiroba_sortition_under_test", PATH)
lottery = _load("hiroba_lottery_under_test", LOTTERY_PATH)


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


def quotas_of(spec):
    return [sortition.Quota(feature, value, low, high) for feature, values in spec.items()
            for value, (low, high) in values.items()]


def pool_of(*groups):
    """groups: (count, {feature: value}) -> ids g0_0, g0_1, ... in order."""
    return {f"g{g}_{i}": dict(values) for g, (count, values) in enumerate(groups) for i in range(count)}


def instance_a():
    pool = pool_of((100, {"gender": "male", "politics": "con"}), (99, {"gender": "female", "politics": "lib"}),
                   (1, {"gender": "female", "politics": "con"}))
    quotas = quotas_of({"gender": {"male": (9, 20), "female": (9, 20)},
                        "politics": {"con": (9, 20), "lib": (9, 20)}})
    return pool, quotas, 20


def imported_roots(path):
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            roots.add(node.module.split(".")[0])
    return roots
