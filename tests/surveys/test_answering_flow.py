"""Answering: section pages with progress and messages, drafts, conditional display, the
confirmation, one response per person (also under concurrency), the ledger, and refusals."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.common.time import utcnow
from app.representation.models import Participation
from app.surveys.models import SurveyAnswer, SurveyResponse
from tests.conftest import login
from tests.surveys.conftest import answer_form, build_survey
from tests.people import client_as


def urls(world):
    base = f"/spaces/{world.space.slug}/surveys/{world.survey.id}"
    first, second = world.survey.sections
    return {"start": base + "/answer/", "s1": base + f"/answer/{first.id}",
            "s2": base + f"/answer/{second.id}", "review": base + "/answer/review",
            "done": base + "/answer/done", "detail": base + "/"}


@pytest.fixture
def part(client, world):
    client.get("/lang/en")
    login(client, "part@example.jp")
    return client


def responses(db, world):
    db.session.expire_all()
    return db.session.scalars(select(SurveyResponse)
                              .where(SurveyResponse.survey_id == world.survey.id)).all()


def test_answer_section_by_section_to_the_confirmation(part, world, db):
    u = urls(world)
    r = part.get(u["start"])
    assert r.status_code == 302 and r.headers["Location"].endswith(u["s1"])
    html = part.get(u["s1"]).get_data(as_text=True)
    assert "Section 1 of 2" in html and '<progress class="survey-progress" max="2" value="1"' in html
    assert "バスの改善点" not in html  # conditional question hidden until バス is chosen
    # a missing required answer: messages next to each question, typed values kept
    q = world.questions
    r = part.post(u["s1"], data=answer_form(world, 1, **{f"q{q['multiple'].id}": []}))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="q%d-error">Please answer this question.' % q["multiple"].id in html
    assert f'value="{q["single"].options[1].id}" checked' in html
    assert "1 answer needs your attention." in html or "One answer needs your attention." in html
    r = part.post(u["s1"], data=answer_form(world, 1))
    assert r.status_code == 302 and r.headers["Location"].endswith(u["s2"])
    html = part.get(u["s2"]).get_data(as_text=True)
    assert "Section 2 of 2" in html and "Review my answers" in html
    r = part.post(u["s2"], data=answer_form(world, 2))
    assert r.status_code == 302 and r.headers["Location"].endswith(u["review"])
    html = part.get(u["review"]).get_data(as_text=True)
    assert "地下鉄" in html and "公園を増やしてほしい" in html and "Send my answers" in html
    assert responses(db, world)[0].submitted_at is None  # still a draft
    r = part.post(u["review"])
    assert r.status_code == 302 and r.headers["Location"].endswith(u["done"])
    html = part.get(u["done"]).get_data(as_text=True)
    assert "Thank you!" in html and "were received on" in html
    [response] = responses(db, world)
    assert response.submitted_at is not None
    participation = db.session.get(Participation, response.participation_id)
    assert participation.user_id == world.participant.id and participation.surveys
    assert participation.gender == "female" and participation.sector == "industry"
    stored = db.session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.response_id == response.id)).all()
    ranks = {a.option_id: a.rank for a in stored if a.question_id == q["ranking"].id}
    assert ranks == {o.id: i for i, o in enumerate(q["ranking"].options, 1)}
    # coming back shows that the survey was answered
    assert part.get(u["start"]).headers["Location"].endswith(u["done"])
    assert "You answered this survey" in part.get(u["detail"]).get_data(as_text=True)


def test_draft_is_saved_per_section_and_resumed(part, world, db):
    u = urls(world)
    q = world.questions
    # "save and continue later" keeps what is valid even with a required answer missing
    r = part.post(u["s1"], data=answer_form(world, 1, action="save",
                                            **{f"q{q['multiple'].id}": []}))
    assert r.status_code == 302 and r.headers["Location"].endswith(u["detail"])
    html = part.get(u["detail"]).get_data(as_text=True)
    assert "Your draft is saved" in html and "Continue answering" in html
    assert part.get(u["start"]).headers["Location"].endswith(u["s1"])
    html = part.get(u["s1"]).get_data(as_text=True)
    assert f'value="{q["single"].options[1].id}" checked' in html
    part.post(u["s1"], data=answer_form(world, 1))
    assert part.get(u["start"]).headers["Location"].endswith(u["s2"])  # resumes where left
    # "back" saves too, and goes to the previous section
    r = part.post(u["s2"], data=answer_form(world, 2, action="back"))
    assert r.headers["Location"].endswith(u["s1"])
    assert 'value="12"' in part.get(u["s2"]).get_data(as_text=True)
    [response] = responses(db, world)
    assert response.submitted_at is None
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0  # drafts are no participation


def test_invalid_answer_is_not_saved_even_as_draft(part, world, db):
    u = urls(world)
    q = world.questions
    r = part.post(u["s2"], data=answer_form(world, 2, action="save",
                                            **{f"q{q['number'].id}": "150"}))
    assert r.status_code == 422
    assert "Enter a number between 0 and 100." in r.get_data(as_text=True)
    assert 'value="150"' in r.get_data(as_text=True)
    assert responses(db, world) == []


def test_conditional_question_appears_on_the_same_page(part, world, db):
    u = urls(world)
    q = world.questions
    bus = str(q["single"].options[0].id)
    r = part.post(u["s1"], data=answer_form(world, 1, **{f"q{q['single'].id}": bus}))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "More questions appeared because of your answers." in html
    assert "バスの改善点" in html and "Please answer this question." not in html
    shown = f"{q['single'].id},{q['multiple'].id},{q['conditional'].id}"
    r = part.post(u["s1"], data=answer_form(world, 1, shown=shown, **{f"q{q['single'].id}": bus}))
    assert r.status_code == 422
    assert 'id="q%d-error">Please answer this question.' % q["conditional"].id in r.get_data(as_text=True)
    r = part.post(u["s1"], data=answer_form(world, 1, shown=shown, **{
        f"q{q['single'].id}": bus, f"q{q['conditional'].id}": "本数を増やして"}))
    assert r.status_code == 302
    # changing the controlling answer hides the question again; its answer is dropped
    part.post(u["s1"], data=answer_form(world, 1))
    part.post(u["s2"], data=answer_form(world, 2))
    assert part.post(u["review"]).status_code == 302
    [response] = responses(db, world)
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.response_id == response.id,
        SurveyAnswer.question_id == q["conditional"].id)) == 0


def test_submitting_an_incomplete_draft_points_to_the_section(part, world, db):
    u = urls(world)
    part.post(u["s1"], data=answer_form(world, 1))
    r = part.post(u["review"])
    assert r.status_code == 302 and u["s2"] + "?check=1" in r.headers["Location"]
    html = part.get(r.headers["Location"]).get_data(as_text=True)
    assert "Some answers are missing or need a correction." in html
    assert 'id="q%d-error"' % world.questions["likert"].id in html
    assert responses(db, world)[0].submitted_at is None


def test_one_response_per_person_is_a_database_constraint(world, db):
    db.session.add(SurveyResponse(survey_id=world.survey.id, user_id=world.participant.id))
    db.session.commit()
    db.session.add(SurveyResponse(survey_id=world.survey.id, user_id=world.participant.id,
                                  submitted_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def fill(client, world):
    u = urls(world)
    assert client.post(u["s1"], data=answer_form(world, 1)).status_code == 302
    assert client.post(u["s2"], data=answer_form(world, 2)).status_code == 302


def test_second_submission_from_another_tab_is_refused(app, part, world, db):
    other_tab = client_as(app, "part@example.jp")
    fill(part, world)
    u = urls(world)
    assert other_tab.get(u["review"]).status_code == 200  # both tabs at the review page
    assert part.post(u["review"]).status_code == 302
    r = other_tab.post(u["review"])
    assert r.status_code == 409
    assert "You have already sent your answers to this survey." in r.get_data(as_text=True)
    r = other_tab.post(u["s1"], data=answer_form(world, 1))
    assert r.status_code == 409
    assert len(responses(db, world)) == 1


def test_concurrent_double_submit_leaves_one_response(app, world, db):
    clients = []
    for _ in range(2):
        clients.append(client_as(app, "part@example.jp"))
    fill(clients[0], world)
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []
    review = urls(world)["review"]

    def submit(c):
        try:
            barrier.wait(timeout=10)
            statuses.append(c.post(review).status_code)
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(statuses) == [302, 409]
    [response] = responses(db, world)
    assert response.submitted_at is not None
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    answers = db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.response_id == response.id))
    assert answers == 8  # single, multiple (section 1); likert, number, text, 3 ranks


# --- refusals ---------------------------------------------------------------------------------

def test_anonymous_is_sent_to_log_in(client, world):
    r = client.get(urls(world)["start"])
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    r = client.post(urls(world)["review"])
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_closed_survey_refuses_answers(part, world, db):
    fill(part, world)
    world.survey.opens_at = utcnow() - timedelta(days=2)
    world.survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    u = urls(world)
    for method, url in (("get", u["start"]), ("get", u["s1"]), ("post", u["s1"]),
                        ("post", u["review"])):
        r = getattr(part, method)(url, data=answer_form(world, 1) if method == "post" else None)
        assert r.status_code == 403, url
        assert "This survey is closed." in r.get_data(as_text=True)
    assert responses(db, world)[0].submitted_at is None


def test_scheduled_survey_refuses_answers(part, world, db):
    world.survey.opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    r = part.post(urls(world)["s1"], data=answer_form(world, 1))
    assert r.status_code == 403 and "not open yet" in r.get_data(as_text=True)
    assert responses(db, world) == []


def test_unpublished_survey_is_not_found(part, world, db):
    draft, questions = build_survey(db.session, world.space, world.facilitator, publish=False)
    base = f"/spaces/{world.space.slug}/surveys/{draft.id}"
    for url in ("/", "/answer/", f"/answer/{draft.sections[0].id}", "/answer/review"):
        assert part.get(base + url).status_code == 404, url
    assert part.post(base + "/answer/review").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_survey_of_another_space_is_not_found_here(part, world, db, make):
    other = make.space("other-space")
    r = part.get(f"/spaces/{other.slug}/surveys/{world.survey.id}/answer/")
    assert r.status_code == 404
    r = part.post(f"/spaces/{other.slug}/surveys/{world.survey.id}/answer/review")
    assert r.status_code == 404
    assert responses(db, world) == []


def test_space_not_accepting_input_or_surveys_off(part, world, db):
    world.space.phases[0].accepts_input = False
    db.session.commit()
    r = part.post(urls(world)["s1"], data=answer_form(world, 1))
    assert r.status_code == 403 and "not accepting input" in r.get_data(as_text=True)
    world.space.phases[0].accepts_input = True
    world.space.surveys_enabled = False
    db.session.commit()
    assert part.get(urls(world)["start"]).status_code == 404
    assert part.get(f"/spaces/{world.space.slug}/surveys/").status_code == 404
    assert responses(db, world) == []


def test_listing_shows_drafts_to_facilitators_only(client, world, db):
    draft, _ = build_survey(db.session, world.space, world.facilitator, publish=False,
                            title="準備中の調査")
    url = f"/spaces/{world.space.slug}/surveys/"
    part = client_as(client.application, "part@example.jp")
    html = part.get(url).get_data(as_text=True)
    assert "市民アンケート" in html and "準備中の調査" not in html
    fac = client_as(client.application, "fac@example.jp")
    html = fac.get(url).get_data(as_text=True)
    assert "準備中の調査" in html and "New survey" in html and "0 responses, 0 drafts" in html


def test_answer_pages_need_the_csrf_token(app, world, db):
    part = client_as(app, "part@example.jp")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        u = urls(world)
        r = part.post(u["s1"], data=answer_form(world, 1))
        assert r.status_code == 400
        assert responses(db, world) == []
        from tests.dom import csrf_token

        token = csrf_token(part.get(u["s1"]).get_data(as_text=True))
        r = part.post(u["s1"], data=answer_form(world, 1, csrf_token=token))
        assert r.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(responses(db, world)) == 1
