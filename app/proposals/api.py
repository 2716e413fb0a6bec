"""Read-only JSON of proposals: GET /api/v1/spaces/<slug>/proposals (paginated, filterable by
status and category) and GET /api/v1/proposals/<id>. Published proposals only; the one piece of
personal data is the author's display name (null once the account is deleted). Facilitators'
names in the status history are not given. A text a moderator hid is null except for its author
and the space's moderators, and by number alone a proposal of an unlisted space exists only for
those who belong to that space. Errors are JSON (app.main.errors)."""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import can_reach_space_by_number, can_see_hidden_post
from app.api.openapi import register_path, register_schema
from app.api.common import api_error, api_limit, api_time
from app.extensions import db
from app.proposals import api_bp, comments, services
from app.proposals.models import PUBLIC_STATUSES
from app.spaces.services import get_space_by_slug

PER_PAGE_MAX = 100


def _summary(proposal) -> dict:
    author = proposal.author
    return {
        "id": proposal.id,
        "space": proposal.space.slug,
        "title": proposal.title,
        "status": proposal.status,
        "category": {"id": proposal.category.id, "name_ja": proposal.category.name_ja,
                     "name_en": proposal.category.name_en or None} if proposal.category else None,
        "area": {"code": proposal.area.code, "name_ja": proposal.area.name_ja,
                 "name_en": proposal.area.name_en or None} if proposal.area else None,
        "author": author.display_name if author is not None and author.deleted_at is None
        else None,
        "support_count": proposal.support_count,
        "threshold_reached_at": api_time(proposal.threshold_reached_at),
        "published_at": api_time(proposal.published_at),
        "answered_at": api_time(proposal.answered_at),
        "merged_into": proposal.merged_into_id,
        "url": url_for("proposals.detail", slug=proposal.space.slug, proposal_id=proposal.id,
                       _external=True),
    }


def _int_arg(name: str, default: int | None) -> int | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or len(value) > 9:
        raise ValueError(_("%(name)s must be a positive whole number.", name=name))
    return int(value)


@api_bp.get("/spaces/<slug>/proposals")
@api_limit
def space_proposals(slug: str):
    space = get_space_by_slug(db.session, slug)
    if space is None or not space.proposals_enabled:
        return api_error(404, _("No space with proposals has this address."))
    status = request.args.get("status") or None
    if status is not None and status not in PUBLIC_STATUSES:
        return api_error(400, _("status must be one of: %(choices)s.",
                             choices=", ".join(PUBLIC_STATUSES)))
    sort = request.args.get("sort") or "newest"
    if sort not in ("newest", "supported", "answered"):
        return api_error(400, _("sort must be one of: %(choices)s.",
                             choices="newest, supported, answered"))
    try:
        category_id = _int_arg("category", None)
        page = max(1, _int_arg("page", 1))
        per_page = _int_arg("per_page", 20)
    except ValueError as error:
        return api_error(400, str(error))
    if not 1 <= per_page <= PER_PAGE_MAX:
        return api_error(400, _("per_page must be between 1 and %(max)s.", max=PER_PAGE_MAX))
    result = services.list_proposals(db.session, space, status=status, category_id=category_id,
                                     sort=sort, page=page, per_page=per_page)
    response = jsonify({"space": space.slug, "page": result.page, "per_page": result.per_page,
                        "total": result.total, "pages": result.pages,
                        "items": [_summary(p) for p in result.items]})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@api_bp.get("/proposals/<int:proposal_id>")
@api_limit
def proposal(proposal_id: int):
    found = services.get_public_proposal(db.session, proposal_id)
    if found is None or not found.space.proposals_enabled \
            or not can_reach_space_by_number(current_user, found.space):
        return api_error(404, _("No published proposal has this number."))
    history = services.status_history(db.session, found)
    answer = services.latest_answer(history)
    hidden = comments.hidden_text_post(db.session, found)
    data = _summary(found)
    data.update({
        "body": found.body if hidden is None or can_see_hidden_post(current_user, hidden)
        else None,
        "official_answer": {"text": answer.answer, "status": answer.to_status,
                            "at": api_time(answer.created_at)} if answer else None,
        "history": [{"from_status": c.from_status, "to_status": c.to_status,
                     "at": api_time(c.created_at), "answer": c.answer or None,
                     "merged_into": c.merged_into_id} for c in history],
    })
    response = jsonify(data)
    # What a moderator or a member sees must not be kept by a shared cache for everyone else.
    personal = hidden is not None or found.space.visibility != "public"
    response.headers["Cache-Control"] = "private, no-store" if personal else "public, max-age=60"
    return response


