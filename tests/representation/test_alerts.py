"""Representation alerts: the threshold, the weekly dedupe, the CLI, the banner and the message."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.common.time import today_jst
from app.notifications.models import Notification
from app.admin.models import AuditEntry
from app.representation import alerts, releases
from tests.conftest import login
from tests.representation.dashboard_fixtures import add_participants, load_population


def _count(db, **where):
    return db.session.scalar(select(func.count()).select_from(Notification).filter_by(**where))


def _space(make, db, slug="alert-space", **fields):
    space = make.space(slug, **fields)
    load_population(db.session)
    return space


def test_check_space_fires_at_the_threshold_only(make, db):
    space = _space(make, db)
    add_participants(db.session, space, 29, age=65, gender="male")
    assert alerts.check_space(db.session, space, min_participants=30) == []
    add_participants(db.session, space, 1, age=70, gender="male")  # now 30
    assert alerts.check_space(db.session, space, min_participants=30, planned=30) == ["youth", "women"]
    assert alerts.check_space(db.session, space, min_participants=31, planned=30) == []


def test_alerts_read_whole_batches_only(make, db):
    space = _space(make, db)
    add_participants(db.session, space, 25, age=65, gender="male")
    add_participants(db.session, space, 9, age=25, gender="female",
                     first_at=datetime(2025, 2, 3, 3, 0))  # 34: the batch of 30-34 is open
    figures = alerts.headline(db.session, space, 5)
    assert figures["participants"] == 30
    assert (figures["youth"].count, figures["youth"].n) == (5, 30)  # never suppressed here
    # One more person closes the batch; until then nothing can start or stop an alert.
    # (planned for these 35: the sequential rule spends its alpha over the planned number)
    assert alerts.check_space(db.session, space, min_participants=31, planned=35) == []
    add_participants(db.session, space, 1, age=25, gender="female",
                     first_at=datetime(2025, 2, 4, 3, 0))
    assert alerts.headline(db.session, space, 5)["youth"].count == 10
    assert alerts.check_space(db.session, space, min_participants=31, planned=35) != []


def test_a_group_too_small_to_show_still_raises_its_alert(make, db):
    space = _space(make, db)
    add_participants(db.session, space, 40, age=65, gender="male")
    add_participants(db.session, space, 2, age=25, gender="female")  # 2 < k: hidden on pages
    assert alerts.check_space(db.session, space, min_participants=30, planned=40) == ["youth", "women"]


def test_balanced_space_raises_nothing(make, db):
    space = _space(make, db)
    for age in (20, 25, 33, 38, 45, 47, 52, 55, 62, 66, 68, 72, 75, 85):
        add_participants(db.session, space, 2, age=age, gender="female")
        add_participants(db.session, space, 2, age=age, gender="male")
    assert alerts.check_space(db.session, space, min_participants=30) == []


def test_space_without_reference_raises_nothing(make, db):
    area = make.area("47201", "那覇市", "Naha")
    space = make.space("naha", area=area)
    add_participants(db.session, space, 40, age=65, gender="male")
    assert alerts.check_space(db.session, space, min_participants=30) == []


def test_run_checks_notifies_each_facilitator_once_per_group_and_week(make, db):
    space = _space(make, db)
    add_participants(db.session, space, 40, age=65, gender="male")
    first, second = (make.user(roles=(f"facilitator:{space.id}",)) for _ in range(2))
    global_facilitator = make.user(roles=("facilitator",))
    admin = make.user(roles=("admin",))
    gone = make.user(roles=(f"facilitator:{space.id}",))
    gone.active = False
    db.session.commit()
    today = today_jst()
    results = alerts.run_checks(db.session, today, min_participants=30, planned=40)
    db.session.commit()
    assert [(r.space_slug, r.flagged, r.notified) for r in results] == \
        [("alert-space", ["youth", "women"], 4)]
    assert _count(db, user_id=first.id) == 2 and _count(db, user_id=second.id) == 2
    assert _count(db, user_id=global_facilitator.id) == 0 and _count(db, user_id=admin.id) == 0
    assert _count(db, user_id=gone.id) == 0
    # again the same day and later the same ISO week: nothing new
    same_week = today + timedelta(days=(6 - today.weekday()))
    for day in (today, same_week):
        results = alerts.run_checks(db.session, day, min_participants=30, planned=40)
        db.session.commit()
        assert results[0].notified == 0
    assert _count(db) == 4
    # the next week, if still under-represented, one more each
    results = alerts.run_checks(db.session, today + timedelta(days=7), min_participants=30,
                                 planned=40)
    db.session.commit()
    assert results[0].notified == 4 and _count(db) == 8


def test_run_checks_skips_closed_spaces_and_small_ones(make, db):
    closed = _space(make, db, "closed", accepts_input=False)
    add_participants(db.session, closed, 40, age=65, gender="male")
    small = make.space("small")
    add_participants(db.session, small, 10, age=65, gender="male")
    make.user(roles=(f"facilitator:{closed.id}",))
    make.user(roles=(f"facilitator:{small.id}",))
    results = alerts.run_checks(db.session, today_jst(), min_participants=30)
    assert [(r.space_slug, r.flagged) for r in results] == [("small", [])]
    assert _count(db) == 0


def test_cli_check(app, make, db):
    space = _space(make, db, "cli-space")
    add_participants(db.session, space, 40, age=65, gender="male")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    app.config["ALERT_PLANNED_PARTICIPANTS"] = 40  # one look that spends the whole 2.5%
    runner = app.test_cli_runner()
    result = runner.invoke(args=["representation", "check"])
    assert result.exit_code == 0, result.output
    assert "cli-space: 40 participants; under-represented: youth, women; notifications sent: 2" \
        in result.output
    db.session.expire_all()
    assert _count(db, user_id=facilitator.id) == 2
    result = runner.invoke(args=["representation", "check"])
    assert "notifications sent: 0" in result.output
    assert _count(db) == 2
    app.config.pop("ALERT_PLANNED_PARTICIPANTS")


def test_cli_check_makes_the_scheduled_releases(app, make, db):
    space = _space(make, db, "published-space", transparency_public=True)
    quiet = _space(make, db, "quiet-space")  # its transparency page is off
    add_participants(db.session, space, 42, age=65, gender="male")
    add_participants(db.session, quiet, 42, age=65, gender="male")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["representation", "check"])
    assert result.exit_code == 0, result.output
    assert f"Release 1 made for space {space.id}: 40 participants." in result.output
    assert f"space {quiet.id}" not in result.output
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "representation.release")).one()
    assert (entry.actor_id, entry.target, entry.detail) == (
        None, f"space:{space.id}", {"number": 1, "participants": 40, "scheduled": True})
    result = runner.invoke(args=["representation", "check"])
    assert "Release" not in result.output  # 2 new since: not enough
    assert [r.number for r in releases.list_releases(db.session, space)] == [1]


def test_cli_with_no_open_space(app, db):
    result = app.test_cli_runner().invoke(args=["representation", "check"])
    assert result.exit_code == 0
    assert "nothing to check" in result.output


def test_notification_reads_and_links_to_the_dashboard(client, make, db):
    space = _space(make, db, title="札幌の未来")
    add_participants(db.session, space, 40, age=65, gender="male")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    alerts.run_checks(db.session, today_jst(), min_participants=30, planned=40)
    db.session.commit()
    login(client, facilitator.email)
    client.get("/lang/en")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Young people aged 18–39 are under-represented among the participants of “札幌の未来”." in html
    assert "Women are under-represented among the participants of “札幌の未来”." in html
    nid = db.session.scalar(select(Notification.id).order_by(Notification.id))
    response = client.post(f"/notifications/{nid}/open")
    assert response.headers["Location"] == f"/spaces/{space.slug}/representation/"


def test_banner_on_the_space_page_for_facilitators_only(client, make, db, app):
    space = _space(make, db)
    add_participants(db.session, space, 40, age=65, gender="male")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    participant = make.user()
    app.config["ALERT_PLANNED_PARTICIPANTS"] = 40  # one look that spends the whole 2.5%
    url = f"/spaces/{space.slug}/"
    client.get("/lang/en")
    assert "Representation alert" not in client.get(url).get_data(as_text=True)
    login(client, participant.email)
    html = client.get(url).get_data(as_text=True)
    assert "Representation alert" not in html and "Representation dashboard" not in html
    client.post("/auth/logout")
    login(client, facilitator.email)
    client.get("/lang/en")
    html = client.get(url).get_data(as_text=True)
    assert "Representation alert" in html
    assert "Young people aged 18–39 are under-represented among the participants." in html
    assert f'href="/spaces/{space.slug}/representation/"' in html
    app.config["ALERT_MIN_PARTICIPANTS"] = 41
    try:
        html = client.get(url).get_data(as_text=True)
        assert "Representation alert" not in html
        assert "Representation dashboard" in html  # the link stays
    finally:
        app.config["ALERT_MIN_PARTICIPANTS"] = 30
        app.config.pop("ALERT_PLANNED_PARTICIPANTS")


def test_space_page_links_the_transparency_page_when_public(client, make, db):
    space = _space(make, db, transparency_public=True)
    client.get("/lang/en")
    html = client.get(f"/spaces/{space.slug}/").get_data(as_text=True)
    assert f'href="/spaces/{space.slug}/transparency"' in html
    space.transparency_public = False
    db.session.commit()
    html = client.get(f"/spaces/{space.slug}/").get_data(as_text=True)
    assert "/transparency" not in html
