"""Every admin route with every role: anonymous is sent to log in, participant, facilitator and
moderator get 403, an administrator gets through."""
from __future__ import annotations

import pytest

from app.accounts.models import User
from tests.conftest import login

# (method, url template, form data for an admin's successful POST, expected admin status)
ROUTES = [
    ("GET", "/admin/", None, 200),
    ("GET", "/admin/users", None, 200),
    ("GET", "/admin/users?q=example", None, 200),
    ("GET", "/admin/users/{participant}", None, 200),
    ("POST", "/admin/users/{participant}/roles", {"role": "moderator", "space_slug": ""}, 302),
    ("POST", "/admin/users/{facilitator}/roles/{facilitator_role}/revoke", {"confirm": "yes"}, 302),
    ("POST", "/admin/users/{participant}/deactivate", {"confirm": "yes"}, 302),
    ("POST", "/admin/users/{participant}/reactivate", {"confirm": "yes"}, 302),
    ("GET", "/admin/areas", None, 200),
    ("GET", "/admin/areas?q=札幌&kind=municipality", None, 200),
    ("GET", "/admin/areas/regions/new", None, 200),
    ("POST", "/admin/areas/regions/new",
     {"code": "R-TEST", "name_ja": "試験", "name_en": "Test", "members": "01100\n01203"}, 302),
    ("GET", "/admin/areas/regions/R-SAPPORO-OTARU/edit", None, 200),
    ("POST", "/admin/areas/regions/R-SAPPORO-OTARU/edit",
     {"name_ja": "札幌小樽", "name_en": "Sapporo and Otaru", "members": "01100,01203"}, 302),
    ("POST", "/admin/areas/regions/R-SAPPORO-OTARU/delete", {"confirm": "yes"}, 302),
    ("GET", "/admin/audit", None, 200),
    ("GET", "/admin/audit?action=role.grant&actor=admin", None, 200),
]
ROLES = ("anonymous", "participant", "facilitator", "moderator", "admin")


def _url(template: str, world) -> str:
    return template.format(participant=world.participant.id, facilitator=world.facilitator.id,
                           facilitator_role=world.facilitator.roles[0].id)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,template,data,admin_status", ROUTES,
                         ids=[f"{m} {t}" for m, t, _, _ in ROUTES])
def test_admin_routes_by_role(client, world, db, role, method, template, data, admin_status):
    if role != "anonymous":
        login(client, getattr(world, role).email)
    url = _url(template, world)
    response = client.get(url) if method == "GET" else client.post(url, data=data or {})
    if role == "anonymous":
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    elif role == "admin":
        assert response.status_code == admin_status, response.get_data(as_text=True)[:1000]
    else:
        assert response.status_code == 403


def test_denied_post_changes_nothing(client, world, db):
    login(client, world.moderator.email)
    response = client.post(f"/admin/users/{world.participant.id}/deactivate",
                           data={"confirm": "yes"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, world.participant.id).active is True


def test_unknown_user_and_region_are_404(client, world):
    login(client, world.admin.email)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/areas/regions/R-NOPE/edit").status_code == 404
    assert client.post("/admin/areas/regions/R-NOPE/delete",
                       data={"confirm": "yes"}).status_code == 404


def test_admin_link_in_header_only_for_admins(client, world):
    login(client, world.participant.email)
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    client.post("/auth/logout")
    login(client, world.admin.email)
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_overview_shows_sql_counts(client, world):
    login(client, world.admin.email)
    client.get("/lang/en")
    html = client.get("/admin/").get_data(as_text=True)
    # 6 accounts (one per role), 2 spaces, 0 participations, 2 areas, 1 region
    assert '<p class="admin-count">6</p>' in html
    assert html.count('<p class="admin-count">2</p>') == 2
    assert "1 wide-area regions" in html
