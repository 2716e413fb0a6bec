"""Survey weights by raking (iterative proportional fitting).

Pure numpy -- no Flask, SQLAlchemy or ``app`` imports -- so it can be tested
and benchmarked without the application.

Raking works on *cells* (unique combinations of answers, None included) rather
than on rows: every row in a cell ends up with the same weight, so raking the
few hundred cell totals gives the same answer as raking 100,000 rows, far faster.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["WeightingError", "rake", "rake_joint", "effective_sample_size",
           "kish_design_effect", "WeightedShare", "weighted_share", "weighted_share_of_cells"]

Z95 = 1.959963984540054  # as in stats.py; this module imports nothing from the app


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
        for col, t in zip(cols, targets, strict=False):
            k = len(t)
            tot = np.bincount(col, weights=w, minlength=k + 1)[:k]
            factor = np.ones(k + 1)  # last slot: unanswered cells stay put
            np.divide(t * tot.sum(), tot, out=factor[:k], where=tot > 0)
            w *= factor[col]
        if cap is not None:
            _trim(w, counts, cap)
            if np.max(np.abs(w - before) / counts) * n / w.sum() < tol:
                break
        elif max((_errors(w, c, t).max() for c, t in zip(cols, targets, strict=False)),
                 default=0.0) < tol:
            break
    else:
        if cap is None:
            errs = [_errors(w, col, t) for col, t in zip(cols, targets, strict=False)]
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


def rake_joint(  # noqa: C901
    rows: Sequence[Mapping[str, Hashable | None]],
    margins: Mapping[str | tuple[str, ...], Mapping[Hashable, float]],
    *,
    partial: bool = False,
    **options,
) -> list[float]:
    """Like ``rake`` but a margin may be *joint*: its key is a tuple of variables, e.g.
    ``("age", "gender")``, and its categories are tuples of their values, e.g.
    ``{("18-29", "female"): 0.07, ("18-29", "male"): 0.069, ...}``. Raking to the census's
    age x gender table meets every cell of it, where raking to the two margins separately only
    meets the age and gender totals and leaves e.g. young women wherever the sample put them.
    Plain string keys are ordinary margins and can be mixed in (e.g. residency).

    A row takes part in a joint margin only when it answered every variable in it; a row that
    gave its age but not its gender is not adjusted on that margin (the same rule as ``rake``
    for one unanswered variable). Joint cells with a positive target and no respondents raise
    WeightingError as in ``rake``: with small samples, collapse the table or rake the margins.

    With ``partial``, a row that answered some but not all variables of a joint margin is not
    left out of it altogether: the rows that answered exactly the same variables of it (say, age
    but not gender) are raked, among themselves, to the table's totals over those variables
    (the age totals), restricted to the categories present among them. So a row is adjusted on
    what it answered and not on the rest, as with plain margins; the groups are disjoint from
    the rows raked to the whole table, so the table is still met exactly.
    ``options`` are passed to ``rake`` (max_iter, tol, cap).
    Reference: Deming & Stephan (1940), Ann. Math. Statist. 11:427 (raking to a table)."""
    joint = {key: spec for key, spec in margins.items() if isinstance(key, tuple)}
    for key, spec in joint.items():
        if not key or not all(isinstance(var, str) for var in key):
            raise WeightingError(f"joint margin {key!r} must be a tuple of variable names")
        for cell in spec:
            if not isinstance(cell, tuple) or len(cell) != len(key):
                raise WeightingError(
                    f"joint margin {key!r}: category {cell!r} must be a tuple of {len(key)} values")
    if not joint:
        return rake(rows, margins, **options)
    margins = dict(margins)
    expanded = []
    for row in rows:
        row = dict(row)
        for key in joint:
            values = tuple(row.get(var) for var in key)
            row[key] = None if None in values else values
            if partial:
                answered = tuple(var for var, value in zip(key, values) if value is not None)
                for subset in _proper_subsets(key):
                    row[_Partial(key, subset)] = (
                        tuple(row.get(var) for var in subset) if answered == subset else None)
        expanded.append(row)
    if partial:
        for key, spec in joint.items():
            for subset in _proper_subsets(key):
                name = _Partial(key, subset)
                present = {row[name] for row in expanded} - {None}
                marginal: dict[tuple, float] = {}
                for cell, value in spec.items():
                    sub = tuple(cell[key.index(var)] for var in subset)
                    marginal[sub] = marginal.get(sub, 0.0) + float(value)
                strangers = present - set(marginal)
                if strangers:
                    raise WeightingError(
                        f"joint margin {key!r}: rows that answered only {subset!r} have "
                        f"{min(strangers, key=repr)!r}, which is not in the table")
                totals = {sub: value for sub, value in marginal.items() if sub in present}
                if any(v > 0 for v in totals.values()):
                    margins[name] = totals
                else:  # no such rows, or none in a populated category: nothing to adjust
                    for row in expanded:
                        row[name] = None
    return rake(expanded, margins, **options)


class _Partial(NamedTuple):
    """The variable 'answered exactly `subset` of the joint margin `key`' (see rake_joint); a
    pair of tuples, so it cannot be taken for a variable name or a joint margin's key."""
    key: tuple[str, ...]
    subset: tuple[str, ...]


