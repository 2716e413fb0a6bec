"""Jobs on a real RQ queue (app.common.jobs with JOBS_REDIS_URL): a request puts its job on the
queue once its response has gone, nothing runs in the web process, and an RQ worker
(app.common.job_worker, in burst mode and in this process so it shares the test database) runs
it: a password-reset e-mail, and a background CSV export that ends with a notification."""
from __future__ import annotations

import logging
import os
import uuid

import pytest
from sqlalchemy import select

from app.common import jobs
from app.common.job_worker import make_worker
from app.exports.models import ExportFile
from app.notifications.models import Notification
from tests.people import client_as, client_for
from tests.proposals.helpers import published, url

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"),
                                 reason="TEST_REDIS_URL is not set")]


@pytest.fixture
def queued(app, monkeypatch):
    """The shared app with a queue of its own on TEST_REDIS_URL; jobs no longer run inline."""
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", os.environ["TEST_REDIS_URL"])
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"hiroba-test-{uuid.uuid4().hex[:8]}")
    app.extensions.pop("hiroba.jobs.redis", None)
    queue = jobs.job_queue(app)
    yield queue
    queue.delete(delete_jobs=True)
    app.extensions.pop("hiroba.jobs.redis", None)


def _work(app, queue) -> None:
    worker = make_worker(app, simple=True)
    assert worker.work(burst=True) is True
    assert queue.count == 0 and queue.failed_job_registry.count == 0


def test_a_reset_mail_goes_through_the_queue_and_a_worker(app, make, queued, caplog):
    make.user("taro@example.jp", locale="en")
    client = client_as(app)
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        response = client.post("/auth/reset", data={"email": "taro@example.jp"})
        assert response.status_code == 200
        response.close()  # what the WSGI server does after the last byte: the job is queued
        assert queued.count == 1
        assert "Reset your Hiroba password" not in caplog.text  # not sent by the web process
        _work(app, queued)
    assert "Reset your Hiroba password" in caplog.text and "taro@example.jp" in caplog.text


def test_a_background_export_runs_on_the_worker_and_notifies(app, db, world, queued,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 1)
    for title in ("公園のベンチを増やす", "図書館の夜間開館"):
        published(db, world.space, world.author, title=title)
    facilitator = client_for(app, world, "facilitator")
    started = facilitator.post(url(world.space, "export.csv/background"))
    started.close()
    status_url = started.headers["Location"]
    assert "Waiting for its turn" in facilitator.get(status_url).get_data(as_text=True)
    assert queued.count == 1
    _work(app, queued)
    db.session.expire_all()
    export = db.session.scalar(select(ExportFile))
    assert export.status == "done" and export.rows == 2
    assert db.session.scalar(select(Notification.kind).where(
        Notification.user_id == world.facilitator.id)) == "export_ready"
    body = facilitator.get(f"{status_url}/download").get_data().decode()
    assert "図書館の夜間開館" in body


def test_a_job_runs_here_when_redis_refuses_it(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", "redis://127.0.0.1:6390/6")
    app.extensions.pop("hiroba.jobs.redis", None)
    ran = []
    try:
        with caplog.at_level(logging.ERROR, logger="hiroba.jobs"):
            jobs.submit(_record, ran)
    finally:
        app.extensions.pop("hiroba.jobs.redis", None)
    assert ran == ["ran"] and "could not be queued" in caplog.text


def _record(ran: list) -> None:
    ran.append("ran")


def test_the_scheduled_representation_check_runs_as_a_job(app, make, db, queued, monkeypatch):
    from tests.representation.dashboard_fixtures import add_participants, load_population

    space = make.space("queued-check")
    load_population(db.session)
    add_participants(db.session, space, 40, age=65, gender="male")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    db.session.commit()
    monkeypatch.setitem(app.config, "ALERT_PLANNED_PARTICIPANTS", 40)
    result = app.test_cli_runner().invoke(args=["representation", "check", "--queue"])
    assert result.exit_code == 0 and "queued" in result.output, result.output
    assert queued.count == 1
    db.session.expire_all()
    assert db.session.scalar(select(Notification.id)) is None  # nothing ran yet
    _work(app, queued)
    db.session.expire_all()
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == facilitator.id)).all()
    assert len(kinds) == 2  # youth and women, from the worker
