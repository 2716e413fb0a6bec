"""Deliberation spaces (参加の場): their settings, phases and team, and the one way a
space-scoped blueprint loads its space from the URL (scoping.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("spaces", __name__, url_prefix="/spaces")


def register(app) -> None:
    from app.spaces import views  # noqa: F401  (its routes join bp)

    app.register_blueprint(bp)
