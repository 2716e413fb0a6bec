"""Flask extensions, created once and bound to the app in create_app()."""
from __future__ import annotations

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
import sqlite3

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# A fixed naming convention keeps constraint names identical on SQLite and PostgreSQL, so
# Alembic can drop or alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _LoginManager(LoginManager):
    """Strong session protection, for sessions that have something to protect.

    Flask-Login "fails" the protection of any non-empty session without the login's address
    fingerprint (`_id`): an anonymous reader's session, which holds only a CSRF token and a
    language, failed on every request, was rewritten, and every page answered with Set-Cookie
    (which kept public pages from ever answering 304). Nobody is logged in there and no
    remember-me cookie came with it, so there is nothing to clear."""

    def _session_protection_failed(self):
        from flask import current_app, request, session

        cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_user_id" not in session and cookie not in request.cookies:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = _LoginManager()
babel = Babel()
csrf = CSRFProtect()
# When the rate-limit storage (Redis) is down, count in this process's memory instead of
# failing every request: limits stay roughly enforced (per worker) and the site stays up.
# Flask-Limiter logs one warning when it falls back and checks the storage again with backoff.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True)
# Cached page fragments (app/common/fragments.py binds it in create_app).
cache = Cache()


def cache_config(config) -> dict:
    """Flask-Caching's settings from Hiroba's: Redis at CACHE_REDIS_URL (REDIS_URL by default)
    when there is one, this process's memory otherwise, nothing at all with NullCache (tests).
    Every key starts with CACHE_KEY_PREFIX (one per site sharing a Redis); the code's version
    is in every fragment's key (app/common/fragments.py), not in the prefix, so the workers of a
    rolling deployment still share the invalidations."""
    kind = config.get("CACHE_TYPE") or "SimpleCache"
    redis_url = config.get("CACHE_REDIS_URL")
    if kind == "RedisCache" and not redis_url:
        raise RuntimeError("CACHE_TYPE=RedisCache needs CACHE_REDIS_URL (or REDIS_URL)")
    return {"CACHE_TYPE": kind, "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": config.get("CACHE_KEY_PREFIX") or "hiroba:",
            "CACHE_DEFAULT_TIMEOUT": config.get("CACHE_DEFAULT_TIMEOUT", 300),
            "CACHE_THRESHOLD": config.get("CACHE_THRESHOLD", 2000),
            "CACHE_NO_NULL_WARNING": True}

# Several gunicorn workers write to one SQLite file: WAL lets readers and the writer proceed
# together, and the busy timeout makes a writer wait for the lock instead of failing at once
# with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection, _record) -> None:
    """SQLite ignores ON DELETE rules unless told otherwise; behave like PostgreSQL. Then WAL
    and a busy timeout, so concurrent writers queue instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # A longer wait chosen by the caller (connect_args={"timeout": ...}) is kept.
    if cursor.execute("PRAGMA busy_timeout").fetchone()[0] < SQLITE_BUSY_TIMEOUT_MS:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # In-memory databases answer "memory" and stay so; a file switches once and remembers.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
