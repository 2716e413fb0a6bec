"""The representation API: exact keys, minimum cell per caller, bad parameters, CSV, OpenAPI."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.areas.models import Area
from app.representation import services
from app.representation.population import load_shipped_population
from tests.conftest import login
from tests.representation.test_services import add_rows

TOP_KEYS = {"space", "dimension", "module", "reference", "participants", "answered", "unknown",
            "unreferenced", "min_cell", "categories", "chi_square", "dissimilarity",
            "rate_ratio_min_max", "overall_test", "merged_hidden", "expected_dissimilarity",
            "withheld", "left_out"}
REFERENCE_KEYS = {"area_codes", "source", "reference_date", "base_min_age", "kind", "estimated"}
CATEGORY_KEYS = {"key", "label", "count", "share", "population", "population_share", "ratio",
                 "ci_low", "ci_high", "flag", "parity_gap", "suppressed", "verdict", "p_value",
                 "p_adjusted", "interval_method", "unknown_low", "unknown_high"}
CHI_KEYS = {"statistic", "df", "p_value", "valid"}


@pytest.fixture
def space(db, make):
    load_shipped_population(db.session, area_codes={"01100"})
    db.session.commit()
    space = make.space(slug="sapporo-review",
                       area=db.session.scalar(select(Area).where(Area.code == "01100")))
    # 7 women (visible at k=5, hidden at k=10), 30 men, 12 not answering.
    add_rows(db.session, space, [{"age": 25, "gender": "female", "forum": True}] * 7
             + [{"age": 45, "gender": "male", "forum": True}] * 20
             + [{"age": 70, "gender": "male", "proposal_supporters": True}] * 10
             + [{"age": None, "gender": None, "surveys": True}] * 12)
    return space


def _url(slug="sapporo-review", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/spaces/{slug}/representation" + (f"?{query}" if query else "")


@pytest.mark.parametrize("dimension", services.DIMENSIONS)
def test_keys_are_exactly_the_documented_ones(client, db, space, dimension):
    services.set_targets(db.session, space, "residency", {"resident": 1.0})
    services.set_targets(db.session, space, "sector", {"none": 0.5, "industry": 0.5})
    db.session.commit()
    response = client.get(_url(dimension=dimension))
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == TOP_KEYS
    assert set(data["reference"]) == REFERENCE_KEYS
    assert set(data["chi_square"]) == CHI_KEYS
    assert data["categories"] and all(set(c) == CATEGORY_KEYS for c in data["categories"])
    assert (data["space"], data["dimension"], data["module"]) == ("sapporo-review", dimension, "all")
    expected_kind = "target" if dimension in ("residency", "sector") else "census"
    assert data["reference"]["kind"] == expected_kind
    assert data["reference"]["area_codes"] == ["01100"]


def test_public_caller_gets_public_min_cell_and_census_reference(client, space):
    data = client.get(_url(dimension="gender")).get_json()
    assert data["min_cell"] == 10
    assert data["reference"] == {"area_codes": ["01100"], "source": data["reference"]["source"],
                                 "reference_date": "2020-10-01", "base_min_age": 18, "kind": "census",
                                 "estimated": False}
    assert "国勢調査" in data["reference"]["source"]
    female, male = data["categories"]
    assert female["key"] == "female" and female["suppressed"] and female["count"] is None
    assert female["share"] is None and female["ci_low"] is None and female["flag"] is None
    assert female["population"] == 911_870  # the population is no secret
    assert male["suppressed"]  # secondary: otherwise answered - male = female
    assert (data["participants"], data["answered"], data["unknown"], data["unreferenced"]) == (49, 37, 12, 0)


@pytest.mark.parametrize("roles,expected_k", [
    (("facilitator:{space}",), 5), (("facilitator",), 5), (("admin",), 5),
    (("facilitator:{other}",), 10), (("moderator:{space}",), 10), ((), 10),
])
def test_facilitators_of_the_space_get_the_facilitator_min_cell(client, make, space, roles, expected_k):
    other = make.space(area=space.area)
    user = make.user(roles=tuple(r.format(space=space.id, other=other.id) for r in roles))
    login(client, user.email)
    response = client.get(_url(dimension="gender"))
    data = response.get_json()
    assert data["min_cell"] == expected_k
    female = data["categories"][0]
    if expected_k == 5:
        assert (female["count"], female["suppressed"]) == (7, False)
        assert response.headers["Cache-Control"] == "private, no-store"
    else:
        assert (female["count"], female["suppressed"]) == (None, True)
        assert response.headers["Cache-Control"].startswith("public")
    assert "Cookie" in response.headers["Vary"]


@pytest.mark.parametrize("params,word", [
    ({"dimension": "age"}, "dimension"), ({"module": "panel"}, "module"),
    ({"since": "2026-13-01"}, "since"), ({"until": "yesterday"}, "until"),
    ({"since": "2026-06-02", "until": "2026-06-01"}, "until"),
])
def test_bad_parameters_give_400_json(client, space, params, word):
    client.get("/lang/en")
    response = client.get(_url(**params))
    assert response.status_code == 400 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["status"] == 400 and word in data["error"]


def test_unknown_space_is_404_json_and_unlisted_is_reachable(client, db, make, space):
    response = client.get(_url(slug="no-such-space"))
    assert response.status_code == 404 and response.get_json()["status"] == 404
    hidden = make.space(slug="unlisted-one", area=space.area, visibility="unlisted")
    add_rows(db.session, hidden, [{"gender": "female"}] * 11)
    data = client.get(_url(slug="unlisted-one", dimension="gender")).get_json()
    assert data["categories"][0]["count"] == 11


def test_module_and_date_filters(client, db, space):
    supporters = client.get(_url(dimension="age_band", module="proposal_supporters")).get_json()
    assert supporters["module"] == "proposal_supporters" and supporters["participants"] == 10
    assert {c["key"]: c["count"] for c in supporters["categories"]}["70-79"] == 10
    forum = client.get(_url(dimension="gender", module="forum")).get_json()
    assert forum["participants"] == 27
    add_rows(db.session, space, [{"gender": "female", "first_at": datetime(2026, 9, 1, 0)}] * 15)
    september = client.get(_url(dimension="gender", since="2026-09-01", until="2026-09-30")).get_json()
    assert september["participants"] == 15
    assert [c["count"] for c in september["categories"]] == [15, 0]


def test_csv_export_public_and_facilitator(client, make, space):
    response = client.get("/api/v1/spaces/sapporo-review/representation.csv?dimension=gender")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="sapporo-review-gender-all.csv"' in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8")
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert body.lstrip("\ufeff").splitlines()[1].startswith("female,") and ",<10,<10," in body
    assert client.get("/api/v1/spaces/sapporo-review/representation.csv?dimension=x").status_code == 400
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    response = client.get("/api/v1/spaces/sapporo-review/representation.csv?dimension=gender")
    assert "\r\nfemale,Women,7," in response.data.decode()
    assert response.headers["Cache-Control"] == "private, no-store"


def test_labels_follow_the_language(client, space):
    client.get("/lang/en")
    data = client.get(_url(dimension="age_band")).get_json()
    assert [c["label"] for c in data["categories"]][-1] == "80 and over"
    assert client.get(_url(dimension="gender")).get_json()["categories"][0]["label"] == "Women"


def test_openapi_document_describes_the_endpoint(client, space):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    operation = doc["paths"]["/spaces/{slug}/representation"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"slug", "dimension", "module", "since", "until"}
    dims = next(p for p in operation["parameters"] if p["name"] == "dimension")["schema"]["enum"]
    assert dims == list(services.DIMENSIONS)
    schema = doc["components"]["schemas"]["Representation"]
    assert set(schema["required"]) == set(schema["properties"]) == TOP_KEYS
    assert set(schema["properties"]["reference"]["required"]) == REFERENCE_KEYS
    assert set(schema["properties"]["chi_square"]["required"]) == CHI_KEYS
    category = doc["components"]["schemas"]["RepresentationCategory"]
    assert set(category["required"]) == set(category["properties"]) == CATEGORY_KEYS
    assert "/spaces/{slug}/representation.csv" in doc["paths"]
    # The real response validates against the documented shape.
    data = client.get(_url(dimension="gender")).get_json()
    assert set(data) == TOP_KEYS


def test_register_path_adds_other_modules_endpoints(client):
    from app.api import openapi

    openapi.register_path("/spaces/{slug}/example", {"get": {"summary": "x", "responses": {}}})
    try:
        assert "/spaces/{slug}/example" in client.get("/api/v1/openapi.json").get_json()["paths"]
    finally:
        openapi._PATHS.pop("/spaces/{slug}/example")
