"""Citizens' panels (issue #14): selecting a deliberation body by stratified lottery.

The algorithms are pure and live in `app/representation/sortition.py` and `lottery.py`; the
calls, volunteering and the draw are in `services.py` and `selection.py` (run as a job by
`tasks.py`), the pages in `views.py`, and the offline command (`flask panel select`) in `cli.py`.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panels", __name__, url_prefix="/spaces/<slug>/panels")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.panels import cli, export_user, views  # noqa: F401  (routes join bp)

    app.register_blueprint(bp)
    register_export_section("panel_volunteering", export_user.export_panel_volunteering)
    app.cli.add_command(cli.cli)
