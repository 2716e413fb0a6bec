"""The error rates quoted in docs/statistics.md, with more draws than the tests use.

    python benchmarks/statistics_error_rates.py

Every simulation is seeded, so the figures are reproducible. Participants are drawn exactly
in proportion to Sapporo's adult population (census 2020): any flag or alert is false.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.representation.multiplicity import flag_dimension, in_line_verdict  # noqa: E402
from app.representation.sequential import spending_boundaries  # noqa: E402
from app.representation.stats import Z95, compare, wilson_interval  # noqa: E402
from app.representation.stats_exact import expected_dissimilarity, share_interval  # noqa: E402
from app.representation.weighting import weighted_share  # noqa: E402

AGES = {"18-29": 0.1388, "30-39": 0.1356, "40-49": 0.174, "50-59": 0.1577,
        "60-69": 0.1519, "70-79": 0.1432, "80+": 0.0988}
YOUTH = 0.2744  # 18-39 among 18+


def flag_rates(draws: int = 5000) -> None:
    p = np.array(list(AGES.values()))
    tables = np.random.default_rng(1).multinomial(261, p / p.sum(), size=draws)
    keys = list(AGES)
    naive = np.mean([any(c.flag != "ok" for c in compare(dict(zip(keys, t)), AGES).categories)
                     for t in tables])
    gated = np.mean([any(c.verdict in ("under", "over")
                         for c in flag_dimension(dict(zip(keys, t.tolist())), AGES).cells)
                     for t in tables])
    print(f"n=261, seven age bands, {draws} representative spaces:")
    print(f"  any band flagged, per-cell Wilson flags: {naive:.1%}")
    print(f"  any band flagged, overall test + Holm:   {gated:.1%}")


def alert_rates(draws: int = 100_000) -> None:
    ns = np.arange(1, 22) * 14
    keep = ns >= 30
    for share, label in ((YOUTH, "18-39"), (AGES["18-29"], "18-29")):
        young = np.cumsum(np.random.default_rng(2).binomial(14, share, size=(draws, 21)), axis=1)[:, keep]
        n = ns[keep]
        z = (n * share - young) / np.sqrt(n * share * (1 - share))
        bounds = np.array([look.critical_z for look in spending_boundaries(n, maximum_information=294)])
        centre = (young / n + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
        half = Z95 / (1 + Z95 ** 2 / n) * np.sqrt(young / n * (1 - young / n) / n + Z95 ** 2 / (4 * n ** 2))
        below = centre + half < share
        print(f"youth {label} ({share:.1%}), 14 newcomers a week, {len(n)} weekly looks from n=30:")
        print(f"  weekly Wilson alert ever fires: {below.any(axis=1).mean():.1%}; "
              f"at the last look alone: {below[:, -1].mean():.1%}")
        print(f"  alpha-spending alert ever fires: {(z >= bounds).any(axis=1).mean():.1%}")
    looks = spending_boundaries(ns[keep], maximum_information=294)
    print("  critical z by look: " + ", ".join(f"{look.critical_z:.2f}" for look in looks))


def interval_coverage() -> None:
    for n in (30, 100, 261):
        k = np.arange(n + 1)
        rule = np.array([share_interval(int(c), n)[:2] for c in k])
        wilson = np.array([wilson_interval(int(c), n) for c in k])
        worst = {"rule": 1.0, "wilson": 1.0}
        for p in np.linspace(0.0005, 0.5, 4000):
            pmf = sp.binom.pmf(k, n, p)
            for name, iv in (("rule", rule), ("wilson", wilson)):
                worst[name] = min(worst[name], pmf[(iv[:, 0] <= p) & (p <= iv[:, 1])].sum())
        print(f"n={n}: lowest coverage of the 95% interval, Wilson {worst['wilson']:.1%}, "
              f"exact-below-10 rule {worst['rule']:.1%}")


def chance_dissimilarity() -> None:
    shares = list(AGES.values())
    print("dissimilarity expected by chance over seven age bands: " + ", ".join(
        f"n={n}: {expected_dissimilarity(n, shares):.3f}" for n in (4, 10, 30, 100, 261)))


def in_line_sizes() -> None:
    for share in (0.53, YOUTH, AGES["18-29"], 0.03):
        n = next(n for n in range(10, 20000) if in_line_verdict(round(n * share), n, share) == "in_line")
        print(f"population share {share:.1%}: 'in line' (+-20%) possible from about n={n}")


def weighted_coverage(draws: int = 4000) -> None:
    # the young (half the population, 60% yes) answer at a quarter of the rate of the old (20%)
    rng = np.random.default_rng(31)
    weights = np.r_[np.full(40, 4.0), np.ones(160)]
    hits = {"weighted": 0, "ignoring weights": 0}
    for _ in range(draws):
        y = np.r_[rng.random(40) < 0.6, rng.random(160) < 0.2].astype(float)
        for name, w in (("weighted", weights), ("ignoring weights", np.ones(200))):
            res = weighted_share(y, w)
            hits[name] += res.ci_low <= 0.4 <= res.ci_high
    print("coverage of the 95% interval for a weighted share: " + ", ".join(
        f"{name} {count / draws:.1%}" for name, count in hits.items()))


if __name__ == "__main__":
    flag_rates()
    alert_rates()
    interval_coverage()
    chance_dissimilarity()
    in_line_sizes()
    weighted_coverage()
