"""Every change to a space is in the audit log: settings (old -> new, the description only as
"changed"), module switches, phases and the team, each with the person who made it."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import RoleAssignment
from app.admin.models import AuditEntry
from app.spaces.models import Phase


def _entries(db) -> list[tuple]:
    db.session.expire_all()
    return [(e.action, e.actor_id, e.target, e.detail) for e in
            db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _form(**overrides) -> dict:
    data = {"title": "北区のまちづくり", "slug": "kita-plan", "area": "01100",
            "description_md": "説明", "min_age": "18", "youth_min": "18", "youth_max": "39",
            "forum_enabled": "y", "proposals_enabled": "y", "surveys_enabled": "y",
            "visibility": "public", "reference_choice": "auto", "participation": "everyone"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_saving_unchanged_settings_writes_nothing(client, world, sign_in, db):
    sign_in(world.facilitator)
    assert client.post("/spaces/kita-plan/edit", data=_form()).status_code == 302
    assert _entries(db) == []


def test_settings_changes_old_to_new_and_description_only_as_changed(client, world, make,
                                                                     sign_in, db):
    make.area("01203", "小樽市", "Otaru")
    facilitator = world.facilitator
    sign_in(facilitator)
    secret = "住所は札幌市北区1-2-3の山田です"
    response = client.post("/spaces/kita-plan/edit", data=_form(
        title="北区の未来", slug="kita-future", area="01203", description_md=secret,
        visibility="unlisted", transparency_public="y", reference_choice="census"))
    assert response.status_code == 302
    ((action, actor, target, detail),) = _entries(db)
    assert (action, actor, target) == ("space.update", facilitator.id, f"space:{world.space.id}")
    assert detail == {"space": "kita-future", "description_changed": True, "changes": {
        "title": ["北区のまちづくり", "北区の未来"], "slug": ["kita-plan", "kita-future"],
        "area": ["01100", "01203"], "visibility": ["public", "unlisted"],
        "transparency_public": [False, True], "reference_choice": ["auto", "census"]}}
    assert secret not in str(detail) and "説明" not in str(detail)


def test_module_switches_are_their_own_entry(client, world, sign_in, db):
    sign_in(world.facilitator)
    client.post("/spaces/kita-plan/edit", data=_form(forum_enabled=None, proposals_enabled=None))
    ((action, actor, _target, detail),) = _entries(db)
    assert (action, actor) == ("space.modules", world.facilitator.id)
    assert detail == {"space": "kita-plan", "changes": {"forum_enabled": [True, False],
                                                        "proposals_enabled": [True, False]}}


def test_creating_and_copying_a_space_are_audited(client, world, sign_in, db):
    facilitator = world.facilitator
    sign_in(facilitator)
    assert client.post("/spaces/new", data=_form(slug="brand-new", title="新しい場")).status_code == 302
    assert client.post("/spaces/kita-plan/copy", data={
        "title": "写し", "slug": "kita-copy", "area": "01100"}).status_code == 302
    entries = _entries(db)
    assert [(a, actor, d["space"]) for a, actor, _t, d in entries] == [
        ("space.create", facilitator.id, "brand-new"),
        ("space.create", facilitator.id, "kita-copy"),
        ("space.copy", facilitator.id, "kita-copy")]
    assert entries[0][3]["area"] == "01100" and entries[2][3]["source"] == "kita-plan"


def test_phase_changes_are_audited(client, world, sign_in, db):
    facilitator = world.facilitator
    sign_in(facilitator)
    client.post("/spaces/kita-plan/phases", data={
        "name": "熟議", "starts_on": "2026-06-01", "ends_on": "2026-06-30", "position": "1"})
    phase = db.session.scalar(select(Phase).where(Phase.name == "熟議"))
    edit = f"/spaces/kita-plan/phases/{phase.id}/edit"
    client.post(edit, data={"name": "熟議（延長）", "starts_on": "2026-06-01",
                            "ends_on": "2026-07-15", "accepts_input": "y", "position": "1"})
    client.post(edit, data={"name": "熟議（延長）", "starts_on": "2026-06-01",  # unchanged
                            "ends_on": "2026-07-15", "accepts_input": "y", "position": "1"})
    client.post(f"/spaces/kita-plan/phases/{phase.id}/delete", data={"confirm": "y"})
    entries = _entries(db)
    assert [(a, actor, t) for a, actor, t, _d in entries] == [
        ("phase.create", facilitator.id, f"phase:{phase.id}"),
        ("phase.update", facilitator.id, f"phase:{phase.id}"),
        ("phase.delete", facilitator.id, f"phase:{phase.id}")]
    assert entries[0][3] == {"space": "kita-plan", "name": "熟議", "starts_on": "2026-06-01",
                             "ends_on": "2026-06-30", "accepts_input": False}
    assert entries[1][3] == {"space": "kita-plan", "name": "熟議（延長）", "changes": {
        "name": ["熟議", "熟議（延長）"], "ends_on": ["2026-06-30", "2026-07-15"],
        "accepts_input": [False, True]}}
    assert entries[2][3]["ends_on"] == "2026-07-15"


def test_refused_changes_write_nothing(client, world, sign_in, db):
    sign_in(world.facilitator)
    client.post("/spaces/kita-plan/edit", data=_form(title="", min_age="16", youth_min="16"))
    client.post("/spaces/kita-plan/phases", data={
        "name": "逆", "starts_on": "2026-07-02", "ends_on": "2026-07-01", "position": "1"})
    assert _entries(db) == []


def test_team_changes_are_audited(client, world, sign_in, db):
    facilitator, participant = world.facilitator, world.participant
    sign_in(facilitator)
    client.post("/spaces/kita-plan/team", data={"email": participant.email, "role": "moderator"})
    assignment = db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == participant.id))
    client.post(f"/spaces/kita-plan/team/{assignment.id}/remove", data={"confirm": "y"})
    # The last facilitator stays, and a refusal leaves no entry.
    own = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == facilitator.id))
    client.post(f"/spaces/kita-plan/team/{own.id}/remove", data={"confirm": "y"})
    assert _entries(db) == [
        ("team.add", facilitator.id, f"user:{participant.id}",
         {"space": "kita-plan", "role": "moderator"}),
        ("team.remove", facilitator.id, f"user:{participant.id}",
         {"space": "kita-plan", "role": "moderator"})]
