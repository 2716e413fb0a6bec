"""Password reset by e-mailed, time-limited, single-use link; and the mail helper."""
from __future__ import annotations

import logging
import re

import pytest
from itsdangerous import TimestampSigner

from app.accounts import services
from app.accounts import mail as account_mail
from app.common import mail
from tests.conftest import TEST_PASSWORD, login

SENT = "If this address is registered, we have sent it a link"
NEW_PASSWORD = "a brand new passphrase"


def _mails(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hiroba.mail"]


def _link(mail_text: str) -> str:
    match = re.search(r"http://localhost(/auth/reset/\S+)", mail_text)
    assert match, mail_text
    return match.group(1)


def _request_reset(client, caplog, email: str) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        response = client.post("/auth/reset", data={"email": email})
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    return "\n".join(_mails(caplog))


@pytest.fixture
def en(client):
    client.get("/lang/en")
    return client


def test_reset_page_asks_for_the_email(client):
    html = client.get("/auth/reset").get_data(as_text=True)
    assert 'name="email"' in html


def test_reset_flow_changes_the_password(en, make, caplog):
    make.user("taro@example.jp", display_name="太郎", locale="en")
    sent = _request_reset(en, caplog, "ＴＡＲＯ＠example.jp")
    assert "To: taro@example.jp" in sent and "Subject: Reset your Hiroba password" in sent
    assert "Hello 太郎," in sent and "within 60 minutes" in sent
    link = _link(sent)

    assert 'name="new_password"' in en.get(link).get_data(as_text=True)
    response = en.post(link, data={"new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"

    wrong = en.post("/auth/login", data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert wrong.status_code == 422
    login(en, "taro@example.jp", NEW_PASSWORD)


def test_unknown_address_gets_the_same_answer_and_no_mail(en, make, caplog):
    make.user("taro@example.jp")
    assert _request_reset(en, caplog, "nobody@example.jp") == ""


def test_inactive_account_gets_no_mail(en, make, db, caplog):
    user = make.user("taro@example.jp")
    user.active = False
    db.session.commit()
    assert _request_reset(en, caplog, "taro@example.jp") == ""


def test_token_works_once(en, make, caplog):
    make.user("taro@example.jp")
    link = _link(_request_reset(en, caplog, "taro@example.jp"))
    assert en.post(link, data={"new_password": NEW_PASSWORD}).status_code == 302
    reused = en.get(link)
    assert reused.status_code == 410
    assert "This link no longer works" in reused.get_data(as_text=True)
    assert en.post(link, data={"new_password": "yet another passphrase"}).status_code == 410
    login(en, "taro@example.jp", NEW_PASSWORD)


def test_token_dies_when_the_password_changes_elsewhere(en, make, caplog):
    make.user("taro@example.jp")
    link = _link(_request_reset(en, caplog, "taro@example.jp"))
    login(en, "taro@example.jp")
    en.post("/auth/profile/password", data={"current_password": TEST_PASSWORD,
                                            "new_password": NEW_PASSWORD})
    en.post("/auth/logout")
    assert en.get(link).status_code == 410


def test_token_expires(en, make, db, app, monkeypatch):
    user = make.user("taro@example.jp")
    real_timestamp = TimestampSigner.get_timestamp
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real_timestamp(self) - max_age - 5)
    old_token = services.make_reset_token(user, app.config["SECRET_KEY"])
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real_timestamp(self) - max_age + 60)
    fresh_token = services.make_reset_token(user, app.config["SECRET_KEY"])
    monkeypatch.undo()
    assert en.get(f"/auth/reset/{old_token}").status_code == 410
    assert en.get(f"/auth/reset/{fresh_token}").status_code == 200


def test_forged_or_foreign_tokens_are_refused(en, make, app):
    user = make.user("taro@example.jp")
    assert en.get("/auth/reset/not-a-token").status_code == 410
    foreign = services.make_reset_token(user, "another-secret")
    assert en.get(f"/auth/reset/{foreign}").status_code == 410


def test_weak_new_password_is_refused_and_the_link_still_works(en, make, caplog):
    make.user("taro@example.jp")
    link = _link(_request_reset(en, caplog, "taro@example.jp"))
    html = en.post(link, data={"new_password": "short"}).get_data(as_text=True)
    assert "Use at least 10 characters." in html
    assert en.get(link).status_code == 200


def test_reset_mail_is_written_in_the_users_language(client, make, monkeypatch):
    make.user("taro@example.jp", locale="en")
    make.user("hanako@example.jp", locale="ja")
    seen = []
    monkeypatch.setattr(account_mail, "send_mail",
                        lambda to, subject, body: seen.append((to, subject)) or True)
    client.get("/lang/ja")
    client.post("/auth/reset", data={"email": "taro@example.jp"})
    client.get("/lang/en")
    client.post("/auth/reset", data={"email": "hanako@example.jp"})
    # The text is written in the request, in the reader's language; the job only sends it.
    assert seen == [("taro@example.jp", "Reset your Hiroba password"),
                    ("hanako@example.jp", "Hiroba のパスワードの再設定")]


def test_send_mail_logs_when_no_server_is_set(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="hiroba.mail"):
        assert mail.send_mail("a@example.jp", "件名", "本文です")
    text = "\n".join(_mails(caplog))
    assert "To: a@example.jp" in text and "Subject: 件名" in text and "本文です" in text


class _FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, msg):
        self.calls.append(("send", msg["To"], str(msg["Subject"]), msg.get_content()))
        _FakeSMTP.sent.append(self.calls)


def test_send_mail_uses_smtp_when_configured(app, monkeypatch):
    _FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", _FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.jp")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "hiroba")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "pw")
    with app.app_context():
        assert mail.send_mail("a@example.jp", "件名", "本文です")
    calls = _FakeSMTP.sent[0]
    assert calls[0] == ("connect", "smtp.example.jp", 587)
    assert ("starttls",) in calls and ("login", "hiroba", "pw") in calls
    assert calls[-1][:3] == ("send", "a@example.jp", "件名") and "本文です" in calls[-1][3]


def test_send_mail_reports_failure_without_raising(app, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr(mail.smtplib, "SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.jp")
    with app.app_context(), caplog.at_level(logging.ERROR, logger="hiroba.mail"):
        assert mail.send_mail("a@example.jp", "s", "b") is False
    assert any("failed" in m for m in _mails(caplog))
