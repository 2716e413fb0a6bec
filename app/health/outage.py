"""While the database cannot be reached (a restart, a failover, the network), every page answers
503 with Retry-After instead of a 500: a short page in the person's language, JSON under /api/.
The request's transaction is rolled back (or dies with the connection), so a write sent during
the outage is either whole or absent; the engine's pool_pre_ping reconnects once it is back."""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from app.extensions import db, login_manager

RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    """OperationalError is the DBAPI's "cannot talk to the server" family (refused, shutting
    down, connection terminated, SQLite locked); any error SQLAlchemy saw as a disconnect too."""
    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the server has discarded its transaction


def _anonymous_if_unloadable() -> None:
    # The page's language may come from the person's row; if loading them is what failed,
    # render for a visitor (the session's language still applies) instead of failing again.
    try:
        current_user.is_authenticated  # noqa: B018  (loads the user if not loaded yet)
    except SQLAlchemyError:
        _rollback_quietly()
        g._login_user = login_manager.anonymous_user()


def database_unavailable(error: BaseException):
    current_app.logger.warning("Database unavailable, answering 503 for %s %s: %s",
                               request.method, request.path, error)
    _rollback_quietly()
    _anonymous_if_unloadable()
    message = _("The service is temporarily unavailable. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": message, "status": 503})
    else:
        response = make_response(render_template("errors/unavailable.html", message=message))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_outage_handlers(app: Flask, server_error: Callable[[], object]) -> None:
    """Call after the ordinary error handlers: this replaces the 500 handler with one that
    answers 503 when the 500 wraps an outage (a failed commit in an after_request hook reaches
    Flask as an unhandled error), and `server_error()` otherwise."""
    app.register_error_handler(OperationalError, database_unavailable)

    def internal_error(error):
        original = getattr(error, "original_exception", None)
        if is_database_outage(original):
            return database_unavailable(original)
        return server_error()

    app.register_error_handler(500, internal_error)
