"""Stratified panel selection (sortition): quotas and fair selection probabilities.

Pure numpy + HiGHS (``highspy``, open source) -- no Flask, SQLAlchemy or ``app`` imports.

A *panel* is k volunteers meeting every quota (min <= count <= max per feature value). The
algorithms choose a probability distribution over feasible panels:

* ``leximin`` (Flanigan et al., Nature 2021): maximise the smallest selection probability, fix the
  volunteers whose probability cannot rise above it, maximise the next smallest, and so on. Each
  stage is solved by column generation: an LP over the panels found so far (in its dual form,
  weights y per volunteer summing to 1 over those not yet fixed), and a MIP that prices a new
  panel (maximise the sum of y over a feasible panel) until none beats the LP. The last pricing
  MIP of the first stage proves the minimum optimal: for *any* distribution,
  min_i p_i <= sum_i y_i p_i = E[sum_{i in panel} y_i] <= max over feasible panels (the MIP's dual
  bound), reported as ``dual_bound`` with the weights as ``certificate``.
* ``maximin``: the first stage alone (the minimum is optimal, the rest is whatever the LP gives).
* ``legacy``: the greedy sequential method of the Sortition Foundation's original tool (fill the
  quota most in need relative to who is left, with a random person from it), for comparison only;
  its probabilities are estimated by drawing many panels from one seed.

Volunteers with the same value in every stratifying feature (a *type*) are interchangeable: the
leximin probabilities are unique, hence equal within a type, so the LPs and MIPs work on how many
of each type a panel takes (one integer per combination present in the pool, at most one per
volunteer) instead of one binary per volunteer. This is exact, and with a handful of features it
is why a pool of thousands solves in seconds.

The uniform lottery over m panels made from a distribution, and its public pick, are in
``app/panels/lottery.py``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

__all__ = ["ALGORITHMS", "Conflict", "Distribution", "InfeasibleQuotas", "InvalidSelectionInput",
           "Quota", "QuotaChange", "SelectionFailed", "find_distribution"]

ALGORITHMS = ("leximin", "maximin", "legacy")
_IMPROVES = 1e-9     # a priced panel must beat the LP's bound by this much to be added
_POSITIVE = 1e-9     # a dual weight above this marks a volunteer whose probability is fixed
_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int


class InvalidSelectionInput(ValueError):
    """The pool or the quotas are malformed; ``problem`` names what, ``details`` says where."""

    def __init__(self, problem: str, message: str, **details):
        super().__init__(message)
        self.problem = problem
        self.details = details


@dataclass(frozen=True)
class Conflict:
    """Quotas that cannot hold together, and by how many people they miss.

    kind: ``pool_too_small`` (fewer volunteers than k), ``pool_short`` (fewer volunteers with the
    value than its minimum), ``minimums_exceed_size`` / ``maximums_below_size`` (one feature's
    minima add up to more than k, or its reachable maxima to less), ``combined`` (no single cause:
    the quotas the smallest relaxation has to change)."""
    kind: str
    quotas: tuple[tuple[str, str], ...]
    people: int


@dataclass(frozen=True)
class QuotaChange:
    feature: str
    value: str
    bound: str  # "min" or "max"
    old: int
    new: int


class SelectionFailed(RuntimeError):
    """The legacy greedy method got stuck on every attempt although panels exist."""


class InfeasibleQuotas(Exception):
    """No panel of k volunteers meets every quota. ``relaxation`` is a smallest change of the
    quotas (fewest people in total) that makes a panel possible."""

    def __init__(self, conflicts: Sequence[Conflict], relaxation: Sequence[QuotaChange]):
        self.conflicts = tuple(conflicts)
        self.relaxation = tuple(relaxation)
        self.total_relaxation = sum(abs(c.new - c.old) for c in self.relaxation)
        super().__init__(f"no panel meets every quota ({len(self.conflicts)} conflicts; "
                         f"relaxing by {self.total_relaxation} people makes one possible)")


@dataclass(frozen=True)
class Distribution:
    """Volunteer ``ids[i]`` (of type ``type_of[i]``) is selected with ``probabilities[i]``. Panel
    composition j takes ``compositions[j, t]`` volunteers of type t, uniformly among them, with
    probability ``weights[j]``. ``min_probability`` is over everyone; ``dual_bound`` and
    ``certificate`` (see the module docstring) are over the volunteers some panel can hold, as
    those no panel can hold (a quota with max 0 for their value) are 0 under any distribution.
    Both are None for legacy, whose ``drawn`` is the panel the seed itself draws (indices)."""
    algorithm: str
    ids: tuple[str, ...]
    k: int
    probabilities: np.ndarray
    type_of: np.ndarray
    compositions: np.ndarray
    weights: np.ndarray
    min_probability: float
    dual_bound: float | None = None
    certificate: np.ndarray | None = None
    stages: int = 0
    panels_priced: int = 0
    drawn: tuple[int, ...] | None = None


class _Instance:
    """The pool reduced to types: ``member[q, t]`` is 1 when type t has quota q's value."""

    def __init__(self, pool: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota], k: int):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidSelectionInput("size", f"the panel size must be a positive whole number, not {k!r}")
        self.k, self.ids = k, tuple(pool)
        self.quotas = tuple(quotas)
        index: dict[tuple[str, str], int] = {}
        for q, quota in enumerate(self.quotas):
            key = (quota.feature, quota.value)
            if key in index:
                raise InvalidSelectionInput("duplicate_quota", f"{key[0]}={key[1]} has two quotas",
                                            feature=key[0], value=key[1])
            if not 0 <= quota.min <= quota.max:
                raise InvalidSelectionInput("min_above_max", f"{key[0]}={key[1]}: need 0 <= min <= max,"
                                            f" got {quota.min}..{quota.max}", feature=key[0], value=key[1])
            index[key] = q
        self.features = tuple(dict.fromkeys(quota.feature for quota in self.quotas))
        rows = np.empty((len(self.ids), len(self.features)), dtype=np.int64)
        for i, person in enumerate(pool.values()):
            for f, feature in enumerate(self.features):
                q = index.get((feature, person.get(feature)))
                if q is None:
                    raise InvalidSelectionInput(
                        "unknown_value", f"volunteer {self.ids[i]}: {feature}={person.get(feature)!r}"
                        " is not a category", id=self.ids[i], feature=feature, value=person.get(feature))
                rows[i, f] = q
        self.lo = np.array([quota.min for quota in self.quotas], dtype=float)
        self.hi = np.array([quota.max for quota in self.quotas], dtype=float)
        type_rows, type_of = np.unique(rows, axis=0, return_inverse=True)
        self.type_of = type_of.reshape(-1)
        self.sizes = np.bincount(self.type_of, minlength=len(type_rows)).astype(float)
        self.member = np.zeros((len(self.quotas), len(type_rows)))
        for t, row in enumerate(type_rows):
            self.member[row, t] = 1.0
        self.person_member = self.member[:, self.type_of].T.astype(bool)  # volunteer x quota


