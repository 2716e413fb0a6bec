"""Titles and names people typed cannot add headers or lines to an e-mail (issue #10): the
subject is one line, a body keeps only its own line breaks, a digest line stays one line."""
from __future__ import annotations

import logging

import pytest

from app.common import mail
from app.forum.cli import compose_digest
from app.notifications.models import Notification

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x00"]


@pytest.mark.parametrize("brk", BREAKS)
def test_a_subject_with_a_line_break_stays_one_header(brk):
    msg = mail.build_message("hiroba@example.lg.jp", "taro@example.jp",
                             f"スレッド{brk}Bcc: victim@example.jp", "本文\n")
    assert msg["Subject"] == "スレッド Bcc: victim@example.jp"
    assert msg["Bcc"] is None
    headers = msg.as_string().split("\n\n", 1)[0]
    assert not any(line.startswith("Bcc:") for line in headers.splitlines())


@pytest.mark.parametrize("brk", BREAKS[2:])
def test_a_body_keeps_only_its_own_line_breaks(brk):
    body = mail.body_text(f"こんにちは\r\n題名: 会議{brk}http://evil.example/\n\tおわり")
    assert body.splitlines() == ["こんにちは", "題名: 会議 http://evil.example/", "\tおわり"]


def test_one_line_collapses_runs_and_trims():
    assert mail.one_line("  a\r\n\r\n\u2028b\x7f\x9fc  ") == "a b c"
    assert mail.one_line(None) == ""


def test_the_log_of_an_unsent_mail_has_no_forged_lines(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="hiroba.mail"):
        mail.send_mail("taro@example.jp\nBcc: x@example.jp", "件名\nBcc: y@example.jp", "本文")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "hiroba.mail")
    assert not any(line.startswith("Bcc:") for line in logged.splitlines())


def test_a_digest_line_with_a_title_holding_line_breaks_stays_one_line(app, make):
    user = make.user(display_name="太郎\nSubject: x", locale="en")
    notification = Notification(user_id=user.id, kind="forum_reply", payload={
        "space_slug": "s", "post_id": 1, "replier": "花子",
        "thread_title": "Roads\n  http://evil.example/login\u2028Click"})
    with app.test_request_context(base_url="https://hiroba.example.lg.jp/"):
        subject, body = compose_digest(user, [notification], 1, "https://hiroba.example.lg.jp/")
    lines = body.splitlines()
    assert "太郎 Subject: x" in lines[0]
    assert not any(line.startswith("Subject:") for line in lines)
    assert not any(line.strip().startswith("http://evil.example") for line in lines)
    [item] = [line for line in lines if line.startswith("- ")]
    assert "Roads" in item and "http://evil.example/login Click" in item
