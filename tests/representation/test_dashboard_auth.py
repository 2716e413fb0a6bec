"""Who may open each representation page: every route with every role."""
from __future__ import annotations

import pytest

from app.representation import bodies
from tests.conftest import login
from tests.people import client_for
from tests.representation.dashboard_fixtures import load_population

ROLES = ("anonymous", "participant", "other_facilitator", "facilitator", "moderator", "admin")
ALLOWED = {"facilitator", "admin"}


@pytest.fixture
def setting(world, db):
    """The one world (a person per role, the moderator of the space only), with population
    figures and a deliberation body."""
    load_population(db.session)
    body = bodies.save_body(db.session, world.space, "審議会", {"gender": {"female": 3, "male": 5}})
    db.session.commit()
    return world, body.id


def _routes(slug, body_id):
    base = f"/spaces/{slug}/representation"
    body_form = {"name": "会議", "gender__female": "2", "gender__male": "2"}
    return [
        ("get", f"{base}/", None),
        ("get", f"{base}/targets", None),
        ("post", f"{base}/targets", {"residency__resident": "100"}),
        ("get", f"{base}/bodies", None),
        ("get", f"{base}/bodies/new", None),
        ("post", f"{base}/bodies/new", body_form),
        ("get", f"{base}/bodies/{body_id}", None),
        ("get", f"{base}/bodies/{body_id}/edit", None),
        ("post", f"{base}/bodies/{body_id}/edit", body_form),
        ("post", f"{base}/bodies/{body_id}/delete", {"confirm": "yes"}),
        ("post", f"{base}/releases", {"confirm": "y"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_facilitator_pages(setting, app, role):
    world, body_id = setting
    space, client = world.space, client_for(app, world, role)
    for method, url, data in _routes(space.slug, body_id):
        response = getattr(client, method)(url, data=data)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert "/auth/login" in response.headers["Location"], url
        elif role in ALLOWED:
            assert response.status_code in (200, 302), (url, response.status_code)
            if response.status_code == 302:
                assert "/auth/login" not in response.headers["Location"]
        else:
            assert response.status_code == 403, (url, role)


def test_unknown_space_is_404(setting, app):
    client = client_for(app, setting[0], "admin")
    assert client.get("/spaces/nope/representation/").status_code == 404
    assert client.get("/spaces/nope/transparency").status_code == 404


def test_body_of_another_space_is_404(setting, client, make, db):
    _world, body_id = setting
    other = make.space("third")
    facilitator = make.user(roles=(f"facilitator:{other.id}",))
    login(client, facilitator.email)
    assert client.get(f"/spaces/third/representation/bodies/{body_id}").status_code == 404
    assert client.post(f"/spaces/third/representation/bodies/{body_id}/delete",
                       data={"confirm": "yes"}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_transparency_page_is_404_when_off_and_public_when_on(setting, app, db, role):
    world, _body_id = setting
    space, client = world.space, client_for(app, world, role)
    url = f"/spaces/{space.slug}/transparency"
    assert client.get(url).status_code == 404
    space.transparency_public = True
    db.session.commit()
    assert client.get(url).status_code == 200
