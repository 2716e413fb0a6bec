"""The request's unit of work: one commit at the boundary, and only for a request that was not
refused.

A view refuses a request by calling `refuse()` (directly, or through `Form.refuse` and a form
that fails validation on submit). The refusal rolls the session back at once (the page drawn
again shows what is stored, not a half-made change), and at the boundary the request is not
committed and answers 422 whatever template it rendered. A DomainError that escapes a view is
a refusal too: the error page (or JSON for the API) says what was refused, with 422.

A refused request that redirects (flash a message and go back) keeps its redirect so the
browser follows it; it is still rolled back. Any answer of 400 or more is rolled back."""
from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_babel import gettext

from app.common.errors import DomainError
from app.extensions import db

REFUSED_STATUS = 422


def refuse() -> None:
    """Mark this request as refused: roll back now, never commit, answer 422."""
    db.session.rollback()
    g.hiroba_refused = True


def was_refused() -> bool:
    return bool(g.get("hiroba_refused"))


def note_page_error(message: str) -> None:
    """A refusal that concerns the whole form: shown at the top of the page (base.html)."""
    g.setdefault("page_errors", []).append(message)


def _is_redirect(response) -> bool:
    return 300 <= response.status_code < 400


def install(app) -> None:
    @app.before_request
    def fresh_unit_of_work():
        # `g` belongs to the app context, which a test (or a CLI) may keep across requests: a
        # refusal must never outlive the request that made it.
        g.pop("hiroba_refused", None)
        g.pop("page_errors", None)

    @app.after_request
    def commit_at_boundary(response):
        if was_refused():
            db.session.rollback()
            if not _is_redirect(response) and response.status_code < 400:
                response.status_code = REFUSED_STATUS
        elif response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        refuse()
        message = error.translated(gettext)
        if request.path.startswith("/api/"):
            return jsonify({"error": message, "status": REFUSED_STATUS}), REFUSED_STATUS
        return (render_template("errors/error.html", code=REFUSED_STATUS, message=message),
                REFUSED_STATUS)
