"""Survey weights by raking (iterative proportional fitting).

Pure numpy -- no Flask, SQLAlchemy or ``app`` imports -- so it can be tested
and benchmarked without the application.

Raking works on *cells* (unique combinations of answers, None included) rather
than on rows: every row in a cell ends up with the same weight, so raking the
few hundred cell totals gives the same answer as raking 100,000 rows, far faster.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

__all__ = ["WeightingError", "rake", "effective_sample_size"]


class WeightingError(ValueError):
    """The rows and margins admit no (converged) weights."""


def rake(
    rows: Sequence[Mapping[str, Hashable | None]],
    margins: Mapping[str, Mapping[Hashable, float]],
    *,
    max_iter: int = 1000,
    tol: float = 1e-10,
    cap: float | None = None,
) -> list[float]:
    """One weight per row (mean 1) such that, for each variable in ``margins``,
    the weighted shares among rows *with an answer* equal the target shares.

    ``margins[var]`` maps category -> target share or count (normalised to
    shares). A row whose value is None (or missing) for a variable does not take
    part in that variable's adjustment: its weight is left alone in that step,
    and the answering rows keep their combined weight. Variables in rows but not
    in ``margins`` are ignored. Converged when the largest |achieved - target|
    share over all margins is below ``tol``.

    ``cap`` (> 1) bounds each weight at ``cap`` times the mean weight. Trimming
    happens inside the iteration: after every raking sweep, weights above the
    cap are clipped (to a level that is exactly ``cap`` times the new mean), and
    the next sweep re-rakes. This stops when the weights change by less than
    ``tol`` (relative to the mean) or after ``max_iter`` sweeps. Capped weights
    trade exact margins for lower variance, so with a cap imperfect margins are
    accepted and no convergence error is raised. When some weighting within the
    cap meets the margins this usually finds one; when none does, re-raking
    keeps draining weight from over-represented cells and some weights can
    approach 0 -- check achieved margins and ``effective_sample_size``.

    Raises WeightingError when a category with a positive target has no
    respondents, a row has a category the margins lack, or (uncapped) raking
    does not converge within ``max_iter`` sweeps.
    """
    n = len(rows)
    if n == 0:
        return []
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    if cap is not None and not cap > 1:
        # cap == 1 would force every weight to the mean; below 1 is impossible.
        raise ValueError(f"cap must be > 1, got {cap}")
    names, cats, targets = _normalise(margins)
    codes = _encode(rows, names, cats)
    for j, var in enumerate(names):
        seen = np.bincount(codes[:, j], minlength=len(cats[j]) + 1)
        for c in np.flatnonzero((targets[j] > 0) & (seen[:-1] == 0)):
            raise WeightingError(
                f"margin {var!r}: category {cats[j][c]!r} has target share "
                f"{targets[j][c]:.3g} but no respondents"
            )

    cell_codes, inverse, counts = _cells(codes, [len(c) for c in cats])
    cols = [np.ascontiguousarray(cell_codes[:, j]) for j in range(len(names))]
    w = counts.astype(float)  # total weight per cell; each row gets w / count
    for _ in range(max_iter):
        before = w.copy()
        for col, t in zip(cols, targets):
            k = len(t)
            tot = np.bincount(col, weights=w, minlength=k + 1)[:k]
            factor = np.ones(k + 1)  # last slot: unanswered cells stay put
            np.divide(t * tot.sum(), tot, out=factor[:k], where=tot > 0)
            w *= factor[col]
        if cap is not None:
            _trim(w, counts, cap)
            if np.max(np.abs(w - before) / counts) * n / w.sum() < tol:
                break
        elif max((_errors(w, c, t).max() for c, t in zip(cols, targets)), default=0.0) < tol:
            break
    else:
        if cap is None:
            errs = [_errors(w, col, t) for col, t in zip(cols, targets)]
            j = int(np.argmax([e.max(initial=0.0) for e in errs]))
            c = int(np.argmax(errs[j]))
            raise WeightingError(
                f"raking did not converge within {max_iter} iterations: margin "
                f"{names[j]!r}, category {cats[j][c]!r} is off its target share "
                f"by {errs[j][c]:.3g} (are the margins contradictory?)"
            )
    # Rescaling keeps each weight's ratio to the mean, so the cap still holds.
    return ((w / counts)[inverse] * (n / w.sum())).tolist()


def effective_sample_size(weights: Sequence[float]) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2; 0.0 for no weights."""
    w = np.asarray(weights, dtype=float)
    sq = float(np.dot(w, w))
    return float(w.sum()) ** 2 / sq if sq > 0 else 0.0


