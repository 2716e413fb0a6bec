"""Tests for app/representation/weighting.py (raking and effective sample size).

Expected weights in the worked examples are computed by hand in the comments;
the random-data tests check the defining property (every margin met among the
rows that answered) rather than comparing against another implementation.
"""
from __future__ import annotations

import ast
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

# Loaded by path: `app/__init__.py` imports Flask, but this module must stay pure
# numpy, so its tests should run without the application's dependencies.
_PATH = Path(__file__).resolve().parents[2] / "app" / "representation" / "weighting.py"
_spec = importlib.util.spec_from_file_location("hiroba_weighting_under_test", _PATH)
weighting = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(weighting)
rake = weighting.rake
effective_sample_size = weighting.effective_sample_size
WeightingError = weighting.WeightingError


def rows_of(var, values):
    return [{var: v} for v in values]


def weighted_shares(rows, weights, var, cats):
    """Weighted share of each category among rows with a known category."""
    w = np.asarray(weights)
    known = np.array([r.get(var) is not None for r in rows])
    return {c: w[[r.get(var) == c for r in rows]].sum() / w[known].sum() for c in cats}


# --- worked examples --------------------------------------------------------

def test_single_variable_exact():
    # 3 A and 1 B, target 50/50: A rows share 2 -> 2/3 each, B row gets 2.
    w = rake(rows_of("g", "AAAB"), {"g": {"A": 0.5, "B": 0.5}})
    assert w == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2])
    assert isinstance(w, list) and all(isinstance(x, float) for x in w)
    assert sum(w) / len(w) == pytest.approx(1)


def test_unanswered_row_is_not_adjusted():
    # The 4 answering rows keep their total 4 and are split 2/2 as above; the
    # unanswered row keeps weight 1 (treating None as dropped-and-rescaled or as
    # its own category would change it).
    w = rake(rows_of("g", ["A", "A", "A", "B", None]), {"g": {"A": 1, "B": 1}})
    assert w == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2, 1])


def test_two_variables_hand_computed():
    # Cells (a,x)=2, (a,y)=2, (b,x)=1, (b,y)=1; targets a/b = .5/.5, x/y = .25/.75.
    # Step a/b: total 6, 3 each -> a rows 3/4, b rows 3/2.
    # Step x/y: x total = 2*3/4 + 3/2 = 3, y total = 3; targets 1.5 and 4.5 ->
    #   x rows * 1/2, y rows * 3/2: (a,x)=3/8, (a,y)=9/8, (b,x)=3/4, (b,y)=9/4.
    # a/b check: a = 2*3/8 + 2*9/8 = 3, b = 3/4 + 9/4 = 3 -> already converged.
    rows = ([{"A": "a", "X": "x"}] * 2 + [{"A": "a", "X": "y"}] * 2
            + [{"A": "b", "X": "x"}, {"A": "b", "X": "y"}])
    w = rake(rows, {"A": {"a": 0.5, "b": 0.5}, "X": {"x": 0.25, "y": 0.75}})
    assert w == pytest.approx([3 / 8, 3 / 8, 9 / 8, 9 / 8, 3 / 4, 9 / 4])


def test_two_variables_with_interaction_closed_form():
    # Cells (a,x)=2, (a,y)=1, (b,x)=1, (b,y)=2; targets a/b = 1/2, 1/2 and
    # x/y = 2/3, 1/3. Raking converges to cell shares n_ij * alpha_i * beta_j.
    # With beta_y = 1: alpha_a = (1/2)/(2 beta_x + 1), alpha_b = (1/2)/(beta_x + 2),
    # and the y margin alpha_a + 2 alpha_b = 1/3 gives 4 bx^2 - 5 bx - 8 = 0.
    bx = (5 + math.sqrt(153)) / 8
    aa, ab = 0.5 / (2 * bx + 1), 0.5 / (bx + 2)
    share = {("a", "x"): 2 * aa * bx, ("a", "y"): aa, ("b", "x"): ab * bx, ("b", "y"): 2 * ab}
    counts = {("a", "x"): 2, ("a", "y"): 1, ("b", "x"): 1, ("b", "y"): 2}
    rows = [{"A": a, "X": x} for (a, x), k in counts.items() for _ in range(k)]
    w = rake(rows, {"A": {"a": 1, "b": 1}, "X": {"x": 2, "y": 1}})
    # A row's weight (mean 1 over 6 rows) is its cell share / cell count * 6.
    expected = [share[r["A"], r["X"]] / counts[r["A"], r["X"]] * 6 for r in rows]
    assert w == pytest.approx(expected, abs=1e-9)


