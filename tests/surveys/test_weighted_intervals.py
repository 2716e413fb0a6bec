"""Weighted survey results (issue #12): 95% intervals and design effects beside every weighted
share, age band x gender raked to the census's joint table, the plain statement that facilitator
targets are not population weighting, and the visible choice about respondents without
demographics with what it changes. The page and the API show the same figures; the expected
ones are worked out here from the weights, one respondent at a time."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.common.time import utcnow
from app.representation import weighting as pure

from app.surveys import results, services
from app.representation.targets import set_targets
from tests.people import client_as
from tests.surveys.helpers import load_population, people, respond

CENSUS = {("female", 18, 29): 300, ("male", 18, 29): 200, ("female", 30, 39): 250,
          ("male", 30, 39): 250}
SHARES = {("18-29", "female"): 0.3, ("18-29", "male"): 0.2, ("30-39", "female"): 0.25,
          ("30-39", "male"): 0.25}
# (age, gender) -> the single-choice answers of that group; None: no demographics at all
PLAN = {(25, "female"): (0, 0, 1, 1, 2), (25, "male"): (1, 1, 1, 0, 0),
        (35, "female"): (2, 2, 1, 0, 0), (35, "male"): (1, 1, 1, 1, 0, 0),
        None: (0, 0, 0, 0, 1)}


def band(age):
    return "18-29" if age < 30 else "30-39"


@pytest.fixture
def answered(world, db, make):
    """Everyone of PLAN answered; returns [(group cell or None, choice)] per respondent."""
    load_population(db.session, CENSUS)
    rows = []
    for group, choices in PLAN.items():
        if group is None:
            users = [make.user() for _ in choices]
        else:
            users = people(make, len(choices), age=group[0], gender=group[1])
        for user, choice in zip(users, choices):
            respond(db, world, user, single=choice)
            rows.append((None if group is None else (band(group[0]), group[1]), choice))
    return rows


def expected_weights(rows, unknown):
    """Joint raking by hand: the 21 respondents with age and gender keep their total and each
    census group gets its share of it; the 5 without demographics keep weight 1 or are left
    out (weight 0, and the others then have mean 1 by themselves, which is the same)."""
    complete = [cell for cell, _ in rows if cell is not None]
    sizes = {cell: complete.count(cell) for cell in SHARES}
    return [SHARES[cell] * len(complete) / sizes[cell] if cell is not None
            else (1.0 if unknown == "keep" else 0.0) for cell, _ in rows]


def expected_option(rows, unknown, choice):
    weights = expected_weights(rows, unknown)
    kept = [(w, c == choice) for w, (_, c) in zip(weights, rows) if w > 0]
    return pure.weighted_share([y for _, y in kept], [w for w, _ in kept])


def single_of(body, world):
    return next(q for q in body["questions"] if q["id"] == world.questions["single"].id)


def page_url(world, **query):
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def api_url(world, **query):
    query = {"weighted": 1, **query}
    return (f"/api/v1/surveys/{world.survey.id}/results?"
            + "&".join(f"{k}={v}" for k, v in query.items()))


# --- intervals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("unknown", ["keep", "exclude"])
def test_intervals_on_the_page_and_in_the_api_are_the_per_respondent_ones(client, world, answered,
                                                                          unknown):
    fac = client_as(client.application, "fac@example.jp")
    body = fac.get(api_url(world, unknown=unknown)).json
    assert body["weighting"]["available"]
    html = fac.get(page_url(world, unknown=unknown)).get_data(as_text=True)
    options = single_of(body, world)["options"]
    for index, option in enumerate(options[:3]):
        want = expected_option(answered, unknown, index)
        assert option["weighted_share"] == pytest.approx(want.share, abs=1e-6)
        assert option["weighted_ci_low"] == pytest.approx(want.ci_low, abs=1e-6)
        assert option["weighted_ci_high"] == pytest.approx(want.ci_high, abs=1e-6)
        assert option["design_effect"] == pytest.approx(want.design_effect, abs=1e-6)
        assert option["interval_method"] == "linearised"
        # the page: the same share, its interval beside it, and the design effect
        row = (f"{want.share * 100:.1f}%</td><td class=\"num\">{want.ci_low * 100:.1f}–"
               f"{want.ci_high * 100:.1f}%</td><td class=\"num\">{want.design_effect:.2f}</td>")
        assert row in html
    assert "95% interval" in html and "Design effect" in html
    # nobody chose "other": a share of 0 still gets an interval, from Kish's design effect
    other = options[3]
    assert other["weighted_share"] == 0 and other["interval_method"] == "kish"
    assert other["weighted_ci_low"] == 0 and other["weighted_ci_high"] > 0


def test_raw_results_carry_no_intervals(client, world, answered):
    body = client_as(client.application, "fac@example.jp").get(api_url(world, weighted=0)).json
    assert set(single_of(body, world)["options"][0]) == {"key", "label", "count", "share"}


def test_how_to_read_says_a_model_of_who_takes_part_in_both_languages(client, world, answered):
    fac = client_as(client.application, "fac@example.jp")
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert "Respondents are not a random sample: they chose to take part." in html
    assert "under a model of who takes part" in html
    note = fac.get(api_url(world)).json["weighting"]["interval"]
    assert note["level"] == 0.95 and "under a model of who takes part" in note["note"]
    fac.get("/lang/ja")
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert "無作為に選ばれた標本ではありません" in html and "参加する人についてのモデル" in html
    assert "95%区間" in html


# --- joint raking ------------------------------------------------------------------------------

def test_age_and_gender_are_raked_to_the_census_table(client, world, answered):
    fac = client_as(client.application, "fac@example.jp")
    joint = fac.get(api_url(world)).json["weighting"]["joint"]
    assert joint["raked_jointly"] is True and joint["variables"] == ["age_band", "gender"]
    assert {c["key"]: c["weighted"] for c in joint["categories"]} == pytest.approx(
        {"|".join(cell): share for cell, share in SHARES.items()}, abs=1e-6)
    assert {c["key"]: c["target"] for c in joint["categories"]} == pytest.approx(
        {"|".join(cell): share for cell, share in SHARES.items()}, abs=1e-6)
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert "Raked to the population's table of age band × gender" in html
    assert "census population, raked jointly" in html and "18–29, Female" in html


def test_an_empty_group_of_the_table_means_two_margins_and_says_so(client, world, db, make,
                                                                   monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_FACILITATOR", 1)
    load_population(db.session, {("female", 18, 29): 100, ("male", 18, 29): 300,
                                 ("female", 30, 39): 350, ("male", 30, 39): 250})
    for age, gender in ((25, "male"), (25, "male"), (35, "female"), (35, "male")):
        respond(db, world, people(make, 1, age=age, gender=gender)[0], single=1)
    fac = client_as(client.application, "fac@example.jp")
    weighting = fac.get(api_url(world)).json["weighting"]
    assert weighting["available"] and weighting["joint"]["raked_jointly"] is False
    assert weighting["joint"]["categories"] == []
    assert weighting["joint"]["without_respondents"] == [
        {"key": "18-29|female", "population_share": 0.1}]
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert "Raked to the age band and gender totals separately: no respondent belongs to " \
           "18–29, Female" in html


def test_a_respondent_of_another_gender_is_adjusted_on_age(world, db, make):
    # One respondent per census group (weights 0.3 * 4 = 1.2, 0.8, 1, 1) and three of another
    # gender, two young and one old: among themselves raked to the census's age totals (1/2
    # each) keeping their total 3, so 0.75 for each young one and 1.5 for the old one.
    load_population(db.session, CENSUS)
    for (age, gender) in ((25, "female"), (25, "male"), (35, "female"), (35, "male"),
                          (25, "other"), (25, "other"), (35, "other")):
        respond(db, world, people(make, 1, age=age, gender=gender)[0], single=1)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    weighting = results.compute_weighting(db.session, survey, world.space)
    assert weighting.joint and weighting.lacking == 3
    by_group = {cell[:2]: w for cell, w in weighting.cell_weights.items()}
    assert by_group == pytest.approx({
        ("18-29", "female"): 1.2, ("18-29", "male"): 0.8, ("30-39", "female"): 1.0,
        ("30-39", "male"): 1.0, ("18-29", "other"): 0.75, ("30-39", "other"): 1.5})
    age = next(m for m in weighting.margins if m.dimension == "age_band")
    assert {r["key"]: r["weighted"] for r in age.rows} == pytest.approx(
        {"18-29": 0.5, "30-39": 0.5})


# --- facilitator targets ----------------------------------------------------------------------

def test_targets_are_said_not_to_be_population_weighting(client, world, db, answered):
    fac = client_as(client.application, "fac@example.jp")
    weighting = fac.get(api_url(world)).json["weighting"]
    assert weighting["population_weighting"] is True and weighting["targets_notice"] is None
    assert "not population weighting" not in fac.get(page_url(world)).get_data(as_text=True)
    set_targets(db.session, world.space, "residency", {"resident": 1.0})
    db.session.commit()
    weighting = fac.get(api_url(world)).json["weighting"]
    assert "residency" in weighting["variables"]
    assert weighting["population_weighting"] is False
    notice = ("Weighting to facilitator targets is not population weighting: the weights for "
              "Residency type follow the shares the facilitators set")
    assert weighting["targets_notice"].startswith(notice)
    assert notice in fac.get(page_url(world)).get_data(as_text=True)


# --- respondents without demographics ------------------------------------------------------------

def test_the_choice_about_respondents_without_demographics_and_its_effect(client, world,
                                                                          answered):
    fac = client_as(client.application, "fac@example.jp")
    keep = fac.get(api_url(world)).json
    exclude = fac.get(api_url(world, unknown="exclude")).json
    assert keep["weighting"]["unknown_demographics"]["treatment"] == "keep"  # the default
    assert exclude["weighting"]["unknown_demographics"]["treatment"] == "exclude"
    for body in (keep, exclude):
        unknown = body["weighting"]["unknown_demographics"]
        assert unknown["default"] == "keep" and unknown["lacking"] == 5
        assert unknown["comparable"] is True
    assert keep["weighting"]["unknown_demographics"]["excluded"] == 0
    assert exclude["weighting"]["unknown_demographics"]["excluded"] == 5
    # raw figures count everyone either way
    assert single_of(keep, world)["options"][0]["share"] == \
        single_of(exclude, world)["options"][0]["share"] == pytest.approx(12 / 26, abs=1e-6)
    # the largest change, worked out by hand: only the single-choice question's shares move
    # (everyone chose the same multiple-choice option and the same Likert point)
    changes = [abs(expected_option(answered, "keep", i).share
                   - expected_option(answered, "exclude", i).share) for i in range(3)]
    largest = max(changes)
    for body in (keep, exclude):
        unknown = body["weighting"]["unknown_demographics"]
        assert unknown["largest_change"] == pytest.approx(largest, abs=1e-6)
        assert unknown["largest_change_question"] == world.questions["single"].id
        assert unknown["largest_change_option"] == str(
            world.questions["single"].options[changes.index(largest)].id)
        assert single_of(body, world)["unknown_change"] == pytest.approx(largest, abs=1e-6)
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert 'value="keep" checked' in html and "(the default)" in html
    assert ("With the other choice, the weighted shares shown here change by at most "
            f"{largest * 100:.1f} percentage points (Q1).") in html
    assert "5 (not adjusted on what they did not answer)" in html
    html = fac.get(page_url(world, unknown="exclude")).get_data(as_text=True)
    assert 'value="exclude" checked' in html and "5 (left out of the weighted results)" in html
    assert f"change by up to {largest * 100:.1f} percentage points" in html


def test_everyone_with_demographics_means_the_choice_changes_nothing(client, world, db, make,
                                                                     monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_FACILITATOR", 1)
    load_population(db.session, CENSUS)
    for age, gender in ((25, "female"), (25, "male"), (35, "female"), (35, "male")):
        respond(db, world, people(make, 1, age=age, gender=gender)[0], single=1)
    fac = client_as(client.application, "fac@example.jp")
    unknown = fac.get(api_url(world)).json["weighting"]["unknown_demographics"]
    assert unknown["lacking"] == 0 and unknown["largest_change"] == 0
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert "Every respondent gave every answer used for weighting" in html
    assert 'name="unknown"' not in html


def test_bad_choices_are_refused(client, world, answered):
    fac = client_as(client.application, "fac@example.jp")
    assert fac.get(page_url(world, unknown="drop")).status_code == 404
    r = fac.get(api_url(world, unknown="drop"))
    assert r.status_code == 400 and "unknown must be keep or exclude" in r.json["error"]


def test_left_out_small_group_does_not_unlock_weights(world, db, make):
    # Four respondents without demographics are a weighting group of 4: with a minimum of 5,
    # leaving them out must not give weights either, or the raw total less the weighted rest
    # would tell what those four answered.
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    for gender in ("female", "male"):
        for user in people(make, 5, age=25, gender=gender):
            respond(db, world, user, single=1)
    for _ in range(4):
        respond(db, world, make.user(), single=2)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    both = results.compute_weightings(db.session, survey, world.space, min_cell=5)
    assert [both[t].reason for t in ("keep", "exclude")] == ["small_cells", "small_cells"]


# --- the public ----------------------------------------------------------------------------------

def test_public_intervals_only_beside_shown_weighted_shares(client, world, db, answered,
                                                           monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 5)
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    body = client_as(client.application).get(api_url(world)).json
    assert body["weighting"]["available"]
    single = single_of(body, world)
    assert single["hidden"]  # 自動車 was chosen by 3
    for option in single["options"]:
        shown = option["weighted_share"] is not None
        assert (option["weighted_ci_low"] is not None) == shown
        assert (option["design_effect"] is not None) == shown
        if shown:  # to 0.1 point and two decimals, as on the page
            assert option["weighted_ci_low"] == round(option["weighted_ci_low"], 3)
            assert option["design_effect"] == round(option["design_effect"], 2)
    car = str(world.questions["single"].options[2].id)
    assert next(o for o in single["options"] if o["key"] == car)["weighted_ci_low"] is None
    # the effect of the choice is taken over shown shares only
    unknown = body["weighting"]["unknown_demographics"]
    assert unknown["largest_change_option"] != car
    for row in body["weighting"]["joint"]["categories"]:  # groups of at least 5
        assert round(row["raw"] * body["respondents"]) >= 5


# --- the document --------------------------------------------------------------------------------

def test_openapi_describes_the_weighted_figures(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/surveys/{id}/results"]["get"]
    unknown = next(p for p in operation["parameters"] if p["name"] == "unknown")
    assert unknown["schema"]["enum"] == ["keep", "exclude"]
    schemas = document["components"]["schemas"]
    option = schemas["SurveyOptionResult"]["properties"]
    assert {"weighted_ci_low", "weighted_ci_high", "design_effect", "interval_method"} <= set(option)
    assert "unknown_change" in schemas["SurveyQuestionResult"]["properties"]
    weighting = schemas["SurveyResults"]["properties"]["weighting"]
    assert {"population_weighting", "targets_notice", "joint", "unknown_demographics",
            "interval"} <= set(weighting["required"])


# --- weighted means ----------------------------------------------------------------------------

def _per_respondent_mean(values, weights, low=None, high=None):
    """The weighted mean and its linearised 95% interval, one respondent at a time."""
    import math

    import numpy as np
    from scipy import stats

    y, w = np.array(values, dtype=float), np.array(weights, dtype=float)
    y, w = y[w > 0], w[w > 0]
    m = float(np.dot(w, y) / w.sum())
    se = math.sqrt(len(y) / (len(y) - 1) * float(np.sum((w * (y - m)) ** 2)) / w.sum() ** 2)
    t = stats.t.ppf(0.975, w.sum() ** 2 / np.dot(w, w) - 1)
    lo, hi = m - t * se, m + t * se
    return m, (lo if low is None else max(lo, low)), (hi if high is None else min(hi, high))


def test_weighted_means_carry_their_interval_on_the_page_and_in_the_api(client, world, db, make,
                                                                       answered):
    # everyone of `answered` gave Likert 3 and no number; add respondents who differ
    extra = []
    for group, (likert, number) in {(25, "female"): (5, "2"), (25, "male"): (4, "3"),
                                    (35, "female"): (1, "30"), (35, "male"): (2, "25")}.items():
        for user in people(make, 2, age=group[0], gender=group[1]):
            respond(db, world, user, single=1, likert=likert, number=number)
            extra.append(((band(group[0]), group[1]), likert, float(number)))
    rows = [(cell, choice) for cell, choice in answered] + [(c, 1) for c, _, _ in extra]
    weights = expected_weights(rows, "keep")
    likert_values = [3] * len(answered) + [lik for _, lik, _ in extra]
    fac = client_as(client.application, "fac@example.jp")
    body = fac.get(api_url(world)).json
    likert = next(q for q in body["questions"] if q["id"] == world.questions["likert"].id)
    mean, low, high = _per_respondent_mean(likert_values, weights, 1, 5)
    assert likert["weighted_mean"] == pytest.approx(mean, abs=1e-6)
    assert (likert["weighted_mean_ci_low"], likert["weighted_mean_ci_high"]) == pytest.approx(
        (low, high), abs=1e-6)
    assert likert["mean_design_effect"] > 0
    number = next(q for q in body["questions"] if q["id"] == world.questions["number"].id)
    number_weights = weights[len(answered):]
    n_mean, n_low, n_high = _per_respondent_mean([v for _, _, v in extra], number_weights)
    assert number["weighted_mean"] == pytest.approx(n_mean, abs=1e-6)
    assert (number["weighted_mean_ci_low"], number["weighted_mean_ci_high"]) == pytest.approx(
        (n_low, n_high), abs=1e-6)
    html = fac.get(page_url(world)).get_data(as_text=True)
    assert f"weighted: {mean:.2f} (95% interval {low:.2f}–{high:.2f})" in html
    # raw results carry none of it
    raw = fac.get(api_url(world, weighted=0)).json
    raw_likert = next(q for q in raw["questions"] if q["id"] == world.questions["likert"].id)
    assert "weighted_mean_ci_low" not in raw_likert
