"""Large CSV exports are prepared in the background (app.exports): the facilitator is offered
the background path, watches the progress, gets a notification with the link, and alone
downloads the file until it expires. Jobs run inline here (JOBS_INLINE): at the end of the
request that queued them, after its commit; tests/test_job_queue.py runs them on a real RQ
worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import RoleAssignment
from app.common.time import utcnow
from app.exports import services
from app.exports.models import ExportFile
from app.notifications.models import Notification
from tests.dom import attribute, main_text
from tests.people import client_as, client_for
from tests.proposals.helpers import published, url


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 2)


def _three_proposals(db, world):
    for title in ("公園のベンチを増やす", "図書館の夜間開館", "=HYPERLINK(\"x\")"):
        published(db, world.space, world.author, title=title)


def _start(app, world):
    facilitator = client_for(app, world, "facilitator")
    offer = facilitator.get(url(world.space, "export.csv"))
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    assert "3 lines" in offer.get_data(as_text=True)
    started = facilitator.post(url(world.space, "export.csv/background"))
    assert started.status_code == 303
    return facilitator, started.headers["Location"]


def test_a_small_export_still_downloads_at_once(app, db, world):
    _three_proposals(db, world)
    response = client_for(app, world, "facilitator").get(url(world.space, "export.csv"))
    assert response.mimetype == "text/csv" and "図書館の夜間開館" in response.get_data(as_text=True)


def test_a_large_export_is_prepared_in_the_background_with_a_notification(app, db, world,
                                                                            small_limit):
    _three_proposals(db, world)
    facilitator, status_url = _start(app, world)
    status = facilitator.get(status_url)
    text = status.get_data(as_text=True)
    assert status.status_code == 200 and "Ready: 3 lines." in text
    assert 'http-equiv="refresh"' not in text  # done: the page stops refreshing
    notice = db.session.scalar(select(Notification).where(
        Notification.user_id == world.facilitator.id, Notification.kind == "export_ready"))
    assert notice is not None
    listed = facilitator.get("/notifications/").get_data(as_text=True)
    assert "is ready to download" in listed
    download = facilitator.get(f"{status_url}/download")
    body = download.get_data().decode("utf-8")
    assert download.mimetype == "text/csv" and body.startswith("\ufeff")
    assert "公園のベンチを増やす" in body and "'=HYPERLINK" in body
    assert download.headers["Cache-Control"] == "private, no-store"
    assert body.count("\r\n") == 4  # header and three proposals


def test_the_japanese_reader_gets_japanese_headers_and_messages(app, db, world, small_limit):
    _three_proposals(db, world)
    facilitator = client_as(app, world.facilitator, locale=None)
    started = facilitator.post(url(world.space, "export.csv/background"))
    status = facilitator.get(started.headers["Location"]).get_data(as_text=True)
    assert "準備ができました" in status
    body = facilitator.get(started.headers["Location"] + "/download").get_data().decode()
    assert body.startswith("\ufeff提案番号")


@pytest.mark.parametrize("role,code", [("anonymous", 302), ("participant", 403),
                                       ("other_facilitator", 403), ("admin", 403)])
def test_only_the_person_who_asked_sees_or_downloads_it(app, db, world, small_limit, role, code):
    _three_proposals(db, world)
    _, status_url = _start(app, world)
    stranger = client_for(app, world, role)
    assert stranger.get(status_url).status_code == code
    assert stranger.get(f"{status_url}/download").status_code == code


def test_an_expired_export_is_gone_and_purged(app, db, world, small_limit):
    _three_proposals(db, world)
    facilitator, status_url = _start(app, world)
    export = db.session.scalar(select(ExportFile))
    export.expires_at -= timedelta(days=2)
    db.session.commit()
    assert facilitator.get(status_url).status_code == 404
    assert facilitator.get(f"{status_url}/download").status_code == 404
    facilitator.post(url(world.space, "export.csv/background"))  # asking again purges it
    db.session.expire_all()
    left = db.session.scalars(select(ExportFile)).all()
    assert len(left) == 1 and left[0].expires_at > utcnow() and left[0].status == "done"


def test_the_status_page_shows_progress_while_it_runs(app, db, world):
    export = services.ask(db.session, world.facilitator.id, "proposals", world.space.id,
                          title="提案", ttl=timedelta(hours=1))
    services.start(db.session, export)
    db.session.commit()
    services.progress_writer(db.engine, export.id)(1000, 4000)
    db.session.expire_all()  # the test's session is the requests' (tests.people.PersonClient)
    html = client_for(app, world, "facilitator").get(f"/exports/{export.id}").get_data(as_text=True)
    assert "25% done" in main_text(html)
    assert attribute(html, "progress", "value") == "25"
    assert attribute(html, 'meta[http-equiv="refresh"]', "content") == "3"


def test_a_facilitator_removed_before_the_job_runs_gets_no_file(app, db, world, small_limit,
                                                                monkeypatch):
    _three_proposals(db, world)
    from app.exports import start_views

    queued = []
    monkeypatch.setattr(start_views, "enqueue", lambda func, *args: queued.append((func, args)))
    facilitator, status_url = _start(app, world)
    db.session.execute(RoleAssignment.__table__.delete().where(
        RoleAssignment.user_id == world.facilitator.id))
    db.session.commit()
    (func, args), = queued
    with pytest.raises(PermissionError):
        func(*args)
    export = db.session.scalar(select(ExportFile))
    db.session.refresh(export)
    assert export.status == "failed" and services.content_of(db.session, export) == b""
    assert db.session.scalar(select(Notification.kind).where(
        Notification.user_id == world.facilitator.id)) == "export_failed"