def test_counts_are_normalised_to_shares_and_extra_variables_ignored():
    rows = [{"g": g, "note": "ignored", "age": None} for g in "AAAB"]
    w = rake(rows, {"g": {"A": 300, "B": 300}})
    assert w == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2])


def test_missing_key_counts_as_unanswered():
    w = rake([{"g": "A"}, {"g": "A"}, {"g": "B"}, {}], {"g": {"A": 1, "B": 3}})
    # Answering rows keep total 3: A rows share 3/4, B gets 9/4; {} keeps 1.
    assert w == pytest.approx([3 / 8, 3 / 8, 9 / 4, 1])


def test_zero_target_category_gets_zero_weight_and_empty_one_is_fine():
    w = rake(rows_of("g", "AAB"), {"g": {"A": 1, "B": 0, "C": 0}})
    assert w == pytest.approx([1.5, 1.5, 0])


def test_empty_rows():
    assert rake([], {"g": {"A": 1}}) == []


def test_no_margins_gives_equal_weights():
    assert rake(rows_of("g", "AAB"), {}) == [1.0, 1.0, 1.0]
    assert rake(rows_of("g", "AAB"), {}, cap=2) == [1.0, 1.0, 1.0]


# --- defining property on random data ---------------------------------------

def random_case(seed, n=600, sizes=(3, 2, 5), p_none=0.1):
    rng = np.random.default_rng(seed)
    names = [f"v{j}" for j in range(len(sizes))]
    rows = [{} for _ in range(n)]
    margins = {}
    for var, k in zip(names, sizes):
        p = rng.dirichlet(np.ones(k)) * 0.7 + 0.3 / k  # skewed, every category seen
        codes = rng.choice(k, size=n, p=p)
        none = rng.random(n) < p_none
        for row, c, miss in zip(rows, codes, none):
            row[var] = None if miss else f"{var}c{c}"
        margins[var] = {f"{var}c{c}": t for c, t in enumerate(rng.dirichlet(np.full(k, 3.0)))}
    rows += [{var: None for var in names}] * 3  # answered nothing at all
    return rows, margins


@pytest.mark.parametrize("seed", range(5))
def test_every_margin_met_among_known_rows(seed):
    rows, margins = random_case(seed)
    w = rake(rows, margins)
    assert len(w) == len(rows)
    assert np.mean(w) == pytest.approx(1, abs=1e-12)
    assert min(w) > 0
    for var, targets in margins.items():
        got = weighted_shares(rows, w, var, targets)
        for cat, t in targets.items():
            assert got[cat] == pytest.approx(t, abs=1e-8), (var, cat)
    # Rows with no answer on any margin are never adjusted.
    assert w[-3:] == pytest.approx([1, 1, 1], abs=1e-12)


def test_many_variables_use_the_general_cell_grouping():
    # 40 binary variables: 3**40 combinations overflow the packed int64 key,
    # so cells come from np.unique(axis=0); the result must still meet margins.
    # (Unskewed data: with 40 margins a skewed sample of 400 is often infeasible.)
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 2, size=(400, 40))
    none = rng.random((400, 40)) < 0.02
    rows = [{f"v{j}": None if m else int(c) for j, (c, m) in enumerate(zip(cr, mr))}
            for cr, mr in zip(codes, none)]
    margins = {f"v{j}": {0: t, 1: 1 - t} for j, t in enumerate(rng.uniform(0.4, 0.6, 40))}
    w = rake(rows, margins)
    for var, targets in margins.items():
        got = weighted_shares(rows, w, var, targets)
        assert [got[c] for c in targets] == pytest.approx(list(targets.values()), abs=1e-8)


# --- errors ------------------------------------------------------------------

def test_weighting_error_is_value_error():
    assert issubclass(WeightingError, ValueError)


def test_target_category_without_respondents():
    with pytest.raises(WeightingError, match=r"'gender'.*'other'.*no respondents"):
        rake(rows_of("gender", "mmf"), {"gender": {"m": 0.45, "f": 0.45, "other": 0.1}})


def test_row_category_missing_from_margins():
    with pytest.raises(WeightingError, match=r"row 2: variable 'ward' has category 'Kita'"):
        rake(rows_of("ward", ["Naka", "Minami", "Kita"]), {"ward": {"Naka": 1, "Minami": 1}})


