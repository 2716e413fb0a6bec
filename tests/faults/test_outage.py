"""While the database cannot be reached, pages answer 503 with Retry-After in the person's
language (JSON under /api/), never a 500; a failed commit leaves nothing behind. In-process, on
an SQLite file whose connections start failing the way a stopped server's do."""
from __future__ import annotations

import sqlite3
from sqlite3 import dbapi2

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db as _db
from app.forum.models import Thread
from tests import factories
from tests.people import log_in

JA_MESSAGE = "ただいまサービスを一時的にご利用いただけません"
EN_MESSAGE = "The service is temporarily unavailable. Please try again in a minute."


@pytest.fixture
def site(tmp_path):
    """An app of its own (errors handled as in production, not propagated to the test) with a
    space, a person, and `go_down()` to make every new connection fail."""
    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'outage.sqlite3'}",
        "PROPAGATE_EXCEPTIONS": False})
    with application.app_context():
        _db.create_all()
        make = factories.Factory(_db.session)
        space = make.space("outage-space")
        person = make.user("hanako@example.jp", locale="en")
        ids = {"space": space.slug, "person": person.id}
        _db.session.remove()
    yield application, ids
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def go_down(site, monkeypatch):
    application, _ = site

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    def down():
        with application.app_context():
            _db.engine.dispose()  # no pooled connection survives the "restart"
        monkeypatch.setattr(dbapi2, "connect", refuse)  # the module SQLAlchemy's dialect calls
    return down


def _is_clean_503(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_answers_503_in_japanese_by_default(site, go_down):
    application, ids = site
    go_down()
    response = application.test_client().get("/")
    _is_clean_503(response)
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html and JA_MESSAGE in html
    assert "Traceback" not in html


def test_the_page_follows_the_language_chosen_in_the_session(site, go_down):
    application, ids = site
    client = application.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    go_down()
    response = client.get(f"/spaces/{ids['space']}/forum/?q=x")
    _is_clean_503(response)
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and EN_MESSAGE in html
    assert f'href="/spaces/{ids["space"]}/forum/?q=x"' in html  # "Try again" keeps the query


def test_a_logged_in_person_whose_account_cannot_be_loaded_still_gets_the_503_page(site, go_down):
    application, ids = site
    client = application.test_client()
    with application.app_context():
        from app.accounts.models import User

        log_in(client, _db.session.get(User, ids["person"]))
        _db.session.remove()
    go_down()
    response = client.get(f"/spaces/{ids['space']}/")
    _is_clean_503(response)
    assert JA_MESSAGE in response.get_data(as_text=True)


def test_a_form_sent_during_the_outage_says_to_check_before_sending_again(site, go_down):
    application, ids = site
    client = application.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    go_down()
    response = client.post(f"/spaces/{ids['space']}/forum/new", data={"title": "t", "body": "b"})
    _is_clean_503(response)
    assert "check whether it arrived before sending it again" in response.get_data(as_text=True)


def test_the_api_answers_503_in_json(site, go_down):
    application, ids = site
    go_down()
    response = application.test_client().get(f"/api/v1/spaces/{ids['space']}/proposals")
    _is_clean_503(response)
    assert response.json == {"error": "ただいまサービスを一時的にご利用いただけません。"
                                      "しばらくしてから、もう一度お試しください。", "status": 503}


def test_healthz_is_down_during_the_outage(site, go_down):
    application, _ = site
    go_down()
    response = application.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "down"


def test_a_commit_that_fails_at_the_request_boundary_is_a_503_and_leaves_nothing(site,
                                                                                monkeypatch):
    application, ids = site
    client = application.test_client()
    with application.app_context():
        from app.accounts.models import User

        log_in(client, _db.session.get(User, ids["person"]))
        _db.session.remove()

    def lost_connection(self):
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    with monkeypatch.context() as patch:
        patch.setattr(Session, "commit", lost_connection)
        response = client.post(f"/spaces/{ids['space']}/forum/new",
                               data={"title": "除雪について", "body": "早朝にお願いします。"})
    _is_clean_503(response)
    with application.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Thread)) == 0


def test_an_error_that_is_not_an_outage_is_still_an_ordinary_500(site, monkeypatch):
    application, _ = site

    def broken(self):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(Session, "commit", broken)
    response = application.test_client().get("/")
    assert response.status_code == 500 and "Retry-After" not in response.headers
