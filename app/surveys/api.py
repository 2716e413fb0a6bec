"""JSON results of a survey: GET /api/v1/surveys/<id>/results?weighted=0|1.

Readable by the facilitators of the survey's space at any time, and by everyone once a survey
of a public space has closed (never while it is open; never for unlisted spaces, whose slug and
title would otherwise be found by walking ids). Anything else answers 404, the same as a survey
that does not exist. What is shown follows app.surveys.disclosure for the caller's audience.
The OpenAPI description is added by register_openapi(), from app.surveys.register.
"""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import can_manage_survey, can_read_survey_results_by_number, require
from app.api.common import api_error, api_limit, api_time
from app.api.openapi import register_path, register_schema
from app.common import fragments
from app.extensions import db
from app.representation.labels import dimension_label
from app.surveys import api_bp, disclosure, results
from app.surveys.loaders import survey_by_number
from app.surveys.weighted import INTERVAL_LEVEL, INTERVAL_NOTE, TARGETS_NOTICE, UnknownEffect

RESULT_KEYS = ("survey", "respondents", "weighted", "weighting", "questions", "disclosure")
SURVEY_KEYS = ("id", "title", "space", "status", "opens_at", "closes_at")
WEIGHTING_KEYS = ("available", "reason", "variables", "effective_sample_size", "max_weight",
                  "min_weight", "cap", "lacking_demographics", "margins",
                  "population_weighting", "targets_notice", "joint", "unknown_demographics",
                  "interval")
QUESTION_KEYS = ("id", "position", "kind", "text", "answered", "options", "mean", "minimum",
                 "maximum")
WEIGHTED_QUESTION_KEYS = ("weighted_mean", "weighted_mean_ci_low", "weighted_mean_ci_high",
                          "mean_design_effect", "effective_sample_size", "unknown_change")
OPTION_KEYS = ("key", "label", "count", "share")
WEIGHTED_OPTION_KEYS = ("weighted_share", "weighted_ci_low", "weighted_ci_high", "design_effect",
                        "interval_method")


def _round(value, digits: int = 6):
    return None if value is None else round(float(value), digits)


def _check_rows(check: results.MarginCheck) -> list[dict]:
    return [{"key": r["key"], "target": _round(r["target"]), "raw": _round(r["raw"]),
             "weighted": _round(r["weighted"]), "off_target": r["miss"]} for r in check.rows]


def _joint(weighting: results.Weighting) -> dict | None:
    """Age band x gender: raked to the reference's joint table, or to its two margins because
    some group of the table has no respondents; None when the two are not weighted together."""
    if not weighting.available or not (weighting.joint or weighting.joint_empty):
        return None
    return {"variables": list(results.JOINT_DIMENSIONS), "raked_jointly": weighting.joint,
            "categories": _check_rows(weighting.joint_check) if weighting.joint_check else [],
            "without_respondents": [{"key": e["key"],
                                     "population_share": _round(e["population_share"])}
                                    for e in weighting.joint_empty]}


def _unknown(weighting: results.Weighting, effect: UnknownEffect | None, digits: int) -> dict:
    effect = effect or UnknownEffect(weighting.unknown)
    return {"treatment": weighting.unknown, "default": results.DEFAULT_UNKNOWN,
            "lacking": weighting.lacking, "excluded": weighting.excluded,
            "comparable": effect.comparable,
            "largest_change": _round(effect.largest, digits),
            "largest_change_question": effect.question_id,
            "largest_change_option": effect.option_key}


