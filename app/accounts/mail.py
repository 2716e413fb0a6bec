"""The account e-mails' shared parts, for the account pages (views.py, registration_views.py):
the job that sends one, and the password-reset link both the reset mail and the "someone tried
to register with your address" mail carry."""
from __future__ import annotations

import logging

from flask import current_app

from app.accounts.services import make_reset_token
from app.common.mail import absolute_url, send_mail

log = logging.getLogger("hiroba.accounts")


def send_account_mail(user_id: int, to: str, subject: str, body: str) -> None:
    """A job (app.common.jobs): plain ids and strings, so a queue worker could run it too."""
    if not send_mail(to, subject, body):
        log.error("account mail to user %s could not be sent: %s", user_id, subject)


def reset_max_age() -> int:
    """How long a reset link works, in seconds (PASSWORD_RESET_MAX_AGE)."""
    return int(current_app.config["PASSWORD_RESET_MAX_AGE"])


def reset_link(user) -> str:
    token = make_reset_token(user, current_app.config["SECRET_KEY"])
    # From HIROBA_BASE_URL: a forged Host header must not send the victim elsewhere.
    return absolute_url("accounts.reset_password", token=token)