def _solver() -> highspy._core._Highs:
    # The raw class: highspy.Highs prints a banner on stdout, which would garble CLI output.
    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    # One thread: these models are small, and HiGHS's spinning worker threads only slow a
    # shared or busy machine down (and a web worker must not take every core).
    h.setOptionValue("threads", 1)
    return h


def _add_rows(h, matrix: np.ndarray, lower, upper) -> None:
    matrix = np.asarray(matrix, dtype=float)
    for row, lo, hi in zip(matrix, np.broadcast_to(lower, len(matrix)),
                           np.broadcast_to(upper, len(matrix)), strict=False):
        cols = np.flatnonzero(row).astype(np.int32)
        h.addRow(float(lo), float(hi), len(cols), cols, row[cols])


class _PanelOracle:
    """The MIP over panel compositions: integer counts per type, exactly k, every quota met.
    Its LP relaxation is solved first: often its optimal vertex is already integral, and then it
    is the MIP's optimum at a twentieth of the cost."""

    def __init__(self, inst: _Instance, lower=None, upper=None):
        self.inst = inst
        self.lp, self.h = self._model(lower, upper, integer=False), self._model(lower, upper, integer=True)
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.setOptionValue("mip_abs_gap", 1e-12)
        self.h.setOptionValue("mip_improving_solution_save", True)
        self._last_was_mip = False

    def _model(self, lower, upper, integer: bool):
        inst, T = self.inst, len(self.inst.sizes)
        h = _solver()
        h.setOptionValue("presolve", "off")  # for these small models presolve costs more than it saves
        empty = np.array([], dtype=np.int32)
        h.addCols(T, np.zeros(T), np.zeros(T), inst.sizes, 0, empty, empty, np.array([]))
        if integer:
            h.changeColsIntegrality(T, np.arange(T, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * T))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        _add_rows(h, np.ones((1, T)), inst.k, inst.k)
        _add_rows(h, inst.member, inst.lo if lower is None else lower, inst.hi if upper is None else upper)
        return h

    def best(self, costs: np.ndarray) -> tuple[np.ndarray, float, float] | None:
        """(counts, value, upper bound on the value) of a best panel, or None if none exists."""
        T, costs = len(costs), np.asarray(costs, dtype=float)
        columns = np.arange(T, dtype=np.int32)
        self.lp.changeColsCost(T, columns, costs)
        self.lp.run()
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # no fractional panel, so no panel at all
        relaxed = np.array(self.lp.getSolution().col_value)
        bound = float(relaxed @ costs)  # the relaxation's optimum bounds every panel's value
        counts = np.rint(relaxed)
        self._last_was_mip = not np.allclose(relaxed, counts, rtol=0, atol=1e-9)
        if self._last_was_mip:
            self.h.changeColsCost(T, columns, costs)
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            counts = np.rint(np.array(self.h.getSolution().col_value))
            bound = min(bound, max(float(self.h.getInfo().mip_dual_bound), float(counts @ costs)))
        counts = counts.astype(np.int64)
        return counts, float(counts @ costs), max(bound, float(counts @ costs))

    def runners_up(self) -> list[np.ndarray]:
        """The other panels the last MIP went through on its way to the best: good columns for
        free, which saves column-generation rounds."""
        if not self._last_was_mip:
            return []
        return [np.rint(np.array(s.col_value)).astype(np.int64) for s in self.h.getSavedMipSolutions()]