# --- OpenAPI ---------------------------------------------------------------------------------

_STR_OR_NULL = {"type": ["string", "null"]}
_NAMED = {"type": ["object", "null"], "additionalProperties": False,
          "properties": {"name_ja": {"type": "string"}, "name_en": _STR_OR_NULL}}
SUMMARY_SCHEMA = {
    "type": "object",  # open: Proposal extends it (allOf)
    "required": ["id", "space", "title", "status", "category", "area", "author", "support_count",
                 "threshold_reached_at", "published_at", "answered_at", "merged_into", "url"],
    "properties": {
        "id": {"type": "integer"},
        "space": {"type": "string", "description": "The space's slug."},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": list(PUBLIC_STATUSES)},
        "category": {**_NAMED, "required": ["id", "name_ja", "name_en"],
                     "properties": {**_NAMED["properties"], "id": {"type": "integer"}}},
        "area": {**_NAMED, "required": ["code", "name_ja", "name_en"],
                 "properties": {**_NAMED["properties"], "code": {"type": "string"}}},
        "author": {**_STR_OR_NULL, "description": "The author's display name; null once the "
                   "account is deleted. No other personal data is published."},
        "support_count": {"type": "integer", "description": "Equals the number of supports."},
        "threshold_reached_at": {**_STR_OR_NULL, "format": "date-time"},
        "published_at": {**_STR_OR_NULL, "format": "date-time"},
        "answered_at": {**_STR_OR_NULL, "format": "date-time",
                        "description": "When the latest official answer was given."},
        "merged_into": {"type": ["integer", "null"]},
        "url": {"type": "string", "format": "uri"},
    },
}
PROPOSAL_SCHEMA = {
    "allOf": [{"$ref": "#/components/schemas/ProposalSummary"}, {
        "type": "object",
        "required": ["body", "official_answer", "history"],
        "properties": {
            "body": {"type": ["string", "null"],
                     "description": "Markdown source; null when a moderator hid the text (it "
                                    "is given only to its author and the space's moderators)."},
            "official_answer": {"type": ["object", "null"], "properties": {
                "text": {"type": "string", "description": "Markdown source."},
                "status": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}},
            "history": {"type": "array", "items": {"type": "object", "properties": {
                "from_status": _STR_OR_NULL, "to_status": {"type": "string"},
                "at": {"type": "string", "format": "date-time"}, "answer": _STR_OR_NULL,
                "merged_into": {"type": ["integer", "null"]}}}},
        },
    }],
}
_ERROR = {"$ref": "#/components/responses/Error"}
SPACE_PROPOSALS_PATH = {"get": {
    "summary": "Published proposals of a space",
    "description": "Merged proposals are left out unless status=merged is asked for.",
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "status", "in": "query", "schema": {"type": "string",
                                                     "enum": list(PUBLIC_STATUSES)}},
        {"name": "category", "in": "query", "schema": {"type": "integer"}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "default": "newest",
                                                   "enum": ["newest", "supported", "answered"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                       "maximum": PER_PAGE_MAX, "default": 20}},
    ],
    "responses": {
        "200": {"description": "One page of proposals", "content": {"application/json": {
            "schema": {"type": "object", "required": ["space", "page", "per_page", "total",
                                                      "pages", "items"],
                       "properties": {"space": {"type": "string"}, "page": {"type": "integer"},
                                      "per_page": {"type": "integer"},
                                      "total": {"type": "integer"}, "pages": {"type": "integer"},
                                      "items": {"type": "array", "items": {
                                          "$ref": "#/components/schemas/ProposalSummary"}}}}}}},
        "400": _ERROR, "404": _ERROR,
    },
}}
PROPOSAL_PATH = {"get": {
    "summary": "One published proposal with its official answer and status history",
    "parameters": [{"name": "id", "in": "path", "required": True,
                    "schema": {"type": "integer"}}],
    "responses": {
        "200": {"description": "The proposal", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Proposal"}}}},
        "404": _ERROR,
    },
}}


def register_openapi() -> None:
    """This module's paths and schemas in the API's OpenAPI document (app.proposals.register
    calls it)."""
    register_schema("ProposalSummary", SUMMARY_SCHEMA)
    register_schema("Proposal", PROPOSAL_SCHEMA)
    register_path("/spaces/{slug}/proposals", SPACE_PROPOSALS_PATH)
    register_path("/proposals/{id}", PROPOSAL_PATH)
