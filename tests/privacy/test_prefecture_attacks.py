"""The prefecture's view tried as an attacker would (issue #13).

The attacker reads the Hokkaido page, its CSV and its JSON beside every space's own releases,
and tries: a town with three participants, a release that hid its youth share, people who
joined after the last release, a space that stopped publishing, an unlisted space, sorting by a
hidden column, and adding the rows up against a total. The claim: the overview shows nothing a
space's own latest public release does not, and there is no total to subtract rows from.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from app.representation.services import SUPPRESSED_MARK
from tests.representation.prefecture_fixtures import hokkaido, join, publish

PAGE, CSV, JSON = ("/areas/01000/overview", "/api/v1/areas/01000/overview.csv",
                   "/api/v1/areas/01000/overview")


@pytest.fixture
def towns(make, db):
    _pref, towns = hokkaido(make, db.session, 6)
    sapporo = make.space("atk-sapporo", area=towns["01100"], transparency_public=True)
    join(db.session, sapporo, 30, age=65, gender="male")
    join(db.session, sapporo, 10, age=25, gender="female")
    publish(db.session, sapporo)
    join(db.session, sapporo, 7, age=24, gender="female")  # after the release: live only
    # Otaru: 9 older men and 3 young women, so the release hides the youth share (3 < 10).
    otaru = make.space("atk-otaru", area=towns["01203"], transparency_public=True)
    join(db.session, otaru, 9, age=70, gender="male")
    join(db.session, otaru, 3, age=21, gender="female")
    publish(db.session, otaru)
    # Hakodate: three people, no release.
    hakodate = make.space("atk-hakodate", area=towns["01202"], transparency_public=True)
    join(db.session, hakodate, 3, age=23, gender="female")
    # Asahikawa: released, then stopped publishing.
    asahikawa = make.space("atk-asahikawa", area=towns["01204"], transparency_public=True)
    join(db.session, asahikawa, 20, age=33, gender="female")
    publish(db.session, asahikawa)
    asahikawa.transparency_public = False
    # Muroran: an unlisted space with a release (reached only through its address).
    muroran = make.space("atk-muroran", area=towns["01205"], transparency_public=True,
                         visibility="unlisted")
    join(db.session, muroran, 20, age=30, gender="female")
    publish(db.session, muroran)
    db.session.commit()
    return towns


def _rows(client) -> dict:
    return {r["code"]: r for r in client.get(JSON).get_json()["municipalities"]}


def test_every_figure_is_the_spaces_own_latest_release(client, towns):
    rows = _rows(client)
    shown = {code: r for code, r in rows.items() if r["status"] == "figures"}
    assert set(shown) == {"01100", "01203"}
    for row in shown.values():
        release = client.get(f"/api/v1/spaces/{row['space']}/releases/{row['release']}").get_json()
        assert release["participants"] == row["participants"]
        for key in ("youth", "women"):
            theirs, ours = release["headline"][key], row[key]
            assert ours["suppressed"] == theirs["suppressed"]
            for name in ("share", "ci_low", "ci_high", "population_share", "flag"):
                assert ours[name] == theirs[name], (row["code"], key, name)
    assert rows["01100"]["participants"] == 40  # 47 have joined: the 7 later ones are live only


def test_a_town_of_three_shows_no_number(client, towns):
    row = _rows(client)["01202"]
    assert row["status"] == "too_few"
    assert all(row[k] is None for k in ("participants", "release", "youth", "women"))
    table = list(csv.reader(io.StringIO(client.get(CSV).get_data(as_text=True)[1:])))
    hakodate = next(r for r in table if r[0] == "012025")
    assert "3" not in hakodate[3:] and not any(c.replace(".", "").isdigit() for c in hakodate[5:])
    html = client.get(PAGE).get_data(as_text=True)
    cells = html.split("012025", 1)[1].split("</tr>", 1)[0]
    assert not re.search(r">\s*3\s*<", cells) and "%" not in cells


def test_a_hidden_youth_share_stays_hidden_everywhere(client, towns):
    otaru = _rows(client)["01203"]
    assert otaru["youth"]["suppressed"] and otaru["youth"]["share"] is None
    assert otaru["youth"]["ci_low"] is None and otaru["youth"]["verdict"] is None
    table = list(csv.reader(io.StringIO(client.get(CSV).get_data(as_text=True)[1:])))
    header, row = table[0], next(r for r in table if r[0] == "012033")
    values = dict(zip(header, row, strict=True))
    assert values["若者_割合"] == values["若者_95%区間下限"] == SUPPRESSED_MARK
    html = client.get(PAGE).get_data(as_text=True)
    cells = html.split("012033", 1)[1].split("</tr>", 1)[0]
    assert "25.0%" not in cells  # 3 of 12


def test_spaces_that_do_not_publish_show_nothing(client, towns):
    rows = _rows(client)
    assert rows["01204"]["status"] == "not_published" and rows["01204"]["participants"] is None
    # the unlisted space is neither counted nor shown: its address is its only way in
    assert rows["01205"]["status"] == "no_space" and rows["01205"]["open_spaces"] == 0
    everything = (client.get(PAGE).get_data(as_text=True) + client.get(CSV).get_data(as_text=True)
                  + client.get(JSON).get_data(as_text=True))
    assert "atk-muroran" not in everything and "atk-asahikawa" not in everything


def test_sorting_by_a_hidden_share_does_not_rank_it(client, towns):
    # Sapporo is the only row with a youth share; every other row, hidden (Otaru) or empty,
    # follows it in code order whichever way the column is sorted.
    for order in ("asc", "desc"):
        html = client.get(f"{PAGE}?sort=youth_share&order={order}").get_data(as_text=True)
        assert re.findall(r"<td>(0\d{5})</td>", html) == [
            "011002", "012025", "012033", "012041", "012050", "012068"], order


def test_there_is_no_total_to_subtract_rows_from(client, towns):
    data = client.get(JSON).get_json()
    assert set(data) == {"area", "columns", "municipalities"}
    table = list(csv.reader(io.StringIO(client.get(CSV).get_data(as_text=True)[1:])))
    assert [r[0] for r in table[1:]] == ["011002", "012025", "012033", "012041", "012050",
                                         "012068"]
    assert "<tfoot" not in client.get(PAGE).get_data(as_text=True)
