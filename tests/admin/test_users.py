"""Users: search, roles granted and revoked (with last-admin protection), deactivation, privacy."""
from __future__ import annotations


from flask import g
from sqlalchemy import select

from app.accounts.models import RoleAssignment, User
from app.admin.models import AuditEntry
from tests.conftest import login
from tests.dom import csrf_token, texts


def _admin(client, world):
    login(client, world.admin.email)
    client.get("/lang/en")


def _names(html: str) -> list[str]:
    return texts(html, 'th[scope="row"] a[href^="/admin/users/"]')


def test_search_by_email_and_name(client, world):
    _admin(client, world)
    assert _names(client.get("/admin/users?q=PART@EXAMPLE").get_data(as_text=True)) == ["参加 花子"]
    # Full-width letters are NFKC-normalised before matching.
    assert _names(client.get("/admin/users?q=ｐａｒｔ").get_data(as_text=True)) == ["参加 花子"]
    assert _names(client.get("/admin/users?q=花子").get_data(as_text=True)) == ["参加 花子"]
    assert len(_names(client.get("/admin/users").get_data(as_text=True))) == 6  # one per role


def test_search_wildcards_are_literal(client, world, make):
    make.user("under_score@example.jp", display_name="100% 本気")
    _admin(client, world)
    assert _names(client.get("/admin/users?q=_").get_data(as_text=True)) == ["100% 本気"]
    assert _names(client.get("/admin/users?q=%25").get_data(as_text=True)) == ["100% 本気"]
    html = client.get("/admin/users?q=nobody-here").get_data(as_text=True)
    assert "No account matches." in html


def test_user_list_is_paginated(client, world, make, app):
    for n in range(25):
        make.user(f"bulk{n:02d}@example.jp")
    _admin(client, world)
    first = client.get("/admin/users").get_data(as_text=True)
    assert len(_names(first)) == app.config["PER_PAGE"]
    assert 'rel="next"' in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert len(_names(second)) == 25 + 6 - app.config["PER_PAGE"]


def test_list_shows_roles_and_state(client, world, db):
    world.participant.active = False
    db.session.commit()
    _admin(client, world)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "facilitator · sapporo-review" in html
    assert "deactivated" in html


def test_detail_never_shows_demographic_answers(client, world):
    _admin(client, world)
    html = client.get(f"/admin/users/{world.participant.id}").get_data(as_text=True)
    assert "Consented" in html
    assert "1990" not in html and "academia" not in html.lower() and "female" not in html.lower()
    html = client.get(f"/admin/users/{world.moderator.id}").get_data(as_text=True)
    assert "Not given" in html


def test_grant_role_in_space_and_globally(client, world, db):
    _admin(client, world)
    response = client.post(f"/admin/users/{world.participant.id}/roles",
                            data={"role": "facilitator", "space_slug": " SAPPORO-REVIEW "})
    assert response.status_code == 302
    response = client.post(f"/admin/users/{world.participant.id}/roles",
                           data={"role": "moderator", "space_slug": ""})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, world.participant.id)
    assert {(r.role, r.space_id) for r in user.roles} == {
        ("facilitator", world.space.id), ("moderator", None)}
    assert user.has_role("facilitator", world.space.id)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target, e.actor_id) for e in entries] == [
        ("role.grant", f"user:{user.id}", world.admin.id)] * 2
    assert entries[0].detail == {"role": "facilitator", "space": "sapporo-review"}


def test_grant_role_bad_input_is_reported_next_to_the_field(client, world, db):
    _admin(client, world)
    url = f"/admin/users/{world.participant.id}/roles"
    html = client.post(url, data={"role": "facilitator", "space_slug": "no-such-space"}
                       ).get_data(as_text=True)
    assert 'id="space_slug-error"' in html and "No space has the address no-such-space." in html
    assert 'value="no-such-space"' in html  # what was typed is kept
    html = client.post(url, data={"role": "admin", "space_slug": "sapporo-review"}).get_data(as_text=True)
    assert "The admin role is always site-wide" in html
    html = client.post(url, data={"role": "emperor"}).get_data(as_text=True)
    assert 'id="role-error"' in html
    client.post(url, data={"role": "moderator"})
    html = client.post(url, data={"role": "moderator"}).get_data(as_text=True)
    assert "already holds that role" in html
    assert db.session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == world.participant.id, RoleAssignment.role == "moderator")) is not None
    assert len(db.session.scalars(select(AuditEntry)).all()) == 1


