"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)


def register(app) -> None:
    from app.main import views  # noqa: F401  (its routes join bp)

    from app.main.cli import cli

    app.register_blueprint(bp)
    app.cli.add_command(cli)
