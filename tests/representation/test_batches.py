"""Batches: figures count whole closed batches of k people of a chain (first participation, or
first use of a module), and date windows snap to the cuts between batches."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from app.representation import batches, services
from app.representation.models import Participation
from app.representation.dashboard import facilitator_page, offered_modules
from app.representation.queries import ReportError
from tests.representation.ledger_rows import add_rows, sapporo  # noqa: F401 (fixture)


def test_63_participants_count_as_60_for_k_5_and_for_k_10(db, sapporo):
    add_rows(db.session, sapporo, [{"age": 40, "gender": ("female", "male")[i % 2]}
                                   for i in range(63)])
    facilitators = batches.window(db.session, sapporo, k=5)
    assert (facilitators.low, facilitators.high, facilitators.members) == (0, 60, 63)
    assert (facilitators.size, facilitators.waiting, facilitators.filtered) == (60, 3, False)
    assert batches.window(db.session, sapporo, k=10).size == 60
    assert services.build_report(db.session, sapporo, "gender", min_cell=5).participants == 60
    assert services.build_report(db.session, sapporo, "gender", min_cell=10).participants == 60
    assert services.build_report(db.session, sapporo, "gender", min_cell=1).participants == 63


def test_date_window_snaps_to_whole_batches(db, sapporo):
    # One person a day from 1 June (JST noon); batches of 5 close on 5, 10, 15, ... June.
    add_rows(db.session, sapporo, [{"age": 40, "gender": "female" if i % 2 else "male",
                                    "first_at": datetime(2026, 6, 1, 3) + timedelta(days=i)}
                                   for i in range(23)])
    report = services.build_report(db.session, sapporo, "gender", since=date(2026, 6, 3),
                                   until=date(2026, 6, 18), min_cell=5)
    # since 3 June: starts at the first cut at or after it (after person 5, on 5 June);
    # until 18 June: ends at the last cut by its end (person 15, on 15 June).
    assert report.participants == 10
    assert [c.count for c in report.categories] == [5, 5]  # 6..15 June: alternate genders
    assert services.build_report(db.session, sapporo, "gender", min_cell=5).participants == 20
    win = batches.window(db.session, sapporo, since=date(2026, 6, 14), until=date(2026, 6, 18), k=5)
    assert win.empty and win.filtered  # no whole batch inside: nothing, not 5 people
    assert batches.span_dates(db.session, sapporo, batches.window(
        db.session, sapporo, since=date(2026, 6, 3), k=5)) == (date(2026, 6, 6), date(2026, 6, 20))


def test_any_two_windows_differ_by_whole_batches(db, sapporo):
    rng = random.Random(9)
    add_rows(db.session, sapporo, [{"first_at": datetime(2026, 5, 1) + timedelta(hours=rng.randrange(24 * 60))}
                                   for _ in range(97)])
    days = [date(2026, 5, 1) + timedelta(days=d) for d in range(0, 62, 3)]
    for k in (5, 10):
        for _ in range(30):
            since, until = sorted(rng.sample(days, 2))
            win = batches.window(db.session, sapporo, since=since, until=until, k=k)
            assert win.low % k == 0 and win.high % k == 0 and win.low <= win.high <= 95


def test_a_module_chain_ranks_people_by_their_first_use_of_the_module(db, sapporo):
    # Five men took part in January and supported a proposal only in March; five women
    # joined and supported in February.
    add_rows(db.session, sapporo, [{"age": 40, "gender": "male", "forum": True,
                                    "first_at": datetime(2026, 1, 10)}] * 5
             + [{"age": 40, "gender": "female", "proposal_supporters": True,
                 "first_at": datetime(2026, 2, 10)}] * 5)
    db.session.execute(update(Participation).where(Participation.gender == "male").values(
        proposal_supporters=True, proposal_supporters_at=datetime(2026, 3, 10)))
    db.session.commit()
    february = services.build_report(db.session, sapporo, "gender", module="proposal_supporters",
                                     until=date(2026, 2, 28), min_cell=5)
    assert [c.count for c in february.categories] == [5, 0]  # the men came later to this chain
    everyone = services.build_report(db.session, sapporo, "gender", until=date(2026, 2, 28),
                                     min_cell=5)
    assert [c.count for c in everyone.categories] == [5, 5]


def test_a_module_filter_is_offered_only_with_k_people_on_each_side(db, sapporo):
    add_rows(db.session, sapporo, [{"gender": "female", "surveys": True}] * 5
             + [{"gender": "male", "forum": True}] * 4)
    # 5 answered surveys but only 4 did not: "everyone but the survey answerers" would be 4
    assert offered_modules(db.session, sapporo, 5) == ["all"]
    with pytest.raises(ReportError, match="not offered"):
        facilitator_page(db.session, sapporo, module="surveys", k=5)
    add_rows(db.session, sapporo, [{"gender": "male", "forum": True}])
    assert offered_modules(db.session, sapporo, 5) == ["all", "forum", "surveys"]
    page = facilitator_page(db.session, sapporo, module="surveys", k=5)
    assert page.participants == 5 and page.window.filtered
    assert offered_modules(db.session, sapporo, 6) == ["all"]


@pytest.mark.parametrize("kwargs", [{"since": date(1, 1, 1)}, {"until": date(9999, 12, 31)},
                                    {"since": date(1999, 12, 31)}, {"until": date(2100, 1, 1)},
                                    {"since": date(2026, 2, 1), "until": date(2026, 1, 1)},
                                    {"module": "panelists"}])
def test_bad_windows_are_refused(db, sapporo, kwargs):
    with pytest.raises(batches.WindowError):
        batches.window(db.session, sapporo, k=5, **kwargs)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_reports_refuse_dates_outside_the_platforms_lifetime(db, sapporo, day):
    for kwargs in ({"since": day}, {"until": day}):
        with pytest.raises(ReportError, match="between 2000-01-01 and 2099-12-31"):
            services.build_report(db.session, sapporo, "gender", **kwargs)
        with pytest.raises(ReportError):
            facilitator_page(db.session, sapporo, k=5, **kwargs)
