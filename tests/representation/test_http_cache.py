"""ETag and 304 for public data (app.common.http_cache): the public API answers 304 to a client
that holds the same body; the transparency page answers 304 to an anonymous reader who holds
the same release in the same language and session, and never when the answer would set a
cookie or belongs to someone logged in."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.representation import releases
from tests.people import client_as
from tests.representation.dashboard_fixtures import add_participants, load_population


@pytest.fixture
def space(make, db):
    space = make.space("etag-space", title="公開の場", transparency_public=True)
    load_population(db.session)
    add_participants(db.session, space, 20, first_at=datetime(2025, 3, 3, 3, 0))
    releases.create_release(db.session, space, None, public_k=10, batch=5)
    db.session.commit()
    return space


def _api(space):
    return f"/api/v1/spaces/{space.slug}/releases/1"


def test_the_public_api_answers_304_to_a_client_holding_the_same_body(app, space):
    client = client_as(app, locale=None)
    first = client.get(_api(space))
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(_api(space), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(_api(space), headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_new_release_changes_the_list_tag(app, db, space):
    client = client_as(app, locale=None)
    path = f"/api/v1/spaces/{space.slug}/releases"
    etag = client.get(path).headers["ETag"]
    add_participants(db.session, space, 10, first_at=datetime(2025, 3, 4, 3, 0))
    releases.create_release(db.session, space, None, public_k=10, batch=5)
    db.session.commit()
    answer = client.get(path, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and answer.headers["ETag"] != etag


def test_the_facilitators_live_figures_get_no_tag(app, make, space):
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    response = client_as(app, facilitator).get(f"/api/v1/spaces/{space.slug}/representation")
    assert response.status_code == 200
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "private, no-store"


def _page(space):
    return f"/spaces/{space.slug}/transparency"


def test_the_first_visit_sets_the_session_cookie_so_the_page_is_private(app, space):
    # Why the page cannot be public: it carries this visitor's CSRF token (the language switch
    # is a POST form), and the first answer sets the cookie holding it.
    first = client_as(app, locale=None).get(_page(space))
    assert first.status_code == 200 and "Set-Cookie" in first.headers
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]


def test_a_returning_reader_gets_304_without_the_page_being_drawn(app, space, monkeypatch):
    reader = client_as(app, locale=None)
    etag = reader.get(_page(space)).headers["ETag"]
    from app.representation import views

    drawn = []
    monkeypatch.setattr(views, "render_template", lambda *a, **k: drawn.append(a) or "")
    again = reader.get(_page(space), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and drawn == []
    assert "Set-Cookie" not in again.headers


def test_another_session_or_language_gets_the_page_not_a_304(app, space):
    reader = client_as(app, locale=None)
    etag = reader.get(_page(space)).headers["ETag"]
    stranger = client_as(app, locale=None)  # another session: another CSRF token
    assert stranger.get(_page(space), headers={"If-None-Match": etag}).status_code == 200
    reader.post("/lang/en")
    english = reader.get(_page(space), headers={"If-None-Match": etag})
    assert english.status_code == 200 and english.headers["ETag"] != etag
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_a_changed_space_title_changes_the_tag(app, db, space):
    reader = client_as(app, locale=None)
    etag = reader.get(_page(space)).headers["ETag"]
    space.title = "新しい名前の場"
    db.session.commit()
    answer = reader.get(_page(space), headers={"If-None-Match": etag})
    assert answer.status_code == 200 and "新しい名前の場" in answer.get_data(as_text=True)


def test_logged_in_readers_get_no_tag(app, make, space):
    person = make.user("taro@example.jp")
    response = client_as(app, person).get(_page(space))
    assert response.status_code == 200 and "ETag" not in response.headers


def test_an_anonymous_readers_second_visit_sets_no_cookie(app, space):
    # Flask-Login's strong protection used to "fail" every anonymous session holding a CSRF
    # token, rewrite it and clear a remember cookie on every page (app.extensions).
    reader = client_as(app, locale=None)
    reader.get(_page(space))
    second = reader.get("/")
    assert second.status_code == 200 and "Set-Cookie" not in second.headers
