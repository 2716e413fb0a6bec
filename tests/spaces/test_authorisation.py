"""Every spaces route with every role. Forms are posted empty (allowed roles get the form back with
errors, 422, nothing changes); destructive routes are posted confirmed, on a phase or role made
for the purpose, and their effect is checked.

Outcomes: 200 page, 422 the form refused, "login" a redirect to the login page, 403 refused,
"done" a redirect after the action took effect."""
from __future__ import annotations

from datetime import date

import pytest

from app.accounts.models import RoleAssignment
from app.spaces.models import Phase
from tests.people import client_for

# Column order: anonymous, participant, facilitator of another space, facilitator of this
# space, moderator of this space, admin.
ROLES = ("anonymous", "participant", "other_facilitator", "facilitator", "moderator", "admin")
FACILITATORS_ONLY = ("login", 403, 403, 200, 403, 200)
CREATORS = ("login", 403, 200, 200, 403, 200)
FACILITATORS_SUBMIT = ("login", 403, 403, 422, 403, 422)
CREATORS_SUBMIT = ("login", 403, 422, 422, 403, 422)
EVERYONE = (200, 200, 200, 200, 200, 200)

ROUTES = [
    # (name, method, path template, data, expected per role)
    ("listing", "GET", "/spaces/", None, EVERYONE),
    ("detail", "GET", "/spaces/{slug}/", None, EVERYONE),
    ("detail of unlisted", "GET", "/spaces/{unlisted}/", None, EVERYONE),
    ("new form", "GET", "/spaces/new", None, CREATORS),
    ("new submit", "POST", "/spaces/new", {}, CREATORS_SUBMIT),
    ("edit form", "GET", "/spaces/{slug}/edit", None, FACILITATORS_ONLY),
    ("edit submit", "POST", "/spaces/{slug}/edit", {}, FACILITATORS_SUBMIT),
    ("phases", "GET", "/spaces/{slug}/phases", None, FACILITATORS_ONLY),
    ("add phase", "POST", "/spaces/{slug}/phases", {}, FACILITATORS_SUBMIT),
    ("edit phase form", "GET", "/spaces/{slug}/phases/{phase}/edit", None, FACILITATORS_ONLY),
    ("edit phase submit", "POST", "/spaces/{slug}/phases/{phase}/edit", {}, FACILITATORS_SUBMIT),
    ("delete phase", "POST", "/spaces/{slug}/phases/{phase}/delete", {"confirm": "yes"},
     ("login", 403, 403, "done", 403, "done")),
    ("copy form", "GET", "/spaces/{slug}/copy", None, CREATORS),
    ("copy submit", "POST", "/spaces/{slug}/copy", {}, CREATORS_SUBMIT),
    ("copy unlisted form", "GET", "/spaces/{unlisted}/copy", None, FACILITATORS_ONLY),
    ("copy unlisted submit", "POST", "/spaces/{unlisted}/copy", {}, FACILITATORS_SUBMIT),
    ("team", "GET", "/spaces/{slug}/team", None, FACILITATORS_ONLY),
    ("add to team", "POST", "/spaces/{slug}/team", {}, FACILITATORS_SUBMIT),
    ("remove from team", "POST", "/spaces/{slug}/team/{assignment}/remove", {"confirm": "yes"},
     ("login", 403, 403, "done", 403, "done")),
]


@pytest.mark.parametrize("method, path, data, expected", [
    pytest.param(method, path, data, expected, id=name) for name, method, path, data, expected in ROUTES])
def test_route_by_role(app, make, db, world, method, path, data, expected):
    """One route, each role in turn with its own client; destructive targets are made afresh."""
    space = world.space
    unlisted = make.space("unlisted-plan", visibility="unlisted")
    world.facilitator.roles.append(RoleAssignment(role="facilitator", space_id=unlisted.id))
    world.moderator.roles.append(RoleAssignment(role="moderator", space_id=unlisted.id))
    db.session.commit()
    for role, outcome in zip(ROLES, expected):
        phase = Phase(name="削除候補", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
        space.phases.append(phase)
        target = make.user()
        target.roles.append(RoleAssignment(role="moderator", space_id=space.id))
        db.session.commit()
        target_role_id = target.roles[0].id
        url = path.format(slug=space.slug, unlisted=unlisted.slug, phase=phase.id,
                          assignment=target_role_id)
        client = client_for(app, world, role, locale=None)

        response = client.open(url, method=method, data=data)

        where = f"{method} {url} as {role}"
        if outcome == "login":
            assert response.status_code == 302 and "/auth/login" in response.location, where
        elif outcome == "done":
            assert response.status_code == 302 and "/auth/login" not in response.location, where
        else:
            assert response.status_code == outcome, where
        db.session.expire_all()
        if "/delete" in url:
            assert (db.session.get(Phase, phase.id) is None) == (outcome == "done"), where
        if "/remove" in url:
            assert (db.session.get(RoleAssignment, target_role_id) is None) == (outcome == "done"), where
