"""The facilitators' representation dashboard: cards, charts, tables equal to the report, the
module filter, suppression, dates, and a space without population figures."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from app.common.charts import pct
from app.representation import services, stats
from app.representation.presenters import fmt_int
from tests.conftest import login
from tests.representation.dashboard_fixtures import (YOUTH_SHARE, add_participants,
                                                     load_population, skewed_space)


@pytest.fixture
def setup(make, db, client):
    space = skewed_space(make, db)
    services.set_targets(db.session, space, "residency",
                         {"resident": 0.9, "relationship": 0.05, "dual_region": 0.02,
                          "commuter": 0.02, "other": 0.01})
    services.set_targets(db.session, space, "sector", {"none": 0.5, "industry": 0.3,
                                                       "government": 0.2})
    db.session.commit()
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    return space


def _page(client, space, query=""):
    response = client.get(f"/spaces/{space.slug}/representation/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html, dimension):
    match = re.search(rf'<section class="rep-section" id="dim-{dimension}".*?</section>', html, re.S)
    assert match, dimension
    return match.group(0)


def _table(section_html):
    """{row label: [cell texts]} of the section's table."""
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", section_html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', tr, re.S)
        if head:
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            rows[unescape(head.group(1).strip())] = [unescape(c) for c in cells]
    return rows


def test_headline_cards(setup, client, db):
    html = _page(client, setup)
    assert "Young people (18–39)" in html
    figures = services.headline(db.session, setup, min_cell=5)
    youth, women = figures["youth"], figures["women"]
    assert youth.count == 6 and youth.n == 63  # 6 of 63 with a known eligible age
    assert youth.flag == "under" and women.flag == "under"
    assert youth.population_share == pytest.approx(YOUTH_SHARE)
    cards = re.search(r'<div class="cards headline-cards">.*?</div>\s*\n', html, re.S).group(0)
    assert pct(youth.share) in cards and pct(youth.population_share) in cards
    assert f"{pct(youth.ci_low)}–{pct(youth.ci_high)}" in cards
    assert cards.count("Under-represented") == 2
    assert 'class="badge flag-under"' in cards
    gap = stats.parity_gap(6, 63, youth.population_share)
    assert f"{gap} more participants aged 18–39 are needed to reach their population share." in cards
    women_gap = stats.parity_gap(10, 60, 0.5)
    assert f"{women_gap} more women are needed to reach their population share." in cards


def test_one_chart_per_dimension_and_a_time_series(setup, client):
    html = _page(client, setup)
    for dimension in services.DIMENSIONS:
        section = _section(html, dimension)
        svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"chart-{dimension}-title chart-{dimension}-desc"
    assert html.count("<svg") == len(services.DIMENSIONS) + 1  # plus the weekly series
    assert 'aria-labelledby="chart-weekly-title chart-weekly-desc"' in html
    assert "style=" not in html


@pytest.mark.parametrize("dimension", services.DIMENSIONS)
def test_table_values_equal_the_report(setup, client, db, dimension):
    html = _page(client, setup)
    table = _table(_section(html, dimension))
    report = services.build_report(db.session, setup, dimension, min_cell=5)
    assert report.available
    assert len(table) == len(report.categories)
    for category in report.categories:
        cells = table[str(category.label)]
        if category.suppressed:
            assert cells[0] == "< 5" and cells[1] == "< 5"
        else:
            assert cells[0] == fmt_int(category.count)
            assert cells[1] == pct(category.share)
        assert pct(category.population_share) in cells


def test_suppression_shows_less_than_k(setup, client, db):
    section = _section(_page(client, setup), "age_band")
    table = _table(section)
    assert table["40–49"][:2] == ["< 5", "< 5"]  # 4 people aged 45
    assert table["50–59"][:2] == ["< 5", "< 5"]  # 3 people aged 50
    assert table["18–29"][0] == "6"
    assert "“< 5” marks a group smaller than 5 people" in unescape(section)
    root = ET.fromstring(re.search(r"<svg.*?</svg>", section, re.S).group(0))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "< 5" in texts


def test_module_filter(setup, client, db):
    html = _page(client, setup, "?module=surveys")
    assert "10 participants" in html  # only the 10 who answered surveys
    table = _table(_section(html, "gender"))
    report = services.build_report(db.session, setup, "gender", module="surveys", min_cell=5)
    assert report.participants == 10
    for category in report.categories:
        cells = table[str(category.label)]
        assert cells[0] == ("< 5" if category.suppressed else fmt_int(category.count))
    # the CSV and JSON links carry the filter
    assert f"/api/v1/spaces/{setup.slug}/representation.csv?dimension=gender&amp;module=surveys" in html
    all_html = _page(client, setup)
    assert "63 participants" in all_html


def test_date_filter_and_bad_range(setup, client, db):
    html = _page(client, setup, "?since=2030-01-01")
    assert "0 participants" in html
    html = _page(client, setup, "?since=2025-02-01&until=2025-01-01")
    assert "The end date cannot be before the start date." in html
    assert "63 participants" in html  # falls back to everyone
    html = _page(client, setup, "?module=nonsense")
    assert "Not a valid choice" in html and "63 participants" in html


def test_reference_and_how_to_read(setup, client):
    html = _page(client, setup)
    assert "Test census" in html and "2020-10-01" in html
    assert "出典：テスト国勢調査" in html
    assert "How to read this" in html and "95% interval" in html
    assert "Estimated:" not in html  # the bands match the source's ranges


def test_targets_are_labelled_as_targets(setup, client):
    section = _section(_page(client, setup), "sector")
    assert "against targets" in section and "Target share" in section
    assert "Targets are goals, not statistics." in section


def test_missing_targets_and_missing_reference(make, db, client):
    area = make.area("47201", "那覇市", "Naha")
    space = make.space("no-figures", area=area)
    add_participants(db.session, space, 3)
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    html = _page(client, space)
    assert "No population figures cover this space" in html
    assert "No target shares are set for this dimension yet." in html
    assert "No reference population is available for this group." in html
    assert html.count("<svg") == 1  # only the weekly series


def test_estimated_reference_is_noted(make, db, client):
    space = make.space("estimated", min_age=16)  # 16 cuts nothing, but band 16-29 vs 0-17 does
    load_population(db.session)
    add_participants(db.session, space, 6, age=20, gender="female")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    html = _page(client, space)
    assert "Estimated:" in html
    assert "The population figure is estimated" in html


def test_small_space_warns_about_uncertainty(make, db, client):
    space = make.space("tiny")
    load_population(db.session)
    add_participants(db.session, space, 12, age=30, gender="female")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    html = _page(client, space)
    assert "With fewer than 30 participants every share is very uncertain" in html


def test_renders_in_japanese_too(make, db, client):
    space = skewed_space(make, db, slug="ja-space")
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/ja")
    response = client.get(f"/spaces/{space.slug}/representation/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html and html.count("<svg") == 4  # no targets: 3 bar charts + 1 line
