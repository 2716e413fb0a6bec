"""The application shell: health check, production safeguards, headers, rate limits on Redis."""
from __future__ import annotations

import os

import pytest

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from config import ProductionConfig


def test_healthz_answers_200_with_the_database_and_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True and response.json["database"]["ms"] >= 0
    # The test configuration counts rate limits in memory: no Redis to report on.
    assert response.json["redis"] == {"ok": None, "configured": False}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    unreachable = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing-dir' / 'nowhere.sqlite3'}"})
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down"
    assert response.json["database"] == {"ok": False}
    with unreachable.app_context():
        _db.engine.dispose()


def test_healthz_is_degraded_but_200_when_redis_is_down(app):
    # Nothing listens on 6390: rate limits fall back to memory, so the site still serves.
    without_redis = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6390/6"})
    response = without_redis.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["database"]["ok"] is True
    assert response.json["redis"] == {"ok": False, "configured": True}
    with without_redis.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_healthz_reports_a_reachable_redis(app):
    with_redis = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "RATELIMIT_STORAGE_URI": os.environ["TEST_REDIS_URL"]})
    response = with_redis.test_client().get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["redis"]["ok"] is True and response.json["redis"]["configured"] is True
    with with_redis.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "HIROBA_BASE_URL"])
def test_production_refuses_to_start_without_secret_key_or_database(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("HIROBA_BASE_URL", "https://hiroba.example.lg.jp")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production")


def test_production_cookies_are_secure_httponly_and_lax(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("HIROBA_BASE_URL", "https://hiroba.example.lg.jp")
    ProductionConfig.check()
    # Rate limiting stays off: the limiter is one object shared by every app in the process.
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                            "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": False})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_checks_each_pooled_connection_before_use(monkeypatch):
    # After a database restart the pool holds dead connections; a ping on checkout replaces them
    # instead of failing the next request (tests/faults/test_postgres_restart.py shows it live).
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("HIROBA_BASE_URL", "http://localhost")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                            "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": False})
    assert production.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    with production.app_context():
        _db.engine.dispose()


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_pages_are_japanese_by_default_and_english_one_click_away(client):
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in home and "ログイン" in home
    client.get("/lang/en")
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_rate_limits_are_counted_in_redis_when_configured(app, make):
    import redis

    url = os.environ["TEST_REDIS_URL"]
    store = redis.Redis.from_url(url)
    store.flushdb()
    was_enabled = limiter.enabled
    limited = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": url,
        "LOGIN_RATE_LIMIT": "2 per minute"})
    try:
        make.user("taro@example.jp")
        client = limited.test_client()
        codes = [client.post("/auth/login", data={"email": "taro@example.jp", "password": "wrong"}
                             ).status_code for _ in range(3)]
        # A refused login answers 422 (the unit of work); the third is over the limit.
        assert codes == [422, 422, 429]
        assert any(b"LIMITER" in key for key in store.keys("*"))
    finally:
        store.flushdb()
        # The limiter is one object for every app: give the others back their memory storage.
        create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_a_failed_flush_still_gets_the_error_page_in_the_readers_language(tmp_path):
    """The 500 handler rolls back before drawing the page: after a failed flush the session
    refuses every query until then, and the page reads it (the header's notification count)."""
    from app.accounts.models import User
    from tests import factories
    from tests.conftest import TEST_PASSWORD

    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'failed-flush.sqlite3'}",
        "PROPAGATE_EXCEPTIONS": False})

    @application.get("/_duplicate")
    def duplicate():
        _db.session.add(User(email="taro@example.jp", display_name="二人目"))
        _db.session.flush()  # the address is taken: IntegrityError, an unexpected exception

    with application.app_context():
        _db.create_all()
        factories.Factory(_db.session).user("taro@example.jp", locale="en")
        _db.session.remove()
    client = application.test_client()
    client.post("/auth/login", data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    response = client.get("/_duplicate")
    assert response.status_code == 500
    assert "Something went wrong on our side." in response.get_data(as_text=True)
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()
