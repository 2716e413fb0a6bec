"""Results: counts and shares, population weights (recomputed here independently), capping,
breakdowns with suppression, free-text search, CSV export and the JSON API."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.time import utcnow
from app.representation.targets import set_targets
from app.surveys import breakdown, results, services
from app.surveys.answering import Given
from tests.people import client_as
from tests.surveys.attacker import breakdown_ranges
from tests.surveys.helpers import load_population, people, respond, result_of, weighting_of


# --- raw counts ------------------------------------------------------------------------------

def test_raw_counts_and_shares(world, db, make):
    users = people(make, 4, age=30, gender="male")
    respond(db, world, users[0], single=0, likert=5, number="10", multiple=(0, 1))
    respond(db, world, users[1], single=1, likert=4, number="20", multiple=(1,))
    respond(db, world, users[2], single=1, likert=4, multiple=(1, 2))
    respond(db, world, users[3], single=None, other="路面電車", likert=1)
    single = result_of(db, world, "single")
    assert single.answered == 4
    assert [(o.label, o.count) for o in single.options] == [
        ("バス", 1), ("地下鉄", 2), ("自動車", 0), ("", 1)]
    assert single.options[-1].key == "other" and single.options[1].share == 0.5
    multiple = result_of(db, world, "multiple")
    assert [o.count for o in multiple.options] == [2, 3, 1, 0]  # the 4th chose the default
    assert multiple.options[1].share == pytest.approx(0.75)
    likert = result_of(db, world, "likert")
    assert [o.count for o in likert.options] == [1, 0, 0, 2, 1]
    assert likert.mean == pytest.approx((5 + 4 + 4 + 1) / 4)
    number = result_of(db, world, "number")
    assert (number.answered, number.mean, number.minimum, number.maximum) == (2, 15, 10, 20)
    assert results.respondent_count(db.session, world.survey) == 4
    # drafts are not results
    services.save_section(db.session, world.survey, world.participant, world.survey.sections[0],
                          {world.questions["single"].id: Given(options=[world.questions["single"].options[2].id])},
                          resume_section_id=None)
    db.session.commit()
    assert result_of(db, world, "single").options[2].count == 0


# --- weighting -------------------------------------------------------------------------------

def test_weighted_shares_single_variable_exact(world, db, make):
    load_population(db.session, {("female", 18, 29): 600, ("male", 18, 29): 400})
    [woman] = people(make, 1, age=25, gender="female")
    men = people(make, 3, age=25, gender="male")
    respond(db, world, woman, single=0)
    for man, choice in zip(men, (1, 1, 2)):
        respond(db, world, man, single=choice)
    weighting = weighting_of(db, world)
    assert weighting.available
    # independent: the woman stands for 60% of 4 respondents, each man for 40% / 3
    w_woman, w_man = 0.6 * 4 / 1, 0.4 * 4 / 3
    weights = [w_woman] + [w_man] * 3
    expected = {"バス": w_woman / 4, "地下鉄": 2 * w_man / 4, "自動車": w_man / 4}
    single = result_of(db, world, "single", weighting)
    for option in single.options[:3]:
        assert option.weighted_share == pytest.approx(expected[option.label], abs=1e-9)
    assert weighting.max_weight == pytest.approx(w_woman)
    assert weighting.effective_sample_size == pytest.approx(
        sum(weights) ** 2 / sum(w * w for w in weights))
    assert single.effective_n == pytest.approx(weighting.effective_sample_size)
    gender = next(m for m in weighting.margins if m.dimension == "gender")
    assert {r["key"]: r["weighted"] for r in gender.rows} == pytest.approx(
        {"female": 0.6, "male": 0.4})
    assert not weighting.misses and weighting.lacking == 0


def ipf(rows, targets, sweeps=500):
    """Plain raking for the test: rows are dicts, targets {var: {cat: share}}."""
    w = [1.0] * len(rows)
    for _ in range(sweeps):
        for var, shares in targets.items():
            totals = {c: sum(wi for wi, r in zip(w, rows) if r[var] == c) for c in shares}
            total = sum(totals.values())
            w = [wi * shares[r[var]] * total / totals[r[var]] for wi, r in zip(w, rows)]
    mean = sum(w) / len(w)
    return [wi / mean for wi in w]


def test_weighted_shares_two_variables_match_joint_raking(world, db, make):
    # The census counts people per age and sex, so age band x gender is raked to that table:
    # each of its groups gets its population share, weight = share * n / respondents in it.
    load_population(db.session, {("female", 18, 29): 300, ("male", 18, 29): 200,
                                 ("female", 30, 39): 250, ("male", 30, 39): 250})
    plan = [  # (age, gender, choice)
        (25, "female", 0), (25, "male", 1), (25, "male", 1), (25, "male", 0),
        (35, "female", 2), (35, "female", 1), (35, "male", 1), (35, "male", 2), (35, "male", 1),
    ]
    shares = {("18-29", "female"): 0.3, ("18-29", "male"): 0.2, ("30-39", "female"): 0.25,
              ("30-39", "male"): 0.25}
    rows = []
    for age, gender, choice in plan:
        [user] = people(make, 1, age=age, gender=gender)
        respond(db, world, user, single=choice)
        rows.append({"age_band": "18-29" if age < 30 else "30-39", "gender": gender,
                     "choice": choice})
    sizes = {cell: sum(1 for r in rows if (r["age_band"], r["gender"]) == cell) for cell in shares}
    weights = [shares[(r["age_band"], r["gender"])] * len(rows) / sizes[(r["age_band"], r["gender"])]
               for r in rows]
    weighting = weighting_of(db, world)
    assert weighting.joint and weighting.joint_empty == []
    assert {r["key"]: r["weighted"] for r in weighting.joint_check.rows} == pytest.approx(
        {"|".join(cell): share for cell, share in shares.items()})
    single = result_of(db, world, "single", weighting)
    for index, option in enumerate(single.options[:3]):
        expected = sum(w for w, r in zip(weights, rows) if r["choice"] == index) / sum(weights)
        assert option.weighted_share == pytest.approx(expected, abs=1e-7)
    assert weighting.max_weight == pytest.approx(max(weights), abs=1e-7)


def test_weighted_shares_two_variables_match_plain_raking(world, db, make):
    # No young woman answered: raking to the table would drop that group from the weighted
    # population, so age band and gender are raked as two margins, and the page says why.
    load_population(db.session, {("female", 18, 29): 100, ("male", 18, 29): 300,
                                 ("female", 30, 39): 350, ("male", 30, 39): 250})
    plan = [  # (age, gender, choice)
        (25, "male", 0), (25, "male", 1), (25, "male", 1), (25, "male", 0),
        (35, "female", 2), (35, "female", 1), (35, "male", 1), (35, "male", 2), (35, "male", 1),
    ]
    rows = []
    for age, gender, choice in plan:
        [user] = people(make, 1, age=age, gender=gender)
        respond(db, world, user, single=choice)
        rows.append({"age_band": "18-29" if age < 30 else "30-39", "gender": gender,
                     "choice": choice})
    weights = ipf(rows, {"age_band": {"18-29": 0.4, "30-39": 0.6},
                         "gender": {"female": 0.45, "male": 0.55}})
    weighting = weighting_of(db, world)
    assert not weighting.joint and weighting.joint_check is None
    assert [e["key"] for e in weighting.joint_empty] == ["18-29|female"]
    assert weighting.joint_empty[0]["population_share"] == pytest.approx(0.1)
    single = result_of(db, world, "single", weighting)
    for index, option in enumerate(single.options[:3]):
        expected = sum(w for w, r in zip(weights, rows) if r["choice"] == index) / sum(weights)
        assert option.weighted_share == pytest.approx(expected, abs=1e-7)
    assert weighting.max_weight == pytest.approx(max(weights), abs=1e-7)


def test_respondents_without_demographics_are_counted_and_not_adjusted(world, db, make):
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    respond(db, world, people(make, 1, age=25, gender="male")[0], single=1)
    respond(db, world, people(make, 1, age=25, gender="male")[0], single=1)
    respond(db, world, make.user(), single=2)  # no demographic answers at all
    weighting = weighting_of(db, world)
    assert weighting.lacking == 1
    gender = next(m for m in weighting.margins if m.dimension == "gender")
    assert gender.missing == 1
    # the respondent without answers keeps weight 1; the others meet 50/50 among themselves
    assert sorted(weighting.cell_weights.values()) == pytest.approx([0.75, 1.0, 1.5])


def test_group_without_respondents_is_named(client, world, db, make, monkeypatch):
    # one respondent per weighting cell: allowed only with a minimum group of 1
    monkeypatch.setitem(client.application.config, "MIN_CELL_FACILITATOR", 1)
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500,
                                 ("female", 30, 39): 500, ("male", 30, 39): 500})
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    respond(db, world, people(make, 1, age=25, gender="male")[0], single=1)
    weighting = weighting_of(db, world)
    age = next(m for m in weighting.margins if m.dimension == "age_band")
    assert [e["key"] for e in age.empty] == ["30-39"]
    assert age.empty[0]["population_share"] == pytest.approx(0.5)
    fac = client_as(client.application, "fac@example.jp")
    html = fac.get(f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results").get_data(as_text=True)
    assert "No respondent belongs to “30–39”" in html


def test_cap_limits_weights_and_warns_about_missed_targets(client, world, db, make,
                                                          monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_FACILITATOR", 1)
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    for man in people(make, 9, age=25, gender="male"):
        respond(db, world, man, single=1)
    uncapped = weighting_of(db, world)
    assert uncapped.max_weight == pytest.approx(5.0) and not uncapped.misses
    fac = client_as(client.application, "fac@example.jp")
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results"
    r = fac.post(url + "/weighting", data={"cap": "0.5"})
    assert r.status_code == 422 and "Enter a number above 1" in r.get_data(as_text=True)
    r = fac.post(url + "/weighting", data={"cap": "２"})
    assert r.status_code == 302
    capped = weighting_of(db, world, cap=2.0)
    assert capped.max_weight <= 2.0 + 1e-9
    assert ("gender", "female") in capped.misses
    html = fac.get(url).get_data(as_text=True)
    assert "miss their targets by more than 1 percentage point" in html
    assert "off target" in html and "2 × the average weight" in html
    assert "What weighting can and cannot fix" in html


def test_residency_and_sector_targets_are_weighting_variables(world, db, make):
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    set_targets(db.session, world.space, "residency", {"resident": 0.8, "relationship": 0.2})
    db.session.commit()
    respond(db, world, people(make, 1, age=25, gender="female", residency="resident")[0], single=0)
    respond(db, world, people(make, 1, age=25, gender="male", residency="relationship")[0], single=1)
    respond(db, world, people(make, 1, age=25, gender="male", residency="resident")[0], single=1)
    weighting = weighting_of(db, world)
    assert [m.dimension for m in weighting.margins] == ["age_band", "gender", "residency"]
    residency = next(m for m in weighting.margins if m.dimension == "residency")
    assert residency.kind == "target"
    assert {r["key"]: r["weighted"] for r in residency.rows} == pytest.approx(
        {"resident": 0.8, "relationship": 0.2}, abs=1e-8)


def test_no_population_figures_means_no_weighting(world, db, make):
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    weighting = weighting_of(db, world)
    assert not weighting.available and weighting.reason == "no_margins"
    assert result_of(db, world, "single", weighting).options[0].weighted_share is None


# --- breakdown -------------------------------------------------------------------------------

def test_breakdown_suppresses_small_groups(client, world, db, make):
    for i, man in enumerate(people(make, 6, age=45, gender="male")):
        respond(db, world, man, single=0 if i < 5 else 1)
    for i, woman in enumerate(people(make, 12, age=45, gender="female")):
        respond(db, world, woman, single=1 if i < 6 else (0 if i < 11 else 2))
    for other in people(make, 2, age=45, gender="other"):
        respond(db, world, other, single=0)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    tables = breakdown.breakdown(db.session, survey, world.space, "gender", 5)
    table = next(t for t in tables if t.question.id == world.questions["single"].id)
    assert table.columns == ["female", "male", "other"] and table.answered == 20
    [true] = [t for t in breakdown.breakdown(db.session, survey, world.space, "gender", 1)
              if t.question.id == world.questions["single"].id]
    true_cells = {(row.key, c): row.cells[c].count for row in true.rows for c in true.columns}
    assert table.totals["female"] == 12 and table.totals["other"] is None  # 2: primary
    cells = {(row.label, c): row.cells[c] for row in table.rows for c in table.columns}
    assert cells[("自動車", "female")].hidden  # 1 woman: primary
    for row in table.rows:
        for c, cell in row.cells.items():
            assert cell.hidden or cell.count == 0 or cell.count >= 5
            if not cell.hidden:
                assert cell.count == true_cells[(row.key, c)]
        assert row.overall is None or row.overall == sum(
            true_cells[(row.key, c)] for c in table.columns)
    # no sum or difference of what is shown narrows a small cell below 5 possible values
    ranges = breakdown_ranges(table, true_cells, 5)
    assert ranges and all(high - low >= 4 for low, high in ranges.values()), ranges
    # "other" is a small group: its zero cells are hidden too
    assert all(row.cells["other"].hidden for row in table.rows)
    # the page shows "< 5" and no hidden figure
    fac = client_as(client.application, "fac@example.jp")
    html = fac.get(f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results/breakdown?by=gender").get_data(as_text=True)
    assert "&lt; 5" in html and "Another gender" in html


def test_breakdown_by_age_band_and_a_lone_small_group(world, db, make):
    for user in people(make, 3, age=25, gender="female"):
        respond(db, world, user, single=0)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    tables = breakdown.breakdown(db.session, survey, world.space, "age_band", 5)
    table = next(t for t in tables if t.question.id == world.questions["single"].id)
    assert table.columns == ["18-29"] and table.suppressed_all
    assert all(v is None for v in table.totals.values()) and table.rows == []
    with pytest.raises(ValueError):
        breakdown.breakdown(db.session, survey, world.space, "income", 5)


# --- free text -------------------------------------------------------------------------------

def test_text_answers_search_and_pagination(client, world, db, make):
    users = people(make, 25, age=40, gender="male")
    for i, user in enumerate(users):
        text = {0: "ＡＢＣ公園を広げて", 1: "100%賛成", 2: "=HYPERLINK()"}.get(i, f"意見{i}")
        respond(db, world, user, single=0, text=text)
    fac = client_as(client.application, "fac@example.jp")
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results/text/{world.questions['long'].id}"
    html = fac.get(url).get_data(as_text=True)
    assert "25 answers" in html and "Page 1 of 2" in html
    assert "Page 2 of 2" in fac.get(url + "?page=2").get_data(as_text=True)
    html = fac.get(url, query_string={"q": "abc"}).get_data(as_text=True)  # NFKC, any case
    assert "1 answer" in html and "ABC公園を広げて" in html
    html = fac.get(url, query_string={"q": "%"}).get_data(as_text=True)  # not a wildcard
    assert "1 answer" in html and "100%賛成" in html
    html = fac.get(url, query_string={"q": "存在しない"}).get_data(as_text=True)
    assert "No answer contains this text." in html
    other = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results/text/{world.questions['likert'].id}"
    assert fac.get(other).status_code == 404  # no text to list


# --- CSV export ------------------------------------------------------------------------------

def test_csv_export(client, world, db, make):
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 500})
    [woman] = people(make, 1, age=25, gender="female", sector="academia")
    woman.display_name, woman.email = "山田花子", "hanako@example.jp"
    db.session.commit()
    respond(db, world, woman, single=0, text="=SUM(A1)", number="7", multiple=(0, 2))
    for man in people(make, 5, age=25, gender="male"):
        respond(db, world, man, single=None, other="徒歩")
    fac = client_as(client.application, "fac@example.jp")
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/export.csv"
    r = fac.get(url)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"
    body = r.data.decode("utf-8")
    assert body.startswith("\ufeff")
    assert "山田花子" not in body and "hanako@example.jp" not in body and "@" not in body
    rows = list(csv.reader(io.StringIO(body[1:])))
    comment, header = rows[0], rows[1]
    assert comment[0].startswith("# ") and "at least 5 respondents" in comment[0]
    assert header[:5] == ["age_band", "gender", "residency", "sector", "weight"]
    assert not any("自由意見" in h or "バスの改善点" in h or "[other]" in h for h in header)
    lines = [dict(zip(header, row)) for row in rows[2:]]
    assert len(lines) == 6
    # The men alone would share (18-29, male, resident): 5 lines. The woman alone would be
    # the one blank line, so the men's group is blanked too.
    assert all(line[c] == "" for line in lines for c in ("age_band", "gender", "sector"))
    assert "1 value" not in comment[0] and "values were blanked" in comment[0]
    # one woman is a weighting cell of 1: no weights rather than her own
    assert {line["weight"] for line in lines} == {""} and "Weights are left out" in comment[0]
    [hers] = [line for line in lines if line["Q1 交通手段は?"] == "バス"]
    assert hers["Q2 関心のある分野 [子育て]"] == "1" and hers["Q2 関心のある分野 [福祉]"] == "0"
    assert hers["Q5 居住年数"] == "7"
    assert {line["Q1 交通手段は?"] for line in lines} == {"バス", "other"}
    text = fac.get(url, query_string={"part": "text"})
    assert text.headers["Cache-Control"] == "no-store"
    text_rows = list(csv.reader(io.StringIO(text.data.decode("utf-8")[1:])))
    assert text_rows[0] == ["question", "text"] and all(len(row) == 2 for row in text_rows)
    assert ["Q7 自由意見", "'=SUM(A1)"] in text_rows  # never a formula in a spreadsheet
    assert text_rows.count(["Q1 交通手段は? [other]", "徒歩"]) == 5
    assert ["Q3 バスの改善点", "本数を増やして"] in text_rows
    assert fac.get(url, query_string={"part": "all"}).status_code == 404
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "survey.export")).all()
    assert [(e.target, e.detail["part"]) for e in entries] == [
        (f"survey:{world.survey.id}", "responses"), (f"survey:{world.survey.id}", "text")]


# --- JSON API --------------------------------------------------------------------------------

def test_api_results_keys_and_figures(client, world, db, make, monkeypatch):
    monkeypatch.setitem(client.application.config, "MIN_CELL_FACILITATOR", 1)
    load_population(db.session, {("female", 18, 29): 600, ("male", 18, 29): 400})
    respond(db, world, people(make, 1, age=25, gender="female")[0], single=0)
    for man in people(make, 3, age=25, gender="male"):
        respond(db, world, man, single=1)
    fac = client_as(client.application, "fac@example.jp")
    url = f"/api/v1/surveys/{world.survey.id}/results"
    raw = fac.get(url + "?weighted=0").json
    assert set(raw) == {"survey", "respondents", "weighted", "weighting", "questions",
                        "disclosure"}
    assert raw["disclosure"] == {"min_group": 1, "withheld": False, "hidden_figures": 0}
    assert set(raw["survey"]) == {"id", "title", "space", "status", "opens_at", "closes_at"}
    assert raw["weighted"] is False and raw["weighting"] is None and raw["respondents"] == 4
    q1 = raw["questions"][0]
    assert set(q1) == {"id", "position", "kind", "text", "answered", "options", "mean",
                       "minimum", "maximum", "hidden", "too_few"}
    assert set(q1["options"][0]) == {"key", "label", "count", "share"}
    assert [o["count"] for o in q1["options"]] == [1, 3, 0, 0]
    ranking = next(q for q in raw["questions"] if q["kind"] == "ranking")
    assert set(ranking["options"][0]) == {"key", "label", "count", "share", "mean_rank"}
    weighted = fac.get(url + "?weighted=1").json
    assert weighted["weighted"] is True
    assert set(weighted["weighting"]) == {
        "available", "reason", "variables", "effective_sample_size", "max_weight", "min_weight",
        "cap", "lacking_demographics", "margins",
        # issue #12: who is weighted how, and what the intervals mean
        "population_weighting", "targets_notice", "joint", "unknown_demographics", "interval"}
    assert weighted["weighting"]["variables"] == ["age_band", "gender"]
    q1 = weighted["questions"][0]
    assert {"weighted_mean", "effective_sample_size", "unknown_change"} <= set(q1)
    assert set(q1["options"][0]) == {"key", "label", "count", "share", "weighted_share",
                                     "weighted_ci_low", "weighted_ci_high", "design_effect",
                                     "interval_method"}
    assert q1["options"][0]["weighted_share"] == pytest.approx(0.6, abs=1e-6)
    assert q1["effective_sample_size"] == pytest.approx(
        16 / (2.4 ** 2 + 3 * (0.4 * 4 / 3) ** 2), abs=1e-3)
    margin = weighted["weighting"]["margins"][1]
    assert set(margin) == {"dimension", "kind", "missing", "categories", "without_respondents"}
    assert set(margin["categories"][0]) == {"key", "target", "raw", "weighted", "off_target"}
    r = fac.get(url + "?weighted=yes")
    assert r.status_code == 400 and r.json["status"] == 400


def test_results_visibility_rules(client, world, db, make):
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results"
    api = f"/api/v1/surveys/{world.survey.id}/results"
    part = client_as(client.application, "part@example.jp")
    assert part.get(url).status_code == 404 and part.get(api).status_code == 404  # open
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert part.get(url).status_code == 200 and part.get(api).status_code == 200
    anonymous = client_as(client.application)
    assert anonymous.get(api).status_code == 200
    world.survey.results_visibility = "private"
    db.session.commit()
    assert part.get(url).status_code == 404
    assert anonymous.get(api).status_code == 404
    # a private survey's id answers exactly like an id that does not exist
    missing = anonymous.get("/api/v1/surveys/999999/results")
    assert missing.status_code == 404 and anonymous.get(api).json == missing.json
    fac = client_as(client.application, "fac@example.jp")
    assert fac.get(url).status_code == 200 and fac.get(api).status_code == 200


def test_openapi_document_lists_the_survey_results(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/surveys/{id}/results"]["get"]
    assert operation["operationId"] == "getSurveyResults"
    schema = document["components"]["schemas"]["SurveyResults"]
    assert set(schema["required"]) == {"survey", "respondents", "weighted", "weighting",
                                       "questions", "disclosure"}
