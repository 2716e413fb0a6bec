"""Read-only JSON API, /api/v1. GET only (no CSRF needed); errors are JSON."""
from __future__ import annotations

import re
from datetime import date

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.permissions import can_facilitate
from app.api import bp
from app.api.common import api_error, api_limit
from app.api.openapi import openapi_document
from app.areas.services import find_area
from app.common.time import to_jst, today_jst
from app.extensions import db
from app.representation import prefecture, prefecture_export, releases, services
from app.representation.batches import EARLIEST_DAY, LATEST_DAY
from app.spaces.models import Space
from app.representation.dashboard import (audit_view, facilitator_page, offered_from,
                                          space_ledger)
from app.representation.queries import DIMENSIONS, MODULE_FILTERS, ReportError


class _BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _BadRequest(_("%(name)s must be a date written YYYY-MM-DD.", name=name)) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _BadRequest(_("%(name)s must lie between %(first)s and %(last)s.", name=name,
                            first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()))
    return day


def _report_args() -> dict:
    dimension = request.args.get("dimension", "age_band")
    module = request.args.get("module", "all")
    if dimension not in DIMENSIONS:
        raise _BadRequest(_("dimension must be one of: %(choices)s.",
                            choices=", ".join(DIMENSIONS)))
    if module not in MODULE_FILTERS:
        raise _BadRequest(_("module must be one of: %(choices)s.",
                            choices=", ".join(MODULE_FILTERS)))
    since, until = _date_arg("since"), _date_arg("until")
    if since and until and until < since:
        raise _BadRequest(_("until must not be before since."))
    return {"dimension": dimension, "module": module, "since": since, "until": until}


def _space(slug: str):
    return db.session.scalar(select(Space).options(joinedload(Space.area)).where(Space.slug == slug))


def _space_report(slug: str, export: str):
    """(report, is_facilitator) or an error response. Facilitators get the live page of whole
    batches with their filters (audited); everyone else the latest public release, unfiltered,
    and only where the space publishes (404 otherwise, as for a space that does not exist)."""
    space = _space(slug)
    if space is None:
        return None, api_error(404, _("No space has this address."))
    facilitator = can_facilitate(current_user, space)
    if not facilitator and not releases.is_published(space):
        return None, api_error(404, _("No space has this address."))
    try:
        args = _report_args()
    except _BadRequest as exc:
        return None, api_error(400, exc.message)
    dimension = args.pop("dimension")
    if not facilitator:
        if any(name in request.args for name in ("module", "since", "until")):
            return None, api_error(400, _("Public figures are releases: they take no module or "
                                       "date filter. See /spaces/%(slug)s/releases.", slug=slug))
        release = releases.latest_release(db.session, space)
        if release is None:
            return None, api_error(404, _("Nothing has been published for this space yet."))
        reports = releases.thaw(space.slug, release)["reports"]
        if dimension not in reports:
            return None, api_error(400, _("dimension must be one of: %(choices)s.",
                                       choices=", ".join(reports)))
        return (reports[dimension], False), None
    k = current_app.config["MIN_CELL_FACILITATOR"]
    ledger = space_ledger(db.session, space)  # counted once: the offer check and the page
    if args["module"] not in offered_from(ledger, k):
        return None, api_error(400, _("This filter is not offered: fewer than %(k)s people took "
                                   "part this way, or fewer than %(k)s did not, so their figures "
                                   "would single people out.", k=k))
    try:
        page = facilitator_page(db.session, space, k=k, ledger=ledger, **args)
    except ReportError as exc:
        return None, api_error(400, str(exc))
    audit_view(db.session, current_user, space, export, page, dimension=dimension)
    return (page.reports[dimension], True), None


def _private(response: Response, facilitator: bool) -> Response:
    # Facilitators see smaller cells: their answer must never sit in a shared cache.
    response.headers["Cache-Control"] = "private, no-store" if facilitator else "public, max-age=60"
    response.headers["Vary"] = "Cookie"
    return response


@bp.get("/spaces/<slug>/representation")
@api_limit
def representation(slug: str):
    result, error = _space_report(slug, "representation.api")
    if error:
        return error
    report, facilitator = result
    return _private(jsonify(services.report_as_dict(report)), facilitator)


@bp.get("/spaces/<slug>/representation.csv")
@api_limit
def representation_csv(slug: str):
    result, error = _space_report(slug, "representation.export")
    if error:
        return error
    report, facilitator = result
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{report.space_slug}-{report.dimension}-{report.module}")
    response = Response(services.report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _private(response, facilitator)


def _published_space(slug: str):
    space = _space(slug)
    if space is None or not releases.is_published(space):
        return None
    return space


def _release_summary(space, release) -> dict:
    return {"number": release.number,
            "published_at": to_jst(release.published_at).isoformat(),
            "participants": release.participants, "min_cell": release.min_cell,
            "url": url_for("api.release", slug=space.slug, number=release.number)}


@bp.get("/spaces/<slug>/releases")
@api_limit
def release_list(slug: str):
    space = _published_space(slug)
    if space is None:
        return api_error(404, _("No space has this address."))
    items = [_release_summary(space, r) for r in releases.list_releases(db.session, space)]
    return _private(jsonify({"space": space.slug, "releases": items}), False)


@bp.get("/spaces/<slug>/releases/<int:number>")
@api_limit
def release(slug: str, number: int):
    space = _published_space(slug)
    item = releases.get_release(db.session, space, number) if space is not None else None
    if item is None:
        return api_error(404, _("No release has this number."))
    thawed = releases.thaw(space.slug, item)
    figures = thawed["figures"]
    body = {**_release_summary(space, item),
            "space": space.slug,
            "first_day": item.payload.get("first_day"), "last_day": item.payload.get("last_day"),
            "headline": {key: _headline_dict(figures[key]) for key in ("youth", "women")},
            "dimensions": {d: services.report_as_dict(r) for d, r in thawed["reports"].items()}}
    return _private(jsonify(body), False)


def _headline_dict(figure) -> dict | None:
    if figure is None:
        return None
    return {"key": figure.key, "count": figure.count, "n": figure.n, "share": figure.share,
            "population_share": figure.population_share, "ci_low": figure.ci_low,
            "ci_high": figure.ci_high, "flag": figure.flag, "suppressed": figure.suppressed,
            "low": figure.low, "high": figure.high, "estimated": figure.estimated}


def _overview(code: str):
    area = find_area(db.session, code)
    if not prefecture.is_overview_area(area) or area.code != code.upper():
        return None
    return prefecture.area_overview(db.session, area, today=today_jst())


@bp.get("/areas/<code>/overview")
@api_limit
def area_overview(code: str):
    """A prefecture's municipalities (or a region's members) from their spaces' public releases."""
    overview = _overview(code)
    if overview is None:
        return api_error(404, _("No prefecture or wide-area region has this code."))
    return _private(jsonify(prefecture_export.overview_as_dict(overview)), False)


@bp.get("/areas/<code>/overview.csv")
@api_limit
def area_overview_csv(code: str):
    overview = _overview(code)
    if overview is None:
        return api_error(404, _("No prefecture or wide-area region has this code."))
    response = Response(prefecture_export.overview_csv(overview), mimetype="text/csv")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", overview.area.code)
    response.headers["Content-Disposition"] = f'attachment; filename="overview-{name}.csv"'
    return _private(response, False)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.script_root + bp.url_prefix))
