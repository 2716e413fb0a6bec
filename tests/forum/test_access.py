"""Every forum route walked by anonymous, participant, author, facilitator, moderator and admin.
Only authors edit or delete their posts; only the space's facilitators (and admins) pin, lock
and close; anonymous visitors read and are sent to log in for everything else."""
from __future__ import annotations

import pytest

from tests.forum.helpers import is_login_redirect, walk_targets
from tests.people import ROLES, client_for

LOGIN = "login"
ALL = dict.fromkeys(ROLES)


def expect(default, **per_role):
    return {role: per_role.get(role, default) for role in ROLES}


# (method, path, form data, expected status per role; LOGIN = sent to the login page)
ROUTES = [
    ("GET", "{forum}", {}, expect(200)),
    ("GET", "{forum}?q=公園&sort=replies&page=2", {}, expect(200)),
    ("GET", "{forum}new", {}, expect(200, anonymous=LOGIN)),
    ("POST", "{forum}new", {"title": "題", "body": "本文"}, expect(302, anonymous=LOGIN)),
    ("GET", "{forum}threads/{thread}", {}, expect(200)),
    ("GET", "{forum}threads/{thread}?reply_to={reply}&quote=1", {}, expect(200)),
    ("POST", "{forum}threads/{thread}/reply", {"body": "返信"}, expect(302, anonymous=LOGIN)),
    ("GET", "{forum}posts/{reply}", {}, expect(302)),
    ("GET", "{forum}posts/{reply}/edit", {},
     expect(403, anonymous=LOGIN, author=200)),
    ("POST", "{forum}posts/{reply}/edit", {"body": "直した"},
     expect(403, anonymous=LOGIN, author=302)),
    ("GET", "{forum}posts/{reply}/delete", {},
     expect(403, anonymous=LOGIN, author=200)),
    ("POST", "{forum}posts/{reply}/delete", {"confirm": "yes"},
     expect(403, anonymous=LOGIN, author=302)),
    # Everyone logged in may try; the author's own reaction is refused with a message.
    ("POST", "{forum}posts/{reply}/react", {"kind": "agree"}, expect(303, anonymous=LOGIN)),
    *[("POST", "{forum}threads/{thread}/" + state, {"value": "1"},
       expect(403, anonymous=LOGIN, facilitator=303, admin=303))
      for state in ("pinned", "locked", "closed")],
    ("GET", "/forum/settings", {}, expect(200, anonymous=LOGIN)),
    ("POST", "/forum/settings", {"forum_email_digest": "y"}, expect(303, anonymous=LOGIN)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, data, expected", ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_forum_route_by_role(app, db, world, role, method, path, data, expected):
    targets = walk_targets(db, world)
    client = client_for(app, world, role)
    url = path.format(**targets)
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    if expected[role] == LOGIN:
        assert is_login_redirect(response), (role, url, response.status_code)
    else:
        assert response.status_code == expected[role], (role, url, response.status_code)


def test_only_the_author_changed_the_post_and_only_facilitators_pinned(app, db, world):
    from app.forum.models import Post, Thread

    targets = walk_targets(db, world)
    for role in ROLES:
        if role == "author":
            continue
        client = client_for(app, world, role)
        client.post(f"{targets['forum']}posts/{targets['reply']}/edit", data={"body": "乗っ取り"})
        client.post(f"{targets['forum']}posts/{targets['reply']}/delete", data={"confirm": "yes"})
        if role not in ("facilitator", "admin"):
            client.post(f"{targets['forum']}threads/{targets['thread']}/pinned",
                        data={"value": "1"})
    db.session.expire_all()
    post = db.session.get(Post, targets["reply"])
    assert post.body == "著者の返信" and post.deleted_at is None
    assert db.session.get(Thread, targets["thread"]).pinned is False
