"""Login, logout, session handling, CSRF and rate limits."""
from __future__ import annotations

import pytest

from app.common.time import utcnow
from tests.rate_limited import rate_limited_app
from tests.conftest import TEST_PASSWORD, login
from tests.dom import csrf_token

WRONG = "The e-mail or password is wrong."


def _logged_in(client) -> bool:
    with client.session_transaction() as sess:
        return "_user_id" in sess


def test_login_page_links_to_register_and_reset(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert 'href="/auth/register"' in html and 'href="/auth/reset"' in html


def test_login_success_goes_home_and_logs_in(client, make):
    make.user("taro@example.jp")
    response = login(client, "taro@example.jp")
    assert response.headers["Location"] == "/"
    assert _logged_in(client)
    assert client.get("/auth/profile").status_code == 200


def test_login_follows_same_site_next(client, make):
    make.user("taro@example.jp")
    response = client.post("/auth/login?next=/spaces/sapporo/?tab=forum",
                           data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/spaces/sapporo/?tab=forum"


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "/\\evil", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "/\r\nLocation: https://evil.example", "\\\\evil.example",
])
def test_login_ignores_open_redirects(client, make, target):
    make.user("taro@example.jp")
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_accepts_full_width_and_upper_case_email(client, make):
    make.user("taro@example.jp")
    response = client.post("/auth/login", data={"email": "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｊｐ",
                                                "password": TEST_PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def test_login_failure_is_one_generic_message(client, make):
    make.user("taro@example.jp")
    client.get("/lang/en")
    wrong_password = client.post("/auth/login", data={"email": "taro@example.jp",
                                                      "password": "not the password"})
    unknown_email = client.post("/auth/login", data={"email": "nobody@example.jp",
                                                     "password": "not the password"})
    for response in (wrong_password, unknown_email):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert WRONG in html
        assert "not registered" not in html and "not the password" not in html
    assert not _logged_in(client)
    # What was typed stays (except the password).
    assert 'value="nobody@example.jp"' in unknown_email.get_data(as_text=True)


def test_login_with_empty_fields_shows_the_generic_message(client):
    client.get("/lang/en")
    html = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert WRONG in html


def test_inactive_and_deleted_users_cannot_log_in(client, make, db):
    inactive = make.user("inactive@example.jp")
    inactive.active = False
    deleted = make.user("deleted@example.jp")
    deleted.deleted_at = utcnow()
    db.session.commit()
    client.get("/lang/en")
    for email in ("inactive@example.jp", "deleted@example.jp"):
        response = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 422
        assert WRONG in response.get_data(as_text=True)
        assert not _logged_in(client)


def test_login_renews_the_session_but_keeps_the_language(client, make):
    make.user("taro@example.jp")
    with client.session_transaction() as sess:
        sess["locale"] = "en"
        sess["planted_by_attacker"] = "fixation"
    login(client, "taro@example.jp")
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess
        assert sess["locale"] == "en"
        assert sess["_user_id"]


def test_logged_in_user_visiting_login_is_sent_on(client, make):
    make.user("taro@example.jp")
    login(client, "taro@example.jp")
    response = client.get("/auth/login?next=/spaces/")
    assert response.status_code == 302 and response.headers["Location"] == "/spaces/"


def test_logout_is_post_only(client, make):
    make.user("taro@example.jp")
    login(client, "taro@example.jp")
    assert client.get("/auth/logout").status_code == 405
    assert _logged_in(client)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert not _logged_in(client)
    assert client.get("/auth/profile").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    make.user("taro@example.jp")
    response = login(client, "taro@example.jp")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_remember_me_sets_a_httponly_remember_cookie(client, make):
    make.user("taro@example.jp")
    plain = client.post("/auth/login", data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert not any(c.startswith("remember_token=") for c in plain.headers.getlist("Set-Cookie"))
    client.post("/auth/logout")
    remembered = client.post("/auth/login", data={"email": "taro@example.jp",
                                                  "password": TEST_PASSWORD, "remember": "y"})
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_is_enforced_when_enabled(app, client, make):
    make.user("taro@example.jp")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/auth/login", data={"email": "taro@example.jp",
                                                   "password": TEST_PASSWORD})
        assert refused.status_code == 400
        assert not _logged_in(client)
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        accepted = client.post("/auth/login", data={"email": "taro@example.jp",
                                                    "password": TEST_PASSWORD,
                                                    "csrf_token": token})
        assert accepted.status_code == 302
        # Logging out needs the token too (a cross-site page must not log people out).
        assert client.post("/auth/logout").status_code == 400
        assert _logged_in(client)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limiting switched on. The limiter is one
    object shared by every app, so its state is put back afterwards."""
    with rate_limited_app(app, LOGIN_RATE_LIMIT="3 per minute", REGISTER_RATE_LIMIT="2 per minute",
                          RESET_RATE_LIMIT="2 per minute") as limited:
        yield limited


def test_rate_limits_answer_429_with_a_friendly_page(limited_app, make):
    make.user("taro@example.jp")
    client = limited_app.test_client()
    client.get("/lang/en")
    for _ in range(3):
        response = client.post("/auth/login", data={"email": "taro@example.jp", "password": "wrong"})
        assert response.status_code == 422
    blocked = client.post("/auth/login", data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts. Please wait a moment and try again." in blocked.get_data(as_text=True)
    assert not _logged_in(client)
    # Reading the page is not limited, only attempts are.
    assert client.get("/auth/login").status_code == 200

    for _ in range(2):
        assert client.post("/auth/reset", data={"email": "x@example.jp"}).status_code == 200
    assert client.post("/auth/reset", data={"email": "x@example.jp"}).status_code == 429

    for _ in range(2):
        assert client.post("/auth/register", data={"email": "bad"}).status_code == 422
    assert client.post("/auth/register", data={"email": "bad"}).status_code == 429
