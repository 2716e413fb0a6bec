"""Seeded simulations (each a few seconds at most) that check the error rates the tracker
states: a perfectly representative space is flagged at most at the stated rate, the weekly
alert fires at most at its stated rate over a whole consultation, and weighted intervals cover
at about their level. Bounds allow three Monte-Carlo standard errors. docs/statistics.md quotes
these figures (benchmarks/statistics_error_rates.py prints them with more draws)."""
import math

import numpy as np

from app.representation.multiplicity import ALPHA, flag_dimension, flag_page
from app.representation.sequential import ALERT_ALPHA, spending_boundaries
from app.representation.stats import Z95, compare
from app.representation.weighting import weighted_share

SAPPORO_AGES = {"18-29": 0.1388, "30-39": 0.1356, "40-49": 0.174, "50-59": 0.1577,
                "60-69": 0.1519, "70-79": 0.1432, "80+": 0.0988}
SAPPORO_GENDER = {"female": 0.53, "male": 0.47}
YOUTH_18_39 = 0.2744  # Sapporo, share of 18-39 among 18+ (census 2020)


def _margin(rate, draws):
    return 3 * math.sqrt(rate * (1 - rate) / draws)


def _tables(shares, n, draws, seed):
    p = np.array(list(shares.values()))
    return np.random.default_rng(seed).multinomial(n, p / p.sum(), size=draws)


def _flagged(result):
    return any(c.verdict in ("under", "over") for c in result.cells)


def test_per_cell_flags_overclaim_but_the_gated_holm_rule_keeps_five_percent():
    draws = 1500
    tables = _tables(SAPPORO_AGES, 261, draws, seed=12)
    keys = list(SAPPORO_AGES)
    naive = np.mean([any(c.flag != "ok" for c in compare(dict(zip(keys, t)), SAPPORO_AGES).categories)
                     for t in tables])
    gated = np.mean([_flagged(flag_dimension(dict(zip(keys, t.tolist())), SAPPORO_AGES))
                     for t in tables])
    assert naive > 0.2  # the 28%: what the Wilson-per-cell flags do today
    assert gated <= ALPHA + _margin(ALPHA, draws)


def test_small_space_uses_the_exact_test_and_keeps_its_rate():
    draws = 300
    tables = _tables(SAPPORO_AGES, 12, draws, seed=13)
    keys = list(SAPPORO_AGES)
    results = [flag_dimension(dict(zip(keys, t.tolist())), SAPPORO_AGES) for t in tables]
    assert {r.overall.method for r in results} == {"exact"}
    assert np.mean([_flagged(r) for r in results]) <= ALPHA + _margin(ALPHA, draws)


def test_benjamini_hochberg_page_keeps_its_rate_for_a_representative_space():
    # with no real gap every flag is false, so the false discovery rate is the chance of any flag
    draws = 800
    ages = _tables(SAPPORO_AGES, 261, draws, seed=14)
    genders = _tables(SAPPORO_GENDER, 261, draws, seed=15)
    flagged = []
    for a, g in zip(ages, genders):
        page = flag_page({"age": (dict(zip(SAPPORO_AGES, a.tolist())), SAPPORO_AGES),
                          "gender": (dict(zip(SAPPORO_GENDER, g.tolist())), SAPPORO_GENDER)})
        flagged.append(any(_flagged(dim) for dim in page.values()))
    assert np.mean(flagged) <= ALPHA + _margin(ALPHA, draws)


def _weekly_counts(share, draws, seed, weeks=21, per_week=14):
    """Cumulative (young, n) at each weekly look of a consultation where participants are
    exactly representative: 14 newcomers a week, looks once 30 have taken part."""
    ns = np.arange(1, weeks + 1) * per_week
    young = np.cumsum(np.random.default_rng(seed).binomial(per_week, share, size=(draws, weeks)), axis=1)
    keep = ns >= 30
    return young[:, keep], ns[keep]


def test_sequential_alert_keeps_its_rate_over_a_21_week_consultation():
    draws = 20_000
    for share, seed in ((YOUTH_18_39, 21), (SAPPORO_AGES["18-29"], 22)):
        young, ns = _weekly_counts(share, draws, seed)
        z = (ns * share - young) / np.sqrt(ns * share * (1 - share))
        bounds = np.array([look.critical_z for look in spending_boundaries(ns, maximum_information=294)])
        ever = np.mean((z >= bounds).any(axis=1))
        assert ever <= ALERT_ALPHA + _margin(ALERT_ALPHA, draws), share
        # today's rule: alert whenever the Wilson interval lies below the share, every week
        centre = (young / ns + Z95 ** 2 / (2 * ns)) / (1 + Z95 ** 2 / ns)
        half = Z95 / (1 + Z95 ** 2 / ns) * np.sqrt(young / ns * (1 - young / ns) / ns + Z95 ** 2 / (4 * ns ** 2))
        naive_ever = np.mean((centre + half < share).any(axis=1))
        naive_once = np.mean(centre[:, -1] + half[:, -1] < share)
        assert naive_ever > 3 * naive_once and naive_ever > 0.08


def test_weighted_share_interval_covers_at_its_level_where_the_naive_one_does_not():
    # a population of two groups answering differently; the young are sampled at a quarter of
    # the rate of the old and weighted back (weight 4 vs 1). The naive interval ignores weights.
    rng = np.random.default_rng(31)
    draws, n_young, n_old = 1500, 40, 160
    truth = 0.5 * 0.6 + 0.5 * 0.2  # equal population halves answering yes 60% and 20%
    covered = naive_covered = 0
    weights = np.r_[np.full(n_young, 4.0), np.ones(n_old)]
    for _ in range(draws):
        y = np.r_[rng.random(n_young) < 0.6, rng.random(n_old) < 0.2].astype(float)
        res = weighted_share(y, weights)
        covered += res.ci_low <= truth <= res.ci_high
        naive = weighted_share(y, np.ones(len(y)))
        naive_covered += naive.ci_low <= truth <= naive.ci_high
    rate = covered / draws
    assert abs(rate - 0.95) <= _margin(0.95, draws) + 0.01
    assert naive_covered / draws < 0.2  # about 5%: centred on the unweighted 28%
