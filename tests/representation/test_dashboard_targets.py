"""The targets page: shares in percent that must add up to 100 per dimension."""
from __future__ import annotations

import pytest

from app.representation.targets import get_targets
from tests.conftest import login


@pytest.fixture
def space(make, db, client):
    space = make.space("targets-space")
    user = make.user(roles=(f"facilitator:{space.id}",))
    login(client, user.email)
    client.get("/lang/en")
    return space


def _url(space):
    return f"/spaces/{space.slug}/representation/targets"


def test_page_is_labelled_as_targets(client, space):
    html = client.get(_url(space)).get_data(as_text=True)
    assert "Residency type (targets, in %)" in html and "Sector (targets, in %)" in html
    assert "not statistics" in html
    assert 'name="residency__resident"' in html and 'name="sector__civil_society"' in html


def test_save_and_prefill(client, space, db):
    response = client.post(_url(space), data={
        "residency__resident": "80", "residency__relationship": "15", "residency__commuter": "5",
        "sector__none": "33.3", "sector__industry": "33.3", "sector__academia": "33.3"})
    assert response.status_code == 302
    assert get_targets(db.session, space, "residency") == pytest.approx(
        {"resident": 0.8, "relationship": 0.15, "dual_region": 0.0, "commuter": 0.05, "other": 0.0})
    sector = get_targets(db.session, space, "sector")
    assert sector["none"] == pytest.approx(0.333) and sector["media"] == 0.0
    html = client.get(_url(space)).get_data(as_text=True)
    assert 'value="80.0"' in html and 'value="33.3"' in html


def test_sum_must_be_100_with_a_message_next_to_the_fields(client, space, db):
    response = client.post(_url(space), data={
        "residency__resident": "80", "residency__relationship": "10",
        "sector__none": "100"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="residency-sum-error"' in html
    assert "The shares add up to 90.0%; they must add up to 100%." in html
    assert 'id="sector-sum-error"' not in html
    assert 'value="80"' in html  # what was typed stays
    assert get_targets(db.session, space, "residency") == {}
    assert get_targets(db.session, space, "sector") == {}  # nothing saved


@pytest.mark.parametrize("value", ["-5", "101", "abc"])
def test_bad_percentages(client, space, value):
    response = client.post(_url(space), data={"residency__resident": value,
                                               "residency__other": "100"})
    assert response.status_code == 400
    assert 'id="residency__resident-error"' in response.get_data(as_text=True)


def test_within_rounding_tolerance_and_clearing(client, space, db):
    response = client.post(_url(space), data={"sector__none": "66.7", "sector__industry": "33.7"})
    assert response.status_code == 302  # 100.4 is within ± 0.5: scaled to exactly 100
    shares = get_targets(db.session, space, "sector")
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["none"] == pytest.approx(66.7 / 100.4)
    response = client.post(_url(space), data={"sector__none": "66.7", "sector__industry": "33.9"})
    assert response.status_code == 400  # 100.6 is not
    response = client.post(_url(space), data={"sector__none": "66.6", "sector__industry": "33.0"})
    assert response.status_code == 302  # 99.6 is within ± 0.5
    assert get_targets(db.session, space, "sector") != {}
    response = client.post(_url(space), data={})
    assert response.status_code == 302
    assert get_targets(db.session, space, "sector") == {}


def test_targets_for_the_kinds_of_relationship_and_furusato(client, space, db):
    html = client.get(_url(space)).get_data(as_text=True)
    assert "Kind of relationship (relationship population) (targets, in %)" in html
    assert 'name="relationship_kind__family"' in html and 'name="furusato__premium"' in html
    response = client.post(_url(space), data={
        "relationship_kind__family": "60", "relationship_kind__visits": "40",
        "furusato__none": "70", "furusato__basic": "20", "furusato__premium": "10"})
    assert response.status_code == 302
    assert get_targets(db.session, space, "furusato") == pytest.approx(
        {"none": 0.7, "basic": 0.2, "premium": 0.1})
    assert get_targets(db.session, space, "relationship_kind")["family"] == pytest.approx(0.6)
    assert get_targets(db.session, space, "residency") == {}  # left empty: none set