def find_distribution(pool: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota], k: int,
                      algorithm: str = "leximin", *, seed: int = 0, samples: int = 2000) -> Distribution:
    """Selection probabilities for the volunteers of ``pool`` (id -> feature -> value).

    Raises InvalidSelectionInput for malformed input and InfeasibleQuotas when no panel exists.
    ``seed`` and ``samples`` matter for ``legacy`` only (the optimisations are deterministic)."""
    if algorithm not in ALGORITHMS:
        raise InvalidSelectionInput("algorithm", f"unknown algorithm {algorithm!r}; use one of {ALGORITHMS}")
    inst = _Instance(pool, quotas, k)
    oracle = _PanelOracle(inst)
    if len(inst.ids) < k or oracle.best(np.zeros(len(inst.sizes))) is None:
        raise _explain_infeasible(inst)
    if algorithm == "legacy":
        return _legacy(inst, seed, samples)
    return _leximin(inst, oracle, stop_after_first=(algorithm == "maximin"))


def _leximin(inst: _Instance, oracle: _PanelOracle, stop_after_first: bool) -> Distribution:
    T = len(inst.sizes)
    panels: dict[tuple[int, ...], None] = {}
    fixed = np.full(T, np.nan)
    rng = np.random.default_rng(0)  # fixed: the same pool always gives the same answer
    for costs in rng.random((min(T, 10), T)):  # a few varied panels to start from
        panels[tuple(oracle.best(costs)[0])] = None
    for t in range(T):  # a type in no panel yet: take as many as possible; none at all: never chosen
        if not any(p[t] for p in panels):
            counts, value, _ = oracle.best(np.eye(T)[t])
            panels[tuple(counts)] = None
            if value < 0.5:
                fixed[t] = 0.0
    lp = _solver()  # the dual of the stage LP: columns y_t (T of them) and the bound y_hat
    empty = np.array([], dtype=np.int32)
    lp.addCols(T + 1, np.r_[np.zeros(T), 1.0], np.r_[np.zeros(T), -_INF], np.full(T + 1, _INF),
               0, empty, empty, np.array([]))
    _add_rows(lp, [np.r_[np.isnan(fixed).astype(float), 0.0]], 1.0, 1.0)
    _add_rows(lp, [np.r_[np.array(p) / inst.sizes, -1.0] for p in panels], -_INF, 0.0)
    stages = priced = 0
    bound = certificate = None
    while np.isnan(fixed).any():
        stages += 1
        while True:
            lp.run()
            x = np.array(lp.getSolution().col_value)
            y, y_hat = np.maximum(x[:T], 0.0), x[T]
            value_now = float(lp.getInfo().objective_function_value)
            counts, value, upper = oracle.best(y / inst.sizes)
            priced += 1
            if value <= y_hat + _IMPROVES or tuple(counts) in panels:
                break
            found = [c for c in (counts, *oracle.runners_up())
                     if tuple(c) not in panels and (c / inst.sizes) @ y > y_hat + _IMPROVES]
            panels.update(dict.fromkeys(tuple(c) for c in found))
            _add_rows(lp, [np.r_[c / inst.sizes, -1.0] for c in found], -_INF, 0.0)
        open_ = np.isnan(fixed)
        if stages == 1:
            bound = upper
            certificate = (y / inst.sizes)[inst.type_of]
        newly = open_ & (y > _POSITIVE)
        if not newly.any():
            newly[np.flatnonzero(open_)[np.argmax(y[open_])]] = True
        fixed[newly] = max(value_now, 0.0)
        if stop_after_first:
            fixed[np.isnan(fixed)] = max(value_now, 0.0)  # at least the minimum; no more stages
            break
        for t in np.flatnonzero(newly):
            lp.changeCoeff(0, int(t), 0.0)
            lp.changeColCost(int(t), -float(fixed[t]))
    compositions = np.array(list(panels), dtype=np.int64)
    weights = _closest_distribution(inst, compositions, fixed)
    keep = weights > 1e-12
    compositions, weights = compositions[keep], weights[keep] / weights[keep].sum()
    probabilities = ((weights @ compositions) / inst.sizes)[inst.type_of]
    return Distribution(
        algorithm="maximin" if stop_after_first else "leximin", ids=inst.ids, k=inst.k,
        probabilities=probabilities, type_of=inst.type_of, compositions=compositions, weights=weights,
        min_probability=float(probabilities.min()), dual_bound=None if bound is None else float(bound),
        certificate=certificate, stages=stages, panels_priced=priced)


