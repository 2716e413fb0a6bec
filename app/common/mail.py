"""Outgoing e-mail. With MAIL_SERVER set, messages go out over SMTP (STARTTLS when MAIL_USE_TLS);
without it (development, tests) the whole message is written to the "hiroba.mail" log instead."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger("hiroba.mail")


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body, charset="utf-8")
    return msg


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message. True when it was handed to the server (or logged); False when
    the server could not be reached or refused it, which is logged, never shown to a visitor."""
    config = current_app.config
    sender = config.get("MAIL_SENDER") or "hiroba@localhost"
    server = config.get("MAIL_SERVER")
    if not server:
        log.info("E-mail not sent (MAIL_SERVER is not set):\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                 sender, to, subject, body)
        return True
    msg = build_message(sender, to, subject, body)
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 587), timeout=15) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException):
        log.exception("sending e-mail via %s failed", server)
        return False
    return True
