"""The read-only JSON API, /api/v1: the representation endpoints (views.py), the OpenAPI document
every API module adds its paths to (openapi.py), and what they share (common.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register(app) -> None:
    from app.api import views  # noqa: F401  (its routes join bp)
    from app.api.openapi import register_own_paths

    app.register_blueprint(bp)
    register_own_paths()
