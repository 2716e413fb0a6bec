"""Fixtures for the spaces tests: signing in without the password check (hashing is slow and the
login flow is tested by accounts), and a world with one person per role."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import g
from flask_login.utils import _create_identifier


def sign_in_client(client, user) -> None:
    """Put `user` in the client's session as Flask-Login would (strong protection included)."""
    # The identifier of the test client's address and user agent, as strong protection checks.
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    # The test's app context is shared by its requests, and Flask-Login caches the user in g:
    # forget whoever an earlier request loaded.
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture
def sign_in(client):
    """sign_in(user): the `client` fixture acts as `user` from now on."""
    return lambda user: sign_in_client(client, user)


@dataclass
class World:
    space: object
    other_space: object
    users: dict = field(default_factory=dict)


ROLES = ("anonymous", "participant", "facilitator_other", "facilitator", "moderator", "admin")


@pytest.fixture
def world(make):
    space = make.space("kita-plan", title="北区のまちづくり")
    other = make.space("other-plan", title="別の場")
    users = {
        "anonymous": None,
        "participant": make.user("participant@example.jp"),
        "facilitator_other": make.user("fac-other@example.jp", roles=(f"facilitator:{other.id}",)),
        "facilitator": make.user("fac@example.jp", roles=(f"facilitator:{space.id}",)),
        "moderator": make.user("mod@example.jp", roles=(f"moderator:{space.id}",)),
        "admin": make.user("admin@example.jp", roles=("admin",)),
    }
    return World(space=space, other_space=other, users=users)
