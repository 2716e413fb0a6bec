"""The OpenAPI 3.1 document of the read-only API, built as a dict.

Modules add their endpoints with register_path() / register_schema() from their package's
register(app); openapi_document() assembles the whole document for /api/v1/openapi.json.
"""
from __future__ import annotations

import copy

from app.representation.queries import DIMENSIONS, MODULE_FILTERS

_PATHS: dict[str, dict] = {}
_SCHEMAS: dict[str, dict] = {}


def register_path(path: str, item: dict) -> None:
    """Add (or extend) a path item, e.g. register_path('/spaces/{slug}/threads', {'get': {...}})."""
    _PATHS.setdefault(path, {}).update(item)


def register_schema(name: str, schema: dict) -> None:
    _SCHEMAS[name] = schema


def openapi_document(server_url: str = "/api/v1") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hiroba API",
            "version": "1",
            "description": "Read-only JSON API of Hiroba. Figures about people are aggregates; "
                           "groups smaller than the minimum cell size are suppressed.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server_url}],
        "paths": copy.deepcopy(dict(sorted(_PATHS.items()))),
        "components": {"schemas": copy.deepcopy(dict(sorted(_SCHEMAS.items()))),
                       "responses": {"Error": _ERROR_RESPONSE}},
    }


_NUMBER_OR_NULL = {"type": ["number", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_ERROR_RESPONSE = {
    "description": "Error",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    }}},
}