def _weighting(weighting: results.Weighting, effect: UnknownEffect | None = None,
               digits: int = 6) -> dict:
    targets = weighting.target_dimensions
    return {
        "available": weighting.available,
        "reason": weighting.reason,
        "variables": [m.dimension for m in weighting.margins],
        "effective_sample_size": _round(weighting.effective_sample_size, 3),
        "max_weight": _round(weighting.max_weight),
        "min_weight": _round(weighting.min_weight),
        "cap": weighting.cap,
        "lacking_demographics": weighting.lacking,
        "margins": [{
            "dimension": m.dimension, "kind": m.kind, "missing": m.missing,
            "categories": _check_rows(m),
            "without_respondents": [{"key": e["key"],
                                     "population_share": _round(e["population_share"])}
                                    for e in m.empty],
        } for m in weighting.margins],
        "population_weighting": not targets if weighting.available else None,
        "targets_notice": _(TARGETS_NOTICE, variables=", ".join(
            dimension_label(d) for d in targets)) if weighting.available and targets else None,
        "joint": _joint(weighting),
        "unknown_demographics": _unknown(weighting, effect, digits),
        "interval": {"level": INTERVAL_LEVEL, "note": _(INTERVAL_NOTE, level="95%")}
        if weighting.available else None,
    }


def _question(result: results.QuestionResult, weighted: bool, public: bool) -> dict:
    q = result.question
    # Public shares to 0.1 point: finer digits of a weighted share would help match it to sums
    # of known cell weights.
    digits = 3 if public else 6
    out = {"id": q.id, "position": None, "kind": q.kind, "text": q.text,
           "answered": result.answered, "options": [], "mean": _round(result.mean),
           "minimum": result.minimum, "maximum": result.maximum,
           "hidden": result.hidden, "too_few": result.too_few}
    if q.kind == "number":
        out["median"] = _round(result.median) if public else None
    if weighted:
        out["weighted_mean"] = _round(result.weighted_mean)
        out["weighted_mean_ci_low"] = _round(result.weighted_mean_low)
        out["weighted_mean_ci_high"] = _round(result.weighted_mean_high)
        out["mean_design_effect"] = _round(result.mean_design_effect, 2 if public else 6)
        out["effective_sample_size"] = _round(result.effective_n, 3)
        out["unknown_change"] = _round(result.unknown_change, digits)
    for option in result.options:
        row = {"key": option.key,
               "label": _("Other") if option.key == "other" else option.label,
               "count": option.count, "share": _round(option.share, digits)}
        if weighted:
            row["weighted_share"] = _round(option.weighted_share, digits)
            row["weighted_ci_low"] = _round(option.weighted_low, digits)
            row["weighted_ci_high"] = _round(option.weighted_high, digits)
            # two decimals publicly, as on the page
            row["design_effect"] = _round(option.design_effect, 2 if public else 6)
            row["interval_method"] = option.interval_method
        if q.kind == "ranking":
            row["mean_rank"] = _round(option.mean_rank)
            if weighted:
                row["weighted_mean_rank"] = _round(option.weighted_mean_rank)
        out["options"].append(row)
    return out


def _results_body(survey, facilitator: bool, weighted: bool, unknown: str) -> dict:
    space = survey.space
    k = current_app.config["MIN_CELL_FACILITATOR" if facilitator else "MIN_CELL_PUBLIC"]
    shown = disclosure.release(db.session, survey, space, k=k, public=not facilitator,
                               unknown=unknown)
    if not weighted:  # raw figures only: the same release, its weights left out
        for result in shown.questions:
            result.weighted_mean = result.weighted_mean_low = result.weighted_mean_high = None
            result.mean_design_effect = None
    body = {
        "survey": {"id": survey.id, "title": survey.title, "space": space.slug,
                   "status": survey.status(), "opens_at": api_time(survey.opens_at),
                   "closes_at": api_time(survey.closes_at)},
        "respondents": shown.respondents,
        "weighted": weighted,
        "weighting": _weighting(shown.weighting, shown.unknown,
                                3 if shown.public else 6) if weighted else None,
        "questions": [],
        "disclosure": {"min_group": k, "withheld": shown.withheld,
                       "hidden_figures": shown.hidden},
    }
    for position, result in enumerate(shown.questions, 1):
        row = _question(result, weighted, shown.public)
        row["position"] = position
        body["questions"].append(row)
    return body