def _normalise(margins):
    """Split margins into names, category lists and target-share arrays."""
    names, cats, targets = [], [], []
    for var, spec in margins.items():
        cs = list(spec)
        if None in spec:
            raise WeightingError(f"margin {var!r}: None is not a category (it means unanswered)")
        t = np.array([float(spec[c]) for c in cs])
        for c, v in zip(cs, t):
            if not (np.isfinite(v) and v >= 0):
                raise WeightingError(f"margin {var!r}: category {c!r} has invalid target {v!r}")
        if not t.sum() > 0:
            raise WeightingError(f"margin {var!r} has no positive target")
        names.append(var)
        cats.append(cs)
        targets.append(t / t.sum())
    return names, cats, targets


def _encode(rows, names, cats):
    """(n, V) integer codes: category index, len(cats) for None, -1 if unknown."""
    codes = np.empty((len(rows), len(names)), dtype=np.int64)
    for j, (var, cs) in enumerate(zip(names, cats)):
        lut = {c: i for i, c in enumerate(cs)}
        lut[None] = len(cs)
        get = lut.get
        codes[:, j] = np.fromiter([get(r.get(var), -1) for r in rows], np.int64, len(rows))
        bad = np.flatnonzero(codes[:, j] < 0)
        if bad.size:
            i = int(bad[0])
            raise WeightingError(
                f"row {i}: variable {var!r} has category {rows[i].get(var)!r}, "
                f"which is not in the margins (expected one of {cs!r} or None)"
            )
    return codes


def _cells(codes, sizes):
    """Unique code combinations: (cell codes, row -> cell index, cell counts)."""
    radix = np.array(sizes, dtype=np.int64) + 1  # +1 for the None code
    if float(np.prod(radix.astype(float))) < 2.0**62:
        # Mixed-radix key: a 1-D unique is much faster than unique(axis=0).
        mult = np.cumprod(np.concatenate(([1], radix)))[:-1]
        _, first, inverse, counts = np.unique(
            codes @ mult, return_index=True, return_inverse=True, return_counts=True)
        return codes[first], inverse.reshape(-1), counts
    uniq, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    return uniq, inverse.reshape(-1), counts


def _errors(w, col, t):
    """|achieved - target| share per category, among cells with an answer."""
    k = len(t)
    tot = np.bincount(col, weights=w, minlength=k + 1)[:k]
    total = tot.sum()
    return np.abs(tot / total - t) if total > 0 else t.copy()


def _trim(w, counts, cap):
    """Clip per-row weights (w / counts) in place at a level L = cap * mean
    *after* clipping. With r sorted descending and the top k cells clipped,
    L = cap * rest_k / (n - cap * rows_k); the smallest k whose L is at least
    the next unclipped weight is the solution (the mean-after-clipping is
    concave in L, so the fixed point is unique and found in one pass)."""
    r = w / counts
    order = np.argsort(-r)
    rs, cs = r[order], counts[order]
    n = cs.sum()
    clipped_rows = np.concatenate(([0], np.cumsum(cs)))
    rest = w.sum() - np.concatenate(([0.0], np.cumsum(rs * cs)))
    denom = n - cap * clipped_rows
    level = np.full(denom.shape, -np.inf)
    np.divide(cap * rest, denom, out=level, where=denom > 0)
    k = int(np.argmax(level >= np.append(rs, 0.0)))
    if k:
        total = w.sum()
        w[order[:k]] = level[k] * counts[order[:k]]
        w *= total / w.sum()  # keep the total, or repeated trims shrink it to 0
