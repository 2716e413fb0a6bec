"""Every moderation route walked by anonymous, participant, author, facilitator, moderator and
admin. Only moderators (of the space, or site-wide) and admins see the queue and decide;
facilitators are not moderators; anyone logged in may flag someone else's post."""
from __future__ import annotations

import pytest

from tests.forum.helpers import is_login_redirect, walk_targets
from tests.people import ROLES, client_for

LOGIN = "login"


def expect(default, **per_role):
    return {role: per_role.get(role, default) for role in ROLES}




def moderators(ok):
    return expect(403, anonymous=LOGIN, moderator=ok, admin=ok)


ROUTES = [
    ("GET", "/moderation/", {}, moderators(200)),
    ("GET", "/moderation/?page=3", {}, moderators(200)),
    ("GET", "/moderation/hidden", {}, moderators(200)),
    ("GET", "/moderation/blocks", {}, moderators(200)),
    ("GET", "/moderation/posts/{reply}", {}, moderators(200)),
    ("GET", "/moderation/posts/{hidden}", {}, moderators(200)),
    ("POST", "/moderation/posts/{reply}/hide", {"reason": "spam"}, moderators(303)),
    ("POST", "/moderation/posts/{hidden}/restore", {}, moderators(303)),
    ("POST", "/moderation/posts/{reply}/dismiss", {}, moderators(303)),
    ("POST", "/moderation/posts/{reply}/block", {"scope": "space", "reason": "r"},
     moderators(303)),
    ("POST", "/moderation/blocks/{block}/delete", {"confirm": "yes"}, moderators(303)),
    ("GET", "/moderation/posts/{reply}/flag", {}, expect(200, anonymous=LOGIN, author=403)),
    ("POST", "/moderation/posts/{reply}/flag", {"reason": "off_topic"},
     expect(303, anonymous=LOGIN, author=403)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, data, expected", ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_moderation_route_by_role(app, db, world, role, method, path, data, expected):
    targets = walk_targets(db, world)
    client = client_for(app, world, role)
    url = path.format(**targets)
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    if expected[role] == LOGIN:
        assert is_login_redirect(response), (role, url, response.status_code)
    else:
        assert response.status_code == expected[role], (role, url, response.status_code)


def test_refused_roles_change_nothing(app, db, world):
    from sqlalchemy import select

    from app.admin.models import AuditEntry
    from app.forum.models import Post
    from app.moderation.models import Block, Flag

    targets = walk_targets(db, world)
    audit_before = db.session.query(AuditEntry).count()
    for role in ("anonymous", "participant", "author", "facilitator"):
        client = client_for(app, world, role)
        client.post(f"/moderation/posts/{targets['reply']}/hide", data={"reason": "spam"})
        client.post(f"/moderation/posts/{targets['hidden']}/restore")
        client.post(f"/moderation/posts/{targets['reply']}/dismiss")
        client.post(f"/moderation/posts/{targets['reply']}/block",
                    data={"scope": "site", "reason": "r"})
        client.post(f"/moderation/blocks/{targets['block']}/delete", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Post, targets["reply"]).hidden_at is None
    assert db.session.get(Post, targets["hidden"]).hidden_at is not None
    assert [f.status for f in db.session.scalars(select(Flag))] == ["open"]
    assert db.session.query(Block).count() == 1
    assert db.session.query(AuditEntry).count() == audit_before