def _proper_subsets(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Non-empty proper subsets of a joint margin's variables, in the margin's order."""
    return [tuple(var for i, var in enumerate(key) if mask >> i & 1)
            for mask in range(1, 2 ** len(key) - 1)]


def kish_design_effect(weights: Sequence[float]) -> float:
    """Kish's design effect from unequal weights, n sum w^2 / (sum w)^2 = n / effective n:
    how much the weights inflate the variance of a mean, if the answer is unrelated to the
    weights. 1.0 for equal weights. Reference: Kish (1965), Survey Sampling, 11.7."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not w.sum() > 0:
        raise ValueError("need at least one positive weight")
    return float(w.size * np.dot(w, w) / w.sum() ** 2)


class WeightedShare(NamedTuple):
    """A weighted share with its standard error and an interval that accounts for the weights.
    (A NamedTuple, not a dataclass: the tests load this module by path, outside sys.modules.)
    effective_n is the number of unweighted respondents that would give the same precision;
    design_effect = variance / the variance of an unweighted share of the same size."""
    share: float
    standard_error: float
    ci_low: float
    ci_high: float
    effective_n: float
    design_effect: float
    method: str  # 'linearised' | 'kish'


def weighted_share(indicator: Sequence[bool | int], weights: Sequence[float], *,
                   method: str = "linearised", z: float = Z95) -> WeightedShare:
    """Weighted share sum(w y) / sum(w) of respondents with y = 1 (e.g. who chose an option),
    with a variance that accounts for the weights.

    'linearised': Taylor linearisation of the ratio estimator,
    v = n / (n - 1) * sum(w_i (y_i - share))^2 / (sum w)^2, which uses how the weights and the
    answers go together; 'kish': p (1 - p) / n times Kish's design effect, which assumes they
    are unrelated (a fallback, e.g. for a share of exactly 0 or 1 where the linearised
    variance is 0). The interval is Wilson's with n replaced by the effective n = p (1 - p) / v,
    so it stays inside [0, 1] (Kott & Carr 1997). Both treat the weights as fixed and the
    respondents as independent: raking's own estimation error and self-selection are not in
    it. References: Wolter (2007), Introduction to Variance Estimation, 6.11; Kott & Carr
    (1997), Proc. Survey Research Methods Section, ASA, 114."""
    if method not in ("linearised", "kish"):
        raise ValueError(f"unknown method {method!r}")
    y = np.asarray(indicator, dtype=float)
    w = np.asarray(weights, dtype=float)
    if y.shape != w.shape or y.ndim != 1:
        raise ValueError("indicator and weights must be 1-D and of the same length")
    if ((y != 0) & (y != 1)).any() or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("indicator must be 0/1 and weights finite and >= 0")
    n = y.size
    if n < 2 or not w.sum() > 0:
        raise ValueError("need at least two respondents with positive total weight")
    share = float(np.dot(w, y) / w.sum())
    variance = float(n / (n - 1) * np.sum((w * (y - share)) ** 2) / w.sum() ** 2)
    return _with_interval(share, variance, n, kish_design_effect(w), method, z)


def weighted_share_of_cells(weights: Sequence[float], respondents: Sequence[float],
                            chose: Sequence[float], *, method: str = "linearised",
                            z: float = Z95) -> WeightedShare:
    """``weighted_share`` from per-cell totals instead of one row per respondent: everyone in
    cell c has the weight w_c, and y_c of its n_c respondents chose the option. The sums of
    ``weighted_share`` group by cell, so the result is the same to rounding, and a survey needs
    one GROUP BY row per cell, never the answers themselves. With N = sum n_c:

        share p        = sum w_c y_c / sum w_c n_c
        linearised v   = N / (N - 1) * sum w_c^2 [y_c (1 - p)^2 + (n_c - y_c) p^2] / (sum w_c n_c)^2
        Kish's effect  = N sum n_c w_c^2 / (sum n_c w_c)^2

    A cell of weight 0 still counts its respondents in N, as ``weighted_share`` counts a weight
    of 0: respondents who are not part of the estimate must be left out of the cells."""
    if method not in ("linearised", "kish"):
        raise ValueError(f"unknown method {method!r}")
    w = np.asarray(weights, dtype=float)
    n = np.asarray(respondents, dtype=float)
    y = np.asarray(chose, dtype=float)
    if not (w.shape == n.shape == y.shape) or w.ndim != 1:
        raise ValueError("weights, respondents and chose must be 1-D and of the same length")
    if not (np.isfinite(w).all() and np.isfinite(n).all() and np.isfinite(y).all()):
        raise ValueError("weights and counts must be finite")
    if (w < 0).any() or (y < 0).any() or (y > n).any():
        raise ValueError("weights must be >= 0 and 0 <= chose <= respondents in every cell")
    total_n = float(n.sum())
    weighted_n = float(np.dot(w, n))
    if total_n < 2 or not weighted_n > 0:
        raise ValueError("need at least two respondents with positive total weight")
    share = float(np.dot(w, y) / weighted_n)
    squares = w * w * (y * (1 - share) ** 2 + (n - y) * share ** 2)
    variance = float(total_n / (total_n - 1) * squares.sum() / weighted_n ** 2)
    deff_kish = float(total_n * np.dot(n, w * w) / weighted_n ** 2)
    return _with_interval(share, variance, total_n, deff_kish, method, z)


def _with_interval(share: float, variance: float, n: float, deff_kish: float, method: str,
                   z: float) -> WeightedShare:
    """The interval and design effect of a weighted share from its linearised variance; Kish's
    design effect instead when asked, or when the linearised variance is 0 (a share of 0 or 1,
    or every weight in one answer)."""
    binomial = share * (1 - share) / n
    if method == "kish" or variance <= 0 or binomial <= 0:
        method, variance = "kish", binomial * deff_kish
        effective = n / deff_kish
    else:
        effective = share * (1 - share) / variance
    low, high = _wilson_from_share(share, effective, z)
    deff = variance / binomial if binomial > 0 else deff_kish
    return WeightedShare(share, math.sqrt(variance), low, high, effective, deff, method)


def _wilson_from_share(share: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's interval for a share observed with (possibly fractional) sample size n."""
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (share + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    low = 0.0 if share <= 0 else max(0.0, centre - half)
    high = 1.0 if share >= 1 else min(1.0, centre + half)
    return (low, high)


def _normalise(margins):
    """Split margins into names, category lists and target-share arrays."""
    names, cats, targets = [], [], []
    for var, spec in margins.items():
        cs = list(spec)
        if None in spec:
            raise WeightingError(f"margin {var!r}: None is not a category (it means unanswered)")
        t = np.array([float(spec[c]) for c in cs])
        for c, v in zip(cs, t, strict=False):
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
    for j, (var, cs) in enumerate(zip(names, cats, strict=False)):
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
