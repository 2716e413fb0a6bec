"""Stable age settings: once a space has participants, its minimum age and youth band change only
by an admin, every change is audited with old and new values, and the changes are noted beside
the figures."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.errors import DomainError
from app.representation.ledger import record_participation
from app.spaces import services
from app.spaces.history import age_setting_changes
from app.spaces.models import Space
from tests.dom import field_error, parse

AGES = ("min_age", "youth_min", "youth_max")


def _form(space: Space, **overrides) -> dict:
    """The edit form as the page sends it, with the stored values unless overridden."""
    data = {"title": space.title, "slug": space.slug, "area": space.area.code,
            "description_md": space.description_md, "min_age": str(space.min_age),
            "youth_min": str(space.youth_min), "youth_max": str(space.youth_max),
            "forum_enabled": "y", "proposals_enabled": "y", "surveys_enabled": "y",
            "visibility": space.visibility, "reference_choice": space.reference_choice,
            "participation": space.participation}
    data.update(overrides)
    return data


def _input(html: str, field_id: str) -> dict:
    """The attributes of the input `field_id`."""
    node = parse(html).css_first(f'input[id="{field_id}"]')
    assert node is not None, f"no input {field_id}"
    return node.attributes


_error_of = field_error


def _stored(db, space) -> tuple:
    db.session.expire_all()
    stored = db.session.get(Space, space.id)
    return stored.title, stored.min_age, stored.youth_min, stored.youth_max


def _age_entries(db) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "space.age_settings").order_by(AuditEntry.id)))


@pytest.fixture
def joined(world, make, db):
    """world.space with one participant in its ledger."""
    record_participation(db.session, world.space.id, make.user(birth_year=2006, gender="female"),
                         "forum")
    db.session.commit()
    return world


def test_without_participants_facilitators_edit_the_ages_freely(client, world, sign_in, db):
    sign_in(world.facilitator)
    client.get("/lang/en")
    html = client.get("/spaces/kita-plan/edit").get_data(as_text=True)
    assert "readonly" not in _input(html, "min_age") and "age-settings-locked" not in html
    response = client.post("/spaces/kita-plan/edit", data=_form(world.space, min_age="16",
                                                                youth_min="16"))
    assert response.status_code == 302
    assert _stored(db, world.space)[1:] == (16, 16, 39)
    (entry,) = _age_entries(db)
    assert entry.detail["changes"] == {"min_age": [18, 16], "youth_min": [18, 16]}
    assert entry.detail["participants"] == 0
    # No figures existed before, so nothing to note beside them.
    assert age_setting_changes(db.session, world.space) == []


def test_facilitator_sees_the_ages_read_only_and_why(client, joined, sign_in):
    sign_in(joined.facilitator)
    html = client.get("/spaces/kita-plan/edit").get_data(as_text=True)
    for name in AGES:
        tag = _input(html, name)
        assert "readonly" in tag and tag["aria-describedby"] == "age-settings-locked"
    assert 'id="age-settings-locked"' in html and "生まれ年" in html
    client.get("/lang/en")
    html = client.get("/spaces/kita-plan/edit").get_data(as_text=True)
    assert "its age settings are fixed" in html and "birth years" in html
    # Other fields stay editable.
    assert "readonly" not in _input(html, "title")


@pytest.mark.parametrize("name, value", [("min_age", "19"), ("youth_min", "20"),
                                         ("youth_max", "40")])
def test_facilitator_posting_changed_ages_is_refused_and_nothing_is_saved(
        client, joined, sign_in, db, name, value):
    sign_in(joined.facilitator)
    client.get("/lang/en")
    response = client.post("/spaces/kita-plan/edit",
                           data=_form(joined.space, title="変えた題名", **{name: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "only an administrator can change its age settings" in _error_of(html, name)
    assert _input(html, name)["value"] == value  # what was sent is kept
    assert _stored(db, joined.space) == ("北区のまちづくり", 18, 18, 39)
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_refusal_is_in_japanese_by_default(client, joined, sign_in, db):
    sign_in(joined.facilitator)
    html = client.post("/spaces/kita-plan/edit",
                       data=_form(joined.space, min_age="17")).get_data(as_text=True)
    assert "管理者" in _error_of(html, "min_age")


def test_facilitator_can_still_save_everything_else(client, joined, sign_in, db):
    sign_in(joined.facilitator)
    response = client.post("/spaces/kita-plan/edit", data=_form(joined.space, title="新しい題名"))
    assert response.status_code == 302
    assert _stored(db, joined.space) == ("新しい題名", 18, 18, 39)
    assert _age_entries(db) == []


def test_admin_changes_are_audited_and_noted_beside_the_figures(client, joined, sign_in, db):
    admin = joined.admin
    sign_in(admin)
    client.get("/lang/en")
    html = client.get("/spaces/kita-plan/edit").get_data(as_text=True)
    assert "readonly" not in _input(html, "min_age")
    assert "As an administrator you can change its age settings" in html
    response = client.post("/spaces/kita-plan/edit", data=_form(joined.space, min_age="16",
                                                                youth_min="16"))
    assert response.status_code == 302
    assert _stored(db, joined.space)[1:] == (16, 16, 39)
    (entry,) = _age_entries(db)
    assert entry.actor_id == admin.id and entry.target == f"space:{joined.space.id}"
    assert entry.detail == {"space": "kita-plan", "participants": 1,
                            "changes": {"min_age": [18, 16], "youth_min": [18, 16]}}

    changes = age_setting_changes(db.session, joined.space)
    assert [(c.field, c.old, c.new, c.at) for c in changes] == [
        ("min_age", 18, 16, entry.at), ("youth_min", 18, 16, entry.at)]
    html = client.get("/spaces/kita-plan/edit").get_data(as_text=True)
    assert "The minimum age was changed from 18 to 16 on " in html
    assert "The youth band's lower age was changed from 18 to 16" in html
    assert "figures before and after are not comparable" in html


def test_service_refuses_unless_told_the_actor_may(db, joined):
    space = joined.space
    facilitator = joined.facilitator
    with pytest.raises(DomainError) as caught:
        services.update_space(db.session, space, actor=facilitator, youth_max=45)
    assert caught.value.field == "youth_max"
    db.session.rollback()
    assert _stored(db, space)[1:] == (18, 18, 39)
    # Unchanged values are no change: the read-only fields come back as they were.
    services.update_space(db.session, space, actor=facilitator, min_age=18, title="題")
    services.update_space(db.session, space, actor=joined.admin,
                          may_change_locked_ages=True, youth_max=45)
    db.session.commit()
    assert _stored(db, space) == ("題", 18, 18, 45)


def test_note_lists_only_changes_made_after_people_took_part(db, joined, make):
    admin = joined.admin
    other = joined.other_space
    services.update_space(db.session, other, actor=admin, youth_max=35)  # nobody yet
    record_participation(db.session, other.id, make.user(), "surveys")
    services.update_space(db.session, other, actor=admin, may_change_locked_ages=True,
                          min_age=15, youth_min=15)
    services.update_space(db.session, other, actor=admin, may_change_locked_ages=True,
                          youth_max=29)
    db.session.commit()
    assert [(c.field, c.old, c.new) for c in age_setting_changes(db.session, other)] == [
        ("min_age", 18, 15), ("youth_min", 18, 15), ("youth_max", 35, 29)]
    assert age_setting_changes(db.session, joined.space) == []


def test_note_template_renders_in_both_languages(app, db, joined):
    from flask import render_template
    from flask_babel import force_locale

    services.update_space(db.session, joined.space, actor=joined.admin,
                          may_change_locked_ages=True, min_age=16, youth_min=16, youth_max=30)
    db.session.commit()
    changes = age_setting_changes(db.session, joined.space)
    with app.test_request_context("/"):
        with force_locale("en"):
            english = render_template("spaces/_age_settings_note.html", age_changes=changes)
        with force_locale("ja"):
            japanese = render_template("spaces/_age_settings_note.html", age_changes=changes)
        assert render_template("spaces/_age_settings_note.html", age_changes=[]).strip() == ""
    assert english.count("not comparable") == 3
    assert "upper age was changed from 39 to 30" in english
    assert "最低年齢" in japanese and "16" in japanese and "比較できません" in japanese
