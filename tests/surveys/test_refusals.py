"""A refused request writes nothing: a form the builder refuses answers 422 and leaves the
survey as it was, even where the service had already changed objects before refusing; a
refusal from the build page keeps its redirect. And the results API has the API's rate
limit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.time import utcnow
from app.surveys import services
from app.surveys.models import Survey, SurveyOption, SurveyQuestion
from tests.rate_limited import rate_limited_app
from tests.people import client_as


def base(world) -> str:
    return f"/spaces/{world.space.slug}/surveys/{world.survey.id}"


@pytest.fixture
def fac(client, world):
    return client_as(client.application, "fac@example.jp")


def stored_question(db, question_id: int):
    db.session.expire_all()
    question = db.session.get(SurveyQuestion, question_id)
    return question.text, [(o.label, o.position) for o in
                           sorted(question.options, key=lambda o: o.id)]


def test_a_refused_question_edit_answers_422_and_writes_nothing(fac, world, db):
    q = world.questions
    before = stored_question(db, q["single"].id)
    # Reordering moves the kept options before the builder finds that バス, which another
    # question depends on, is gone: those moves must not reach the database either.
    r = fac.post(base(world) + f"/questions/{q['single'].id}/edit", data={
        "kind": "single", "text": "変えた質問", "options": "自動車\n地下鉄", "scale_points": "5",
        "show_if_option_id": "", "required": "y", "allow_other": "y"})
    assert r.status_code == 422
    assert "Another question is shown only when this option is chosen" in r.get_data(as_text=True)
    assert 'value="変えた質問"' in r.get_data(as_text=True)  # what was typed is shown again
    assert stored_question(db, q["single"].id) == before
    assert db.session.scalar(select(func.count()).select_from(SurveyOption)) == 3 + 4 + 3


def test_a_refused_settings_form_answers_422_and_writes_nothing(fac, world, db):
    r = fac.post(base(world) + "/settings", data={
        "title": "新しい題", "results_visibility": "private",
        "opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"})
    assert r.status_code == 422
    assert "The survey must close after it opens." in r.get_data(as_text=True)
    db.session.expire_all()
    survey = db.session.get(Survey, world.survey.id)
    assert (survey.title, survey.results_visibility) == ("市民アンケート", "after_close")


def test_a_refused_weight_cap_answers_422_and_keeps_the_cap(fac, world, db):
    for cap in ("0.5", "many"):
        r = fac.post(base(world) + "/results/weighting", data={"cap": cap})
        assert r.status_code == 422, cap
        assert 'class="error"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Survey, world.survey.id).weight_cap is None


def test_a_copy_into_a_space_one_does_not_facilitate_writes_nothing(client, world, db, make):
    make.space("not-theirs")
    who = client_as(client.application, "fac@example.jp")
    r = who.post(base(world) + "/copy", data={"target_space": "not-theirs"})
    assert r.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1


def test_a_refusal_on_the_build_page_keeps_its_redirect_and_writes_nothing(fac, world, db):
    services.close_now(db.session, world.survey)
    db.session.commit()
    r = fac.post(base(world) + "/status", data={"action": "close"})  # closed already
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/{world.survey.id}/")
    assert "Only an open or scheduled survey can be closed." in fac.get(
        r.headers["Location"]).get_data(as_text=True)
    r = fac.post(base(world) + "/sections/new", data={"title": "x" * 201})
    assert r.status_code == 302 and r.headers["Location"].endswith("/build")
    db.session.expire_all()
    assert len(db.session.get(Survey, world.survey.id).sections) == 2


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limiting on; the limiter is one object
    shared by every app, so its state is put back afterwards."""
    with rate_limited_app(app, API_RATE_LIMIT="2 per minute") as limited:
        yield limited


def test_the_results_api_has_the_api_rate_limit(limited_app, world, db):
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    client = limited_app.test_client()
    url = f"/api/v1/surveys/{world.survey.id}/results"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url).get_json()["status"] == 429
