"""The answering flow (app.surveys.flow) on its own, without HTTP: where a sent section page
leads, what it stores, where answering resumes, and what the review marks as incomplete."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.surveys import builder, flow, services
from app.surveys.answering import Given
from tests.surveys.conftest import answer_form


def given(world, section: int, **overrides) -> dict:
    """The answers of a valid page 1 or 2 (see answer_form), as parsed Given objects."""
    page = world.survey.sections[section - 1]
    return flow.read_submission(page, MultiDict(answer_form(world, section, **overrides))).given


def send(world, section: int, action: str = flow.NEXT, shown=None, **overrides):
    """Plan a sent page 1 or 2 whose form says the page's first questions were seen (or
    `shown`)."""
    page = world.survey.sections[section - 1]
    form = answer_form(world, section, action=action, **overrides)
    if shown is not None:
        form["shown"] = ",".join(str(x) for x in sorted(shown))
    return flow.plan_page(world.survey, page, {}, flow.read_submission(page, MultiDict(form)))


def test_reading_a_page_keeps_what_was_seen_and_the_button(world):
    q = world.questions
    first = world.survey.sections[0]
    form = MultiDict(answer_form(world, 1, action="back"))
    submission = flow.read_submission(first, form)
    assert submission.action == flow.BACK
    assert submission.shown == {q["single"].id, q["multiple"].id}
    assert submission.given[q["single"].id].options == [q["single"].options[1].id]
    assert set(submission.given) == {x.id for x in first.questions}  # hidden ones too
    del form["shown"], form["action"]
    assert flow.read_submission(first, form).shown is None  # None: all visible ones were seen
    assert flow.read_submission(first, form).action == flow.NEXT


def test_next_on_a_valid_page_goes_on_and_resumes_there(world):
    second = world.survey.sections[1]
    step = send(world, 1)
    assert (step.goes_to, step.section_id, step.resume_section_id) == (
        flow.SECTION, second.id, second.id)
    assert set(step.keep) == {world.questions["single"].id, world.questions["multiple"].id}
    assert not step.problems and step.position == 1


def test_next_on_the_last_page_goes_to_the_review(world):
    step = send(world, 2)
    assert step.goes_to == flow.REVIEW
    assert step.resume_section_id == world.survey.sections[1].id
    assert step.keep is not None and step.position == 2


def test_next_with_a_missing_answer_shows_the_page_and_stores_nothing(world):
    q = world.questions
    step = send(world, 1, **{f"q{q['multiple'].id}": []})
    assert step.goes_to == flow.SHOW and step.keep is None and not step.appeared
    assert step.problems[q["multiple"].id].code == "required"
    assert step.answers[q["single"].id].options == [q["single"].options[1].id]  # kept typed


def test_save_keeps_a_draft_with_missing_answers_but_not_invalid_ones(world):
    q = world.questions
    step = send(world, 1, flow.SAVE, **{f"q{q['multiple'].id}": []})
    assert step.goes_to == flow.SAVED and step.problems == {}
    assert set(step.keep) == {q["single"].id}  # the missing one is not stored
    assert step.resume_section_id == world.survey.sections[0].id
    invalid = send(world, 2, flow.SAVE, **{f"q{q['number'].id}": "150"})
    assert invalid.goes_to == flow.SHOW and invalid.keep is None
    assert invalid.problems[q["number"].id].code == "number_between"


def test_back_goes_to_the_previous_page_or_stays_on_the_first(world):
    first, second = world.survey.sections
    back = send(world, 2, flow.BACK)
    assert (back.goes_to, back.section_id, back.resume_section_id) == (
        flow.SECTION, first.id, second.id)
    assert send(world, 1, flow.BACK).section_id == first.id


def test_questions_that_appear_are_shown_first_without_complaint(world):
    q = world.questions
    bus = str(q["single"].options[0].id)
    step = send(world, 1, **{f"q{q['single'].id}": bus})
    assert step.goes_to == flow.SHOW and step.appeared
    assert step.keep is not None and q["conditional"].id not in step.problems
    assert step.resume_section_id == world.survey.sections[0].id  # not past this page yet
    assert q["conditional"].id in {x.id for x in step.view.questions}
    seen = {q["single"].id, q["multiple"].id, q["conditional"].id}
    again = send(world, 1, shown=seen, **{f"q{q['single'].id}": bus})
    assert again.goes_to == flow.SHOW and not again.appeared and again.keep is None
    assert again.problems[q["conditional"].id].code == "required"


def test_a_page_whose_questions_are_all_hidden_restarts(world, db):
    q = world.questions
    third = builder.add_section(db.session, world.survey, title="バスについて")
    builder.add_question(db.session, third, kind="short_text", text="バス停は近いですか",
                         show_if_option_id=q["single"].options[0].id)
    db.session.flush()
    subway = {q["single"].id: Given(options=[q["single"].options[1].id])}
    step = flow.plan_page(world.survey, third, subway, flow.Submission({}))
    assert step.goes_to == flow.RESTART and step.keep is None
    assert flow.show_page(world.survey, third, subway).goes_to == flow.RESTART
    bus = {q["single"].id: Given(options=[q["single"].options[0].id])}
    assert flow.show_page(world.survey, third, bus).goes_to == flow.SHOW


def test_showing_a_page_checks_it_only_when_asked(world):
    first = world.survey.sections[0]
    assert flow.show_page(world.survey, first, {}).problems == {}
    checked = flow.show_page(world.survey, first, {}, check=True)
    assert set(checked.problems) == {world.questions["single"].id, world.questions["multiple"].id}


def test_answering_starts_where_the_draft_was_left(world, db):
    first, second = world.survey.sections
    assert flow.start_section_id(world.survey, None, {}) == first.id
    step = flow.answer_page(db.session, world.survey, world.participant, first, {},
                            flow.Submission(given(world, 1)))
    response = services.get_response(db.session, world.survey, world.participant)
    stored = services.load_answers(db.session, response)
    assert stored == step.keep and response.resume_section_id == second.id
    assert flow.start_section_id(world.survey, response, stored) == second.id
    response.resume_section_id = None
    assert flow.start_section_id(world.survey, response, stored) == first.id


def test_a_refused_page_stores_nothing(world, db):
    q = world.questions
    step = flow.answer_page(db.session, world.survey, world.participant,
                            world.survey.sections[0], {},
                            flow.Submission(given(world, 1, **{f"q{q['multiple'].id}": []})))
    assert step.keep is None
    assert services.get_response(db.session, world.survey, world.participant) is None


def test_a_page_of_a_sent_response_is_refused(world, db):
    first, second = world.survey.sections
    flow.answer_page(db.session, world.survey, world.participant, first, {},
                     flow.Submission(given(world, 1)))
    flow.answer_page(db.session, world.survey, world.participant, second, {},
                     flow.Submission(given(world, 2)))
    services.submit(db.session, world.survey, world.participant)
    with pytest.raises(services.AlreadySubmitted):
        flow.answer_page(db.session, world.survey, world.participant, first, {},
                         flow.Submission(given(world, 1)))


def test_the_review_marks_the_sections_still_incomplete(world):
    first, second = world.survey.sections
    answers = given(world, 1)
    views = services.visible_sections(world.survey, answers)
    assert flow.incomplete_section_ids(views, answers) == {second.id}
    answers.update(given(world, 2))
    assert flow.incomplete_section_ids(views, answers) == set()
