"""Outgoing e-mail. With MAIL_SERVER set, messages go out over SMTP (STARTTLS when MAIL_USE_TLS);
without it (development, tests) the whole message is written to the "hiroba.mail" log instead.

Everything that reaches a message passes through here: titles people typed (space, thread and
proposal titles, display names) must never start a new header or a new line of their own, and
links never take the request's Host header (anyone can forge it): they are built from
HIROBA_BASE_URL."""
from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger("hiroba.mail")

# Everything a mail client, a log viewer or str.splitlines() may take for a line break, and the
# other control characters: C0, DEL, C1 (incl. NEL U+0085), LINE / PARAGRAPH SEPARATOR.
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# In a body, "\n" is the composer's own line break; everything else of the above becomes a space.
_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str | None) -> str:
    """`text` on a single line: any run of control or line-separator characters becomes one
    space. For subjects and other headers, and for values put into a body (a title, a name)."""
    return _BREAKS_AND_CONTROLS.sub(" ", text or "").strip()


def body_text(text: str | None) -> str:
    """A body with "\\n" line ends only; stray carriage returns, separators and other control
    characters become spaces (tabs stay)."""
    text = (text or "").replace("\r\n", "\n")
    return _BODY_CONTROLS.sub(lambda m: "\t" if m.group() == "\t" else " ", text)


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on the configured HIROBA_BASE_URL whatever Host header
    the current request carried."""
    base = urlsplit(current_app.config["HIROBA_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = one_line(sender)
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=one_line(sender).rpartition("@")[2] or None)
    msg.set_content(body_text(body), charset="utf-8")
    return msg


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message. True when it was handed to the server (or logged); False when
    the server could not be reached or refused it, which is logged, never shown to a visitor."""
    config = current_app.config
    sender = config.get("MAIL_SENDER") or "hiroba@localhost"
    server = config.get("MAIL_SERVER")
    if not server:
        log.info("E-mail not sent (MAIL_SERVER is not set):\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                 one_line(sender), one_line(to), one_line(subject), body_text(body))
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
