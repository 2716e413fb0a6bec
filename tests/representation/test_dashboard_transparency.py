"""The public transparency page: releases only (frozen, made with the public minimum cell size),
aggregate shares without counts, the list of releases and ?release=N."""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest

from app.representation import releases
from app.representation.targets import set_targets
from tests.representation.dashboard_fixtures import add_participants, load_population
from tests.dom import outer_html, parse, table_rows, texts


@pytest.fixture
def space(make, db):
    space = make.space("public-space", transparency_public=True)
    load_population(db.session)
    add_participants(db.session, space, 40, age=65, gender="male", residency="resident")
    add_participants(db.session, space, 7, age=25, gender="female", residency="commuter")
    add_participants(db.session, space, 12, age=45, gender="female", residency="resident")
    set_targets(db.session, space, "residency", {"resident": 0.9, "commuter": 0.1})
    db.session.commit()
    return space


def _release(db, space, at=None):
    release = releases.create_release(db.session, space, None, public_k=10, batch=5, at=at)
    db.session.commit()
    return release


def _page(client, space, query=""):
    response = client.get(f"/spaces/{space.slug}/transparency{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _words(html):
    return re.sub(r"<[^>]+>", " ", html).split()


def test_public_page_uses_k_10_and_shows_no_counts(client, db, space, app):
    assert app.config["MIN_CELL_PUBLIC"] == 10
    # 59 took part; a release ends on a facilitators' cut (batches of 5): the first 55.
    assert _release(db, space).participants == 55
    client.get("/lang/en")
    html = _page(client, space)
    assert "Who takes part" in html
    for dimension in ("gender", "age_band", "residency"):
        assert f'id="dim-{dimension}"' in html
    assert 'id="dim-sector"' not in html and 'id="dim-age_band_x_gender"' not in html
    row = table_rows(outer_html(html, 'section[id="dim-age_band"]'))["18–29"]
    assert "hidden" in " ".join(row)  # 7 people: hidden on public pages (shown to facilitators)
    assert "&lt; 10" not in html and "< 10" not in unescape(html)
    # shares only: no count columns
    headers = texts(html, 'th[scope="col"]')
    assert headers[:5] == ["Category", "Share", "95% interval", "Population share", "Assessment"]
    assert "Parity gap" not in html and "Population" not in headers
    # the release states how many it covers, and only there; the live total (59) never
    assert "59" not in _words(html)
    scope = parse(html).css_first("p.rep-scope").text(strip=True)
    assert re.fullmatch(r"Release 1, published \d{4}-\d\d-\d\d \d\d:\d\d: the first 55 participants\.",
                        scope)
    assert _words(html).count("55") == 1
    residency = outer_html(html, 'section[id="dim-residency"]')
    assert "against targets" in residency
    assert "出典：テスト国勢調査" in html
    cards = unescape(outer_html(html, "div.cards.headline-cards"))
    assert "Young people (18–39)" in cards and "Women" in cards
    assert "n =" not in cards and "more" not in cards  # no sample size, no parity gap


def test_public_page_is_off_by_default(client, make):
    space = make.space("private-space")
    assert client.get(f"/spaces/{space.slug}/transparency").status_code == 404


def test_unlisted_space_has_no_public_page(client, db, make):
    space = make.space("unlisted-space", visibility="unlisted", transparency_public=True)
    assert client.get(f"/spaces/{space.slug}/transparency").status_code == 404


def test_before_the_first_release_no_figures_are_shown(client, space):
    client.get("/lang/en")
    html = _page(client, space)
    assert "No figures have been published yet." in html
    assert 'id="dim-gender"' not in html and "headline-cards" not in html
    assert "All releases" not in html


def test_figures_stay_frozen_until_the_next_release(client, db, space):
    client.get("/lang/en")
    _release(db, space)
    # The page's <main>: the header's forms carry CSRF tokens that change every second.
    before = outer_html(_page(client, space), "main")
    add_participants(db.session, space, 20, age=22, gender="female", residency="resident",
                     first_at=datetime(2025, 2, 3, 3, 0))
    assert outer_html(_page(client, space), "main") == before  # live figures never reach the public
    _release(db, space)
    after = outer_html(_page(client, space), "main")
    assert after != before and "the first 75 participants" in after


def test_every_release_is_listed_and_can_be_opened(client, db, space):
    client.get("/lang/en")
    _release(db, space, at=datetime(2025, 1, 10, 1, 0))
    add_participants(db.session, space, 16, age=22, gender="female", residency="resident",
                     first_at=datetime(2025, 2, 3, 3, 0))  # 75: the next cut
    _release(db, space, at=datetime(2025, 2, 10, 1, 0))
    html = _page(client, space)
    assert "Release 2, published 2025-02-10 10:00: the first 75 participants." in unescape(html)
    items = [li.html for li in parse(html).css('section[aria-labelledby="releases-title"] li')]
    assert len(items) == 2
    assert '<strong aria-current="page">Release 2</strong>' in items[0]  # newest first, current
    assert "75 participants" in items[0] and "2025-02-10 10:00" in items[0]
    assert f'href="/spaces/{space.slug}/transparency?release=1"' in items[1]
    assert "55 participants" in items[1] and "2025-01-10 10:00" in items[1]
    first = _page(client, space, "?release=1")
    assert "Release 1, published 2025-01-10 10:00: the first 55 participants." in unescape(first)
    assert '<strong aria-current="page">Release 1</strong>' in first
    # release 1's figures: the 7 young people still hidden among 55
    age = table_rows(outer_html(first, 'section[id="dim-age_band"]'))
    assert "hidden" in " ".join(age["18–29"])
    # release 2: 23 young people among 75, shown as a share
    age = table_rows(outer_html(html, 'section[id="dim-age_band"]'))
    assert "hidden" not in " ".join(age["18–29"])


@pytest.mark.parametrize("query", ["?release=3", "?release=0", "?release=-1"])
def test_an_unknown_release_is_404(client, db, space, query):
    _release(db, space)
    assert client.get(f"/spaces/{space.slug}/transparency{query}").status_code == 404


def test_transparency_page_renders_in_japanese(client, db, space):
    _release(db, space)
    client.get("/lang/ja")
    html = _page(client, space)
    assert '<html lang="ja">' in html and "秘匿" in html