@api_bp.get("/surveys/<int:survey_id>/results")
@api_limit
@require(can_read_survey_results_by_number, survey=survey_by_number)
def survey_results(survey):
    facilitator = can_manage_survey(current_user, survey)
    flag = request.args.get("weighted", "0")
    if flag not in ("0", "1"):
        return api_error(400, "weighted must be 0 or 1")
    weighted = flag == "1"
    unknown = request.args.get("unknown", results.DEFAULT_UNKNOWN)
    if unknown not in results.UNKNOWN_TREATMENTS:
        return api_error(400, "unknown must be keep or exclude")
    public_copy = not facilitator and survey.results_open_to_all()
    if not public_copy:
        body = _results_body(survey, facilitator, weighted, unknown)
    else:
        # The public results of a closed survey change only when a response, a respondent's
        # snapshot or the survey does, so anonymous readers share one computed copy
        # (app/common/fragments.py) until such a write; computing it weighs every respondent.
        body = fragments.cached_parts(
            "survey-results", [("survey", survey.id), ("space", survey.space_id),
                               ("ledger", survey.space_id)],
            lambda: {"body": _results_body(survey, facilitator, weighted, unknown)},
            (flag, unknown))["body"]
    response = jsonify(body)
    # Only the public copy may sit in a shared cache: a facilitator's answer counts groups down
    # to the facilitators' minimum, and a proxy must never hand it to the next reader.
    response.headers["Cache-Control"] = "public, max-age=60" if public_copy \
        else "private, no-store"
    return response


# --- OpenAPI -------------------------------------------------------------------------------

