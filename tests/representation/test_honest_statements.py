"""What the dashboard and the public page say (issue #12), in both languages: nothing to compare
yet, verdicts instead of 'in line', target wording, p-values, bounds, eligible-only gender."""
from __future__ import annotations

import re
from html import unescape

import pytest

from app.representation import presenters, services
from app.representation.reference import Reference
from app.representation.dashboard import facilitator_page
from app.representation.targets import TargetError, get_targets, set_targets
from tests.conftest import login
from tests.representation.dashboard_fixtures import add_participants, load_population
from tests.dom import outer_html, table_rows


def _dashboard(client, make, space, lang="en"):
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    login(client, facilitator.email)
    client.get(f"/lang/{lang}")
    response = client.get(f"/spaces/{space.slug}/representation/")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _section(html, dimension):
    return outer_html(html, f'section.rep-section[id="dim-{dimension}"]')


def _cards(html):
    return outer_html(html, "div.cards.headline-cards")


@pytest.mark.parametrize("lang, nothing, parity", [
    ("en", "Nothing to compare yet", "Already at or above parity"),
    ("ja", "まだ比べられるデータがありません", "すでに人口比並み以上です"),
])
def test_everyone_prefers_not_to_say(client, make, db, lang, nothing, parity):
    space = make.space("silent")
    load_population(db.session)
    add_participants(db.session, space, 10, age=None, gender=None)
    html = _dashboard(client, make, space, lang)
    cards = _cards(html)
    assert cards.count(nothing) == 2 and parity not in html
    age = _section(html, "age_band")
    assert nothing in age
    # no parity gap of 0 on any row
    for cells in table_rows(age).values():
        assert cells[-1:] != ["0"]


def test_a_space_without_participants_says_nothing_to_compare(client, make, db):
    space = make.space("empty")
    load_population(db.session)
    html = _dashboard(client, make, space)
    assert _cards(html).count("Nothing to compare yet") == 2
    assert "Already at or above parity" not in html


@pytest.mark.parametrize("lang, wide, in_line", [
    ("en", "Not significantly different (too few participants to tell)",
     "In line with the population"),
    ("ja", "有意な差はありません（参加者が少なく判断できません）", "人口比並み"),
])
def test_zero_young_of_ten_is_too_few_to_tell(client, make, db, lang, wide, in_line):
    space = make.space("ten-old")
    load_population(db.session)
    add_participants(db.session, space, 10, age=65, gender="male")
    page = facilitator_page(db.session, space, k=5)
    youth = page.headline["youth"]
    assert youth.count == 0 and youth.verdict == "not_significant_wide" and youth.flag == "ok"
    rows = {r.key: r for r in page.reports["age_band"].categories}
    assert rows["18-29"].verdict == "not_significant_wide"
    assert rows["60-69"].verdict == "over"  # the table differs and this cell survives Holm
    html = _dashboard(client, make, space, lang)
    assert wide in _cards(html) and wide in _section(html, "age_band")
    assert f">{in_line}<" not in html


def test_target_rows_say_target(client, make, db):
    space = make.space("targets")
    load_population(db.session)
    add_participants(db.session, space, 20, age=65, gender="male", residency="resident")
    set_targets(db.session, space, "residency", {"resident": 0.5, "commuter": 0.5})
    db.session.commit()
    rows = {r.key: r for r in facilitator_page(db.session, space, k=5)
            .reports["residency"].categories}
    assert rows["resident"].verdict == "over" and rows["commuter"].verdict == "under"
    residency = _section(_dashboard(client, make, space), "residency")
    assert "Above the target" in residency and "Below the target" in residency
    assert "population" not in re.sub(r"<caption>.*?</caption>", "", residency).lower().split(
        "<table")[1]


def test_dashboard_shows_both_p_values_and_the_overall_test(client, make, db):
    space = make.space("pvalues")
    load_population(db.session)
    add_participants(db.session, space, 10, age=65, gender="male")
    html = _dashboard(client, make, space)
    age = _section(html, "age_band")
    assert "p (unadjusted)" in age and "p (Holm-adjusted)" in age
    assert re.search(r"Exact multinomial test: p [<=] 0\.\d{3}\.", unescape(age))  # chi-square invalid
    assert "The table as a whole differs from the reference" in age
    assert "chance alone gives about" in age


def test_unknown_answers_get_bounds_and_the_assumption_is_stated(client, make, db):
    space = make.space("unknowns")
    load_population(db.session)
    add_participants(db.session, space, 20, age=25, gender="female")
    add_participants(db.session, space, 20, age=65, gender="male")
    add_participants(db.session, space, 10, age=None, gender="male")
    page = facilitator_page(db.session, space, k=5)
    youth = page.headline["youth"]
    assert (youth.unknown_low, youth.unknown_high) == pytest.approx((20 / 50, 30 / 50))
    row = {r.key: r for r in page.reports["age_band"].categories}["18-29"]
    assert (row.unknown_low, row.unknown_high) == pytest.approx((20 / 50, 30 / 50))
    html = _dashboard(client, make, space)
    assert "resemble those who answered" in _cards(html)
    assert "If none / all who did not answer" in _section(html, "age_band")
    assert "40.0%–60.0%" in _section(html, "age_band")


