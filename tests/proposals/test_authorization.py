"""Every route of the proposals module with every role: anonymous, participant, the author,
a facilitator of another space, the space's facilitator, a moderator, an admin. A refused
request changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.proposals import services
from app.proposals.models import (Proposal, ProposalCategory, ProposalSettings,
                                  ProposalStatusChange, ProposalSupport)
from tests.proposals.helpers import draft, published, url
from tests.people import ROLES, client_for

LOGIN = "login"  # a redirect to the login page
MANAGERS = {"facilitator", "admin"}


def _expect(allowed: int, *, anonymous=LOGIN, managers_only=False, author_only=False,
            others=None) -> dict:
    table = {}
    for role in ROLES:
        if role == "anonymous":
            table[role] = anonymous
        elif managers_only:
            table[role] = allowed if role in MANAGERS else 403
        elif author_only:
            table[role] = allowed if role == "author" else others
        else:
            table[role] = allowed
    return table


# (name, method, path template, data, expected per role). {draft}, {pub}, {cat} are filled in.
CASES = [
    ("list", "GET", "", None, _expect(200, anonymous=200)),
    ("similar", "GET", "similar?q=食堂", None, _expect(200, anonymous=200)),
    ("new form", "GET", "new", None, _expect(200)),
    ("create", "POST", "new", {"title": "新しい案", "body": "本文", "category": "{cat}"},
     _expect(303)),
    ("draft detail", "GET", "{draft}", None, _expect(302, anonymous=404, author_only=True,
                                                    others=404)),
    ("edit form", "GET", "{draft}/edit", None, _expect(200, author_only=True, others=404)),
    ("edit", "POST", "{draft}/edit", {"title": "改", "body": "改", "category": "{cat}"},
     _expect(303, author_only=True, others=404)),
    ("preview", "GET", "{draft}/preview", None, _expect(200, author_only=True, others=404)),
    ("publish", "POST", "{draft}/publish", {}, _expect(303, author_only=True, others=404)),
    ("delete draft", "POST", "{draft}/delete", {"confirm": "yes"},
     _expect(303, author_only=True, others=404)),
    ("edit published", "GET", "{pub}/edit", None, _expect(302, author_only=True, others=403)),
    ("detail", "GET", "{pub}", None, _expect(200, anonymous=200)),
    ("support", "POST", "{pub}/support", {}, _expect(303)),
    ("unsupport", "POST", "{pub}/unsupport", {}, _expect(303)),
    ("comment", "POST", "{pub}/comments", {"body": "コメント"}, _expect(303)),
    ("status form", "GET", "{pub}/status", None, _expect(200, managers_only=True)),
    ("status", "POST", "{pub}/status", {"status": "under_review", "answer": "検討"},
     _expect(303, managers_only=True)),
    ("export", "GET", "export.csv", None, _expect(200, managers_only=True)),
    ("settings form", "GET", "settings", None, _expect(200, managers_only=True)),
    ("settings", "POST", "settings", {"support_threshold": "5"}, _expect(303, managers_only=True)),
    ("add category", "POST", "settings/categories", {"new-name_ja": "観光"},
     _expect(303, managers_only=True)),
    ("edit category", "POST", "settings/categories/{cat}",
     {"c{cat}-name_ja": "暮らし", "c{cat}-position": "0"}, _expect(303, managers_only=True)),
    ("delete category", "POST", "settings/categories/{spare}/delete", {"confirm": "yes"},
     _expect(303, managers_only=True)),
]


def _snapshot(db) -> tuple:
    db.session.expire_all()
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))
    return (count(Proposal), count(ProposalSupport), count(ProposalStatusChange),
            count(ProposalCategory), count(ProposalSettings),
            tuple(db.session.execute(select(Proposal.id, Proposal.status, Proposal.title,
                                            Proposal.support_count)
                                     .order_by(Proposal.id)).all()),
            tuple(db.session.scalars(select(ProposalCategory.name_ja)
                                     .order_by(ProposalCategory.id))),
            tuple(db.session.scalars(select(ProposalSettings.support_threshold))))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", CASES, ids=[c[0] for c in CASES])
def test_route_and_role(app, world, db, role, name, method, path, data, expected):
    categories = services.list_categories(db.session, world.space)
    spare = services.add_category(db.session, world.space, name_ja="未使用")
    db.session.commit()
    pub = published(db, world.space, world.author, category=categories[0])
    hidden = draft(db, world.space, world.author, title="下書き", category=categories[0])
    fill = {"draft": hidden.id, "pub": pub.id, "cat": categories[0].id, "spare": spare.id}
    target = url(world.space, path.format(**fill))
    form = {k.format(**fill): v.format(**fill) for k, v in (data or {}).items()}
    client = client_for(app, world, role)
    before = _snapshot(db)
    response = client.get(target) if method == "GET" else client.post(target, data=form)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == want, (response.status_code, response.text[:300])
    if method == "POST" and want in (LOGIN, 403, 404):
        assert _snapshot(db) == before


@pytest.mark.parametrize("role", ROLES)
def test_api_is_public_for_published_and_hides_drafts_from_everyone(app, world, db, role):
    pub = published(db, world.space, world.author)
    hidden = draft(db, world.space, world.author, title="下書き")
    client = client_for(app, world, role)
    assert client.get(f"/api/v1/spaces/{world.space.slug}/proposals").status_code == 200
    assert client.get(f"/api/v1/proposals/{pub.id}").status_code == 200
    assert client.get(f"/api/v1/proposals/{hidden.id}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_proposal_of_another_space_is_not_found_here(app, world, db, role):
    elsewhere = published(db, world.other_space, world.author)
    client = client_for(app, world, role)
    assert client.get(url(world.space, f"{elsewhere.id}")).status_code == 404
    response = client.post(url(world.space, f"{elsewhere.id}/support"))
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProposalSupport)) == 0


@pytest.mark.parametrize("role", ROLES)
def test_disabled_module_and_unknown_space_are_not_found(app, make, world, db, role):
    off = make.space("off-space", proposals_enabled=False)
    client = client_for(app, world, role)
    for path in (url(off), url(off, "new"), url(off, "export.csv"), "/spaces/nowhere/proposals/"):
        assert client.get(path).status_code == 404


def test_the_facilitators_category_of_another_space_is_not_found(app, world, db):
    foreign = services.list_categories(db.session, world.other_space)[0]
    db.session.commit()
    client = client_for(app, world, "facilitator")
    response = client.post(url(world.space, f"settings/categories/{foreign.id}"),
                           data={f"c{foreign.id}-name_ja": "乗っ取り"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ProposalCategory, foreign.id).name_ja != "乗っ取り"