_NUMBER_OR_NULL = {"type": ["number", "null"]}
OPTION_RESULT_SCHEMA = {
    "type": "object",
    "required": list(OPTION_KEYS),
    "properties": {
        "key": {"type": "string", "description": "Option id, 'other', or the Likert point."},
        "label": {"type": "string"},
        "count": {"type": ["integer", "null"], "description": "Respondents who chose it "
                  "(ranking: who ranked it); null when hidden (fewer than the minimum group, or "
                  "needed to keep one hidden)."},
        "share": {**_NUMBER_OR_NULL, "description": "count / answered; null for ranking."},
        "weighted_share": {**_NUMBER_OR_NULL, "description": "Weighted share (only with "
                           "weighted=1); null where hidden or weights are not available."},
        "weighted_ci_low": {**_NUMBER_OR_NULL, "description": "Lower end of the 95% interval "
                            "of the weighted share (weighted=1): linearisation of the weighted "
                            "ratio, Wilson's interval at the effective sample size. It describes "
                            "uncertainty under a model of who takes part, not a random sample. "
                            "Null wherever weighted_share is."},
        "weighted_ci_high": {**_NUMBER_OR_NULL, "description": "Upper end of that interval."},
        "design_effect": {**_NUMBER_OR_NULL, "description": "Variance of the weighted share over "
                          "that of an unweighted share of as many respondents (weighted=1)."},
        "interval_method": {"type": ["string", "null"], "enum": ["linearised", "kish", None],
                            "description": "'kish' (Kish's design effect) where the linearised "
                                           "variance is 0: a share of 0 or 1."},
        "mean_rank": {**_NUMBER_OR_NULL, "description": "Ranking only; 1 = first choice."},
        "weighted_mean_rank": _NUMBER_OR_NULL,
    },
}
QUESTION_RESULT_SCHEMA = {
    "type": "object",
    "required": list(QUESTION_KEYS),
    "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"},
        "kind": {"type": "string", "enum": ["single", "multiple", "likert", "short_text",
                                             "long_text", "number", "ranking"]},
        "text": {"type": "string"},
        "answered": {"type": "integer", "description": "Respondents who answered it."},
        "options": {"type": "array", "items": {"$ref": "#/components/schemas/SurveyOptionResult"},
                    "description": "Empty for text and number questions (texts are not published "
                                   "in the API)."},
        "mean": {**_NUMBER_OR_NULL, "description": "Likert and number questions."},
        "minimum": {**_NUMBER_OR_NULL, "description": "Number questions, facilitators only."},
        "maximum": {**_NUMBER_OR_NULL, "description": "Number questions, facilitators only."},
        "median": {**_NUMBER_OR_NULL, "description": "Number questions, public: to two "
                   "significant figures, like the mean."},
        "hidden": {"type": "integer", "description": "Figures of this question withheld."},
        "too_few": {"type": "boolean", "description": "Fewer answered than the minimum "
                    "group: no figures."},
        "weighted_mean": {**_NUMBER_OR_NULL, "description": "Only with weighted=1."},
        "weighted_mean_ci_low": {**_NUMBER_OR_NULL, "description": "Only with weighted=1: "
                                 "95% interval of the weighted mean, lower end (linearised "
                                 "variance, Student's t on Kish's effective n - 1 degrees of "
                                 "freedom; a Likert mean's interval is kept within the scale). "
                                 "Number questions: facilitators only (publicly it would add "
                                 "the answers' spread to the rounded mean)."},
        "weighted_mean_ci_high": {**_NUMBER_OR_NULL, "description": "Only with weighted=1: "
                                  "the upper end."},
        "mean_design_effect": {**_NUMBER_OR_NULL, "description": "Only with weighted=1: the "
                               "weighted mean's variance over that of an unweighted mean of "
                               "the same answers."},
        "effective_sample_size": {**_NUMBER_OR_NULL, "description": "Kish's effective sample "
                                  "size of the weights of those who answered (weighted=1)."},
        "unknown_change": {**_NUMBER_OR_NULL, "description": "The largest change of this "
                           "question's shown weighted shares under the other treatment of "
                           "respondents without demographics (weighted=1); null when the two "
                           "cannot be compared."},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": list(RESULT_KEYS),
    "properties": {
        "survey": {"type": "object", "required": list(SURVEY_KEYS), "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "space": {"type": "string", "description": "The space's slug."},
            "status": {"type": "string", "enum": ["open", "scheduled", "closed", "draft"]},
            "opens_at": {"type": ["string", "null"], "format": "date-time"},
            "closes_at": {"type": ["string", "null"], "format": "date-time"}}},
        "respondents": {"type": ["integer", "null"], "description": "Submitted responses; "
                        "null when withheld."},
        "weighted": {"type": "boolean"},
        "weighting": {"type": ["object", "null"], "required": list(WEIGHTING_KEYS),
                      "description": "Raking to the space's census margins (age band, gender) "
                                     "and facilitator targets (residency, sector); null unless "
                                     "weighted=1.",
                      "properties": {
                          "available": {"type": "boolean"},
                          "reason": {"type": ["string", "null"], "enum": [
                              "no_respondents", "no_margins", "not_converged", "small_cells",
                              "no_complete", "withheld", None]},
                          "variables": {"type": "array", "items": {"type": "string"}},
                          "effective_sample_size": _NUMBER_OR_NULL,
                          "max_weight": _NUMBER_OR_NULL, "min_weight": _NUMBER_OR_NULL,
                          "cap": {**_NUMBER_OR_NULL, "description": "Largest weight allowed, "
                                  "as a multiple of the mean."},
                          "lacking_demographics": {"type": "integer", "description":
                                                   "Respondents missing at least one weighting "
                                                   "variable (not adjusted on it)."},
                          "margins": {"type": "array", "items": {"type": "object"},
                                      "description": "Per variable: target, raw and weighted "
                                                     "shares per category, off_target when "
                                                     "more than 1 point away."},
                          "population_weighting": {"type": ["boolean", "null"], "description":
                                                   "False when a variable is weighted to "
                                                   "facilitator targets, which is not "
                                                   "population weighting."},
                          "targets_notice": {"type": ["string", "null"], "description":
                                             "That statement in the reader's language, when "
                                             "population_weighting is false."},
                          "joint": {"type": ["object", "null"], "description":
                                    "Age band x gender: raked_jointly when raked to the "
                                    "reference's joint table (categories 'band|gender' with "
                                    "target, raw and weighted shares), else raked to the two "
                                    "margins because the groups without_respondents have none. "
                                    "Null when the two are not weighting variables together.",
                                    "required": ["variables", "raked_jointly", "categories",
                                                 "without_respondents"],
                                    "properties": {
                                        "variables": {"type": "array",
                                                      "items": {"type": "string"}},
                                        "raked_jointly": {"type": "boolean"},
                                        "categories": {"type": "array",
                                                       "items": {"type": "object"}},
                                        "without_respondents": {"type": "array",
                                                                "items": {"type": "object"}}}},
                          "unknown_demographics": {
                              "type": "object", "description": "Respondents missing a weighting "
                              "variable: 'keep' (the default: not adjusted on what they did not "
                              "answer) or 'exclude' (left out of the weighted figures), as asked "
                              "with unknown=; and the largest change of a shown weighted share "
                              "under the other treatment.",
                              "required": ["treatment", "default", "lacking", "excluded",
                                           "comparable", "largest_change",
                                           "largest_change_question", "largest_change_option"],
                              "properties": {
                                  "treatment": {"type": "string", "enum": ["keep", "exclude"]},
                                  "default": {"type": "string", "enum": ["keep"]},
                                  "lacking": {"type": "integer"},
                                  "excluded": {"type": "integer"},
                                  "comparable": {"type": "boolean", "description": "Both "
                                                 "treatments weighted on the same variables."},
                                  "largest_change": _NUMBER_OR_NULL,
                                  "largest_change_question": {"type": ["integer", "null"]},
                                  "largest_change_option": {"type": ["string", "null"]}}},
                          "interval": {"type": ["object", "null"], "description": "What the "
                                       "intervals of weighted shares mean; null without "
                                       "weights.", "properties": {
                                           "level": {"type": "number"},
                                           "note": {"type": "string"}}}}},
        "questions": {"type": "array",
                      "items": {"$ref": "#/components/schemas/SurveyQuestionResult"}},
        "disclosure": {"type": "object", "required": ["min_group", "withheld", "hidden_figures"],
                       "description": "Groups smaller than min_group are never shown; withheld: "
                                      "fewer respondents than that, so nothing is published.",
                       "properties": {"min_group": {"type": "integer"},
                                      "withheld": {"type": "boolean"},
                                      "hidden_figures": {"type": "integer"}}},
    },
}
RESULTS_PATH = {"get": {
    "operationId": "getSurveyResults",
    "summary": "Results of a survey per question, raw or weighted with 95% intervals",
    "description": "Readable by the facilitators of the survey's space, and by everyone once a "
                   "survey of a public space has closed (never while open). Otherwise 404, "
                   "exactly as for a survey that does not exist. Public results need at least "
                   "MIN_CELL_PUBLIC respondents; smaller groups are hidden, weights are used "
                   "only when every weighting cell holds the minimum group, and number "
                   "questions show no minimum or maximum.",
    "parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "weighted", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["0", "1"], "default": "0"}},
        {"name": "unknown", "in": "query", "required": False,
         "description": "Respondents without demographics in weighted figures: keep (not "
                        "adjusted on what they did not answer) or exclude.",
         "schema": {"type": "string", "enum": ["keep", "exclude"], "default": "keep"}},
    ],
    "responses": {
        "200": {"description": "The results", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/SurveyResults"}}}},
        "400": {"$ref": "#/components/responses/Error"},
        "404": {"$ref": "#/components/responses/Error"},
    },
}}


def register_openapi() -> None:
    """Add the endpoint and its schemas to the API's OpenAPI document."""
    register_schema("SurveyOptionResult", OPTION_RESULT_SCHEMA)
    register_schema("SurveyQuestionResult", QUESTION_RESULT_SCHEMA)
    register_schema("SurveyResults", RESULTS_SCHEMA)
    register_path("/surveys/{id}/results", RESULTS_PATH)
