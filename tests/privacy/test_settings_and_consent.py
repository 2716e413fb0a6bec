"""Attacks on the age settings and on consent.

1. A facilitator who could move a space's minimum age one year at a time, reading the age x
   gender table after each step, would learn in which year each participant was born. Once a
   space has participants the age settings are fixed for facilitators; only an admin changes
   them, and every such change is audited and noted beside the figures.
2. A person who withdraws consent must stop being counted by their age, gender and sector at
   once, in every space: the figures count them as unknown."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.representation.ledger import record_participation
from app.representation.models import Participation
from app.common.time import utcnow
from app.representation.services import build_report
from app.spaces.models import Space
from tests.representation.dashboard_fixtures import add_participants, load_population
from tests.people import log_in


@pytest.fixture
def setting(make, db):
    space = make.space("kita-review")
    elsewhere = make.space("other-review")
    load_population(db.session)
    add_participants(db.session, space, 10, age=30, gender="female")
    add_participants(db.session, space, 10, age=65, gender="male")
    add_participants(db.session, space, 5, age=50, gender=None)
    hanako = make.user("hanako@example.jp", birth_year=1996, gender="female", sector="labour")
    for where in (space, elsewhere):
        record_participation(db.session, where.id, hanako, "forum")
    db.session.commit()
    # Four later participants close Hanako's batch: figures count whole batches of 5 only.
    add_participants(db.session, space, 4, age=40, gender="male",
                     first_at=utcnow() + timedelta(days=1))
    return {"space": space, "elsewhere": elsewhere, "hanako": hanako,
            "facilitator": make.user("fac@example.jp", roles=(f"facilitator:{space.id}",)),
            "admin": make.user("admin@example.jp", roles=("admin",))}


def _form(space: Space, **ages) -> dict:
    return {"title": space.title, "slug": space.slug, "area": "01100", "description_md": "説明",
            "min_age": "18", "youth_min": "18", "youth_max": "39", "forum_enabled": "y",
            "proposals_enabled": "y", "surveys_enabled": "y", "visibility": "public",
            "reference_choice": "auto", "participation": "everyone", **ages}


def _ages(db, space) -> tuple[int, int, int]:
    db.session.expire_all()
    stored = db.session.get(Space, space.id)
    return stored.min_age, stored.youth_min, stored.youth_max


def test_facilitator_cannot_step_the_age_settings(client, db, setting):
    space = setting["space"]
    log_in(client, setting["facilitator"])
    client.get("/lang/en")
    # Each step the attack needs is refused, beside its field, and nothing is stored.
    for step in ({"min_age": "19", "youth_min": "19"}, {"min_age": "17"},
                 {"youth_min": "20"}, {"youth_max": "38"}):
        response = client.post("/spaces/kita-review/edit", data=_form(space, **step))
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "only an administrator can change its age settings" in html
        assert _ages(db, space) == (18, 18, 39)
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_admin_change_is_audited_and_noted(client, db, setting):
    space, admin = setting["space"], setting["admin"]
    log_in(client, admin)
    client.get("/lang/en")
    response = client.post("/spaces/kita-review/edit",
                           data=_form(space, min_age="16", youth_min="16"))
    assert response.status_code == 302 and _ages(db, space) == (16, 16, 39)
    (entry,) = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "space.age_settings")).all()
    assert entry.actor_id == admin.id
    assert entry.detail["changes"] == {"min_age": [18, 16], "youth_min": [18, 16]}
    assert entry.detail["participants"] == 30
    html = client.get("/spaces/kita-review/edit").get_data(as_text=True)
    assert "The minimum age was changed from 18 to 16" in html
    assert "figures before and after are not comparable" in html


def test_withdrawing_consent_blanks_every_snapshot_and_counts_the_person_as_unknown(
        client, db, setting):
    space, hanako = setting["space"], setting["hanako"]
    before = build_report(db.session, space, "gender")
    counts = {row.key: row.count for row in before.categories}
    assert (counts["female"], counts["male"], before.unknown) == (11, 14, 5)

    log_in(client, hanako)
    response = client.post("/auth/profile/demographics/withdraw", data={"confirm": "yes"})
    assert response.status_code == 302

    db.session.expire_all()
    snapshots = db.session.execute(select(Participation.age, Participation.gender,
                                          Participation.sector)
                                   .where(Participation.user_id == hanako.id)).all()
    assert len(snapshots) == 2 and set(snapshots) == {(None, None, None)}
    after = build_report(db.session, space, "gender")
    counts = {row.key: row.count for row in after.categories}
    # without an age she is left out of the gender comparison (eligible ages only, issue #12)
    assert (counts["female"], counts["male"], after.answered) == (10, 14, 24)
    assert after.participants == before.participants == 30
