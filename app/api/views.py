"""Read-only JSON API, /api/v1. GET only (no CSRF needed); errors are JSON."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.permissions import can_facilitate
from app.api.openapi import openapi_document
from app.extensions import db, limiter
from app.representation import services
from app.spaces.models import Space

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


class _BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _error(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _BadRequest(_("%(name)s must be a date written YYYY-MM-DD.", name=name)) from None


def _report_args() -> dict:
    dimension = request.args.get("dimension", "age_band")
    module = request.args.get("module", "all")
    if dimension not in services.DIMENSIONS:
        raise _BadRequest(_("dimension must be one of: %(choices)s.",
                            choices=", ".join(services.DIMENSIONS)))
    if module not in services.MODULE_FILTERS:
        raise _BadRequest(_("module must be one of: %(choices)s.",
                            choices=", ".join(services.MODULE_FILTERS)))
    since, until = _date_arg("since"), _date_arg("until")
    if since and until and until < since:
        raise _BadRequest(_("until must not be before since."))
    return {"dimension": dimension, "module": module, "since": since, "until": until}


def _space_report(slug: str):
    """(report, is_facilitator) or an error response. Unlisted spaces are reachable by slug."""
    space = db.session.scalar(select(Space).options(joinedload(Space.area)).where(Space.slug == slug))
    if space is None:
        return None, _error(404, _("No space has this address."))
    try:
        args = _report_args()
    except _BadRequest as exc:
        return None, _error(400, exc.message)
    facilitator = can_facilitate(current_user, space)
    k = current_app.config["MIN_CELL_FACILITATOR" if facilitator else "MIN_CELL_PUBLIC"]
    report = services.build_report(db.session, space, args.pop("dimension"), min_cell=k, **args)
    return (report, facilitator), None


def _private(response: Response, facilitator: bool) -> Response:
    # Facilitators see smaller cells: their answer must never sit in a shared cache.
    response.headers["Cache-Control"] = "private, no-store" if facilitator else "public, max-age=60"
    response.headers["Vary"] = "Cookie"
    return response


@bp.get("/spaces/<slug>/representation")
@limiter.limit(_rate_limit)
def representation(slug: str):
    result, error = _space_report(slug)
    if error:
        return error
    report, facilitator = result
    return _private(jsonify(services.report_as_dict(report)), facilitator)


@bp.get("/spaces/<slug>/representation.csv")
@limiter.limit(_rate_limit)
def representation_csv(slug: str):
    result, error = _space_report(slug)
    if error:
        return error
    report, facilitator = result
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{report.space_slug}-{report.dimension}-{report.module}")
    response = Response(services.report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _private(response, facilitator)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.script_root + bp.url_prefix))
