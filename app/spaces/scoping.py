"""One way for a space-scoped blueprint to load its space from the URL.

`scope_to_space(bp)` loads the space named by `<slug>` into `g.space` before the view runs (404
when there is none, or when the module the blueprint serves is switched off in it) and fills
`slug` in the blueprint's own links from `g.space`, so views and templates never pass it."""
from __future__ import annotations

from flask import abort, current_app, g

from app.extensions import db
from app.spaces.services import get_space_by_slug


def _takes_slug(endpoint: str) -> bool:
    return any("slug" in rule.arguments for rule in current_app.url_map.iter_rules(endpoint))


def scope_to_space(bp, *, enabled: str | None = None, slug_in_view: bool = False) -> None:
    """`enabled`: the Space flag of the module (e.g. "forum_enabled"); `slug_in_view`: keep
    `slug` among the view's arguments (the spaces blueprint's own views take it)."""

    @bp.url_value_preprocessor
    def load_space(endpoint, values):
        if not values or "slug" not in values:
            return
        slug = values["slug"] if slug_in_view else values.pop("slug")
        space = get_space_by_slug(db.session, slug)
        if space is None or (enabled is not None and not getattr(space, enabled)):
            abort(404)
        g.space = space

    @bp.url_defaults
    def add_slug(endpoint, values):
        space = g.get("space")
        if "slug" not in values and space is not None and _takes_slug(endpoint):
            values["slug"] = space.slug
