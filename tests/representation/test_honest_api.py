"""The API document and its OpenAPI schema carry the same new keys (issue #12)."""
from __future__ import annotations

import pytest

from app.api.openapi import openapi_document
from tests.conftest import login
from tests.representation.dashboard_fixtures import add_participants, load_population


@pytest.mark.parametrize("dimension", ["age_band", "gender", "age_band_x_gender"])
def test_facilitator_document_matches_the_schema(client, make, db, dimension):
    space = make.space("schema-keys")
    load_population(db.session)
    add_participants(db.session, space, 30, age=65, gender="male")
    add_participants(db.session, space, 10, age=None, gender="female")
    login(client, make.user(roles=(f"facilitator:{space.id}",)).email)
    data = client.get(f"/api/v1/spaces/{space.slug}/representation",
                      query_string={"dimension": dimension}).get_json()
    schemas = openapi_document()["components"]["schemas"]
    top, category = schemas["Representation"], schemas["RepresentationCategory"]
    assert set(data) == set(top["required"]) == set(top["properties"])
    for name in ("reference", "chi_square", "overall_test"):
        part = top["properties"][name]
        assert set(data[name]) == set(part["required"]) == set(part["properties"])
    assert set(category["required"]) == set(category["properties"])
    for row in data["categories"]:
        assert set(row) == set(category["required"])
        assert row["verdict"] in category["properties"]["verdict"]["enum"]
        assert row["interval_method"] in category["properties"]["interval_method"]["enum"]
    assert data["reference"]["kind"] in top["properties"]["reference"]["properties"]["kind"]["enum"]
    assert data["reference"]["estimated"] is False
    assert data["overall_test"]["method"] in ("chi_square", "exact", "monte_carlo")


def test_register_figures_say_which_categories_are_estimated_and_how(client, make, db):
    from sqlalchemy import select

    from app.areas.models import Area
    from app.representation.population import load_shipped_population

    load_shipped_population(db.session, area_codes={"01100"})
    db.session.commit()
    sapporo = db.session.scalar(select(Area).where(Area.code == "01100"))
    space = make.space("register-estimates", area=sapporo, reference_choice="register")
    add_participants(db.session, space, 30, age=65, gender="male")
    add_participants(db.session, space, 20, age=25, gender="female")
    login(client, make.user(roles=(f"facilitator:{space.id}",)).email)

    def document(dimension):
        return client.get(f"/api/v1/spaces/{space.slug}/representation",
                          query_string={"dimension": dimension}).get_json()

    ages = document("age_band")
    assert ages["reference"]["kind"] == "register" and ages["reference"]["estimated"] is True
    assert ages["reference"]["split_method"] == "census_shape"
    assert ages["reference"]["shape_areas"] == ["01100"]
    estimated = {c["key"]: c["estimated"] for c in ages["categories"]}
    # only the band that takes 18-19 out of the register's 15-19 is an estimate
    assert estimated.pop("18-29") is True and not any(estimated.values())
    assert all(c["estimated"] is True for c in document("gender")["categories"])
    csv_text = client.get(f"/api/v1/spaces/{space.slug}/representation.csv",
                          query_string={"dimension": "age_band"}).get_data(as_text=True)
    assert "split_method,census_shape" in csv_text and "shape_areas,01100" in csv_text
