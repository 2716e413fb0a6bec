"""Accounts: login, registration, password reset, profile, data export and deletion; the roles
and the authorisation rules every module uses (roles.py, permissions.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/auth")


def register(app) -> None:
    from flask_babel import gettext

    from app.accounts import registration_views, views  # noqa: F401  (their routes join bp)
    from app.accounts.ties_views import install_connection_question
    from app.accounts.cli import cli
    from app.accounts.export import register_account_sections
    from app.accounts.models import User

    app.register_blueprint(bp)
    install_connection_question(app)
    app.cli.add_command(cli)
    register_account_sections()
    User.name_translator = staticmethod(gettext)  # "Deleted user" in the reader's language
