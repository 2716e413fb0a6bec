"""Disclosure control of survey results (issue #9 item 5): public results only after close and
with enough respondents, audited option counts, weighting cells of at least k, number summaries
without extremes, the k-anonymous export, and the API's 404 for unlisted spaces."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from app.common.time import utcnow

from app.surveys import disclosure, services
from app.surveys.export import k_anonymise
from app.representation.targets import set_targets
from tests.surveys.attacker import option_ranges
from tests.dom import main_text
from tests.people import client_as
from tests.surveys.helpers import load_population, people, respond, weighting_of


def close(db, world):
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()


def urls(world):
    return (f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results",
            f"/api/v1/surveys/{world.survey.id}/results")


def public_release(db, world, k):
    survey = services.get_survey_by_id(db.session, world.survey.id)
    return disclosure.release(db.session, survey, world.space, k=k, public=True)


# --- pure pieces -------------------------------------------------------------------------------

def test_two_significant_figures():
    assert disclosure.two_figures(12.34) == 12 and disclosure.two_figures(0.01234) == 0.012
    assert disclosure.two_figures(12345) == 12000 and disclosure.two_figures(None) is None


def test_k_anonymise_blanks_sector_then_residency_then_age_then_gender():
    lines = ([("18-29", "female", "resident", "industry")] * 3
             + [("18-29", "female", "resident", "academia")] * 2  # sector goes: 5 together
             + [("30-39", "male", "resident", "")] * 4
             + [("30-39", "male", "commuter", "")]  # residency goes: 5 together
             + [("70+", "female", "resident", "")] * 5)  # already 5: kept
    shown, blanked = k_anonymise(lines, 5)
    assert Counter(shown) == {("18-29", "female", "resident", ""): 5,
                              ("30-39", "male", "", ""): 5, ("70+", "female", "resident", ""): 5}
    assert blanked == {"sector": 5, "residency": 5}
    # a lone person would be the only all-blank line: the smallest other group joins them
    shown, blanked = k_anonymise(lines + [("40-49", "other", "resident", "")], 5)
    groups = Counter(shown)
    assert all(n >= 5 for n in groups.values()) and groups[("", "", "", "")] == 6, groups


def test_k_anonymise_too_few_for_anything_blanks_everything():
    shown, blanked = k_anonymise([("18-29", "female", "resident", "industry"),
                                  ("30-39", "male", "resident", "")], 5)
    assert set(shown) == {("", "", "", "")} and sum(blanked.values()) == 7


# --- weighting cells ---------------------------------------------------------------------------

def test_weights_need_every_joint_cell_to_hold_k_and_fall_back_to_age_and_gender(world, db, make):
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    set_targets(db.session, world.space, "residency", {"resident": 0.8, "relationship": 0.2})
    db.session.commit()
    for user in people(make, 3, age=25, gender="female"):
        respond(db, world, user, single=0)
    for user in people(make, 2, age=25, gender="male"):
        respond(db, world, user, single=1)
    respond(db, world, people(make, 1, age=25, gender="male", residency="relationship")[0],
            single=1)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    from app.surveys import results
    full = results.compute_weighting(db.session, survey, world.space, min_cell=1)
    assert [m.dimension for m in full.margins] == ["age_band", "gender", "residency"]
    assert full.smallest_cell == 1
    # (18-29, male, relationship) holds 1: residency is dropped, age x gender cells hold 3
    coarse = results.compute_weighting(db.session, survey, world.space, min_cell=3)
    assert coarse.available and coarse.coarsened
    assert [m.dimension for m in coarse.margins] == ["age_band", "gender"]
    refused = results.compute_weighting(db.session, survey, world.space, min_cell=4)
    assert not refused.available and refused.reason == "small_cells"
    assert weighting_of(db, world).available  # no minimum asked: as before


def test_results_page_says_why_weights_are_not_shown(client, world, db, make):
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    for user in people(make, 6, age=25, gender="female"):
        respond(db, world, user, single=0)
    respond(db, world, people(make, 1, age=25, gender="male")[0], single=1)
    html = client_as(client.application, "fac@example.jp").get(urls(world)[0]).get_data(as_text=True)
    assert "Weighted results are not shown" in html and "fewer than 5 people" in html
    assert "Weighted share" not in html


# --- public results ----------------------------------------------------------------------------

def test_public_results_need_enough_respondents(client, world, db, make, monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 4)
    for user in people(make, 3, age=25, gender="female"):
        respond(db, world, user, single=0)
    close(db, world)
    page, api = urls(world)
    anonymous = client_as(client.application)
    html = anonymous.get(page).get_data(as_text=True)
    assert "Fewer than 4 people responded to this survey, so no results are published" in html
    assert "交通手段は" not in html
    body = anonymous.get(api).json
    assert body["respondents"] is None and body["questions"] == []
    assert body["disclosure"] == {"min_group": 4, "withheld": True, "hidden_figures": 0}
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=1)
    assert anonymous.get(api).json["respondents"] == 4


def test_public_option_counts_below_k_are_hidden_with_complements(client, world, db, make,
                                                                  monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 4)
    for i, user in enumerate(people(make, 9, age=25, gender="female")):
        respond(db, world, user, single=1 if i < 7 else 2)  # 7 地下鉄, 2 自動車
    close(db, world)
    release = public_release(db, world, 4)
    single = next(r for r in release.questions if r.question.kind == "single")
    counts = {o.key: o.count for o in single.options}
    assert counts[str(world.questions["single"].options[2].id)] is None  # 2: primary
    ranges = option_ranges(single, 4)
    assert all(high - low >= 3 for low, high in ranges.values()), ranges
    likert = next(r for r in release.questions if r.question.kind == "likert")
    assert all(o.count in (None, 0, 9) for o in likert.options)  # everyone chose 3
    html = client_as(client.application).get(urls(world)[0]).get_data(as_text=True)
    assert "groups of fewer than 4 people are never shown" in html
    assert "figures are hidden for this reason" in html


def test_likert_mean_hidden_when_a_count_is_hidden(world, db, make):
    for i, user in enumerate(people(make, 6, age=25, gender="female")):
        respond(db, world, user, single=1, likert=5 if i else 1)
    close(db, world)
    likert = next(r for r in public_release(db, world, 4).questions if r.question.kind == "likert")
    assert likert.hidden and likert.mean is None


def test_public_numbers_are_rounded_and_have_no_extremes(client, world, db, make, monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 4)
    for user, years in zip(people(make, 5, age=25, gender="female"), ("3", "4", "5", "12", "97")):
        respond(db, world, user, single=1, number=years)
    close(db, world)
    page, api = urls(world)
    number = next(q for q in client_as(client.application).get(api).json["questions"] if q["kind"] == "number")
    assert number["minimum"] is None and number["maximum"] is None
    assert number["mean"] == 24 and number["median"] == 5  # 24.2 to two figures
    html = client_as(client.application).get(page).get_data(as_text=True)
    assert "Largest" not in html and "97" not in main_text(html) and "Median" in html
    fac = client_as(client.application, "fac@example.jp")
    number = next(q for q in fac.get(api).json["questions"] if q["kind"] == "number")
    assert (number["minimum"], number["maximum"], number["mean"]) == (3, 97, 24.2)


def test_question_answered_by_fewer_than_k_shows_nothing(client, world, db, make, monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 4)
    users = people(make, 5, age=25, gender="female")
    for i, user in enumerate(users):
        respond(db, world, user, single=1, number="20" if i < 2 else "")
    close(db, world)
    number = next(r for r in public_release(db, world, 4).questions if r.question.kind == "number")
    assert number.too_few and number.mean is None and number.median is None
    html = client_as(client.application).get(urls(world)[0]).get_data(as_text=True)
    assert "Fewer than 4 people answered this question" in html


# --- who may ask -------------------------------------------------------------------------------

def test_unlisted_space_answers_the_api_like_a_missing_survey(client, world, db, make):
    for user in people(make, 3, age=25, gender="female"):
        respond(db, world, user, single=0)
    close(db, world)
    world.space.visibility = "unlisted"
    db.session.commit()
    api = urls(world)[1]
    for visitor in (client_as(client.application), client_as(client.application, "part@example.jp")):
        r = visitor.get(api)
        missing = visitor.get("/api/v1/surveys/999999/results")
        assert r.status_code == missing.status_code == 404 and r.data == missing.data
        assert world.space.slug.encode() not in r.data
    fac = client_as(client.application, "fac@example.jp")
    assert fac.get(api).status_code == 200


@pytest.mark.parametrize("visibility", ["after_close", "private"])
def test_open_survey_results_stay_with_the_facilitators(client, world, db, make, visibility):
    world.survey.results_visibility = visibility
    db.session.commit()
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    page, api = urls(world)
    for visitor in (client_as(client.application), client_as(client.application, "part@example.jp")):
        assert visitor.get(page).status_code == 404 and visitor.get(api).status_code == 404
    fac = client_as(client.application, "fac@example.jp")
    assert fac.get(api).json["respondents"] == 1
    assert "You see the results live" in fac.get(page).get_data(as_text=True)
