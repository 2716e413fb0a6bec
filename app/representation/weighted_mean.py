"""The weighted mean of an answer (a Likert point, a number) with an interval that accounts for
the weights, from per-cell sums only. Pure: imports neither Flask nor SQLAlchemy.

Everyone in weighting cell c has the weight w_c; the cell's n_c respondents' answers add up to
S_c and their squares to Q_c. With N = sum n_c and W = sum w_c n_c:

    mean m        = sum w_c S_c / W
    linearised v  = N / (N - 1) * sum w_c^2 (Q_c - 2 m S_c + n_c m^2) / W^2

which is the Taylor linearisation of the ratio estimator sum w y / sum w, grouped by cell
(sum over a cell of w^2 (y - m)^2 expands to the bracket). The interval is m +- t se with
Student's t on (Kish's effective n - 1) degrees of freedom, so a handful of respondents gives a
wide interval rather than a normal one. It treats the weights as fixed and the respondents of a
cell as a random draw from it: raking's own error and self-selection within a cell are not in
it. References: Wolter (2007), Introduction to Variance Estimation, 6.11; Kish (1965), 11.7.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import stats


class WeightedMean(NamedTuple):
    mean: float
    standard_error: float
    ci_low: float
    ci_high: float
    effective_n: float  # Kish: W^2 / sum n_c w_c^2
    design_effect: float  # variance / the variance of an unweighted mean of N answers


def weighted_mean_of_cells(weights: Sequence[float], respondents: Sequence[float],
                           sums: Sequence[float], squares: Sequence[float], *,
                           level: float = 0.95) -> WeightedMean:
    """See the module docstring. Raises ValueError for fewer than two respondents, a
    non-positive total weight, or cell sums that no set of real answers can give."""
    w, n, s, q = (np.asarray(a, dtype=float) for a in (weights, respondents, sums, squares))
    if not (w.shape == n.shape == s.shape == q.shape) or w.ndim != 1:
        raise ValueError("weights, respondents, sums and squares must be 1-D of one length")
    if not all(np.isfinite(a).all() for a in (w, n, s, q)):
        raise ValueError("weights and sums must be finite")
    if (w < 0).any() or (n < 0).any() or (q < 0).any():
        raise ValueError("weights, respondents and squares must be >= 0")
    # Cauchy-Schwarz: n Q >= S^2 in every cell (to rounding)
    if (n * q - s * s < -1e-9 * np.maximum(1.0, n * q)).any():
        raise ValueError("a cell's sum of squares is smaller than its sum allows")
    total_n = float(n.sum())
    total_w = float(np.dot(w, n))
    if total_n < 2 or not total_w > 0:
        raise ValueError("need at least two respondents with positive total weight")
    mean = float(np.dot(w, s) / total_w)
    spread = np.maximum(q - 2 * mean * s + n * mean * mean, 0.0)
    variance = float(total_n / (total_n - 1) * np.dot(w * w, spread) / total_w ** 2)
    effective = total_w ** 2 / float(np.dot(n, w * w))
    # the variance of an unweighted mean of the same answers, for the design effect
    raw_mean = float(s.sum() / total_n)
    raw_var = float(max(q.sum() - total_n * raw_mean ** 2, 0.0) / (total_n - 1) / total_n)
    deff = variance / raw_var if raw_var > 0 else total_n / effective
    se = math.sqrt(variance)
    t = float(stats.t.ppf(0.5 + level / 2, max(effective - 1.0, 1.0)))
    return WeightedMean(mean, se, mean - t * se, mean + t * se, effective, deff)
