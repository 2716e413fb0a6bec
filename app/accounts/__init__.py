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
    _watch_for_cached_pages(User)


def _watch_for_cached_pages(user_model) -> None:
    """Cached pages show people's public names: a name changed or an account deleted makes
    every cached fragment stale (("people", 0), rare), other changes of a user none."""
    from sqlalchemy import inspect

    from app.common.invalidation import watch

    def shown(user):
        state = inspect(user)
        if state.deleted or any(state.attrs[name].history.has_changes()
                                for name in ("display_name", "deleted_at")):
            return [("people", 0)]
        return []

    watch(user_model, shown)
