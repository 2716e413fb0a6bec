"""Attacks on survey results, played as anonymous visitors, a participant and a facilitator on a
tiny space whose respondents' demographics the attacker knows: Taro (35) is the only man;
nine of the ten women are under 30. One survey has 3 respondents, one 11. Whatever the attacker works out about
a named person must hold for at least k people (k = MIN_CELL_PUBLIC = 10 publicly,
MIN_CELL_FACILITATOR = 5 for facilitators)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from app.common.time import utcnow
from app.surveys import breakdown, services
from tests.surveys.attacker import breakdown_ranges, option_ranges
from tests.surveys.conftest import World, build_survey
from tests.dom import main_text
from tests.people import client_as
from tests.surveys.helpers import load_population, people, respond

PUBLIC_K, FACILITATOR_K = 10, 5
TARO_NUMBER = "73"  # years lived here: nobody else's answer is near it


@pytest.fixture
def tiny(db, make):
    space = make.space("tiny-town", title="小さな町の場")
    facilitator = make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 100,
                                 ("female", 30, 39): 300, ("male", 30, 39): 400})
    taro = people(make, 1, age=35, gender="male")[0]
    # one woman is 35, so age and gender are not the same split and raking can converge
    women = people(make, 9, age=25, gender="female") + people(make, 1, age=35, gender="female")
    taro.email = "taro@example.jp"
    db.session.commit()
    worlds = {}
    for name, others in (("three", women[:2]), ("eleven", women)):
        survey, questions = build_survey(db.session, space, facilitator, title=f"調査 {name}")
        world = World(space, facilitator, taro, survey, questions)
        for i, woman in enumerate(others):
            respond(db, world, woman, single=i % 2, number=str(1 + i % 5))
        worlds[name] = world
    return worlds, taro, women


def taro_answers(db, world, taro):
    respond(db, world, taro, single=2, number=TARO_NUMBER)  # 自動車: only he chose it


def close(db, world):
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()


def api_url(world, weighted=False):
    return f"/api/v1/surveys/{world.survey.id}/results?weighted={int(weighted)}"


def page_url(world):
    return f"/spaces/{world.space.slug}/surveys/{world.survey.id}/results"


def outsiders(client):
    """An anonymous visitor and a participant who answered (one of the women)."""
    return [client_as(client.application), client_as(client.application, "user-woman@example.jp")]


def test_polling_an_open_survey_gives_outsiders_nothing(client, db, make, tiny):
    worlds, taro, women = tiny
    world = worlds["eleven"]
    women[0].email = "user-woman@example.jp"
    db.session.commit()
    missing = client_as(client.application).get("/api/v1/surveys/999999/results")
    before = [(v.get(api_url(world, True)).data, v.get(page_url(world)).status_code)
              for v in outsiders(client)]
    taro_answers(db, world, taro)
    after = [(v.get(api_url(world, True)).data, v.get(page_url(world)).status_code)
             for v in outsiders(client)]
    # before and after Taro's answer: the same 404 as a survey that does not exist
    assert before == after == [(missing.data, 404)] * 2
    facilitator = client_as(client.application, "fac@example.jp")
    assert facilitator.get(api_url(world)).json["respondents"] == 11  # live for them only


def test_three_respondents_after_close_publish_nothing(client, db, make, tiny):
    worlds, taro, women = tiny
    world = worlds["three"]
    women[0].email = "user-woman@example.jp"
    db.session.commit()
    taro_answers(db, world, taro)
    close(db, world)
    for visitor in outsiders(client):
        body = visitor.get(api_url(world, True)).json
        assert body["disclosure"]["withheld"] and body["questions"] == []
        assert body["respondents"] is None and body["weighting"]["margins"] == []
        html = visitor.get(page_url(world)).get_data(as_text=True)
        assert "so no results are published" in html
        seen = main_text(html)
        assert "自動車" not in html and TARO_NUMBER not in seen and "交通手段" not in html


def test_weighted_shares_do_not_give_away_the_only_man(client, db, make, tiny):
    worlds, taro, _ = tiny
    world = worlds["eleven"]
    taro_answers(db, world, taro)
    close(db, world)
    body = client_as(client.application).get(api_url(world, True)).json
    # Taro is a weighting cell of one: no weights at all, so no weighted share to match
    assert body["weighting"]["available"] is False
    assert body["weighting"]["reason"] == "small_cells" and body["weighting"]["margins"] == []
    single = next(q for q in body["questions"] if q["kind"] == "single")
    assert all(o["weighted_share"] is None for o in single["options"])
    # and the raw counts shown leave 自動車 (his answer, count 1) consistent with 10+ values
    car = str(world.questions["single"].options[2].id)
    assert next(o for o in single["options"] if o["key"] == car)["count"] is None
    survey = services.get_survey_by_id(db.session, world.survey.id)
    from app.surveys import disclosure
    released = disclosure.release(db.session, survey, world.space, k=PUBLIC_K, public=True)
    result = next(r for r in released.questions if r.question.kind == "single")
    low, high = option_ranges(result, PUBLIC_K)[car]
    assert high - low >= PUBLIC_K - 1
    # the facilitator's weights obey their own minimum: a cell of 1 is below 5 too
    facilitator = client_as(client.application, "fac@example.jp")
    assert facilitator.get(api_url(world, True)).json["weighting"]["available"] is False


def test_public_weighting_margins_never_count_fewer_than_k(client, db, make, tiny):
    worlds, _, _ = tiny
    world = worlds["eleven"]
    # every age band x gender cell holds 10: the public may see weights and their margins
    for age, gender, n in ((25, "female", 1), (35, "female", 9), (25, "male", 10),
                           (35, "male", 10)):
        for person in people(make, n, age=age, gender=gender):
            respond(db, world, person, single=2)
    close(db, world)
    body = client_as(client.application).get(api_url(world, True)).json
    assert body["weighting"]["available"] is True
    n = body["respondents"]
    for margin in body["weighting"]["margins"]:
        for category in margin["categories"]:
            count = round(category["raw"] * n) if category["raw"] is not None else 0
            assert count == 0 or count >= PUBLIC_K, (margin["dimension"], category)
        assert margin["missing"] == 0 or margin["missing"] >= PUBLIC_K


def test_breakdown_by_gender_keeps_the_man_among_five(client, db, make, tiny):
    worlds, taro, _ = tiny
    world = worlds["eleven"]
    taro_answers(db, world, taro)
    survey = services.get_survey_by_id(db.session, world.survey.id)
    qid = world.questions["single"].id
    [table] = [t for t in breakdown.breakdown(db.session, survey, world.space, "gender",
                                              FACILITATOR_K) if t.question.id == qid]
    [true] = [t for t in breakdown.breakdown(db.session, survey, world.space, "gender", 1)
              if t.question.id == qid]
    assert true.totals == {"female": 10, "male": 1}
    # one man beside one other group: whatever is shown, 11 - women = Taro's column, so the
    # whole table is withheld
    assert table.suppressed_all and table.rows == [] and set(table.totals.values()) == {None}
    facilitator = client_as(client.application, "fac@example.jp")
    html = facilitator.get(page_url(world) + "/breakdown?by=gender").get_data(as_text=True)
    assert "Not shown: too few people answered, or every group" in html
    # with a few more men the table is shown, and the man's answer stays among 5 values
    for man in people(make, 5, age=35, gender="male"):
        respond(db, world, man, single=1)
    [table] = [t for t in breakdown.breakdown(db.session, survey, world.space, "gender",
                                              FACILITATOR_K) if t.question.id == qid]
    [true] = [t for t in breakdown.breakdown(db.session, survey, world.space, "gender", 1)
              if t.question.id == qid]
    true_cells = {(row.key, c): row.cells[c].count for row in true.rows for c in true.columns}
    assert not table.suppressed_all
    ranges = breakdown_ranges(table, true_cells, FACILITATOR_K)
    car = str(world.questions["single"].options[2].id)
    assert (car, "male") in ranges
    assert all(high - low >= FACILITATOR_K - 1 for low, high in ranges.values()), ranges


def _csv(response):
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:])))
    return rows


def test_facilitator_csv_has_no_row_that_points_at_taro(client, db, make, tiny):
    worlds, taro, _ = tiny
    world = worlds["eleven"]
    taro_answers(db, world, taro)
    facilitator = client_as(client.application, "fac@example.jp")
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/export.csv"
    rows = _csv(facilitator.get(url))
    header, lines = rows[1], [dict(zip(rows[1], row)) for row in rows[2:]]
    columns = ("age_band", "gender", "residency", "sector")
    combos = {}
    for line in lines:
        combos.setdefault(tuple(line[c] for c in columns), []).append(line)
    assert all(len(group) >= FACILITATOR_K for group in combos.values()), combos.keys()
    assert "submitted_on" not in header and "response" not in header
    # every line that could be Taro's (each column his value or blank) is one of 5 or more
    his = {"age_band": "30-39", "gender": "male", "residency": "resident", "sector": ""}
    could_be_him = [line for line in lines
                    if all(line[c] in ("", his[c]) for c in columns)]
    assert len(could_be_him) >= FACILITATOR_K
    text_rows = _csv(facilitator.get(url + "?part=text"))
    assert text_rows[0] == ["question", "text"]
    assert not set(columns) & set(text_rows[0])


def test_number_extremes_are_not_public(client, db, make, tiny):
    worlds, taro, women = tiny
    world = worlds["eleven"]
    women[0].email = "user-woman@example.jp"
    db.session.commit()
    taro_answers(db, world, taro)
    close(db, world)
    for visitor in outsiders(client):
        body = visitor.get(api_url(world)).json
        number = next(q for q in body["questions"] if q["kind"] == "number")
        assert number["minimum"] is None and number["maximum"] is None
        # mean and median to two significant figures: Taro's 73 is not among the shown values
        assert number["mean"] == 9.4 and number["median"] == 3  # 103 / 11 = 9.36
        html = visitor.get(page_url(world)).get_data(as_text=True)
        assert ">73<" not in html and "Largest" not in html
    facilitator = client_as(client.application, "fac@example.jp")
    number = next(q for q in facilitator.get(api_url(world)).json["questions"]
                  if q["kind"] == "number")
    assert number["maximum"] == 73


def test_walking_ids_never_shows_an_unlisted_space(client, db, make, tiny):
    worlds, _, _ = tiny
    hidden = make.space("secret-slug-4b1", title="非公開の検討会", visibility="unlisted")
    facilitator = make.user("other-fac@example.jp", roles=(f"facilitator:{hidden.id}",))
    survey, _ = build_survey(db.session, hidden, facilitator, title="内部調査")
    for woman in people(make, 11, age=25, gender="female"):
        world = World(hidden, facilitator, None, survey, _)
        respond(db, world, woman, single=0)
    close(db, World(hidden, facilitator, None, survey, _))
    anonymous = client_as(client.application)
    missing = anonymous.get("/api/v1/surveys/999999/results").data
    for survey_id in range(1, survey.id + 2):
        r = anonymous.get(f"/api/v1/surveys/{survey_id}/results")
        assert b"secret-slug-4b1" not in r.data
        assert "非公開の検討会".encode() not in r.data and "内部調査".encode() not in r.data
        if survey_id == survey.id:
            assert r.status_code == 404 and r.data == missing


def test_keeping_or_leaving_out_one_person_without_gender_reveals_nothing(client, db, make):
    """The attacker compares weighted results with unknown=keep and unknown=exclude: the
    difference is what the respondents without a gender answered. One such person is a group
    of one, so neither treatment may weight at all."""
    space = make.space("two-towns", title="二つの町の場")
    facilitator = make.user("fac2@example.jp", roles=(f"facilitator:{space.id}",))
    load_population(db.session, {("female", 18, 29): 500, ("male", 18, 29): 450,
                                 ("female", 30, 39): 300, ("male", 30, 39): 400})
    survey, questions = build_survey(db.session, space, facilitator, title="調査")
    world = World(space, facilitator, None, survey, questions)
    for age, gender in ((25, "female"), (25, "male"), (35, "female"), (35, "male")):
        for i, person in enumerate(people(make, PUBLIC_K, age=age, gender=gender)):
            respond(db, world, person, single=i % 2)
    [lone] = people(make, 1, age=25, gender=None)
    respond(db, world, lone, single=2)  # 自動車: only the person without a gender chose it
    close(db, world)
    bodies = [client_as(client.application).get(api_url(world, True) + f"&unknown={treatment}").json
              for treatment in ("keep", "exclude")]
    for body in bodies:
        assert body["weighting"]["available"] is False
        single = next(q for q in body["questions"] if q["kind"] == "single")
        assert all(o["weighted_share"] is None for o in single["options"])
    assert bodies[0]["questions"] == bodies[1]["questions"]


def test_a_number_questions_spread_is_not_published_beside_its_weighted_mean(client, db, make,
                                                                            tiny):
    # Weighting is public here (every weighting cell holds k). The weighted mean's interval
    # would publish the answers' spread: with the mean, two equations that pin down two answers
    # an attacker does not know (Taro's 73 among answers he knows). Publicly it is left out;
    # facilitators see it.
    worlds, taro, women = tiny
    world = worlds["eleven"]
    women[0].email = "user-woman@example.jp"
    db.session.commit()
    for age, gender, n in ((25, "female", 1), (35, "female", 9), (25, "male", 10),
                           (35, "male", 9)):
        for person in people(make, n, age=age, gender=gender):
            respond(db, world, person, single=2, number="4")
    taro_answers(db, world, taro)
    close(db, world)
    for visitor in outsiders(client):
        body = visitor.get(api_url(world, True)).json
        assert body["weighting"]["available"] is True
        number = next(q for q in body["questions"] if q["kind"] == "number")
        assert number["weighted_mean"] is not None
        assert number["weighted_mean_ci_low"] is None and number["weighted_mean_ci_high"] is None
        assert number["mean_design_effect"] is None
        likert = next(q for q in body["questions"] if q["kind"] == "likert")
        assert likert["weighted_mean"] is not None  # its interval follows from shown shares
    facilitator = client_as(client.application, "fac@example.jp")
    number = next(q for q in facilitator.get(api_url(world, True)).json["questions"]
                  if q["kind"] == "number")
    assert number["weighted_mean_ci_low"] is not None
