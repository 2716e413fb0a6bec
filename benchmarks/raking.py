"""Benchmark: cell-based ``rake`` against plain row-by-row numpy raking.

    python benchmarks/raking.py

100,000 synthetic respondents on three variables (6, 2 and 10 categories),
skewed away from the target margins, with a few percent unanswered. Both
timings start from the list of dicts, so building the inputs is included.
Goal: ``rake`` under 0.1 s.
"""
from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    from app.representation.weighting import rake
except ModuleNotFoundError:
    # `app/__init__.py` needs Flask; the weighting module itself is pure numpy,
    # so load it by path when the app's dependencies are not installed.
    _spec = importlib.util.spec_from_file_location(
        "weighting", ROOT / "app" / "representation" / "weighting.py")
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    rake = _mod.rake

N = 100_000
SIZES = {"age": 6, "sex": 2, "district": 10}
MISSING = 0.03
RUNS = 5
TOL = 1e-10


def make_data(seed: int = 20240601):
    """Rows (list of dicts) and margins with known shares."""
    rng = np.random.default_rng(seed)
    rows = [{} for _ in range(N)]
    margins = {}
    for var, k in SIZES.items():
        cats = [f"{var}{i}" for i in range(k)]
        sample_p = 0.6 ** np.arange(k)  # skewed: geometric sample distribution
        sample_p /= sample_p.sum()
        codes = rng.choice(k, size=N, p=sample_p)
        unanswered = rng.random(N) < MISSING
        for row, c, miss in zip(rows, codes.tolist(), unanswered.tolist()):
            row[var] = None if miss else cats[c]
        target = rng.dirichlet(np.full(k, 5.0))  # known, fairly flat population
        margins[var] = dict(zip(cats, target.tolist()))
    return rows, margins


def rake_rows(rows, margins, max_iter=1000, tol=TOL):
    """Straightforward IPF on the per-row weight vector with boolean masks."""
    w = np.ones(len(rows))
    steps = []
    for var, spec in margins.items():
        values = np.array([r.get(var) for r in rows], dtype=object)
        known = values != None  # noqa: E711 -- elementwise comparison
        total = sum(spec.values())
        steps.append((known, [(values == c, t / total) for c, t in spec.items()]))
    for _ in range(max_iter):
        for known, cats in steps:
            subtotal = w[known].sum()
            for mask, share in cats:
                w[mask] *= share * subtotal / w[mask].sum()
        if max_error(w, steps) < tol:
            break
    return w * (len(w) / w.sum())


def max_error(w, steps):
    """Largest |weighted share - target| among rows with a known category."""
    return max(
        abs(w[mask].sum() / w[known].sum() - share)
        for known, cats in steps for mask, share in cats
    )


def timed(fn, *args):
    times, result = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), np.asarray(result, dtype=float)


def main():
    rows, margins = make_data()
    steps = []  # masks for measuring both results the same way
    for var, spec in margins.items():
        values = np.array([r.get(var) for r in rows], dtype=object)
        steps.append((values != None, [(values == c, t) for c, t in spec.items()]))  # noqa: E711
    t_cells, w_cells = timed(rake, rows, margins)
    t_rows, w_rows = timed(rake_rows, rows, margins)
    print(f"respondents: {N:,}, categories: {list(SIZES.values())}, "
          f"unanswered: ~{MISSING:.0%}, median of {RUNS} runs")
    print(f"rake (cells): {t_cells:.3f} s   max margin error {max_error(w_cells, steps):.1e}")
    print(f"row-by-row:   {t_rows:.3f} s   max margin error {max_error(w_rows, steps):.1e}")
    print(f"speed-up: {t_rows / t_cells:.0f}x; max |w_cells - w_rows| = "
          f"{np.max(np.abs(w_cells - w_rows)):.1e}; goal < 0.1 s: "
          f"{'met' if t_cells < 0.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
