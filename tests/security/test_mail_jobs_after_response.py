"""Mail leaves after the response (app.common.jobs): a slow mail server neither delays the page
nor tells, by the delay, that an address is registered; the mail is still sent."""
from __future__ import annotations

import re

import logging
import threading
import time
import urllib.parse
import urllib.request

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.common import jobs, mail

SLOW = 1.0


class _SlowSMTP:
    """A mail server that takes a second per message and remembers what it was given."""

    sent: list = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        time.sleep(SLOW)
        _SlowSMTP.sent.append((msg["To"], str(msg["Subject"]), msg.get_content()))


@pytest.fixture
def slow_mail(app, monkeypatch):
    _SlowSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", _SlowSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.jp")
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    return _SlowSMTP.sent


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _post(url: str, data: dict) -> tuple[int, str, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        return response.status, body, time.monotonic() - started


def _wait_for(sent: list, count: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while len(sent) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_reset_answers_before_the_slow_mail_server_and_the_mail_still_goes(make, slow_mail,
                                                                           live_server):
    make.user("taro@example.jp", locale="en")
    status, body, registered = _post(f"{live_server}/auth/reset", {"email": "taro@example.jp"})
    assert status == 200 and "パスワード" in body
    assert registered < SLOW / 2, f"the response waited {registered:.2f}s for the mail server"
    _wait_for(slow_mail, 1)
    assert [(to, subject) for to, subject, _ in slow_mail] == [
        ("taro@example.jp", "Reset your Hiroba password")]
    assert "/auth/reset/" in slow_mail[0][2]

    _, unknown_body, unknown = _post(f"{live_server}/auth/reset", {"email": "nobody@example.jp"})
    token = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"')  # differs per session anyway
    assert token.sub(r"\1", unknown_body) == token.sub(r"\1", body)
    assert abs(registered - unknown) < SLOW / 2


def test_in_a_request_the_job_waits_for_the_response_to_close():
    # A fresh app: adding a rule to the shared one after its first request is refused.
    app = Flask(__name__)
    ran = []

    @app.get("/enqueue")
    def enqueue_view():
        jobs.enqueue(ran.append, "done")
        return "ok"

    response = app.test_client().get("/enqueue")
    assert response.status_code == 200 and ran == []
    response.close()  # what the WSGI server does after sending the last byte
    assert ran == ["done"]


def test_a_failing_job_is_logged_not_raised(app, caplog):
    def broken():
        raise RuntimeError("mail server on fire")

    with caplog.at_level(logging.ERROR, logger="hiroba.jobs"):
        assert jobs.run_job(app, broken, (), {}) is False
    assert "failed" in caplog.text and "broken" in caplog.text and "on fire" in caplog.text


def test_a_failed_request_drops_its_jobs_and_says_so(caplog):
    app = Flask(__name__)
    ran = []

    @app.get("/fail")
    def fail():
        jobs.enqueue(ran.append, "mail about something rolled back")
        return "no", 500

    with caplog.at_level(logging.WARNING, logger="hiroba.jobs"):
        response = app.test_client().get("/fail")
        response.close()
    assert ran == [] and "dropped" in caplog.text


def test_outside_a_request_and_inline_the_job_runs_at_once(app, monkeypatch):
    ran = []
    with app.app_context():
        jobs.enqueue(ran.append, "cli")
    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
    with app.test_request_context("/"):
        jobs.enqueue(ran.append, "inline")
    assert ran == ["cli", "inline"]