def test_contradictory_margins_do_not_converge():
    # A determines X (a<->x, b<->y), so a/b = .5/.5 and x/y = .9/.1 cannot both hold.
    rows = [{"A": "a", "X": "x"}, {"A": "b", "X": "y"}]
    margins = {"A": {"a": 0.5, "b": 0.5}, "X": {"x": 0.9, "y": 0.1}}
    with pytest.raises(WeightingError, match=r"did not converge within 50 .*'A'.*'a'"):
        rake(rows, margins, max_iter=50)


@pytest.mark.parametrize("spec, message", [
    ({"A": -1, "B": 2}, r"'g'.*'A'.*invalid target"),
    ({"A": 0, "B": 0}, r"'g' has no positive target"),
    ({"A": 1, None: 1}, r"'g': None is not a category"),
])
def test_invalid_margins(spec, message):
    with pytest.raises(WeightingError, match=message):
        rake(rows_of("g", "AB"), {"g": spec})


@pytest.mark.parametrize("kwargs", [{"cap": 1.0}, {"cap": 0.5}, {"max_iter": 0}])
def test_invalid_options(kwargs):
    with pytest.raises(ValueError):
        rake(rows_of("g", "AB"), {"g": {"A": 1, "B": 1}}, **kwargs)


# --- cap ---------------------------------------------------------------------

def test_cap_hand_computed():
    # 9 A, 1 B at 50/50: uncapped B = 5, A = 5/9. With cap 3 the B row is held
    # at 3 times the mean (mean 1 -> 3) and the 9 A rows share the other 7.
    w = rake(rows_of("g", "A" * 9 + "B"), {"g": {"A": 1, "B": 1}}, cap=3)
    assert w == pytest.approx([7 / 9] * 9 + [3])


@pytest.mark.parametrize("seed", range(3))
def test_cap_respected(seed):
    rows, margins = random_case(seed)
    margins["v0"] = dict(zip(margins["v0"], (0.8, 0.1, 0.1)))  # force large weights
    free = rake(rows, margins)
    cap = 2.0
    assert max(free) > cap  # otherwise this test would prove nothing
    w = rake(rows, margins, cap=cap)
    assert max(w) <= cap * np.mean(w) + 1e-9
    assert np.mean(w) == pytest.approx(1, abs=1e-12)
    assert effective_sample_size(w) > effective_sample_size(free)  # lower variance


@pytest.mark.parametrize("seed", [0, 3])
def test_binding_cap_can_still_meet_margins(seed):
    # Margins leave room for other weightings than the raked one: at 60% of the
    # uncapped maximum these cases still meet every margin, now within the cap.
    rows, margins = random_case(seed)
    cap = 0.6 * max(rake(rows, margins))
    w = rake(rows, margins, cap=cap)
    assert max(w) <= cap * np.mean(w) + 1e-9
    assert max(w) == pytest.approx(cap)  # the cap binds
    for var, targets in margins.items():
        got = weighted_shares(rows, w, var, targets)
        assert [got[c] for c in targets] == pytest.approx(list(targets.values()), abs=1e-8)


def test_loose_cap_changes_nothing():
    rows, margins = random_case(11)
    free = rake(rows, margins)
    assert rake(rows, margins, cap=max(free) + 1) == pytest.approx(free, abs=1e-9)


def test_cap_accepts_contradictory_margins():
    rows = [{"A": "a", "X": "x"}, {"A": "b", "X": "y"}]
    w = rake(rows, {"A": {"a": 0.5, "b": 0.5}, "X": {"x": 0.9, "y": 0.1}}, cap=5, max_iter=50)
    assert len(w) == 2 and max(w) <= 5 * np.mean(w) + 1e-9


# --- effective sample size ------------------------------------------------------

@pytest.mark.parametrize("weights, expected", [
    ([1.0] * 7, 7.0),          # equal weights -> n
    ([2.5, 2.5, 2.5], 3.0),    # scale does not matter
    ([1, 3], 16 / 10),         # (1+3)^2 / (1+9)
    ([2 / 3, 2 / 3, 2 / 3, 2], 16 / (3 * 4 / 9 + 4)),  # = 3
    ([], 0.0),
    ([0, 0], 0.0),
])
def test_effective_sample_size(weights, expected):
    assert effective_sample_size(weights) == pytest.approx(expected)


# --- purity --------------------------------------------------------------------

def test_module_imports_no_web_or_database_code():
    tree = ast.parse(_PATH.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            roots.add(node.module.split(".")[0])
    assert not roots & {"flask", "sqlalchemy", "flask_sqlalchemy", "app"}
    assert roots <= {"__future__", "collections", "typing", "math", "numpy"}