def test_revoke_role_needs_confirmation(client, world, db):
    _admin(client, world)
    assignment_id = world.facilitator.roles[0].id
    url = f"/admin/users/{world.facilitator.id}/roles/{assignment_id}/revoke"
    client.post(url, data={})
    assert db.session.get(RoleAssignment, assignment_id) is not None
    page = client.get(f"/admin/users/{world.facilitator.id}").get_data(as_text=True)
    assert "Tick the box to confirm" in page
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RoleAssignment, assignment_id) is None
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.detail["role"], entry.detail["space"]) == (
        "role.revoke", "facilitator", "sapporo-review")


def test_revoke_role_of_another_user_is_refused(client, world, db):
    _admin(client, world)
    assignment_id = world.facilitator.roles[0].id
    client.post(f"/admin/users/{world.moderator.id}/roles/{assignment_id}/revoke",
                data={"confirm": "yes"})
    assert db.session.get(RoleAssignment, assignment_id) is not None


def test_cannot_revoke_own_last_admin_role(client, world, db):
    _admin(client, world)
    own = world.admin.roles[0].id
    response = client.post(f"/admin/users/{world.admin.id}/roles/{own}/revoke",
                           data={"confirm": "yes"}, follow_redirects=True)
    assert "You cannot revoke your own last admin role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).is_admin
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_admin_may_revoke_another_admins_role(client, world, make, db):
    other = make.user("other-admin@example.jp", roles=("admin",))
    _admin(client, world)
    client.post(f"/admin/users/{other.id}/roles/{other.roles[0].id}/revoke", data={"confirm": "yes"})
    db.session.expire_all()
    assert not db.session.get(User, other.id).is_admin
    # ...and, once that other admin is back, they may take the first admin's role away.
    client.post(f"/admin/users/{other.id}/roles", data={"role": "admin"})
    client.post("/auth/logout")
    login(client, other.email)
    client.post(f"/admin/users/{world.admin.id}/roles/{world.admin.roles[0].id}/revoke",
                data={"confirm": "yes"})
    db.session.expire_all()
    assert not db.session.get(User, world.admin.id).is_admin


def test_deactivate_and_reactivate(client, world, db):
    _admin(client, world)
    url = f"/admin/users/{world.participant.id}"
    response = client.post(f"{url}/deactivate", data={"confirm": "yes"}, follow_redirects=True)
    assert "The account was deactivated" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.participant.id).active is False
    # A deactivated account cannot log in. (Requests share the test's app context, hence its
    # `g`: forget the user Flask-Login cached there for the admin's requests.)
    g.pop("_login_user", None)
    other = client.application.test_client()
    response = other.post("/auth/login", data={"email": world.participant.email,
                                               "password": "correct horse battery 7"})
    assert response.status_code == 422  # the form again, no redirect
    g.pop("_login_user", None)
    client.post(f"{url}/reactivate", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(User, world.participant.id).active is True
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.deactivate", "user.reactivate"]


def test_deactivation_ends_an_open_session(client, world, db):
    moderator = client.application.test_client()
    login(moderator, world.moderator.email)
    g.pop("_login_user", None)  # requests share the test's `g`; see test above
    login(client, world.admin.email)
    client.post(f"/admin/users/{world.moderator.id}/deactivate", data={"confirm": "yes"})
    g.pop("_login_user", None)
    # The moderator's cookie still names the account, but it no longer logs anyone in.
    response = moderator.get("/admin/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_cannot_deactivate_oneself(client, world, db):
    _admin(client, world)
    response = client.post(f"/admin/users/{world.admin.id}/deactivate", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).active is True


def test_deactivate_without_confirmation_changes_nothing(client, world, db):
    _admin(client, world)
    client.post(f"/admin/users/{world.participant.id}/deactivate", data={})
    db.session.expire_all()
    assert db.session.get(User, world.participant.id).active is True


def test_forms_carry_csrf_and_csrf_is_enforced(client, world, app, db):
    _admin(client, world)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get(f"/admin/users/{world.participant.id}").get_data(as_text=True)
        token = csrf_token(html)
        url = f"/admin/users/{world.participant.id}/deactivate"
        assert client.post(url, data={"confirm": "yes"}).status_code == 400
        assert client.post(url, data={"confirm": "yes", "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(User, world.participant.id).active is False


def test_a_refused_role_grant_answers_422_and_writes_nothing(client, world, db):
    _admin(client, world)
    response = client.post(f"/admin/users/{world.participant.id}/roles",
                           data={"role": "moderator", "space_slug": "no-such-space"})
    assert response.status_code == 422
    assert "No space has the address no-such-space." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == world.participant.id)).all() == []
    assert db.session.scalars(select(AuditEntry)).all() == []