_REPRESENTATION_CATEGORY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "label", "count", "share", "population", "population_share", "ratio",
                 "ci_low", "ci_high", "flag", "parity_gap", "suppressed", "verdict", "p_value",
                 "p_adjusted", "interval_method", "unknown_low", "unknown_high", "estimated"],
    "properties": {
        "key": {"type": "string", "description": "Category key: '18-29', '80+', 'female', "
                                                 "'18-29|female', 'resident', 'academia', ..."},
        "label": {"type": "string", "description": "Category name in the requested language."},
        "count": {**_INT_OR_NULL, "description": "Participants in the category; null when suppressed."},
        "share": {**_NUMBER_OR_NULL, "description": "count / answered."},
        "population": {**_NUMBER_OR_NULL, "description": "Reference population (may be a "
                       "proportional estimate); null for targets."},
        "population_share": {"type": "number", "description": "Share of the eligible population, "
                             "or the target share."},
        "ratio": {**_NUMBER_OR_NULL, "description": "share / population_share."},
        "ci_low": {**_NUMBER_OR_NULL, "description": "95% interval of the share, lower end "
                   "(see interval_method). It describes how far the share of the people who "
                   "turn up could fall from the population share by chance alone if they were "
                   "drawn at random from it; participants are not a random sample."},
        "ci_high": {**_NUMBER_OR_NULL, "description": "95% interval of the share, upper end."},
        "flag": {"type": ["string", "null"], "enum": ["under", "over", "ok", None],
                 "description": "under/over when the verdict is; ok otherwise; null when hidden."},
        "verdict": {"type": ["string", "null"],
                    "enum": ["under", "over", "in_line", "not_significant_wide", "no_data", None],
                    "description": "under/over: the table's overall test is significant and the "
                    "cell's Holm-adjusted exact p-value is below 0.05; in_line: not significant "
                    "and the whole interval lies within ±20% (relative) of the population or "
                    "target share; not_significant_wide: not significant, too few participants "
                    "to tell; no_data: nobody answered; null when hidden."},
        "p_value": {**_NUMBER_OR_NULL, "description": "Exact binomial p-value against the "
                    "population (or target) share, unadjusted."},
        "p_adjusted": {**_NUMBER_OR_NULL, "description": "p_value adjusted by Holm's method "
                       "within the dimension (hidden cells merged into one)."},
        "interval_method": {"type": ["string", "null"], "enum": ["clopper_pearson", "wilson", None],
                            "description": "clopper_pearson (exact) when the cell or its "
                            "complement holds fewer than 10 participants, else wilson."},
        "unknown_low": {**_NUMBER_OR_NULL, "description": "Share among everyone asked "
                        "(answered + unknown) if no participant without an answer is in the "
                        "group; null when unknown is hidden."},
        "unknown_high": {**_NUMBER_OR_NULL, "description": "The same if every participant "
                         "without an answer is in the group."},
        "parity_gap": {**_INT_OR_NULL, "description": "Fewest additional participants of this "
                       "group that would lift its share to the population share; -1 if none can."},
        "suppressed": {"type": "boolean", "description": "True when the group is below the "
                       "minimum cell size (or hidden so it cannot be recovered from the total)."},
        "estimated": {"type": ["boolean", "null"], "description": "True when this category's "
                      "population figure cuts an age group of the source and is therefore an "
                      "estimate (see reference.split_method); null in a release made before "
                      "the flag was kept."},
    },
}
_REPRESENTATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["space", "dimension", "module", "reference", "participants", "answered",
                 "unknown", "unreferenced", "min_cell", "categories", "chi_square",
                 "overall_test", "merged_hidden", "dissimilarity", "expected_dissimilarity",
                 "rate_ratio_min_max", "withheld", "left_out"],
    "properties": {
        "space": {"type": "string", "description": "The space's slug."},
        "dimension": {"type": "string", "enum": list(DIMENSIONS)},
        "module": {"type": "string", "enum": list(MODULE_FILTERS)},
        "reference": {
            "type": "object",
            "additionalProperties": False,
            "required": ["area_codes", "source", "reference_date", "base_min_age", "kind",
                         "estimated", "split_method", "shape_areas", "unknown_age_share"],
            "properties": {
                "area_codes": {"type": "array", "items": {"type": "string"},
                               "description": "Local government codes; a region lists its members."},
                "source": {"type": ["string", "null"], "description": "Title of the statistics; "
                           "null for targets or when no figures cover the area."},
                "reference_date": {"type": ["string", "null"], "format": "date"},
                "base_min_age": {"type": "integer", "description": "Shares are over the population "
                                 "aged at least this, with known age."},
                "kind": {"type": "string", "enum": ["census", "register", "target"],
                         "description": "census: census (or municipal) population statistics; "
                         "register: the resident register (住民基本台帳); target: shares set by "
                         "the facilitators, not statistics."},
                "estimated": {"type": "boolean", "description": "True when an age band of the "
                              "space cuts an age group of the source (see split_method); the "
                              "categories it touches say estimated too."},
                "split_method": {"type": ["string", "null"],
                                 "enum": ["census_shape", "even", None],
                                 "description": "How a cut age group is split: census_shape "
                                 "(by the single-year census counts of shape_areas, e.g. 18-19 "
                                 "within 15-19), even (in proportion to its years; no census "
                                 "single years for the area), null when nothing is cut."},
                "shape_areas": {"type": "array", "items": {"type": "string"},
                                "description": "Codes of the census areas whose single-year "
                                "shape splits a cut group: the area itself, else a ward's city "
                                "or a municipality's prefecture."},
                "unknown_age_share": {**_NUMBER_OR_NULL, "description": "Share of the source's "
                                      "people in these areas whose age is unknown (年齢不詳). "
                                      "They are left out of every share; the shipped census "
                                      "has no imputed figures (不詳補完値)."},
            },
        },
        "participants": {"type": "integer"},
        "answered": {**_INT_OR_NULL, "description": "Participants in a reference category; null "
                     "when it would reveal a suppressed group or no reference exists."},
        "unknown": {**_INT_OR_NULL, "description": "Did not answer or preferred not to say."},
        "unreferenced": {**_INT_OR_NULL, "description": "Answered outside the reference "
                         "categories (e.g. another gender, below the minimum age)."},
        "min_cell": {"type": "integer", "description": "Minimum cell size applied."},
        "categories": {"type": "array", "items": {"$ref": "#/components/schemas/RepresentationCategory"},
                       "description": "Empty when no reference population or targets exist."},
        "chi_square": {
            "type": "object",
            "additionalProperties": False,
            "required": ["statistic", "df", "p_value", "valid"],
            "properties": {"statistic": _NUMBER_OR_NULL, "df": {"type": "integer"},
                           "p_value": _NUMBER_OR_NULL,
                           "valid": {"type": "boolean", "description": "False when expected counts "
                                     "are too small (or the test is withheld); p_value is then "
                                     "null (see overall_test)."}},
        },
        "overall_test": {
            "type": "object",
            "additionalProperties": False,
            "required": ["method", "p_value", "significant", "adjustment"],
            "description": "The test of the whole table that gates the cell flags: chi-square "
                           "where valid, else the exact multinomial or a seeded Monte-Carlo test.",
            "properties": {
                "method": {"type": ["string", "null"],
                           "enum": ["chi_square", "exact", "monte_carlo", None]},
                "p_value": _NUMBER_OR_NULL,
                "significant": {"type": "boolean"},
                "adjustment": {"type": ["string", "null"], "enum": ["holm", None]},
            },
        },
        "merged_hidden": {"type": "boolean", "description": "True when the overall figures are "
                          "computed with the hidden cells merged into one."},
        "expected_dissimilarity": {**_NUMBER_OR_NULL, "description": "The dissimilarity index "
                                   "expected by chance alone at this number of participants."},
        "withheld": {"type": ["string", "null"], "enum": ["all_hidden", "suppressed",
                                                          "no_participants", None],
                     "description": "Why dissimilarity and rate ratio are null."},
        "left_out": {**_INT_OR_NULL, "description": "Gender: participants of unknown age or "
                     "below the minimum age, not counted (null for other dimensions or hidden)."},
        "dissimilarity": {**_NUMBER_OR_NULL, "description": "½ Σ |share − population share|."},
        "rate_ratio_min_max": {**_NUMBER_OR_NULL, "description": "Participation rate of the least "
                               "represented group divided by that of the most represented."},
    },
}

