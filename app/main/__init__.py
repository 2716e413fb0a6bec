"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)


def register(app) -> None:
    from app.main import views  # noqa: F401  (its routes join bp)

    app.register_blueprint(bp)
