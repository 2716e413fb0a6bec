"""Links in e-mails come from HIROBA_BASE_URL, never from the Host header; production answers
400 to a Host that is not its own (issue #10: password-reset link poisoning)."""
from __future__ import annotations

import logging

import pytest

from app import create_app
from app.extensions import db as _db

BASE = "https://hiroba.example.lg.jp"


@pytest.fixture(autouse=True)
def mail_log_enabled(monkeypatch):
    # Alembic's logging set-up (tests/test_migrations.py) disables existing loggers; the
    # development mail transport is that log, so switch it back on for these tests.
    monkeypatch.setattr(logging.getLogger("hiroba.mail"), "disabled", False)


def _mail_log(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hiroba.mail")


@pytest.mark.parametrize("headers", [
    {"Host": "evil.example"},
    {"Host": "evil.example:8080"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
])
def test_the_reset_link_never_takes_a_forged_host(app, client, make, caplog, monkeypatch,
                                                 headers):
    make.user("taro@example.jp")
    monkeypatch.setitem(app.config, "HIROBA_BASE_URL", BASE)
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        response = client.post("/auth/reset", data={"email": "taro@example.jp"},
                               headers=headers)
    assert response.status_code == 200
    sent = _mail_log(caplog)
    assert f"{BASE}/auth/reset/" in sent
    assert "evil.example" not in sent


def test_a_base_url_with_a_path_keeps_its_path(app, client, make, caplog, monkeypatch):
    make.user("taro@example.jp")
    monkeypatch.setitem(app.config, "HIROBA_BASE_URL", "https://www.city.example.lg.jp/hiroba")
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        client.post("/auth/reset", data={"email": "taro@example.jp"},
                    headers={"Host": "evil.example"})
    assert "https://www.city.example.lg.jp/hiroba/auth/reset/" in _mail_log(caplog)


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("HIROBA_BASE_URL", BASE)
    application = create_app("production", {
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32,
        "HIROBA_BASE_URL": BASE, "RATELIMIT_ENABLED": False})
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_production_answers_400_to_a_forged_host(production):
    client = production.test_client()
    forged = client.get("/healthz", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.get_data(as_text=True)
    assert client.post("/auth/reset", data={"email": "a@example.jp"},
                       headers={"Host": "evil.example"}).status_code == 400


def test_production_serves_its_own_host(production):
    client = production.test_client()
    assert client.get("/healthz", headers={"Host": "hiroba.example.lg.jp"}).status_code == 200
    assert client.get("/healthz", base_url=BASE).status_code == 200


def test_the_base_url_must_be_an_http_address():
    with pytest.raises(RuntimeError, match="HIROBA_BASE_URL"):
        create_app("test", {"HIROBA_BASE_URL": "hiroba.example.lg.jp"})
