"""The facilitators' representation dashboard: cards, charts, tables equal to the report, the
module filter (offered modules only), suppression, dates, audited filtered views, publishing a
release, and a space without population figures."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html import unescape

import pytest

from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.charts import pct
from app.representation import services, stats
from app.representation.presenters import fmt_int
from app.representation.dashboard import facilitator_page, offered_modules
from app.representation.indicators import headline
from app.representation.queries import DIMENSIONS
from app.representation.targets import set_targets
from tests.conftest import login
from tests.dom import attribute, field_error, outer_html, parse, table_rows
from tests.representation.dashboard_fixtures import (YOUTH_SHARE, add_participants,
                                                     load_population, skewed_space)


@pytest.fixture
def setup(make, db, client):
    space = skewed_space(make, db)
    set_targets(db.session, space, "residency",
                         {"resident": 0.9, "relationship": 0.05, "dual_region": 0.02,
                          "commuter": 0.02, "other": 0.01})
    set_targets(db.session, space, "sector", {"none": 0.5, "industry": 0.3,
                                                       "government": 0.2})
    set_targets(db.session, space, "relationship_kind", {"family": 0.5, "visits": 0.5})
    set_targets(db.session, space, "furusato", {"none": 0.8, "basic": 0.15, "premium": 0.05})
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
    return outer_html(html, f'section.rep-section[id="dim-{dimension}"]')


_table = table_rows


def test_headline_cards(setup, client, db):
    html = _page(client, setup)
    assert "Young people (18–39)" in html
    assert "60 participants" in html  # 63 took part: twelve whole batches of 5
    assert "3 more people are waiting for the next batch to close." in html
    figures = headline(db.session, setup, min_cell=5)
    youth, women = figures["youth"], figures["women"]
    assert youth.count == 6 and youth.n == 60  # 6 of the 60 counted, all of eligible age
    assert youth.flag == "under"
    assert youth.population_share == pytest.approx(YOUTH_SHARE)
    cards = _cards(html)
    assert pct(youth.share) in cards and pct(youth.population_share) in cards
    assert f"{pct(youth.ci_low)}–{pct(youth.ci_high)}" in cards
    assert 'class="badge flag-under"' in cards
    gap = stats.parity_gap(6, 60, youth.population_share)
    assert f"{gap} more participants aged 18–39 are needed to reach their population share." in cards
    # 3 of the 60 gave no gender: the women's base (57) would give those 3 away, so the
    # women's card is hidden whole, and says why.
    assert women.suppressed and (women.count, women.n, women.share) == (None, None, None)
    assert cards.count("Under-represented") == 1
    assert "Hidden: too few people in this group or outside it" in cards
    # Two more without a gender make that group 5: the card is shown again.
    add_participants(db.session, setup, 2, age=50, gender=None)
    women = headline(db.session, setup, min_cell=5)["women"]
    assert (women.count, women.n, women.flag) == (10, 60, "under")
    cards = _cards(_page(client, setup))
    assert cards.count("Under-represented") == 2
    women_gap = stats.parity_gap(10, 60, 0.5)
    assert f"{women_gap} more women are needed to reach their population share." in cards


def _cards(html):
    return unescape(outer_html(html, "div.cards.headline-cards"))


def test_one_chart_per_dimension_and_a_time_series(setup, client):
    html = _page(client, setup)
    for dimension in DIMENSIONS:
        section = _section(html, dimension)
        root = ET.fromstring(outer_html(section, "svg"))
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"chart-{dimension}-title chart-{dimension}-desc"
    assert html.count("<svg") == len(DIMENSIONS) + 1  # plus the weekly series
    assert 'aria-labelledby="chart-weekly-title chart-weekly-desc"' in html
    assert "style=" not in html


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_table_values_equal_the_report(setup, client, db, dimension):
    html = _page(client, setup)
    table = _table(_section(html, dimension))
    report = services.build_report(db.session, setup, dimension, min_cell=5)
    assert report.available
    assert len(table) == len(report.categories)
    for category in report.categories:
        cells = table[str(category.label)]
        if category.suppressed:
            assert cells[0] == "hidden" and cells[1] == "hidden"
        else:
            assert cells[0] == fmt_int(category.count)
            # a shown count's share is hidden with its table's total
            assert cells[1] == (pct(category.share) if category.share is not None or not category.count
                                else "hidden")
        assert pct(category.population_share) in cells


def test_suppression_marks_hidden_cells_alike(setup, client, db):
    html = _page(client, setup)
    section = _section(html, "age_band")
    table = _table(section)
    assert table["40–49"][:2] == ["hidden", "hidden"]  # 4 people aged 45
    assert table["50–59"][:2] == ["hidden", "hidden"]  # 3 people aged 50
    assert table["18–29"][0] == "6"
    # the mark never says "fewer than k": a hidden 0 and a hidden 4 read the same
    assert "< 5" not in unescape(html) and "&lt; 5" not in html
    assert "“Hidden” marks a group of fewer than 5 people, or a figure hidden with it" in unescape(section)
    root = ET.fromstring(outer_html(section, "svg"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "hidden" in texts
    page = facilitator_page(db.session, setup, k=5)
    assert page.hidden and f"{page.hidden} figures on this page are hidden" in html


def test_suppression_in_japanese_reads_hitoku(setup, client):
    client.get("/lang/ja")
    table = _table(_section(_page(client, setup), "age_band"))
    assert table["40〜49歳"][:2] == ["秘匿", "秘匿"]  # 4 people aged 45


def test_module_filter(setup, client, db):
    html = _page(client, setup, "?module=surveys")
    assert "10 participants" in html  # only the 10 who answered surveys: two whole batches
    table = _table(_section(html, "gender"))
    report = services.build_report(db.session, setup, "gender", module="surveys", min_cell=5)
    assert report.participants == 10
    for category in report.categories:
        cells = table[str(category.label)]
        assert cells[0] == ("hidden" if category.suppressed else fmt_int(category.count))
    # the CSV and JSON links carry the filter
    assert f"/api/v1/spaces/{setup.slug}/representation.csv?dimension=gender&amp;module=surveys" in html
    all_html = _page(client, setup)
    assert "60 participants" in all_html


def _options(html):
    return [option.attributes["value"] for option in parse(html).css('select[name="module"] option')]


def test_module_select_offers_only_modules_with_k_on_both_sides(setup, client, db):
    # forum: 57 used it, 6 did not; surveys: 10 and 53; nobody wrote or supported a proposal.
    assert _options(_page(client, setup)) == ["all", "forum", "surveys"]
    assert offered_modules(db.session, setup, 5) == ["all", "forum", "surveys"]
    # The supporters' filter appears once 5 people have supported a proposal.
    add_participants(db.session, setup, 4, age=40, gender="female", proposal_supporters=True)
    assert "proposal_supporters" not in _options(_page(client, setup))
    add_participants(db.session, setup, 1, age=40, gender="female", proposal_supporters=True)
    assert _options(_page(client, setup)) == ["all", "forum", "proposal_supporters", "surveys"]


@pytest.mark.parametrize("module", ["proposals", "nonsense"])
def test_a_module_that_is_not_offered_gets_a_message_next_to_the_field(setup, client, module):
    html = _page(client, setup, f"?module={module}")
    assert _field_error(html, "module").startswith(
        "This filter is not offered: fewer than 5 people took part this way")
    assert attribute(html, 'select[name="module"]', "aria-invalid") == "true"
    assert "60 participants" in html  # falls back to everyone


_field_error = field_error


def test_date_filter_and_bad_range(setup, client, db):
    html = _page(client, setup, "?since=2030-01-01")
    assert "0 participants" in html
    html = _page(client, setup, "?since=2025-02-01&until=2025-01-01")
    assert _field_error(html, "until") == "The end date cannot be before the start date."
    assert "60 participants" in html  # falls back to everyone
    assert 'value="2025-02-01"' in html  # what was typed is kept


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31",
                                   "since=0001-01-01&until=9999-12-31", "since=1999-12-31"])
def test_out_of_range_dates_get_a_message_not_an_error(setup, client, query):
    html = _page(client, setup, f"?{query}")  # 200, not 500
    for name, value in (part.split("=") for part in query.split("&")):
        assert _field_error(html, name) == "Enter a date between 2000-01-01 and 2099-12-31."
        assert f'value="{value}"' in html  # what was typed is kept
    assert "60 participants" in html


def test_filtered_views_are_audited(setup, client, db):
    _page(client, setup)  # the whole space: not a filter
    assert db.session.scalar(select(AuditEntry).limit(1)) is None
    _page(client, setup, "?module=surveys&since=2025-01-01")
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target) == ("representation.view", f"space:{setup.id}")
    assert (entry.detail["module"], entry.detail["since"], entry.detail["until"]) == (
        "surveys", "2025-01-01", None)
    assert entry.detail["ranks"] == [0, 10]


def test_a_window_without_a_whole_batch_says_so(setup, client):
    html = _page(client, setup, "?since=2025-01-06&until=2025-01-06")
    assert "60 participants" in html  # all 63 joined that day
    html = _page(client, setup, "?since=2025-01-07")
    assert "0 participants" in html
    assert "The chosen range holds no complete batch of 5 people; widen it." in html


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
    # No chart at all: the series needs the reference too. Three people did take part (they
    # wait for their batch to close), so the page must not claim that no one has.
    assert html.count("<svg") == 0
    assert "No one has taken part yet." not in html
    assert "3 more people are waiting for the next batch to close." in html


def test_an_empty_space_says_no_one_has_taken_part(make, db, client):
    space = make.space("empty")
    load_population(db.session)
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get("/lang/en")
    html = _page(client, space)
    assert "No one has taken part yet." in html and "0 participants" in html


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
