"""Checks of the current password (password change, account deletion) are rate-limited per
account and per address, with one budget across the routes (PASSWORD_CHECK_RATE_LIMIT); adding
a team member by e-mail, which tells whether an address has an account, per facilitator
(TEAM_ADD_RATE_LIMIT)."""
from __future__ import annotations

import pytest

from tests.rate_limited import rate_limited_app
from tests.conftest import TEST_PASSWORD

WRONG = {"current_password": "not my password", "new_password": "a brand new passphrase"}


@pytest.fixture
def limited_app(app):
    """A second app on the same database with the default limits switched on. The limiter is
    one object shared by every app, so its state is put back afterwards."""
    with rate_limited_app(app, LOGIN_RATE_LIMIT="100 per minute") as limited:
        assert limited.config["PASSWORD_CHECK_RATE_LIMIT"] == "10 per minute;50 per day"
        yield limited


def _logged_in(app, email: str, address: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD}
                       ).status_code == 302
    return client


def test_the_eleventh_wrong_current_password_in_a_minute_answers_429(limited_app, make):
    make.user("taro@example.jp")
    client = _logged_in(limited_app, "taro@example.jp")
    for attempt in range(10):
        response = client.post("/auth/profile/password", data=WRONG)
        assert response.status_code == 422, attempt
        assert 'id="current_password-error"' in response.get_data(as_text=True)
    blocked = client.post("/auth/profile/password",
                          data={**WRONG, "current_password": TEST_PASSWORD})
    assert blocked.status_code == 429  # even the right password waits now
    assert client.get("/auth/profile/password").status_code == 200  # reading is not limited


def test_one_budget_for_password_change_and_account_deletion(limited_app, make):
    make.user("taro@example.jp")
    client = _logged_in(limited_app, "taro@example.jp")
    for _ in range(5):
        assert client.post("/auth/profile/password", data=WRONG).status_code == 422
        assert client.post("/auth/profile/delete",
                           data={"password": "wrong", "confirm": "y"}).status_code == 422
    assert client.post("/auth/profile/delete",
                       data={"password": TEST_PASSWORD, "confirm": "y"}).status_code == 429
    assert client.get("/auth/profile").status_code == 200  # not deleted


def test_the_limit_holds_per_account_across_addresses(limited_app, make):
    make.user("taro@example.jp")
    # A session is bound to its address (session protection), so one login per address.
    for number in range(10):
        client = _logged_in(limited_app, "taro@example.jp", f"192.0.2.{number + 1}")
        assert client.post("/auth/profile/password", data=WRONG).status_code == 422
    client = _logged_in(limited_app, "taro@example.jp", "192.0.2.99")
    assert client.post("/auth/profile/password", data=WRONG).status_code == 429


def test_the_limit_holds_per_address_across_accounts(limited_app, make):
    for number in range(11):
        make.user(f"user{number}@example.jp")
    for number in range(10):
        client = _logged_in(limited_app, f"user{number}@example.jp", "198.51.100.7")
        assert client.post("/auth/profile/password", data=WRONG).status_code == 422
    last = _logged_in(limited_app, "user10@example.jp", "198.51.100.7")
    assert last.post("/auth/profile/password", data=WRONG).status_code == 429
    elsewhere = _logged_in(limited_app, "user10@example.jp", "198.51.100.8")
    assert elsewhere.post("/auth/profile/password", data=WRONG).status_code == 422


def test_adding_team_members_by_address_is_rate_limited(limited_app, make):
    space = make.space()
    make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))
    client = _logged_in(limited_app, "fac@example.jp")
    for number in range(10):
        response = client.post(f"/spaces/{space.slug}/team",
                               data={"email": f"probe{number}@example.jp", "role": "moderator"})
        assert response.status_code == 422
    blocked = client.post(f"/spaces/{space.slug}/team",
                          data={"email": "probe-last@example.jp", "role": "moderator"})
    assert blocked.status_code == 429
    assert client.get(f"/spaces/{space.slug}/team").status_code == 200
