"""Probes for /healthz: the database (required) and the rate-limit storage (optional; when it
is down Flask-Limiter counts in memory, so the site is degraded, not down). No Flask here: the
view passes the session and the configured storage URI."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

# A health check must answer quickly even when Redis is unreachable rather than refusing.
REDIS_TIMEOUT_SECONDS = 1.0
REDIS_SCHEMES = ("redis", "rediss")


def check_database(session: Session) -> dict:
    started = time.perf_counter()
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        return {"ok": False}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_redis(storage_uri: str | None) -> dict:
    """`ok` is None when no Redis is configured (rate limits live in memory by design)."""
    if not storage_uri or urlsplit(storage_uri).scheme not in REDIS_SCHEMES:
        return {"ok": None, "configured": False}
    import redis

    client = redis.Redis.from_url(storage_uri, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_timeout=REDIS_TIMEOUT_SECONDS)
    started = time.perf_counter()
    try:
        client.ping()
    except redis.RedisError:
        return {"ok": False, "configured": True}
    finally:
        client.close()
    return {"ok": True, "configured": True,
            "ms": round((time.perf_counter() - started) * 1000, 1)}


def health_report(session: Session, storage_uri: str | None) -> tuple[dict, int]:
    """The report and its HTTP status: 503 only when the database does not answer."""
    database = check_database(session)
    redis_state = check_redis(storage_uri)
    if not database["ok"]:
        status = "down"
    elif redis_state["ok"] is False:
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "database": database, "redis": redis_state}, \
        503 if status == "down" else 200