def test_gender_counts_eligible_participants_only(client, make, db):
    space = make.space("eligible", min_age=18)
    load_population(db.session)
    add_participants(db.session, space, 20, age=40, gender="female")
    add_participants(db.session, space, 20, age=40, gender="male")
    add_participants(db.session, space, 5, age=16, gender="female")  # below the minimum
    add_participants(db.session, space, 5, age=None, gender="female")  # age unknown
    page = facilitator_page(db.session, space, k=5)
    gender, women = page.reports["gender"], page.headline["women"]
    assert gender.answered == 40 and women.n == 40 and women.count == 20
    assert gender.left_out == 10 and women.left_out == 10
    assert gender.participants == (gender.answered + gender.unknown + gender.unreferenced
                                   + gender.left_out)
    assert ("gender", "~left_out") in page.shown_keys  # a figure of the audit, not arithmetic
    html = _dashboard(client, make, space)
    assert "10 participants of unknown age or below the minimum age are not counted." in _cards(html)
    assert "Left out: age unknown or below the minimum age" in _section(html, "gender")


@pytest.mark.parametrize("lang, text", [
    ("en", "Participants are not a random sample"),
    ("ja", "参加者は住民の無作為標本ではなく"),
])
def test_how_to_read_says_what_the_interval_means(client, make, db, lang, text):
    space = make.space("howto", transparency_public=True)
    load_population(db.session)
    add_participants(db.session, space, 10, age=65, gender="male")
    assert text in _dashboard(client, make, space, lang)
    public = unescape(client.get(f"/spaces/{space.slug}/transparency").get_data(as_text=True))
    assert text in public


def test_register_sources_say_register_and_estimated_is_a_flag():
    ref = Reference(("01100",), "住民基本台帳", "reg", None, 18, "register", True, "", "")
    assert ref.api_kind == "register"
    assert Reference(("01100",), "国勢調査", "c", None, 18, "census").api_kind == "census"
    assert Reference(("01100",), None, None, None, 18, "target").api_kind == "target"


def test_targets_below_100_percent_are_refused_by_the_service(make, db):
    space = make.space("short-targets")
    with pytest.raises(TargetError, match="must add up to 100"):
        set_targets(db.session, space, "residency", {"resident": 0.6, "commuter": 0.1})
    set_targets(db.session, space, "residency", {"resident": 0.9, "commuter": 0.098})
    assert get_targets(db.session, space, "residency") == {
        "resident": 0.9, "commuter": 0.098}


def test_invalid_chi_square_loses_its_p_value_in_the_api_and_csv(make, db):
    space = make.space("small-chi")
    load_population(db.session)
    add_participants(db.session, space, 10, age=65, gender="male")
    report = facilitator_page(db.session, space, k=5).reports["age_band"]
    assert not report.chi_square.valid and report.chi_square.p_value is not None
    data = services.report_as_dict(report)
    assert data["chi_square"]["valid"] is False and data["chi_square"]["p_value"] is None
    assert data["overall_test"]["method"] == "exact" and data["overall_test"]["p_value"] < 0.05
    lines = dict(line.split(",", 1) for line in services.report_csv(report).splitlines()
                 if line.count(",") == 1)
    assert lines["chi_square_p_value"] == "" and lines["chi_square_valid"] == "0"
    assert lines["overall_test_method"] == "exact"


def test_gap_sentence_needs_someone_to_compare():
    class Figure:
        key, n, share, suppressed, flag, verdict = "women", 0, None, False, None, "no_data"
        population_share, ci_low, ci_high, parity_gap, estimated = 0.5, None, None, None, False
        unknown_low = unknown_high = left_out = None

    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        card = presenters.headline_cards({"women": Figure()}, 5)[1]
    assert card.no_data and card.gap == "" and not card.suppressed


def test_target_dissimilarity_speaks_of_targets(client, make, db):
    space = make.space("target-mix")
    load_population(db.session)
    add_participants(db.session, space, 10, age=65, gender="male", residency="resident")
    add_participants(db.session, space, 10, age=65, gender="male", residency="commuter")
    set_targets(db.session, space, "residency", {"resident": 0.6, "commuter": 0.4})
    db.session.commit()
    residency = _section(_dashboard(client, make, space), "residency")
    assert "to match the targets" in residency and "to match the population" not in residency