def _closest_distribution(inst: _Instance, compositions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Weights over ``compositions`` giving every type at least its target probability, less the
    smallest common shortfall eps (0 up to rounding): the primal of the last stage."""
    P, T = compositions.shape
    h = _solver()
    empty = np.array([], dtype=np.int32)
    h.addCols(P + 1, np.r_[np.zeros(P), 1.0], np.zeros(P + 1), np.full(P + 1, _INF), 0, empty, empty, np.array([]))
    _add_rows(h, [np.r_[np.ones(P), 0.0]], 1.0, 1.0)
    _add_rows(h, np.c_[(compositions / inst.sizes).T, np.ones(T)], targets, _INF)
    h.run()
    weights = np.maximum(np.array(h.getSolution().col_value)[:P], 0.0)
    return weights / weights.sum()


def _explain_infeasible(inst: _Instance) -> InfeasibleQuotas:
    n, k, conflicts = len(inst.ids), inst.k, []
    if n < k:
        conflicts.append(Conflict("pool_too_small", (), k - n))
    available = inst.member @ inst.sizes  # volunteers holding each quota's value
    for q, quota in enumerate(inst.quotas):
        if available[q] < quota.min:
            conflicts.append(Conflict("pool_short", ((quota.feature, quota.value),), int(quota.min - available[q])))
    for feature in inst.features:
        qs = [q for q, quota in enumerate(inst.quotas) if quota.feature == feature]
        keys = tuple((feature, inst.quotas[q].value) for q in qs)
        if inst.lo[qs].sum() > k:
            conflicts.append(Conflict("minimums_exceed_size", keys, int(inst.lo[qs].sum() - k)))
        reachable = np.minimum(inst.hi[qs], available[qs]).sum()
        if reachable < k <= n:
            conflicts.append(Conflict("maximums_below_size", keys, int(k - reachable)))
    relaxation = _smallest_relaxation(inst) if n >= k else []
    if not conflicts:
        conflicts.append(Conflict("combined", tuple(dict.fromkeys((c.feature, c.value) for c in relaxation)),
                                  sum(abs(c.new - c.old) for c in relaxation)))
    return InfeasibleQuotas(conflicts, relaxation)


def _smallest_relaxation(inst: _Instance) -> list[QuotaChange]:
    """Lower minima and raise maxima by the fewest people in total so that a panel exists:
    counts c_t, slacks below (at most the minimum) and above each quota, all integers."""
    Q, T = inst.member.shape
    h = _solver()
    empty = np.array([], dtype=np.int32)
    h.addCols(T + 2 * Q, np.r_[np.zeros(T), np.ones(2 * Q)], np.zeros(T + 2 * Q),
              np.r_[inst.sizes, inst.lo, np.full(Q, _INF)], 0, empty, empty, np.array([]))
    h.changeColsIntegrality(T + 2 * Q, np.arange(T + 2 * Q, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * (T + 2 * Q)))
    _add_rows(h, [np.r_[np.ones(T), np.zeros(2 * Q)]], inst.k, inst.k)
    _add_rows(h, np.c_[inst.member, np.eye(Q), np.zeros((Q, Q))], inst.lo, _INF)
    _add_rows(h, np.c_[inst.member, np.zeros((Q, Q)), -np.eye(Q)], -_INF, inst.hi)
    h.run()
    slack = np.rint(np.array(h.getSolution().col_value)[T:]).astype(int)
    changes = []
    for q, quota in enumerate(inst.quotas):
        if slack[q]:
            changes.append(QuotaChange(quota.feature, quota.value, "min", quota.min, quota.min - int(slack[q])))
        if slack[Q + q]:
            changes.append(QuotaChange(quota.feature, quota.value, "max", quota.max, quota.max + int(slack[Q + q])))
    return changes


def _legacy_once(inst: _Instance, rng: np.random.Generator) -> list[int] | None:
    """One run of the greedy method; None when it gets stuck (the original tool then retries)."""
    member = inst.person_member
    available = np.ones(len(inst.ids), dtype=bool)
    remaining, selected, chosen = member.sum(axis=0).astype(float), np.zeros(len(inst.quotas)), []
    for _ in range(inst.k):
        need = inst.lo - selected
        open_ = (remaining > 0) & (inst.hi > 0)
        if ((need > 0) & (remaining < need)).any() or not open_.any():
            return None
        q = int(np.argmax(np.where(open_, need / np.maximum(remaining, 1), -np.inf)))  # first of the neediest
        candidates = np.flatnonzero(available & member[:, q])
        person = int(candidates[rng.integers(len(candidates))])
        chosen.append(person)
        available[person] = False
        remaining -= member[person]
        selected += member[person]
        dropped = available & member[:, selected >= inst.hi].any(axis=1)  # their quota is full
        available &= ~dropped
        remaining -= member[dropped].sum(axis=0)
    return chosen if ((inst.lo <= selected) & (selected <= inst.hi)).all() else None


def _legacy(inst: _Instance, seed: int, samples: int, attempts: int = 100) -> Distribution:
    rng = np.random.default_rng(seed)
    held, drawn, first = np.zeros(len(inst.ids)), [], None
    T = len(inst.sizes)
    for _ in range(max(1, samples)):
        for _attempt in range(attempts):
            panel = _legacy_once(inst, rng)
            if panel is not None:
                break
        else:
            raise SelectionFailed(f"the legacy method got stuck {attempts} times in a row")
        first = first or tuple(sorted(panel))
        held[panel] += 1
        drawn.append(np.bincount(inst.type_of[panel], minlength=T))
    compositions, frequency = np.unique(np.array(drawn), axis=0, return_counts=True)
    probabilities = held / max(1, samples)
    return Distribution(algorithm="legacy", ids=inst.ids, k=inst.k, probabilities=probabilities,
                        type_of=inst.type_of, compositions=compositions, weights=frequency / frequency.sum(),
                        min_probability=float(probabilities.min()), drawn=first)
