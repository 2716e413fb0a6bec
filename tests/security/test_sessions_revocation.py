"""Sessions can be revoked: a copy of a session or remember-me cookie taken before logout, a new
password (changed or reset), losing a role, deactivation or "log out everywhere" is anonymous
when replayed. The session that changed the password stays logged in."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import RoleAssignment, User
from tests.conftest import TEST_PASSWORD, login
from tests.dom import csrf_token

NEW_PASSWORD = "a brand new passphrase"
COOKIES = ("session", "remember_token")


def _log_in(app, email: str, remember: bool = True):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD,
                                                 **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    return client


def _copy(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replays_as_logged_in(app, **cookies) -> bool:
    """A new browser holding only these cookie values: does it reach the profile?"""
    replay = app.test_client()
    for name, value in cookies.items():
        replay.set_cookie(name, value)
    return replay.get("/auth/profile").status_code == 200


def _stolen(client) -> dict:
    """Both cookies, checked to work before the event (otherwise the test proves nothing)."""
    session, remember = _copy(client, "session"), _copy(client, "remember_token")
    return {"session": session, "remember": remember}


def _assert_working(app, stolen: dict) -> None:
    assert _replays_as_logged_in(app, session=stolen["session"])
    assert _replays_as_logged_in(app, remember_token=stolen["remember"])


def _assert_anonymous(app, stolen: dict) -> None:
    assert not _replays_as_logged_in(app, session=stolen["session"])
    assert not _replays_as_logged_in(app, remember_token=stolen["remember"])
    assert not _replays_as_logged_in(app, session=stolen["session"],
                                     remember_token=stolen["remember"])


@pytest.fixture
def taro(make, client):  # `client` sets the test client class that resets `g` per request
    return make.user("taro@example.jp")


@pytest.fixture
def admin(make):
    return make.user("admin@example.jp", roles=("admin",))


def test_a_cookie_copied_before_logout_is_anonymous_after_it(app, taro):
    browser = _log_in(app, "taro@example.jp")
    stolen = _stolen(browser)
    _assert_working(app, stolen)
    assert browser.post("/auth/logout").status_code == 302
    _assert_anonymous(app, stolen)
    # Logging in again works, with a new cookie.
    assert _replays_as_logged_in(app, session=_copy(_log_in(app, "taro@example.jp"), "session"))


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app, taro):
    phone = _log_in(app, "taro@example.jp")
    laptop = _log_in(app, "taro@example.jp")
    stolen_phone, stolen_laptop = _stolen(phone), _stolen(laptop)
    _assert_working(app, stolen_laptop)

    response = phone.post("/auth/profile/password", data={"current_password": TEST_PASSWORD,
                                                          "new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/profile"
    _assert_anonymous(app, stolen_laptop)
    _assert_anonymous(app, stolen_phone)  # the phone's old cookies too ...
    assert phone.get("/auth/profile").status_code == 200  # ... but the phone goes on,
    renewed = _copy(phone, "remember_token")  # with a renewed remember-me cookie
    assert renewed != stolen_phone["remember"]
    assert _replays_as_logged_in(app, remember_token=renewed)
    assert laptop.get("/auth/profile").status_code == 302


def test_a_password_reset_ends_every_session(app, db, taro):
    browser = _log_in(app, "taro@example.jp")
    stolen = _stolen(browser)
    token = services.make_reset_token(taro, app.config["SECRET_KEY"])
    other = app.test_client()
    assert other.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD}).status_code == 302
    _assert_anonymous(app, stolen)
    assert browser.get("/auth/profile").status_code == 302


def test_revoking_a_role_ends_the_sessions_of_the_person(app, db, make, admin):
    space = make.space()
    make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))
    user = db.session.scalar(select(User).where(User.email == "fac@example.jp"))
    assignment_id = user.roles[0].id
    stolen = _stolen(_log_in(app, "fac@example.jp"))
    _assert_working(app, stolen)
    admin_browser = _log_in(app, "admin@example.jp", remember=False)
    response = admin_browser.post(f"/admin/users/{user.id}/roles/{assignment_id}/revoke",
                                  data={"confirm": "y"})
    assert response.status_code == 302
    assert db.session.get(RoleAssignment, assignment_id) is None
    _assert_anonymous(app, stolen)
    assert admin_browser.get("/admin/").status_code == 200  # the admin's own session goes on


def test_removing_a_team_member_ends_their_sessions(app, db, make):
    space = make.space()
    make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))
    make.user("mod@example.jp", roles=(f"moderator:{space.id}",))
    moderator = db.session.scalar(select(User).where(User.email == "mod@example.jp"))
    stolen = _stolen(_log_in(app, "mod@example.jp"))
    facilitator = _log_in(app, "fac@example.jp", remember=False)
    response = facilitator.post(f"/spaces/{space.slug}/team/{moderator.roles[0].id}/remove",
                                data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, moderator.id).roles == []
    _assert_anonymous(app, stolen)


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, db, taro, admin):
    stolen = _stolen(_log_in(app, "taro@example.jp"))
    admin_browser = _log_in(app, "admin@example.jp", remember=False)
    assert admin_browser.post(f"/admin/users/{taro.id}/deactivate",
                              data={"confirm": "y"}).status_code == 302
    _assert_anonymous(app, stolen)
    assert admin_browser.post(f"/admin/users/{taro.id}/reactivate",
                              data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, taro.id).is_active
    _assert_anonymous(app, stolen)  # the old cookies do not come back to life
    _log_in(app, "taro@example.jp")  # the person logs in anew


def test_log_out_everywhere_asks_for_confirmation_then_ends_every_session(app, db, taro):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        phone = _log_in_with_csrf(app, "taro@example.jp")
        laptop = _log_in_with_csrf(app, "taro@example.jp")
        stolen_laptop = _stolen(laptop)
        page = phone.get("/auth/profile/sessions")
        assert page.status_code == 200
        token = _csrf(page.get_data(as_text=True))
        # No token: refused; no confirmation: the form says so and nothing ends.
        assert phone.post("/auth/profile/sessions", data={"confirm": "y"}).status_code == 400
        unconfirmed = phone.post("/auth/profile/sessions", data={"csrf_token": token})
        assert unconfirmed.status_code == 422
        assert 'id="confirm-error"' in unconfirmed.get_data(as_text=True)
        _assert_working(app, stolen_laptop)

        done = phone.post("/auth/profile/sessions", data={"csrf_token": token, "confirm": "y"})
        assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    _assert_anonymous(app, stolen_laptop)
    assert phone.get("/auth/profile").status_code == 302
    assert laptop.get("/auth/profile").status_code == 302


def test_the_profile_links_to_log_out_everywhere(app, taro):
    html = _log_in(app, "taro@example.jp").get("/auth/profile").get_data(as_text=True)
    assert 'href="/auth/profile/sessions"' in html


def test_deleting_the_account_ends_every_session(app, taro):
    laptop = _log_in(app, "taro@example.jp")
    stolen = _stolen(laptop)
    phone = _log_in(app, "taro@example.jp")
    response = phone.post("/auth/profile/delete", data={"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    _assert_anonymous(app, stolen)


def test_cookies_from_before_session_versions_count_as_version_zero(app, db, client, taro):
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        # What Flask-Login wrote before "<id>:<version>" (and what some test helpers write).
        session.update({"_user_id": str(taro.id), "_fresh": True, "_id": identifier})
    assert client.get("/auth/profile").status_code == 200
    legacy = _copy(client, "session")
    login(app.test_client(), "taro@example.jp")
    assert _replays_as_logged_in(app, session=legacy)  # logging in elsewhere changes nothing
    browser = _log_in(app, "taro@example.jp")
    browser.post("/auth/logout")
    assert not _replays_as_logged_in(app, session=legacy)


@pytest.mark.parametrize("value", ["1:", ":0", "1:x", "x:0", "1:0:0", "-1:0", "1:" + "9" * 40])
def test_malformed_session_ids_are_anonymous(db, taro, value):
    from app.accounts.sessions import user_for_session_id

    assert user_for_session_id(db.session, f"{taro.id}:0") is not None
    assert user_for_session_id(db.session, value) is None


def _log_in_with_csrf(app, email: str):
    browser = app.test_client()
    token = _csrf(browser.get("/auth/login").get_data(as_text=True))
    response = browser.post("/auth/login", data={"email": email, "password": TEST_PASSWORD,
                                                  "remember": "y", "csrf_token": token})
    assert response.status_code == 302
    return browser


_csrf = csrf_token
