"""Benchmark: panel selection (leximin, maximin, legacy) on the three instances of issue #14.

    python benchmarks/panels.py            # all instances
    python benchmarks/panels.py a b        # some of them

Prints, for every algorithm and instance, the minimum selection probability (and the dual bound
proving it optimal), the Gini coefficient of the probabilities, the share of volunteers below half
of k/n, the wall time and the CPU time (the machine is shared: the load average is printed), then the
transparent lottery (m = 1,000) made from leximin: its largest loss and its time.

Instances (all generated here, deterministically from SEED):

(a) 200 volunteers, k = 20, gender x politics: 100 male-conservative, 99 female-liberal and one
    female-conservative; every value has the quota 9..20. The fair answer gives everyone 0.1.
(b) 1,000 volunteers, k = 50, age band (6) x gender (2) x sub-area (10). Population shares: age
    bands like an eligible Japanese population (16-29 ... 70+), women 52 %, sub-areas drawn from a
    Dirichlet(8) distribution; quotas are share x k rounded, +-1 (never below 0). The pool leans to
    older men the way volunteer pools do: a volunteer's chance to be in it is the population
    share times 0.5, 0.7, 1.0, 1.3, 1.6, 1.9 by age band, times 1.5 for men, times a
    Dirichlet(4)-drawn factor per sub-area.
(c) 2,000 volunteers, k = 200, age band (6) x sub-area (10), generated like (b) without gender.

Anchors. The reference library sortition-algorithms 0.12.15 (HiGHS backend; its leximin needs
Gurobi), measured once on this machine on the instances generated here (2026-12-06, load average
5-7): (a) maximin 11.8 s, nash 4.8 s, both minimum 0.1; (b) maximin 219.5 s, minimum 0.030488,
Gini 0.303; nash on (b) was stopped unfinished after about 40 minutes. Issue #14's figures, on its
own draws of (b) and (c): maximin 93 s, minimum 0.041, Gini 0.15, nash 179 s, legacy minimum 0.014
on (b); maximin unfinished after 45 min, nash 352 s, published leximin (Flanigan et al. 2021,
Gurobi) 1,162 s on (c).
"""
from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    # Loaded by path: the modules are pure, and `app/__init__.py` would pull in Flask.
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sortition = _load("sortition", ROOT / "app" / "representation" / "sortition.py")
lotteries = _load("lottery", ROOT / "app" / "panels" / "lottery.py")

SEED = 20260414
AGE_BANDS = ("16-29", "30-39", "40-49", "50-59", "60-69", "70+")
AGE_SHARES = np.array([0.15, 0.12, 0.16, 0.16, 0.15, 0.26])
AGE_LEAN = np.array([0.5, 0.7, 1.0, 1.3, 1.6, 1.9])
LEGACY_SAMPLES = 2000
LOTTERY_SIZE = 1000


def instance_a():
    pool = {f"mc{i:03d}": {"gender": "male", "politics": "conservative"} for i in range(100)}
    pool.update({f"fl{i:03d}": {"gender": "female", "politics": "liberal"} for i in range(99)})
    pool["fc000"] = {"gender": "female", "politics": "conservative"}
    quotas = [sortition.Quota(f, v, 9, 20) for f, values in
              (("gender", ("male", "female")), ("politics", ("conservative", "liberal"))) for v in values]
    return pool, quotas, 20


def _generated(n: int, k: int, with_gender: bool, seed: int):
    rng = np.random.default_rng(seed)
    features = {"age": (AGE_BANDS, AGE_SHARES, AGE_LEAN)}
    if with_gender:
        features["gender"] = (("female", "male"), np.array([0.52, 0.48]), np.array([1.0, 1.5]))
    areas = tuple(f"area{i:02d}" for i in range(10))
    features["area"] = (areas, rng.dirichlet(np.full(10, 8.0)), rng.dirichlet(np.full(10, 4.0)) * 10)
    pool = {f"v{i:04d}": {} for i in range(n)}
    for feature, (values, shares, lean) in features.items():
        chance = shares * lean
        picks = rng.choice(len(values), size=n, p=chance / chance.sum())
        for person, v in zip(pool.values(), picks.tolist()):
            person[feature] = values[v]
    quotas = []
    for feature, (values, shares, _lean) in features.items():
        for value, share in zip(values, shares):
            target = int(round(share * k))
            quotas.append(sortition.Quota(feature, value, max(0, target - 1), target + 1))
    return pool, quotas, k


INSTANCES = {
    "a": instance_a,
    "b": lambda: _generated(1000, 50, True, SEED),
    "c": lambda: _generated(2000, 200, False, SEED + 1),
}


def gini(p: np.ndarray) -> float:
    """Mean absolute difference over all pairs, over twice the mean (0 = everyone equal)."""
    p = np.sort(p)
    n = len(p)
    return max(0.0, float((2 * np.arange(1, n + 1) - n - 1) @ p / (n * p.sum())))  # no -0.000


def main(names) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    header = f"{'inst':4} {'algorithm':9} {'n':>5} {'k':>4} {'min p':>9} {'bound':>9} {'Gini':>6} {'<k/2n':>6} {'wall s':>7} {'cpu s':>6}"
    print(header)
    print("-" * len(header))
    rounded = []
    for name in names:
        pool, quotas, k = INSTANCES[name]()
        n = len(pool)
        for algorithm in sortition.ALGORITHMS:
            start, cpu = time.perf_counter(), time.process_time()
            d = sortition.find_distribution(pool, quotas, k, algorithm, seed=SEED, samples=LEGACY_SAMPLES)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            p = d.probabilities
            below = float(np.mean(p < 0.5 * k / n))
            bound = "" if d.dual_bound is None else f"{d.dual_bound:.6f}"
            print(f"{name:4} {algorithm:9} {n:5d} {k:4d} {d.min_probability:9.6f} {bound:>9} {gini(p):6.3f}"
                  f" {below:6.1%} {elapsed:7.2f} {cpu:6.2f}", flush=True)
            if algorithm == "leximin":
                start = time.perf_counter()
                lottery = lotteries.to_lottery(d, LOTTERY_SIZE, seed=SEED)
                rounded.append((name, lottery.max_loss, float(lottery.probabilities.min()),
                                  time.perf_counter() - start))
    print()
    print(f"leximin rounded to a uniform lottery over {LOTTERY_SIZE} panels:")
    for name, loss, smallest, elapsed in rounded:
        print(f"  ({name}) largest loss {loss:.5f}, smallest lottery probability {smallest:.4f}, {elapsed:.2f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(INSTANCES))
