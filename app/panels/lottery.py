"""A uniform lottery over m panels made from a selection distribution, and its public pick.

Pure numpy + HiGHS (``highspy``) -- no Flask, SQLAlchemy or ``app`` imports; it takes the
``Distribution`` of ``app/representation/sortition.py`` (leximin or maximin) by its fields.

Rounding (Flanigan, Kehne and Procaccia, "Fair sortition made transparent", NeurIPS 2021): an
integer programme chooses how many of the m panels take each composition of the distribution --
the floor or the ceiling of m times its probability -- so that every type's probability moves as
little as possible; within a type the seats go round-robin through its volunteers in an order
shuffled by the seed, so volunteers of one type differ by at most one panel. The exact change of
every volunteer's probability is reported (``loss``, ``max_loss``).

The pick: the m numbered panels are published first; then a number made public later (e.g. the
last digits of a national lottery draw) chooses panel ``1 + SHA-256(number in decimal) mod m``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import highspy
import numpy as np

__all__ = ["DEFAULT_LOTTERY_SIZE", "Lottery", "LotteryInputError", "canonical_number", "pick_number",
           "to_lottery"]

DEFAULT_LOTTERY_SIZE = 1000
_INF = highspy.kHighsInf


class LotteryInputError(ValueError):
    """A lottery that cannot be made or picked: wrong size, legacy input, a bad public number."""


@dataclass(frozen=True)
class Lottery:
    """m panels (tuples of volunteer indices into ``ids``), each drawn with probability 1/m."""
    ids: tuple[str, ...]
    panels: tuple[tuple[int, ...], ...]
    probabilities: np.ndarray   # how many of the m panels hold the volunteer, / m
    loss: np.ndarray            # |lottery probability - distribution probability| per volunteer
    max_loss: float

    def pick(self, public_number: str) -> tuple[int, tuple[str, ...]]:
        """The lottery number (1..m) chosen by ``public_number`` and the ids of its members."""
        number = pick_number(public_number, len(self.panels))
        return number, tuple(self.ids[i] for i in self.panels[number - 1])


def pick_number(public_number: str, m: int) -> int:
    """``1 + int(SHA-256(n)) mod m`` where n is the public number in decimal without leading
    zeros or separators (so "0042", "42" and "4 2" pick alike): anyone can re-run it."""
    digest = hashlib.sha256(canonical_number(public_number).encode("ascii")).digest()
    return 1 + int.from_bytes(digest, "big") % m


def canonical_number(public_number: str) -> str:
    """The public number as hashed: decimal digits, no leading zeros, spaces, '-' or ','."""
    digits = "".join(str(public_number).split()).replace("-", "").replace(",", "")
    if not digits.isascii() or not digits.isdigit():
        raise LotteryInputError(f"not a whole number: {public_number!r}")
    return str(int(digits))


def to_lottery(distribution, m: int = DEFAULT_LOTTERY_SIZE, seed: int = 0,
               time_limit: float = 2.0) -> Lottery:
    """Round a leximin or maximin ``Distribution`` to m equally likely panels (module docstring)."""
    if distribution.algorithm == "legacy":
        raise LotteryInputError("the legacy method draws directly; it has no lottery")
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise LotteryInputError(f"the lottery needs a positive whole number of panels, not {m!r}")
    C, w = distribution.compositions, distribution.weights
    counts = _round_counts(C, w, np.bincount(distribution.type_of).astype(float), m, time_limit)
    rng = np.random.default_rng(seed)
    members = [rng.permutation(np.flatnonzero(distribution.type_of == t)) for t in range(C.shape[1])]
    cursor = np.zeros(C.shape[1], dtype=np.int64)
    panels = []
    for composition, copies in zip(C, counts):
        for _ in range(copies):  # round-robin: within a type, places differ by at most one
            chosen = []
            for t in np.flatnonzero(composition):
                take = (cursor[t] + np.arange(composition[t])) % len(members[t])
                chosen.extend(members[t][take].tolist())
                cursor[t] = (cursor[t] + composition[t]) % len(members[t])
            panels.append(tuple(sorted(chosen)))
    held = np.zeros(len(distribution.ids))
    for panel in panels:
        held[list(panel)] += 1
    probabilities = held / m
    loss = np.abs(probabilities - distribution.probabilities)
    return Lottery(ids=distribution.ids, panels=tuple(panels), probabilities=probabilities,
                   loss=loss, max_loss=float(loss.max()))


def _round_counts(C: np.ndarray, w: np.ndarray, sizes: np.ndarray, m: int, time_limit: float) -> np.ndarray:
    """Integers a_j (floor or ceil of m*w_j, summing to m) minimising the largest change of a
    type's probability: min delta s.t. |sum_j (a_j - m w_j) C[j,t]| <= delta * sizes[t]."""
    exact = m * w
    low, high = np.floor(exact + 1e-9), np.ceil(exact - 1e-9)
    fallback = low.copy()  # largest remainders: a valid answer if the MIP finds nothing better
    fallback[np.argsort(-(exact - low))[: int(round(m - low.sum()))]] += 1
    P, T = C.shape
    h = _solver()
    h.setOptionValue("time_limit", float(time_limit))
    # delta is in units of 1/m; the round-robin within a type moves a volunteer by up to 1/m
    # anyway, so proving the last quarter of a unit optimal is not worth seconds of search.
    h.setOptionValue("mip_abs_gap", 0.25)
    empty = np.array([], dtype=np.int32)
    h.addCols(P + 1, np.r_[np.zeros(P), 1.0], np.r_[low, 0.0], np.r_[high, _INF], 0, empty, empty, np.array([]))
    h.changeColsIntegrality(P, np.arange(P, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * P))
    _add_rows(h, [np.r_[np.ones(P), 0.0]], m, m)
    expected = exact @ C
    _add_rows(h, np.c_[C.T, -sizes], -_INF, expected)
    _add_rows(h, np.c_[C.T, sizes], expected, _INF)
    h.setSolution(_solution(h, np.r_[fallback, np.max(np.abs(fallback @ C - expected) / sizes)]))
    h.run()
    solution = np.rint(np.array(h.getSolution().col_value)[:P]) if h.getSolution().value_valid else fallback
    if solution.sum() != m or (solution < low).any() or (solution > high).any():
        solution = fallback
    return solution.astype(np.int64)


def _solution(h, values: np.ndarray):
    solution = h.getSolution()
    solution.col_value = values.tolist()
    return solution


def _solver() -> highspy._core._Highs:
    # The raw class: highspy.Highs prints a banner on stdout, which would garble CLI output.
    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # as in sortition.py: small models on a shared machine
    return h


def _add_rows(h, matrix: np.ndarray, lower, upper) -> None:
    matrix = np.asarray(matrix, dtype=float)
    for row, lo, hi in zip(matrix, np.broadcast_to(lower, len(matrix)), np.broadcast_to(upper, len(matrix))):
        cols = np.flatnonzero(row).astype(np.int32)
        h.addRow(float(lo), float(hi), len(cols), cols, row[cols])
