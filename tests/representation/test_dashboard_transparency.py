"""The public transparency page: aggregate shares only, with the public minimum cell size."""
from __future__ import annotations

import re
from html import unescape

import pytest

from app.representation import services
from tests.representation.dashboard_fixtures import add_participants, load_population


@pytest.fixture
def space(make, db):
    space = make.space("public-space", transparency_public=True)
    load_population(db.session)
    add_participants(db.session, space, 40, age=65, gender="male", residency="resident")
    add_participants(db.session, space, 7, age=25, gender="female", residency="commuter")
    add_participants(db.session, space, 12, age=45, gender="female", residency="resident")
    services.set_targets(db.session, space, "residency", {"resident": 0.9, "commuter": 0.1})
    db.session.commit()
    return space


def test_public_page_uses_k_10_and_shows_no_counts(client, space, app):
    assert app.config["MIN_CELL_PUBLIC"] == 10
    client.get("/lang/en")
    html = client.get(f"/spaces/{space.slug}/transparency").get_data(as_text=True)
    assert "Who takes part" in html
    for dimension in ("gender", "age_band", "residency"):
        assert f'id="dim-{dimension}"' in html
    assert 'id="dim-sector"' not in html and 'id="dim-age_band_x_gender"' not in html
    age = re.search(r'id="dim-age_band".*?</section>', html, re.S).group(0)
    row = re.search(r'<th scope="row">18–29</th>(.*?)</tr>', age, re.S).group(1)
    assert "&lt; 10" in row  # 7 people: hidden on public pages (shown to facilitators)
    # shares only: no count columns, no participant totals
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert headers[:5] == ["Category", "Share", "95% interval", "Population share", "Assessment"]
    assert "Parity gap" not in html and "Population" not in headers
    assert "59" not in re.sub(r"<[^>]+>", " ", html).split()  # the total never appears
    residency = re.search(r'id="dim-residency".*?</section>', html, re.S).group(0)
    assert "against targets" in residency
    assert "出典：テスト国勢調査" in html
    cards = unescape(re.search(r'<div class="cards headline-cards">.*?</div>\s*\n', html, re.S).group(0))
    assert "Young people (18–39)" in cards and "Women" in cards
    assert "n =" not in cards and "more" not in cards  # no sample size, no parity gap


def test_public_page_is_off_by_default(client, make):
    space = make.space("private-space")
    assert client.get(f"/spaces/{space.slug}/transparency").status_code == 404