_REPRESENTATION_PARAMETERS = [
    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "dimension", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(DIMENSIONS), "default": "age_band"}},
    {"name": "module", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(MODULE_FILTERS), "default": "all"},
     "description": "Only participants of this module (proposal_supporters apart from authors)."},
    {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
     "description": "First participation on or after this day (Japan time)."},
    {"name": "until", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
     "description": "First participation on or before this day (Japan time)."},
]
_ERRORS = {"400": {"$ref": "#/components/responses/Error"},
           "404": {"$ref": "#/components/responses/Error"}}
# Every API route is rate-limited and answers 503 while the database is unavailable.
_LIMITS = {"429": {"description": "Too many requests from this client"},
           "503": {"$ref": "#/components/responses/Error"}}

_REPRESENTATION_PATH = {"get": {
    "operationId": "getRepresentation",
    "summary": "Participants of a space compared with its reference population",
    "description": "Facilitators of the space get the live figures of whole batches, with "
                   "filters (each call audited). Everyone else gets the latest public release, "
                   "unfiltered (any filter: 400), and only for a public space whose transparency "
                   "page is on (otherwise 404, also before the first release).",
    "parameters": _REPRESENTATION_PARAMETERS,
    "responses": {"200": {"description": "The comparison", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Representation"}}}}, **_ERRORS, **_LIMITS},
}}
_REPRESENTATION_CSV_PATH = {"get": {
    "operationId": "getRepresentationCsv",
    "summary": "The same comparison as CSV (UTF-8 with BOM)",
    "parameters": _REPRESENTATION_PARAMETERS,
    "responses": {"200": {"description": "CSV: the category table, then overall figures",
                          "content": {"text/csv": {"schema": {"type": "string"}}}}, **_ERRORS,
                  **_LIMITS},
}}
_RELEASE_SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["number", "published_at", "participants", "min_cell", "url"],
    "properties": {
        "number": {"type": "integer", "description": "1, 2, ... per space"},
        "published_at": {"type": "string", "format": "date-time"},
        "participants": {"type": "integer", "description": "The first this-many participants "
                         "(by first participation) are covered."},
        "min_cell": {"type": "integer", "description": "Smallest group shown."},
        "url": {"type": "string"}},
}
_HEADLINE = {"type": ["object", "null"], "properties": {
    "key": {"type": "string", "enum": ["youth", "women"]},
    "count": {"type": ["integer", "null"]}, "n": {"type": ["integer", "null"]},
    "share": _NUMBER_OR_NULL, "population_share": {"type": "number"},
    "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL,
    "flag": {"type": ["string", "null"]}, "suppressed": {"type": "boolean"},
    "low": {"type": ["integer", "null"]}, "high": {"type": ["integer", "null"]},
    "estimated": {"type": "boolean"}}}
_RELEASE_SCHEMA = {
    "allOf": [{"$ref": "#/components/schemas/ReleaseSummary"}],
    "type": "object",
    "required": ["space", "first_day", "last_day", "headline", "dimensions"],
    "properties": {
        "space": {"type": "string"},
        "first_day": {"type": ["string", "null"], "format": "date"},
        "last_day": {"type": ["string", "null"], "format": "date"},
        "headline": {"type": "object", "properties": {"youth": _HEADLINE, "women": _HEADLINE}},
        "dimensions": {"type": "object", "additionalProperties": {
            "$ref": "#/components/schemas/Representation"}}},
}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_RELEASES_PATH = {"get": {
    "operationId": "listReleases",
    "summary": "The public releases of a space, newest first",
    "description": "Only for a public space whose transparency page is on; otherwise 404.",
    "parameters": [_SLUG],
    "responses": {"200": {"description": "The releases", "content": {"application/json": {
        "schema": {"type": "object", "required": ["space", "releases"], "properties": {
            "space": {"type": "string"},
            "releases": {"type": "array", "items": {
                "$ref": "#/components/schemas/ReleaseSummary"}}}}}}},
        **_ERRORS, **_LIMITS},
}}
_RELEASE_PATH = {"get": {
    "operationId": "getRelease",
    "summary": "One frozen public release: headline figures and every published dimension",
    "parameters": [_SLUG, {"name": "number", "in": "path", "required": True,
                           "schema": {"type": "integer", "minimum": 1}}],
    "responses": {"200": {"description": "The release", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Release"}}}}, **_ERRORS, **_LIMITS},
}}
_OVERVIEW_SHARE = {"type": ["object", "null"], "description": "As the space's release printed "
                   "it; share and interval null when the release hid them.", "properties": {
    "share": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL,
    "interval_method": {"type": ["string", "null"]}, "population_share": {"type": "number"},
    "verdict": {"type": ["string", "null"]}, "flag": {"type": ["string", "null"]},
    "suppressed": {"type": "boolean"}, "estimated": {"type": "boolean"},
    "low": _INT_OR_NULL, "high": _INT_OR_NULL}}
_OVERVIEW_ROW_SCHEMA = {
    "type": "object",
    "required": ["lg_code", "code", "name_ja", "name_en", "open_spaces", "status", "space",
                 "release", "participants", "min_cell", "youth", "women", "extra"],
    "properties": {
        "lg_code": {"type": ["string", "null"], "description": "6-digit 全国地方公共団体コード "
                    "(5-digit code and check digit)"},
        "code": {"type": "string"}, "name_ja": {"type": "string"}, "name_en": {"type": "string"},
        "open_spaces": {"type": "integer", "description": "Public spaces on the area or its "
                        "wards whose current phase accepts input"},
        "status": {"type": "string", "enum": ["figures", "too_few", "not_published",
                                              "no_space"]},
        "space": {"type": ["string", "null"], "description": "The space whose latest release "
                  "gives the figures"},
        "release": _INT_OR_NULL, "participants": _INT_OR_NULL, "min_cell": _INT_OR_NULL,
        "youth": _OVERVIEW_SHARE, "women": _OVERVIEW_SHARE,
        "extra": {"type": "object", "description": "Columns other modules add; null = hidden"}},
}
_OVERVIEW_SCHEMA = {
    "type": "object", "required": ["area", "columns", "municipalities"],
    "properties": {
        "area": {"type": "object", "required": ["code", "kind", "name_ja", "name_en"],
                 "properties": {"code": {"type": "string"},
                                "kind": {"type": "string", "enum": ["prefecture", "region"]},
                                "name_ja": {"type": "string"}, "name_en": {"type": "string"}}},
        "columns": {"type": "array", "items": {"type": "string"}},
        "municipalities": {"type": "array",
                           "items": {"$ref": "#/components/schemas/AreaOverviewRow"}}},
}
_AREA_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "A prefecture's 5-digit code (01000) or a region's code (R-…)"}
_OVERVIEW_PATH = {"get": {
    "operationId": "getAreaOverview",
    "summary": "A prefecture's municipalities (or a region's members) side by side",
    "description": "Each row is the latest public release of one published space on that "
                   "municipality; 'too_few' where no release exists yet. No totals.",
    "parameters": [_AREA_CODE],
    "responses": {"200": {"description": "The table", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/AreaOverview"}}}}, **_ERRORS, **_LIMITS},
}}
_OVERVIEW_CSV_PATH = {"get": {
    "operationId": "getAreaOverviewCsv",
    "summary": "The same table as CSV in the local-government standard dataset layout "
               "(UTF-8 with BOM, 全国地方公共団体コード first)",
    "parameters": [_AREA_CODE],
    "responses": {"200": {"description": "CSV", "content": {"text/csv": {
        "schema": {"type": "string"}}}}, **_ERRORS, **_LIMITS},
}}
_OPENAPI_PATH = {"get": {
    "operationId": "getOpenApi",
    "summary": "This document",
    "responses": {"200": {"description": "OpenAPI 3.1 document",
                          "content": {"application/json": {"schema": {"type": "object"}}}}},
}}

# The api blueprint's own endpoints (app.api.views), added by app.api.register; other packages
# add theirs from their own register(app).
_OWN_SCHEMAS = {
    "RepresentationCategory": _REPRESENTATION_CATEGORY_SCHEMA,
    "Representation": _REPRESENTATION_SCHEMA,
    "ReleaseSummary": _RELEASE_SUMMARY_SCHEMA,
    "Release": _RELEASE_SCHEMA,
    "AreaOverview": _OVERVIEW_SCHEMA,
    "AreaOverviewRow": _OVERVIEW_ROW_SCHEMA,
}
_OWN_PATHS = {
    "/spaces/{slug}/representation": _REPRESENTATION_PATH,
    "/spaces/{slug}/representation.csv": _REPRESENTATION_CSV_PATH,
    "/spaces/{slug}/releases": _RELEASES_PATH,
    "/spaces/{slug}/releases/{number}": _RELEASE_PATH,
    "/areas/{code}/overview": _OVERVIEW_PATH,
    "/areas/{code}/overview.csv": _OVERVIEW_CSV_PATH,
    "/openapi.json": _OPENAPI_PATH,
}


def register_own_paths() -> None:
    """Add the api blueprint's own schemas and paths to the document."""
    for name, schema in _OWN_SCHEMAS.items():
        register_schema(name, schema)
    for path, item in _OWN_PATHS.items():
        register_path(path, item)
