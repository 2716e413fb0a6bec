"""The JSON API against its own OpenAPI document, in process (schemathesis): every operation, as
an anonymous caller and as a facilitator of the world's space, with generated arguments and the
world's real ones. No server error, no response the schema does not describe, and the document
itself lists every parameter and status it answers."""
from __future__ import annotations

import re

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.route_walk import build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(app, db):
    return build_world(db.session, app.config["SECRET_KEY"])


@pytest.fixture
def api_schema(app, world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _facilitator_cookie(app, world) -> dict:
    from app.accounts.models import RoleAssignment, User
    from app.extensions import db

    user = db.session.query(User).join(RoleAssignment).filter(
        RoleAssignment.role == "facilitator", RoleAssignment.space_id.is_not(None)).first()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    g.pop("_login_user", None)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return {"Cookie": f"{cookie.key}={cookie.value}"}


def test_api_matches_its_document(app, world, api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7
    cookies = _facilitator_cookie(app, world)

    @settings(max_examples=12 * len(operations), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        for headers in ({}, cookies):
            g.pop("_login_user", None)
            case.call_and_validate(headers=headers)

    check()


def test_the_world_s_own_addresses_conform(app, world, api_schema, client):
    """Generated slugs mostly miss; the real ones must conform too."""
    slug = world.values["slug"]
    paths = [f"/api/v1/spaces/{slug}/representation?dimension=gender",
             f"/api/v1/spaces/{slug}/releases", f"/api/v1/spaces/{slug}/releases/1",
             f"/api/v1/proposals/{world.values['proposal_id']}", f"/api/v1/spaces/{slug}/proposals",
             f"/api/v1/surveys/{world.values['survey_id']}/results"]
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        operation = api_schema.find_operation_by_path(
            "GET", path.split("?")[0].removeprefix("/api/v1"))
        assert operation is not None, path
        operation.validate_response(response)


def test_every_api_route_is_in_the_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    def shape(path: str) -> str:  # placeholder names may differ: {id} and <int:survey_id>
        return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)

    documented = {shape(p) for p in document["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods:
            assert shape(rule.rule.removeprefix("/api/v1")) in documented, rule.rule
