"""Deliberation bodies: the service's rules, the pages (create, edit, compare, delete) and bad input."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from app.representation import bodies
from app.representation.bodies import BodyError
from app.representation.models import Body, BodyComposition
from app.representation.targets import set_targets
from tests.conftest import login
from tests.dom import csrf_token
from tests.representation.dashboard_fixtures import load_population
from tests.dom import attribute, field_error, outer_html


@pytest.fixture
def space(make, db):
    space = make.space("bodies-space")
    load_population(db.session)
    return space


@pytest.fixture
def facilitator(make, space, client):
    user = make.user(roles=(f"facilitator:{space.id}",))
    login(client, user.email)
    client.get("/lang/en")
    return user


def _bodies(db):
    return db.session.scalar(select(func.count()).select_from(Body))


# --- service ---------------------------------------------------------------------------------

def test_categories_follow_the_space(make, db):
    space = make.space("min16", min_age=16)
    cats = bodies.body_categories(space)
    assert cats["age_band"][0] == "16-29" and cats["age_band"][-1] == "80+"
    assert cats["gender"] == ["female", "male", "other"]
    assert "civil_society" in cats["sector"]


def test_save_update_delete(space, db):
    body = bodies.save_body(db.session, space, "  まちづくり審議会 ",
                            {"gender": {"female": 3, "male": 9, "other": 0},
                             "age_band": {"18-29": 1, "60-69": 8}})
    db.session.commit()
    assert body.name == "まちづくり審議会"
    counts = bodies.counts_of(body, bodies.body_categories(space))
    assert counts["gender"] == {"female": 3, "male": 9, "other": 0}
    assert counts["age_band"]["60-69"] == 8 and counts["age_band"]["30-39"] == 0
    # zero counts are not stored
    assert db.session.scalar(select(func.count()).select_from(BodyComposition)) == 4
    bodies.save_body(db.session, space, "審議会", {"gender": {"female": 6, "male": 6}}, body)
    db.session.commit()
    counts = bodies.counts_of(bodies.get_body(db.session, space, body.id),
                              bodies.body_categories(space))
    assert counts["gender"]["female"] == 6 and counts["age_band"]["60-69"] == 0
    bodies.delete_body(db.session, body)
    db.session.commit()
    assert _bodies(db) == 0
    assert db.session.scalar(select(func.count()).select_from(BodyComposition)) == 0


@pytest.mark.parametrize("name, composition, field", [
    ("審議会", {"gender": {"female": -1}}, "gender__female"),
    ("審議会", {"gender": {"female": 10_001}}, "gender__female"),
    ("審議会", {"gender": {"female": 1.5}}, "gender__female"),
    ("審議会", {"gender": {"female": True}}, "gender__female"),
    ("審議会", {"gender": {"nonbinary-x": 2}}, None),
    ("審議会", {"age_band": {"0-17": 2}}, None),
    ("審議会", {"residency": {"resident": 2}}, None),
    ("審議会", {"gender": {"female": 0}}, None),
    ("   ", {"gender": {"female": 1}}, "name"),
    ("x" * 121, {"gender": {"female": 1}}, "name"),
])
def test_bad_input_is_refused(space, db, name, composition, field):
    with pytest.raises(BodyError) as info:
        bodies.save_body(db.session, space, name, composition)
    assert info.value.field == field
    assert _bodies(db) == 0


def test_body_report_compares_with_the_reference(space, db):
    body = bodies.save_body(db.session, space, "審議会",
                            {"gender": {"female": 2, "male": 8, "other": 1},
                             "age_band": {"60-69": 10}})
    report = bodies.body_report(db.session, space, body, "gender")
    assert report.available and report.unreferenced == 1 and report.answered == 10
    women = report.categories[0]
    assert (women.key, women.count, women.share) == ("female", 2, 0.2)
    assert women.population_share == pytest.approx(0.5)
    assert not any(c.suppressed for c in report.categories)  # no suppression for a body
    sector = bodies.body_report(db.session, space, body, "sector")
    assert not sector.available and sector.unavailable_reason == "no_targets"
    set_targets(db.session, space, "sector", {"none": 0.6, "industry": 0.4})
    sector = bodies.body_report(db.session, space, body, "sector")
    assert sector.available and sector.reference.kind == "target"


# --- pages -----------------------------------------------------------------------------------

def test_create_view_and_compare(client, facilitator, space, db):
    html = client.get(f"/spaces/{space.slug}/representation/bodies/new").get_data(as_text=True)
    assert 'name="age_band__18-29"' in html and 'name="sector__civil_society"' in html
    response = client.post(f"/spaces/{space.slug}/representation/bodies/new", data={
        "name": "総合計画審議会", "gender__female": "3", "gender__male": "12",
        "age_band__18-29": "", "age_band__60-69": "15", "sector__industry": "5"})
    assert response.status_code == 302
    body = db.session.scalar(select(Body))
    assert response.headers["Location"] == f"/spaces/{space.slug}/representation/bodies/{body.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "総合計画審議会" in html
    assert html.count("<svg") == 2  # age and gender; sector has no targets yet
    assert "No target shares are set for this dimension yet." in html
    gender = outer_html(html, 'section[id="dim-gender"]')
    assert "Members" in gender and "20.0%" in gender  # 3 of 15
    assert ET.fromstring(outer_html(gender, "svg")).get("role") == "img"
    listing = client.get(f"/spaces/{space.slug}/representation/bodies").get_data(as_text=True)
    assert "総合計画審議会" in listing and ">15<" in listing


def test_negative_count_is_shown_next_to_the_field(client, facilitator, space, db):
    response = client.post(f"/spaces/{space.slug}/representation/bodies/new", data={
        "name": "審議会", "gender__female": "-2", "gender__male": "abc"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "gender__female").startswith("Enter a whole number between 0 and 10000")
    assert 'id="gender__male-error"' in html
    assert 'value="審議会"' in html and 'value="-2"' in html  # what was typed stays
    assert _bodies(db) == 0


def test_empty_body_is_refused(client, facilitator, space, db):
    response = client.post(f"/spaces/{space.slug}/representation/bodies/new", data={"name": "空"})
    assert response.status_code == 400
    assert "Enter the number of members in at least one category." in response.get_data(as_text=True)
    response = client.post(f"/spaces/{space.slug}/representation/bodies/new",
                           data={"name": "", "gender__female": "1"})
    assert response.status_code == 400 and 'id="name-error"' in response.get_data(as_text=True)
    assert _bodies(db) == 0


def test_unknown_fields_are_ignored(client, facilitator, space, db):
    response = client.post(f"/spaces/{space.slug}/representation/bodies/new", data={
        "name": "審議会", "gender__female": "1", "gender__robot": "5", "residency__resident": "3"})
    assert response.status_code == 302
    rows = db.session.execute(select(BodyComposition.dimension, BodyComposition.category)).all()
    assert rows == [("gender", "female")]


def test_edit_prefills_and_saves(client, facilitator, space, db):
    body = bodies.save_body(db.session, space, "旧名", {"gender": {"female": 4, "male": 4}})
    db.session.commit()
    url = f"/spaces/{space.slug}/representation/bodies/{body.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert 'value="旧名"' in html and attribute(html, 'input[name="gender__female"]', "value") == "4"
    response = client.post(url, data={"name": "新名", "gender__female": "5", "gender__male": "3"})
    assert response.status_code == 302
    db.session.expire_all()
    body = db.session.get(Body, body.id)
    assert body.name == "新名"
    assert bodies.counts_of(body, bodies.body_categories(space))["gender"]["female"] == 5


def test_delete_needs_confirmation(client, facilitator, space, db, app):
    body = bodies.save_body(db.session, space, "審議会", {"gender": {"female": 4}})
    db.session.commit()
    url = f"/spaces/{space.slug}/representation/bodies/{body.id}/delete"
    response = client.post(url)
    assert response.status_code == 302 and _bodies(db) == 1
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url, data={"confirm": "yes"}).status_code == 400  # no CSRF token
        page = client.get(f"/spaces/{space.slug}/representation/bodies/{body.id}").get_data(as_text=True)
        response = client.post(url, data={"confirm": "yes", "csrf_token": csrf_token(page)})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    assert response.headers["Location"] == f"/spaces/{space.slug}/representation/bodies"
    assert _bodies(db) == 0
