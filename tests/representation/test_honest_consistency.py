"""The dashboard, the JSON API and the CSV (facilitators), and the public page and the public API
(a release) show the same figures and verdicts for one space (issue #12)."""
from __future__ import annotations

import csv
import io

import pytest

from app.common.charts import pct
from app.representation import labels, releases, services
from app.representation.presenters import fmt_interval, fmt_p
from app.representation.dashboard import facilitator_page
from app.representation.targets import set_targets
from tests.conftest import login
from tests.representation.dashboard_fixtures import add_participants, load_population
from tests.dom import outer_html, table_rows


@pytest.fixture
def space(make, db):
    space = make.space("same-figures", transparency_public=True)
    load_population(db.session)
    add_participants(db.session, space, 40, age=65, gender="male", residency="resident")
    add_participants(db.session, space, 7, age=25, gender="female", residency="commuter")
    add_participants(db.session, space, 12, age=45, gender="female", residency="resident")
    add_participants(db.session, space, 12, age=None, gender="female", residency="resident")
    set_targets(db.session, space, "residency", {"resident": 0.9, "commuter": 0.1})
    db.session.commit()
    return space


def _rows(html: str, dimension: str) -> dict[str, list[str]]:
    return table_rows(outer_html(html, f'section[id="dim-{dimension}"] table'))


def _expected(category: dict, *, target: bool, counts: bool) -> list[str]:
    hidden = category["suppressed"]
    cells = []
    if counts:
        cells.append("hidden" if hidden else str(category["count"]))
    cells.append("hidden" if hidden else pct(category["share"]))
    cells.append(fmt_interval(category["ci_low"], category["ci_high"]))
    verdict = labels.verdict_label(category["verdict"], target=target) if category["verdict"] \
        else "–"
    return cells, verdict


def _check(html, data, *, counts: bool):
    target = data["reference"]["kind"] == "target"
    rows = _rows(html, data["dimension"])
    assert data["categories"] and len(rows) == len(data["categories"])
    assert any(c["verdict"] for c in data["categories"]) or all(
        c["suppressed"] for c in data["categories"])
    for category in data["categories"]:
        shown = rows[category["label"]]
        cells, verdict = _expected(category, target=target, counts=counts)
        assert shown[:len(cells)] == cells, category["key"]
        assert verdict in shown, category["key"]
        if counts:  # facilitators: both p-values beside the verdict
            at = shown.index(verdict)
            assert shown[at + 1:at + 3] == [fmt_p(category["p_value"]),
                                           fmt_p(category["p_adjusted"])]


def test_dashboard_api_and_csv_agree(client, make, db, space):
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    html = client.get(f"/spaces/{space.slug}/representation/").get_data(as_text=True)
    for dimension in ("age_band", "gender", "residency"):
        data = client.get(f"/api/v1/spaces/{space.slug}/representation",
                          query_string={"dimension": dimension}).get_json()
        _check(html, data, counts=True)
        text = client.get(f"/api/v1/spaces/{space.slug}/representation.csv",
                          query_string={"dimension": dimension}).get_data(as_text=True)
        table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff").split("\r\n\r\n")[0])))
        for row, category in zip(table, data["categories"]):
            assert row["verdict"] == (category["verdict"] or "")
            for name in ("p_value", "p_adjusted", "share", "ci_low"):
                value = category[name]
                if category["suppressed"] and name == "share":
                    assert row[name] == "x"
                else:
                    assert (row[name] == "") if value is None else \
                        float(row[name]) == pytest.approx(value)


def test_public_page_and_public_api_agree(client, make, db, space):
    releases.create_release(db.session, space, None, public_k=10, batch=5)
    db.session.commit()
    client.get("/lang/en")
    html = client.get(f"/spaces/{space.slug}/transparency").get_data(as_text=True)
    for dimension in ("age_band", "gender", "residency"):
        data = client.get(f"/api/v1/spaces/{space.slug}/representation",
                          query_string={"dimension": dimension}).get_json()
        assert data["min_cell"] == 10
        _check(html, data, counts=False)
        assert "p (unadjusted)" not in html  # the public page shows the verdict only


def test_no_statement_depends_on_how_hidden_people_split(make, db):
    documents = []
    for slug, young, middle in (("split-a", 3, 2), ("split-b", 2, 3)):
        space = make.space(slug)
        if not documents:
            load_population(db.session)  # the space brings the area
        add_participants(db.session, space, 40, age=65, gender="male")
        add_participants(db.session, space, young, age=25, gender="female")
        add_participants(db.session, space, middle, age=45, gender="female")
        page = facilitator_page(db.session, space, k=5)
        report = page.reports["age_band"]
        assert {c.key for c in report.categories if c.suppressed} == {"18-29", "40-49"}
        assert report.merged and report.overall_p_value is not None
        documents.append({key: value for key, value in services.report_as_dict(report).items()
                          if key != "space"})
    assert documents[0] == documents[1]


def test_a_release_made_before_the_verdicts_thaws_without_inventing_one(make, db, space):
    release = releases.create_release(db.session, space, None, public_k=10, batch=5)
    payload = {**release.payload, "reports": {
        dimension: {key: value for key, value in report.items()
                    if key not in ("overall_method", "overall_p_value", "overall_significant",
                                   "merged", "expected_dissimilarity", "withheld", "left_out")}
        | {"categories": [{key: value for key, value in row.items()
                           if key not in ("verdict", "p_value", "p_adjusted", "interval_method",
                                          "unknown_low", "unknown_high")}
                          for row in report["categories"]]}
        for dimension, report in release.payload["reports"].items()}}
    release.payload = payload
    db.session.commit()
    report = releases.thaw(space.slug, release)["reports"]["gender"]
    assert all(row.verdict is None for row in report.categories)
    assert report.overall_method is None and not report.merged

