"""Behind TRUSTED_PROXIES reverse proxies the client's address comes from X-Forwarded-For, so
each person has their own rate-limit bucket; with 0 (the default) the header is ignored, so
nobody picks their own address by sending it (issue #10)."""
from __future__ import annotations

import pytest
from flask import request
from flask_limiter.util import get_remote_address

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter

PROXY = "10.0.0.2"      # nginx, as the app sees it
CLIENT = "203.0.113.7"  # the person, as nginx saw them
FORGED = "198.51.100.66"


@pytest.fixture
def app_with(app):
    made = []
    was_enabled = limiter.enabled  # one limiter object for every app in the process

    def build(proxies: int):
        application = create_app("test", {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "TRUSTED_PROXIES": proxies})

        @application.get("/_test/who")
        def who():
            # The rate limiter's key (app.extensions: key_func=get_remote_address).
            return {"key": get_remote_address(), "scheme": request.scheme}

        made.append(application)
        return application.test_client()

    yield build
    for application in made:
        with application.app_context():
            _db.session.remove()
    limiter.enabled = was_enabled


def _who(client, forwarded_for: str, proto: str = "https") -> dict:
    return client.get("/_test/who", environ_base={"REMOTE_ADDR": PROXY},
                      headers={"X-Forwarded-For": forwarded_for,
                               "X-Forwarded-Proto": proto}).json


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(app_with):
    client = app_with(0)
    assert _who(client, FORGED) == {"key": PROXY, "scheme": "http"}


def test_with_one_proxy_the_client_address_is_the_one_it_appended(app_with):
    client = app_with(1)
    assert _who(client, CLIENT) == {"key": CLIENT, "scheme": "https"}
    # A client's own X-Forwarded-For comes first; nginx appends the address it saw.
    assert _who(client, f"{FORGED}, {CLIENT}")["key"] == CLIENT


def test_two_people_behind_the_proxy_get_two_rate_limit_keys(app_with):
    client = app_with(1)
    assert _who(client, "203.0.113.7")["key"] != _who(client, "203.0.113.8")["key"]
