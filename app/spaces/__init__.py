"""Deliberation spaces (参加の場): their settings, phases and team, and the one way a
space-scoped blueprint loads its space from the URL (scoping.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("spaces", __name__, url_prefix="/spaces")


def register(app) -> None:
    from app.spaces import views  # noqa: F401  (its routes join bp)

    app.register_blueprint(bp)
    _watch_for_cached_pages()


def _watch_for_cached_pages() -> None:
    """Every cached fragment of a space's pages depends on ("space", id): its settings, phases
    and modules change them all (app/common/invalidation.py)."""
    from app.common.invalidation import watch
    from app.spaces.models import Phase, Space

    watch(Space, lambda space: [("space", space.id)])
    watch(Phase, lambda phase: [("space", phase.space_id)])
