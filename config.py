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


# Keys written in this file are public: wsgi.py refuses to serve with one of them unless
# HIROBA_CONFIG=development is set explicitly.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
TEST_SECRET_KEY = "test-secret"
PUBLISHED_SECRET_KEYS = (DEVELOPMENT_SECRET_KEY, TEST_SECRET_KEY)


def refuse_published_secret_key(secret_key: str, chosen_config: str | None) -> None:
    """Sessions and reset links signed with a key that is in the source code can be forged by
    anyone: only a setup that says HIROBA_CONFIG=development out loud may serve with one (a
    forgotten HIROBA_CONFIG must not quietly serve the development key). Called by wsgi.py."""
    if secret_key in PUBLISHED_SECRET_KEYS and chosen_config != "development":
        raise RuntimeError("Refusing to serve with a SECRET_KEY that is published in the source: "
                           "set SECRET_KEY (and HIROBA_CONFIG=production), or "
                           "HIROBA_CONFIG=development for a development server.")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    # The public address of the site (scheme, host, optional path), e.g.
    # https://hiroba.example.lg.jp. Links in e-mails (password reset, digests) are built from it,
    # never from the request's Host header, which anyone can forge. Production requires it and
    # answers 400 to requests for any other host (TRUSTED_HOSTS, set from it in create_app).
    HIROBA_BASE_URL = os.environ.get("HIROBA_BASE_URL", "http://localhost:5000")
    # Reverse proxies in front of the app (nginx: 1). With 0 the X-Forwarded-* headers are
    # ignored; with n, werkzeug's ProxyFix takes the client address and scheme from the n-th
    # X-Forwarded-For / X-Forwarded-Proto entry from the right (the ones our proxies wrote), so
    # rate limits count per person, not per proxy. Never more than the proxies really there:
    # each extra one lets a client choose its own address.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Request size: the largest form Hiroba takes (a 10,000-character proposal is ~30 kB) with
    # room to spare; bigger requests get 413 before anything reads them.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 512 * 1024)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'hiroba.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL pool per process: one connection per gunicorn thread plus a little overflow
    # (applied in create_app to server databases only; SQLite keeps its own pool).
    DB_POOL_SIZE = _int("DB_POOL_SIZE", _int("GUNICORN_THREADS", 1))
    DB_MAX_OVERFLOW = _int("DB_MAX_OVERFLOW", 2)
    DB_POOL_RECYCLE = _int("DB_POOL_RECYCLE", 1800)  # seconds; below typical idle cut-offs
    DB_POOL_TIMEOUT = _int("DB_POOL_TIMEOUT", 10)  # wait for a free connection, then 503
    # "json": one JSON object per log line on stdout (app.common.logs); "text" for people.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
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
    # Cached page fragments for anonymous readers (app/common/fragments.py): in Redis when
    # CACHE_REDIS_URL (or else REDIS_URL) is set, so every worker shares them and their
    # invalidation; in this process's memory otherwise (development; production: none, see
    # ProductionConfig). CACHE_TYPE=NullCache switches it off.
    # A fragment lives CACHE_DEFAULT_TIMEOUT seconds at most; writes invalidate it at once.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", REDIS_URL)
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "RedisCache" if CACHE_REDIS_URL else "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 300)
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 2000)  # entries kept in memory (SimpleCache)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "hiroba:")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;100 per day")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute;50 per day")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per day")
    # Current-password checks (password change, account deletion), per account and per address.
    PASSWORD_CHECK_RATE_LIMIT = os.environ.get("PASSWORD_CHECK_RATE_LIMIT",
                                               "10 per minute;50 per day")
    # Adding a team member by e-mail tells whether the address has an account: per facilitator.
    TEAM_ADD_RATE_LIMIT = os.environ.get("TEAM_ADD_RATE_LIMIT", "10 per minute;50 per day")
    # Jobs (app.common.jobs) run after the response is sent; inline when set (tests). With a
    # Redis for them (REDIS_URL by default) they go to an RQ queue that `flask jobs worker` runs.
    JOBS_INLINE = os.environ.get("JOBS_INLINE", "0") == "1"
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", REDIS_URL)
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "hiroba")
    JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 1800)  # seconds a job may run before RQ stops it
    # A CSV export of more lines than this is prepared in the background (app.exports), kept for
    # EXPORT_TTL_HOURS for the person who asked, then deleted.
    EXPORT_INLINE_MAX_ROWS = _int("EXPORT_INLINE_MAX_ROWS", 5000)
    EXPORT_TTL_HOURS = _int("EXPORT_TTL_HOURS", 24)
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
    # The alert spends its false-alarm rate over this many participants (alpha spending).
    ALERT_PLANNED_PARTICIPANTS = _int("ALERT_PLANNED_PARTICIPANTS", 300)
    PER_PAGE = _int("PER_PAGE", 20)


class DevelopmentConfig(Config):
    DEBUG = False  # `make run` serves with the reloader off; set FLASK_DEBUG=1 to debug


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = TEST_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    JOBS_INLINE = True
    JOBS_REDIS_URL = None  # the developer's REDIS_URL is not the tests' queue
    # Off unless a test switches it on; TEST_CACHE_TYPE=SimpleCache runs a suite with it on.
    CACHE_TYPE = os.environ.get("TEST_CACHE_TYPE", "NullCache")
    CACHE_REDIS_URL = None
    CACHE_NO_NULL_WARNING = True
    HIROBA_BASE_URL = "http://localhost"  # the test client's host
    # SQLAlchemy's own defaults: concurrency tests open more connections than a worker would
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 10


class ProductionConfig(Config):
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HIROBA_BASE_URL = os.environ.get("HIROBA_BASE_URL")
    # Several gunicorn workers each with their own memory would not see each other's
    # invalidations (a post hidden in one worker could still be served by another until its
    # fragment expires): production caches fragments only in a Redis all workers share, unless
    # CACHE_TYPE=SimpleCache is set for a single-worker server.
    CACHE_TYPE = os.environ.get("CACHE_TYPE",
                                "RedisCache" if Config.CACHE_REDIS_URL else "NullCache")
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "HIROBA_BASE_URL")

    @classmethod
    def check(cls) -> None:
        missing = [n for n in cls.REQUIRED if not os.environ.get(n)]
        if missing:
            raise RuntimeError(
                "Production refuses to start without: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
