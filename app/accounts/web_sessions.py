"""The browser's side of a change of who is logged in (app.accounts.sessions is the stored
side): every login, logout and password change starts a fresh Flask session."""
from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user


def renew_session() -> None:
    """Start a fresh session, keeping only the chosen language (against session fixation)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def keep_this_session(user) -> None:
    """After end_all_sessions(): log this browser in again under the new version, and renew its
    remember-me cookie if it had one."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=cookie in request.cookies)
