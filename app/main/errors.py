"""Error pages in the user's language; JSON for the API."""
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
    db.session.rollback()
    message = message or MESSAGES.get(code, MESSAGES[500])()
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": code}), code
    return render_template("errors/error.html", code=code, message=message), code


def register_error_handlers(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))
    # After the 500 above, which it replaces: an outage behind a 500 becomes a 503.
    register_outage_handlers(app, server_error=lambda: _render(500))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, _("The form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(e):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links;
        # a short plain answer that echoes nothing of the request.
        db.session.rollback()
        return (_("This site does not answer to this address."), 400,
                {"Content-Type": "text/plain; charset=utf-8"})
