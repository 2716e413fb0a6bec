"""The weekly alert uses the alpha-spending boundary over the planned participants and says what
it means (issue #12); the error rate itself is simulated in test_stats_simulation.py."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.representation import alerts, sequential
from tests.conftest import login
from tests.representation.dashboard_fixtures import add_participants, load_population


def _weeks(db, space, weeks, per_week, **snapshot):
    start = datetime(2025, 1, 6, 3, 0)  # a Monday, noon in Japan
    for week in range(weeks):
        add_participants(db.session, space, per_week, first_at=start + timedelta(weeks=week),
                         **snapshot)


def test_history_is_cumulative_per_week_and_eligible_only(make, db):
    space = make.space("history")
    load_population(db.session)
    _weeks(db, space, 3, 10, age=25, gender="female")
    add_participants(db.session, space, 5, age=None, gender="female",
                     first_at=datetime(2025, 1, 27, 3, 0))
    history = alerts.weekly_history(db.session, space, 5)
    assert history["youth"] == [(10, 10), (20, 20), (30, 30), (30, 30)]
    assert history["women"] == [(10, 10), (20, 20), (30, 30), (30, 30)]


def test_an_early_gap_does_not_alert_where_a_single_fixed_test_would(make, db):
    space = make.space("early")
    load_population(db.session)
    add_participants(db.session, space, 30, age=65, gender="male")  # one look, 30 of 300
    figures = alerts.headline(db.session, space, 5)
    assert figures["youth"].flag == "under"  # the interval alone excludes the share...
    assert alerts.check_space(db.session, space, min_participants=30) == []  # ...the rule waits
    # planned for 30, this look spends the whole 2.5%: the usual one-sided test
    assert alerts.check_space(db.session, space, min_participants=30, planned=30) == [
        "youth", "women"]


def test_the_alert_follows_the_spending_boundary_week_by_week(make, db):
    space = make.space("weekly")
    load_population(db.session)
    _weeks(db, space, 6, 20, age=65, gender="male")
    history = alerts.weekly_history(db.session, space, 5)["youth"]
    share = alerts.headline(db.session, space, 5)["youth"].population_share
    expected = sequential.sequential_under_alert(history, share, planned_n=300).fired
    assert expected  # 0 young of 120 crosses even the early boundary
    assert alerts.check_space(db.session, space, min_participants=30)[:1] == ["youth"]


@pytest.mark.parametrize("lang, text", [
    ("en", "larger than chance could explain at any point of this consultation"),
    ("ja", "この期間中のどの時点でも偶然では説明できない大きさの差がある"),
])
def test_the_banner_says_what_an_alert_means(client, make, db, app, lang, text):
    space = make.space("banner")
    load_population(db.session)
    add_participants(db.session, space, 40, age=65, gender="male")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get(f"/lang/{lang}")
    app.config["ALERT_PLANNED_PARTICIPANTS"] = 40
    try:
        html = client.get(f"/spaces/{space.slug}/").get_data(as_text=True)
    finally:
        app.config.pop("ALERT_PLANNED_PARTICIPANTS")
    assert text in html
