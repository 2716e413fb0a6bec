"""A second app on the test database with rate limiting switched on, for the tests of limits.

The limiter is one object shared by every app in the process, so its state is put back when
the block ends."""
from __future__ import annotations

from contextlib import contextmanager

from app import create_app
from app.extensions import db, limiter


@contextmanager
def rate_limited_app(app, **limits):
    """`with rate_limited_app(app, LOGIN_RATE_LIMIT="3 per minute") as limited: ...`"""
    was_enabled = limiter.enabled
    limited = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "RATELIMIT_ENABLED": True, **limits})
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
