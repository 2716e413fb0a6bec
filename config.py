"""Configuration classes: development (default), test and production.

Every setting can be overridden by an environment variable of the same name; the README lists them.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'hiroba.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Sessions: HttpOnly always, SameSite=Lax against cross-site POSTs; Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a long form on a phone must not expire under the writer
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")
    # Rate limits: in memory by default, Redis when REDIS_URL is set.
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;100 per day")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute;50 per day")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per day")
    # Current-password checks (password change, account deletion), per account and per address.
    PASSWORD_CHECK_RATE_LIMIT = os.environ.get("PASSWORD_CHECK_RATE_LIMIT",
                                               "10 per minute;50 per day")
    # Adding a team member by e-mail tells whether the address has an account: per facilitator.
    TEAM_ADD_RATE_LIMIT = os.environ.get("TEAM_ADD_RATE_LIMIT", "10 per minute;50 per day")
    # Jobs (app.common.jobs) run after the response is sent; inline when set (tests).
    JOBS_INLINE = os.environ.get("JOBS_INLINE", "0") == "1"
    # Mail: with no MAIL_SERVER the message is written to the log (development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "hiroba@localhost")
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    # Privacy: smallest group shown to facilitators and on public pages / API.
    MIN_CELL_FACILITATOR = _int("MIN_CELL_FACILITATOR", 5)
    MIN_CELL_PUBLIC = _int("MIN_CELL_PUBLIC", 10)
    # Representation alerts fire only once a space has this many participants.
    ALERT_MIN_PARTICIPANTS = _int("ALERT_MIN_PARTICIPANTS", 30)
    PER_PAGE = _int("PER_PAGE", 20)


class DevelopmentConfig(Config):
    DEBUG = False  # `make run` serves with the reloader off; set FLASK_DEBUG=1 to debug


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    JOBS_INLINE = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        missing = [n for n in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(n)]
        if missing:
            raise RuntimeError(
                "Production refuses to start without: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
