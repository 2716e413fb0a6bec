"""Error pages in the user's language; JSON for the API.

The request's unit of work (app/common/unit_of_work.py) rolls back every answer of 400 or more,
but only in its after_request hook, which runs after these handlers have drawn the page. So a
handler rolls back itself only where the session may be unusable while the page is drawn: after
an unexpected exception (a failed flush leaves the session refusing every query until rolled
back, and the error page reads it: the header's user and notification count)."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError

from app.extensions import db
from app.health.outage import register_outage_handlers

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have permission to see this page."),
    404: lambda: _("The page was not found."),
    405: lambda: _("This method is not allowed here."),
    413: lambda: _("What you sent is too large. Please shorten it and try again."),
    429: lambda: _("Too many attempts. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
}


def _render(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, MESSAGES[500])()
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": code}), code
    return render_template("errors/error.html", code=code, message=message), code


def _server_error():
    # Before the page is drawn, not only at the boundary: see the module notes.
    db.session.rollback()
    return _render(500)


def register_error_handlers(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))
    # After the 500 above, which it replaces: an outage behind a 500 becomes a 503.
    register_outage_handlers(app, server_error=_server_error)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, _("The form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(e):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links;
        # a short plain answer that echoes nothing of the request.
        return (_("This site does not answer to this address."), 400,
                {"Content-Type": "text/plain; charset=utf-8"})
