"""/lang/<code>: a GET (which any site can make a browser send) switches this browser's session
only; the stored language of an account changes only through the header's POST form, which
needs its CSRF token (issue #10)."""
from __future__ import annotations

import pytest

from app.accounts.models import User
from tests.conftest import login
from tests.dom import csrf_token
from tests.people import log_in


def _stored_locale(db, user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).locale


def test_a_get_does_not_change_the_stored_language(client, db, make):
    user = make.user("taro@example.jp", locale="ja")
    login(client, "taro@example.jp")
    response = client.get("/lang/en?next=/spaces/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/spaces/")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)  # this session: yes
    assert _stored_locale(db, user) == "ja"


def test_the_post_form_changes_the_stored_language(client, db, make):
    user = make.user("taro@example.jp", locale="ja")
    login(client, "taro@example.jp")
    page = client.get("/spaces/").get_data(as_text=True)
    assert 'action="/lang/en?next=/spaces/"' in page
    response = client.post("/lang/en?next=/spaces/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/spaces/")
    assert _stored_locale(db, user) == "en"


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_a_post_from_another_site_is_refused(client, db, make, csrf_on):
    user = make.user("taro@example.jp", display_name="山田 太郎", locale="ja")
    log_in(client, user)
    page = client.get("/").get_data(as_text=True)
    assert "山田 太郎" in page  # logged in
    assert client.post("/lang/en").status_code == 400
    assert _stored_locale(db, user) == "ja"
    response = client.post("/lang/en", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert _stored_locale(db, user) == "en"


def test_the_switch_still_sends_nowhere_else(client):
    response = client.post("/lang/en", data={"next": "https://evil.example/"})
    assert response.status_code == 303
    assert "evil.example" not in response.headers["Location"]
