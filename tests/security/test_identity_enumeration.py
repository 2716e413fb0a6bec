"""Nobody learns from the registration or reset pages whether an address has an account: the
answer is the same, and only the mailbox hears which case it was."""
from __future__ import annotations

import logging
import re

import pytest
from flask import g
from sqlalchemy import func, select

from app.accounts import registration
from app.accounts.models import User
from tests.accounts.conftest import register_data
from tests.conftest import TEST_PASSWORD, login


@pytest.fixture
def sapporo(make):
    return make.area("01100", "札幌市", "Sapporo")


def _mails(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hiroba.mail"]


def _link(text: str, path: str) -> str:
    match = re.search(rf"http://localhost({path}\S+)", text)
    assert match, text
    return match.group(1)


def _register(app, caplog, **fields):
    """One registration from a fresh browser: the response and the mails it caused."""
    caplog.clear()
    for name in list(vars(g)):  # a fresh `g` per browser, as in production
        delattr(g, name)
    browser = app.test_client()
    browser.get("/lang/en")
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        response = browser.post("/auth/register", data=register_data(**fields))
    return browser, response, _mails(caplog)


def _without_tokens(body: bytes) -> bytes:
    """A page without its CSRF tokens, which differ for every session whatever the address."""
    return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*"', rb'\1"', body)


def _answer(browser, response) -> tuple:
    """Everything a visitor can observe: status, headers that matter, cookies, the next page."""
    cookies = sorted(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))
    for name in list(vars(g)):
        delattr(g, name)
    page = browser.get(response.headers["Location"])
    return (response.status_code, response.headers["Location"], response.get_data(),
            cookies, page.status_code, _without_tokens(page.get_data()))


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_warning(app, db, make, sapporo,
                                                                      caplog):
    make.user("taro@example.jp", display_name="太郎", locale="en")
    new_browser, new, new_mails = _register(app, caplog, email="hanako@example.jp")
    taken_browser, taken, taken_mails = _register(app, caplog, email="ＴＡＲＯ＠example.jp",
                                                  display_name="なりすまし")
    assert _answer(new_browser, new) == _answer(taken_browser, taken)
    assert new.status_code == 302 and new.headers["Location"] == "/auth/register/sent"
    assert _count(db) == 2  # taro and the new hanako, no second taro

    [warning] = taken_mails
    assert "To: taro@example.jp" in warning
    assert "Subject: Someone tried to register with your e-mail address" in warning
    assert "Hello 太郎," in warning and "なりすまし" not in warning
    assert "/auth/register/confirm/" not in warning
    reset = _link(warning, "/auth/reset/")
    assert app.test_client().get(reset).status_code == 200  # the reset link works
    [confirmation] = new_mails
    assert "To: hanako@example.jp" in confirmation and "/auth/register/confirm/" in confirmation
    # The owner's account is untouched.
    db.session.expire_all()
    taro = db.session.scalar(select(User).where(User.email == "taro@example.jp"))
    assert taro.display_name == "太郎" and taro.is_active
    login(app.test_client(), "taro@example.jp", TEST_PASSWORD)


def test_a_taken_address_with_another_mistake_shows_only_that_mistake(app, make, sapporo,
                                                                      caplog):
    make.user("taro@example.jp")
    _, taken, _ = _register(app, caplog, email="taro@example.jp", password="short")
    _, new, _ = _register(app, caplog, email="nobody@example.jp", password="short")
    assert taken.status_code == new.status_code == 422
    taken_html = _without_tokens(taken.get_data()).decode()
    assert 'id="email-error"' not in taken_html and 'id="password-error"' in taken_html
    assert taken_html.replace("taro@example.jp", "X") == \
        _without_tokens(new.get_data()).decode().replace("nobody@example.jp", "X")


def test_registering_again_before_confirming_replaces_the_waiting_details(app, db, sapporo,
                                                                          caplog):
    _, _, [first] = _register(app, caplog, display_name="一回目")
    _, again, [second] = _register(app, caplog, display_name="二回目",
                                   password="another sentence to remember")
    assert again.headers["Location"] == "/auth/register/sent"
    assert _count(db) == 1
    browser = app.test_client()
    assert browser.get(_link(first, "/auth/register/confirm/")).status_code == 410
    link = _link(second, "/auth/register/confirm/")
    assert browser.post(link, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User))
    assert user.display_name == "二回目" and user.is_active
    login(app.test_client(), "hanako@example.jp", "another sentence to remember")


def test_a_reset_link_also_confirms_a_waiting_registration(app, db, sapporo, caplog):
    _register(app, caplog)
    browser = app.test_client()
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        browser.post("/auth/reset", data={"email": "hanako@example.jp"})
    link = _link(_mails(caplog)[-1], "/auth/reset/")
    assert browser.post(link, data={"new_password": "a brand new passphrase"}).status_code == 302
    login(browser, "hanako@example.jp", "a brand new passphrase")


def test_two_registrations_racing_past_the_check_give_one_account(app, db, make, sapporo,
                                                                   caplog, monkeypatch):
    make.user("taro@example.jp", locale="en")
    real = registration.find_user_by_email
    calls = []

    def blind_first(session, email):  # the other registration committed just after our look
        calls.append(email)
        return None if len(calls) == 1 else real(session, email)

    monkeypatch.setattr(registration, "find_user_by_email", blind_first)
    _, response, [warning] = _register(app, caplog, email="taro@example.jp")
    assert response.headers["Location"] == "/auth/register/sent"
    assert "Someone tried to register" in warning
    assert _count(db) == 1


def test_a_deactivated_account_gets_the_same_answer_and_no_mail(app, db, make, sapporo, caplog):
    user = make.user("taro@example.jp")
    user.active = False
    db.session.commit()
    browser, response, mails = _register(app, caplog, email="taro@example.jp")
    new_browser, new, _ = _register(app, caplog, email="nobody@example.jp")
    assert _answer(browser, response) == _answer(new_browser, new)
    assert mails == []


@pytest.mark.parametrize("state", ["registered", "unknown", "deactivated", "waiting"])
def test_the_reset_request_answers_the_same_for_every_address(app, db, make, sapporo, state):
    user = make.user("taro@example.jp")
    if state == "deactivated":
        user.active = False
    if state == "waiting":
        user.email_confirmed_at = None
    db.session.commit()
    email = "nobody@example.jp" if state == "unknown" else "taro@example.jp"
    reference = app.test_client().post("/auth/reset", data={"email": "someone@example.jp"})
    for name in list(vars(g)):  # a fresh `g` per request, as in production
        delattr(g, name)
    response = app.test_client().post("/auth/reset", data={"email": email})
    assert response.status_code == reference.status_code == 200
    assert _without_tokens(response.get_data()) == _without_tokens(reference.get_data())
    def cookies(r):  # names and attributes; the values hold per-session CSRF tokens
        return [re.sub(r"=[^;]*", "=…", c, count=1) for c in r.headers.getlist("Set-Cookie")]
    assert cookies(response) == cookies(reference)


def test_the_confirmation_page_refuses_forged_and_foreign_tokens(app, make):
    user = make.user("taro@example.jp")
    browser = app.test_client()
    assert browser.get("/auth/register/confirm/not-a-token").status_code == 410
    foreign = registration.make_confirmation_token(user, "another-secret")
    assert browser.get(f"/auth/register/confirm/{foreign}").status_code == 410
    # An account that is already confirmed has nothing to confirm.
    own = registration.make_confirmation_token(user, app.config["SECRET_KEY"])
    assert browser.get(f"/auth/register/confirm/{own}").status_code == 410
