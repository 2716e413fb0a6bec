"""The facilitators' CSV export of a survey: in the request while it is small, in the background
(app.exports) once its responses are too many to wait for."""
from __future__ import annotations

from flask import Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.permissions import can_manage_survey, require
from app.admin.services import audit
from app.exports.start_views import (offer_background, start_background_export,
                                     too_large_to_wait)
from app.extensions import db
from app.surveys import bp, export, results
from app.surveys.loaders import survey_from_url
from app.surveys.models import Survey


def _responses_csv(survey, progress=None) -> tuple[str, dict]:
    """The k-anonymous responses CSV (text) and what the audit log records of it."""
    k = current_app.config["MIN_CELL_FACILITATOR"]
    if progress:
        progress(0, 3)
    weighting = results.compute_weighting(db.session, survey, survey.space,
                                          cap=survey.weight_cap, min_cell=k)
    table = export.responses_export(db.session, survey, survey.space, weighting, k)
    if progress:
        progress(2, 3)
    note = ngettext(
        "Demographic columns are generalised so that every combination is shared by at "
        "least %(k)s respondents: %(num)s value was blanked.",
        "Demographic columns are generalised so that every combination is shared by at "
        "least %(k)s respondents: %(num)s values were blanked.",
        table.blanked_total, k=k)
    if table.blanked_total:
        note += " " + _("Blanked per column: %(columns)s.", columns="; ".join(
            f"{name} {n}" for name, n in table.blanked.items()))
    if weighting.reason == "small_cells":
        note += " " + _("Weights are left out: some weighting groups have fewer than "
                        "%(k)s respondents.", k=k)
    note += " " + _("Lines are in no particular order; written answers are in the other "
                    "file.")
    detail = {"part": "responses", "rows": len(table.rows), "k": k,
              "blanked": dict(table.blanked)}
    return export.to_csv(table.header, table.rows, note), detail


def _filename(survey, part: str) -> str:
    return f"survey-{survey.id}-{'written-answers' if part == 'text' else 'responses'}.csv"


def _title(survey) -> str:
    return _("Responses to “%(survey)s” (CSV)", survey=survey.title)


@bp.get("/<int:survey_id>/export.csv")
@require(can_manage_survey, survey=survey_from_url)
def export_csv(survey):
    """?part=responses (default): the k-anonymous responses; ?part=text: the written answers
    alone, which cannot be joined to them."""
    part = request.args.get("part", "responses")
    if part not in ("responses", "text"):
        abort(404)
    if part == "text":
        rows = export.text_export(db.session, survey)
        body = export.to_csv(["question", "text"], rows)
        detail = {"part": part, "rows": len(rows)}
    else:
        count = export.response_count(db.session, survey)
        if too_large_to_wait(count):
            return offer_background(_title(survey), count,
                                    url_for(".export_background", survey_id=survey.id))
        body, detail = _responses_csv(survey)
    audit(db.session, current_user, "survey.export", f"survey:{survey.id}", **detail)
    return Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(survey, part)}"',
                             "Cache-Control": "no-store"})


@bp.post("/<int:survey_id>/export.csv/background")
@require(can_manage_survey, survey=survey_from_url)
def export_background(survey):
    return start_background_export("survey_responses", survey.id, _title(survey))


def build_export(session, user, background, progress):
    """The background export of a survey's responses (app.exports.kinds)."""
    survey = session.get(Survey, background.target_id)
    if survey is None or not can_manage_survey(user, survey):
        raise PermissionError("no longer a facilitator of this survey's space")
    body, detail = _responses_csv(survey, progress)
    audit(session, user, "survey.export", f"survey:{survey.id}", background=True, **detail)
    return _filename(survey, "responses"), body.encode("utf-8"), detail["rows"]
