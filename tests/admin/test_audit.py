"""The audit log: the audit() service, the page, its filters and its pagination."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.admin.models import AuditEntry
from app.admin.services import audit, list_audit
from tests.conftest import login


def _rows(html: str) -> list[tuple[str, str]]:
    """(action, target) of every row shown."""
    return re.findall(r"<td>[^<]*<code>([^<]+)</code></td>\s*<td>\s*(?:<a [^>]+>)?([^<\s]+)", html)


def test_audit_service_records_actor_action_target_detail(world, db):
    entry = audit(db.session, world.admin, "forum.hide", "post:12", reason="spam", ids=[1, 2])
    db.session.commit()
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.actor_id, stored.action, stored.target) == (world.admin.id, "forum.hide", "post:12")
    assert stored.detail == {"reason": "spam", "ids": [1, 2]}
    assert stored.at is not None
    system = audit(db.session, None, "population.import", "source:1")
    db.session.commit()
    assert db.session.get(AuditEntry, system.id).actor_id is None


def test_entry_survives_its_actor(world, db):
    (fk,) = AuditEntry.__table__.c.actor_id.foreign_keys
    assert fk.ondelete == "SET NULL"
    if db.engine.dialect.name != "postgresql":
        return  # SQLite runs without foreign-key enforcement here; PostgreSQL shows the effect
    audit(db.session, world.moderator, "forum.hide", "post:1")
    db.session.commit()
    db.session.delete(world.moderator)
    db.session.commit()
    db.session.expire_all()
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.actor_id is None and entry.action == "forum.hide"


def test_page_lists_and_filters_by_action_and_actor(client, world, db):
    audit(db.session, world.moderator, "forum.hide", "post:7")
    audit(db.session, world.admin, "region.create", "region:R-X")
    db.session.commit()
    login(client, world.admin.email)
    client.get("/lang/en")
    client.post(f"/admin/users/{world.participant.id}/roles", data={"role": "moderator"})

    html = client.get("/admin/audit").get_data(as_text=True)
    assert _rows(html) == [("role.grant", f"user:{world.participant.id}"),
                           ("region.create", "region:R-X"), ("forum.hide", "post:7")]
    assert '<option value="forum.hide">forum.hide</option>' in html  # actions present offered
    assert "3 entries." in html

    html = client.get("/admin/audit?action=forum.hide").get_data(as_text=True)
    assert _rows(html) == [("forum.hide", "post:7")]
    html = client.get("/admin/audit?actor=ADMIN@example").get_data(as_text=True)
    assert [r[0] for r in _rows(html)] == ["role.grant", "region.create"]
    html = client.get("/admin/audit?actor=運営").get_data(as_text=True)  # display name
    assert [r[0] for r in _rows(html)] == ["role.grant", "region.create"]
    html = client.get("/admin/audit?action=region.create&actor=mod@").get_data(as_text=True)
    assert _rows(html) == [] and "No entry matches." in html


def test_audit_is_paginated_newest_first(world, db):
    for n in range(30):
        audit(db.session, world.admin, "test.action", f"thing:{n}")
    db.session.commit()
    first = list_audit(db.session, page=1, per_page=20)
    assert first.total == 30 and first.pages == 2 and len(first.items) == 20
    assert first.items[0].target == "thing:29"
    second = list_audit(db.session, page=2, per_page=20)
    assert [e.target for e in second.items][-1] == "thing:0"


def test_every_admin_change_is_audited(client, world, db):
    login(client, world.admin.email)
    pid = world.participant.id
    client.post(f"/admin/users/{pid}/roles", data={"role": "moderator"})
    role_id = db.session.scalar(select(AuditEntry.id))  # any: just ensure a row exists
    assert role_id is not None
    db.session.expire_all()
    new_role = [r for r in world.participant.roles if r.role == "moderator"][0]
    client.post(f"/admin/users/{pid}/roles/{new_role.id}/revoke", data={"confirm": "yes"})
    client.post(f"/admin/users/{pid}/deactivate", data={"confirm": "yes"})
    client.post(f"/admin/users/{pid}/reactivate", data={"confirm": "yes"})
    client.post("/admin/areas/regions/new", data={
        "code": "R-TWO", "name_ja": "二", "name_en": "Two", "members": "01100 01203"})
    client.post("/admin/areas/regions/R-TWO/edit", data={
        "name_ja": "二つ", "name_en": "Two", "members": "01100 01203"})
    client.post("/admin/areas/regions/R-TWO/delete", data={"confirm": "yes"})
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["role.grant", "role.revoke", "user.deactivate", "user.reactivate",
                       "region.create", "region.update", "region.delete"]
    assert set(db.session.scalars(select(AuditEntry.actor_id))) == {world.admin.id}


def test_actions_have_readable_names_in_both_languages(client, world, db):
    audit(db.session, world.facilitator, "space.age_settings", f"space:{world.space.id}",
          space=world.space.slug, participants=3, changes={"min_age": [18, 16]})
    audit(db.session, world.participant, "export.personal_data", f"user:{world.participant.id}")
    audit(db.session, world.admin, "something.new", "thing:1")
    db.session.commit()
    login(client, world.admin.email)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="space.age_settings">参加の場の年齢設定の変更</option>' in html
    assert '<option value="export.personal_data">個人データのダウンロード</option>' in html
    assert '<option value="something.new">something.new</option>' in html  # unknown: its code
    client.get("/lang/en")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="space.age_settings">Space age settings changed</option>' in html
    assert "Personal data downloaded <code>export.personal_data</code>" in html
    # Changes read as old → new, one line per field.
    assert "<li><code>min_age</code>: 18 → 16</li>" in html
    html = client.get("/admin/audit?action=export.personal_data").get_data(as_text=True)
    assert _rows(html) == [("export.personal_data", f"user:{world.participant.id}")]


def test_every_known_action_has_a_label_in_both_catalogs(app):
    from flask_babel import force_locale

    from app.admin.forms import AUDIT_ACTION_LABELS

    with app.test_request_context("/"):
        for action, label in AUDIT_ACTION_LABELS.items():
            with force_locale("en"):
                english = str(label)
            with force_locale("ja"):
                japanese = str(label)
            assert english != japanese, action  # translated, not the msgid again
