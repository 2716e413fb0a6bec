"""Headline figures (youth, women) and the weekly series of cumulative shares, for the
dashboard cards, alerts and the time-series chart. One aggregate query each."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.representation import stats
from app.representation.figures import CategoryLabel, HeadlineFigure, WeekPoint
from app.representation.queries import (check_scope, headline_statement, indicator_columns,
                                        scope_filters, week_expression)
from app.representation.reference import AgeBand, reference_for, youth_band


def _figure(key: str, count: int, n: int, population: float, base: float, k: int,
            band: AgeBand | None = None, estimated: bool = False) -> HeadlineFigure:
    comparison = stats.compare({key: count, "rest": n - count},
                               {key: population, "rest": max(0.0, base - population)})
    cat = comparison.categories[0]
    hidden = 0 < count < k or 0 < n - count < k
    common = {"key": key, "label": CategoryLabel("headline", key), "n": n, "population": population,
              "population_share": cat.population_share, "suppressed": hidden,
              "low": band.low if band else None, "high": band.high if band else None,
              "estimated": estimated}
    if hidden:
        return HeadlineFigure(count=None, share=None, ratio=None, ci_low=None, ci_high=None,
                              flag=None, parity_gap=None, **common)
    return HeadlineFigure(count=count, share=cat.share, ratio=cat.ratio, ci_low=cat.ci_low,
                          ci_high=cat.ci_high, flag=cat.flag if n else None,
                          parity_gap=cat.parity_gap, **common)


def headline(session: Session, space, *, module: str = "all", min_cell: int = 5,
             since: date | None = None, until: date | None = None) -> dict:
    """The two headline figures: {'youth': HeadlineFigure | None, 'women': HeadlineFigure | None,
    'reference': Reference, 'participants': int}. Youth = the space's youth band among
    participants of known eligible age; women among women and men. A figure is None when the
    space has no reference population (or no youth band above its minimum age)."""
    check_scope("gender", module, since, until)
    k = max(1, int(min_cell))
    row = session.execute(headline_statement(space, module=module, since=since, until=until)).one()
    total, youth_n, eligible_n, women_n, gendered_n = (int(v or 0) for v in row)
    reference = reference_for(session, space)
    result = {"youth": None, "women": None, "reference": reference, "participants": total}
    if not reference.available:
        return result
    eligible_pop = reference.population(space.min_age, None)
    if eligible_pop <= 0:
        return result
    youth = youth_band(space)
    if youth is not None:
        result["youth"] = _figure("youth", youth_n, eligible_n,
                                  reference.population(youth.low, youth.high), eligible_pop, k,
                                  youth, reference.estimated)
    result["women"] = _figure("women", women_n, gendered_n,
                              reference.population(space.min_age, None, "female"), eligible_pop, k,
                              estimated=reference.estimated)
    return result


def weekly_series(session: Session, space, *, module: str = "all", min_cell: int = 0) -> list[WeekPoint]:
    """Cumulative participants and youth/women shares per week, from one GROUP BY over the
    ledger; weeks without newcomers are filled in. With min_cell, a share whose group or its
    complement is 0 < x < min_cell is None."""
    check_scope("gender", module, None, None)
    week = week_expression(session.get_bind().dialect.name).label("week")
    rows = session.execute(select(week, *indicator_columns(space))
                           .where(*scope_filters(space, module)).group_by(week).order_by(week)).all()
    by_week = {}
    for w, *values in rows:
        start = w if isinstance(w, date) else date.fromisoformat(str(w)[:10])
        by_week[start] = [int(v or 0) for v in values]
    if not by_week:
        return []
    points, running = [], [0, 0, 0, 0, 0]
    day, last = min(by_week), max(by_week)
    while day <= last:
        running = [a + b for a, b in zip(running, by_week.get(day, [0] * 5))]
        total, youth_n, eligible_n, women_n, gendered_n = running
        points.append(WeekPoint(day, total, _safe_share(youth_n, eligible_n, min_cell),
                                _safe_share(women_n, gendered_n, min_cell)))
        day += timedelta(days=7)
    return points


def _safe_share(count: int, n: int, k: int) -> float | None:
    if n == 0 or 0 < count < k or 0 < n - count < k:
        return None
    return count / n
