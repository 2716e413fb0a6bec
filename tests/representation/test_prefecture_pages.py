"""The prefecture page, its CSV and its JSON: anyone may read them; sortable without JavaScript
(links, aria-sort); a municipality with too few participants says so; the CSV starts with the
6-digit local government code; the JSON is in the OpenAPI document."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

from tests.people import client_as
from tests.representation.prefecture_fixtures import hokkaido, join, publish


def _world(make, db):
    pref, towns = hokkaido(make, db.session, 4)
    sapporo = make.space("pp-sapporo", title="札幌の場", area=towns["01100"],
                         transparency_public=True)
    join(db.session, sapporo, 30, age=65, gender="male")
    join(db.session, sapporo, 10, age=25, gender="female")
    publish(db.session, sapporo)
    otaru = make.space("pp-otaru", title="小樽の場", area=towns["01203"], transparency_public=True)
    join(db.session, otaru, 10, age=25, gender="female")
    join(db.session, otaru, 10, age=45, gender="male")
    publish(db.session, otaru)
    hakodate = make.space("pp-hakodate", area=towns["01202"], transparency_public=True)
    join(db.session, hakodate, 3, age=22, gender="female")
    return pref, towns


def _body_rows(html: str) -> list[str]:
    tbody = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", " ", r)) for r in tbody.split("<tr>")[1:]]


def test_the_page_lists_municipalities_and_sorts_without_javascript(client, make, db):
    _world(make, db)
    html = client.get("/areas/01000/overview").get_data(as_text=True)
    assert "<caption" in html and 'scope="row"' in html
    assert 'aria-sort="ascending"' in html  # by code, the default
    rows = _body_rows(html)
    assert [r.split()[0] for r in rows] == ["011002", "012025", "012033", "012041"]
    assert "25.0%" in rows[0] and "50.0%" in rows[2]
    assert "40" in rows[0].split()  # the release's participants
    assert "%" not in rows[1]  # Hakodate: three people, no figure at all
    assert "/spaces/pp-sapporo/transparency?release=1" in html
    page = client.get("/areas/01000/overview?sort=youth_share&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page
    order = [r.split()[0] for r in _body_rows(page)]
    assert order[:2] == ["012033", "011002"] and sorted(order[2:]) == order[2:]
    assert "sort=youth_share&amp;order=asc" in page  # the active column's link turns it round


def test_the_page_reads_in_both_languages(app, make, db):
    _world(make, db)
    english = client_as(app, None, locale="en").get("/areas/01000/overview").get_data(
        as_text=True)
    assert "Municipalities of Hokkaido compared" in english
    assert "Too few participants: figures are published once at least 10 people" in english
    japanese = client_as(app, None, locale=None).get("/areas/01000/overview").get_data(
        as_text=True)
    assert "北海道の市町村の比較" in japanese
    assert "参加者が少ない" in japanese and "Too few" not in japanese


def test_only_prefectures_and_regions_have_a_page(client, make, db):
    _pref, _towns = _world(make, db)
    assert client.get("/areas/01100/overview").status_code == 404
    assert client.get("/areas/99999/overview").status_code == 404
    assert client.get("/api/v1/areas/01100/overview").status_code == 404
    assert client.get("/api/v1/areas/北海道/overview").status_code == 404  # codes only


def test_the_csv_follows_the_standard_dataset_layout(client, make, db):
    _world(make, db)
    response = client.get("/api/v1/areas/01000/overview.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0][:3] == ["全国地方公共団体コード", "ID", "地方公共団体名"]
    by_code = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert list(by_code) == ["011002", "012025", "012033", "012041"]
    assert by_code["011002"]["地方公共団体名"] == "札幌市"
    assert all(row["ID"] == code for code, row in by_code.items())
    assert by_code["011002"]["公表参加者数"] == "40"
    assert by_code["011002"]["若者_割合"] == "0.25"
    assert by_code["012025"]["公表の状況"] == "too_few"
    assert by_code["012025"]["公表参加者数"] == "" and by_code["012025"]["若者_割合"] == ""


def test_the_json_and_its_document(client, make, db):
    _world(make, db)
    data = client.get("/api/v1/areas/01000/overview").get_json()
    assert data["area"] == {"code": "01000", "kind": "prefecture", "name_ja": "北海道",
                            "name_en": "Hokkaido"}
    rows = {r["lg_code"]: r for r in data["municipalities"]}
    assert rows["011002"]["participants"] == 40 and rows["011002"]["youth"]["low"] == 18
    assert rows["012025"]["status"] == "too_few" and rows["012025"]["youth"] is None
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/areas/{code}/overview" in document["paths"]
    assert "/areas/{code}/overview.csv" in document["paths"]
    assert "AreaOverviewRow" in document["components"]["schemas"]


def test_the_space_page_links_to_its_prefecture(client, make, db):
    _world(make, db)
    html = client.get("/spaces/pp-sapporo/").get_data(as_text=True)
    assert "/areas/01000/overview" in html


def test_the_index_lists_prefectures_and_regions(client, make, db):
    from app.areas.services import create_region

    _world(make, db)
    create_region(db.session, "R-PP", "札幌小樽", "Sapporo-Otaru", ["01100", "01203"])
    db.session.commit()
    html = client.get("/areas/").get_data(as_text=True)
    assert "/areas/01000/overview" in html and "/areas/R-PP/overview" in html
    assert "/areas/01100/overview" not in html  # a municipality has no page of its own
    assert "/areas/" in client.get("/spaces/").get_data(as_text=True)
    region = client.get("/areas/R-PP/overview").get_data(as_text=True)
    assert [r.split()[0] for r in _body_rows(region)] == ["011002", "012033"]


def test_an_extra_column_reaches_the_page_the_csv_and_the_json(client, make, db, monkeypatch):
    from app.representation import prefecture

    _pref, towns = _world(make, db)
    sapporo_id, otaru_id = towns["01100"].id, towns["01203"].id
    monkeypatch.setattr(prefecture, "EXTRA_COLUMNS", [])
    prefecture.register_column(prefecture.ExtraColumn(
        "registrants", "Registrants", "登録者数",
        lambda session, ids: {sapporo_id: 12, otaru_id: None}))
    table = list(csv.reader(io.StringIO(
        client.get("/api/v1/areas/01000/overview.csv").get_data(as_text=True)[1:])))
    assert table[0][-1] == "登録者数"
    assert {r[0]: r[-1] for r in table[1:]} == {"011002": "12", "012025": "", "012033": "x",
                                               "012041": ""}
    data = client.get("/api/v1/areas/01000/overview").get_json()
    assert data["columns"] == ["registrants"]
    assert data["municipalities"][0]["extra"] == {"registrants": 12}
    client.get("/lang/en")
    html = client.get("/areas/01000/overview?sort=registrants&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and "Registrants" in html
    assert [r.split()[0] for r in _body_rows(html)][0] == "011002"
