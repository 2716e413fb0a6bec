"""The builder: creating surveys, sections and questions (with bad input), order, conditions,
the structure lock, opening and closing, and copying as a template."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.errors import DomainError
from app.common.time import utcnow
from app.surveys import builder, services
from app.surveys.models import Survey, SurveyQuestion, SurveyResponse
from tests.conftest import login
from tests.surveys.conftest import build_survey


def base(world) -> str:
    return f"/spaces/{world.space.slug}/surveys"


@pytest.fixture
def fac(client, world):
    client.get("/lang/en")
    login(client, "fac@example.jp")
    return client


def reload(db, survey_id):
    db.session.expire_all()
    return services.get_survey_by_id(db.session, survey_id)


# --- creating ---------------------------------------------------------------------------------

def test_create_survey_with_bad_then_good_input(fac, world, db):
    r = fac.post(base(world) + "/new", data={"title": "", "results_visibility": "after_close"})
    assert r.status_code == 422
    assert "This field is required." in r.get_data(as_text=True)
    r = fac.post(base(world) + "/new", data={
        "title": "交通アンケート", "results_visibility": "after_close",
        "opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "The survey must close after it opens." in html
    assert 'value="交通アンケート"' in html  # what was typed is kept
    r = fac.post(base(world) + "/new", data={
        "title": "交通アンケート", "results_visibility": "live",
        "opens_at": "2030-05-01T10:00", "closes_at": "2030-05-31T18:00"})
    # results public while open are no longer a choice: refused next to the field, kept typed
    assert r.status_code == 422 and 'value="交通アンケート"' in r.get_data(as_text=True)
    assert "Not a valid choice" in r.get_data(as_text=True)
    assert 'value="live"' not in r.get_data(as_text=True)
    r = fac.post(base(world) + "/new", data={
        "title": "交通アンケート", "results_visibility": "private",
        "opens_at": "2030-05-01T10:00", "closes_at": "2030-05-31T18:00"})
    assert r.status_code == 302 and "/build" in r.headers["Location"]
    survey = db.session.scalar(select(Survey).where(Survey.title == "交通アンケート"))
    assert survey.space_id == world.space.id and not survey.published
    assert survey.opens_at.hour == 1  # 10:00 in Japan is 01:00 UTC
    assert survey.results_visibility == "private" and len(survey.sections) == 1
    assert survey.status() == "draft"


def question_data(**kw):
    data = {"kind": "single", "text": "Q", "options": "A\nB", "scale_points": "5",
            "show_if_option_id": ""}
    data.update(kw)
    return data


@pytest.mark.parametrize("data, field_message", [
    (question_data(options="only one"), "Give between 2 and 30 options"),
    (question_data(options="A\nA"), "Each option must be different."),
    (question_data(kind="multiple", max_choices="5"), "Enter a number between 1 and the number of options"),
    (question_data(kind="multiple", min_choices="2", max_choices="1"), "The minimum cannot be above"),
    (question_data(kind="likert", label_low="", label_high="high"), "This field is required."),
    (question_data(kind="number", min_value="10", max_value="1"), "The smallest value cannot be above"),
    (question_data(kind="number", min_value="ten"), "Enter a number, e.g. 12."),
    (question_data(kind="number", max_value="1e308"), "Use a number between -1000000000000 and"),
    (question_data(kind="number", min_value="-1e13"), "Use a number between -1000000000000 and"),
    (question_data(kind="number", max_value="inf"), "Enter a number, e.g. 12."),
    (question_data(kind="ranking", options="\n".join("abcdefghijk")), "Give between 2 and 10 options"),
    (question_data(text=""), "This field is required."),
    (question_data(kind="essay"), "Not a valid choice"),
])
def test_question_form_rejects_bad_input_next_to_the_field(fac, world, db, data, field_message):
    section = world.survey.sections[1]
    before = db.session.scalar(select(func.count()).select_from(SurveyQuestion))
    r = fac.post(base(world) + f"/{world.survey.id}/sections/{section.id}/questions/new", data=data)
    assert r.status_code == 422
    assert field_message in r.get_data(as_text=True)
    assert 'class="error"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == before


def test_add_each_question_type(fac, world, db):
    section = world.survey.sections[1]
    url = base(world) + f"/{world.survey.id}/sections/{section.id}/questions/new"
    specs = [
        question_data(kind="single", text="単一", allow_other="y", required="y"),
        question_data(kind="multiple", text="複数", options="A\nB\nC", min_choices="1",
                      max_choices="2"),
        question_data(kind="likert", text="尺度", scale_points="7", label_low="反対",
                      label_high="賛成"),
        question_data(kind="short_text", text="短文"),
        question_data(kind="long_text", text="長文"),
        question_data(kind="number", text="数値", min_value="０", max_value="1,000",
                      integer_only="y"),
        question_data(kind="ranking", text="順位", options="X\nY\nZ"),
    ]
    for spec in specs:
        r = fac.post(url, data=spec)
        assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    survey = reload(db, world.survey.id)
    added = {q.text: q for q in survey.sections[1].questions}
    assert added["単一"].allow_other and added["単一"].required
    assert (added["複数"].min_choices, added["複数"].max_choices) == (1, 2)
    assert (added["尺度"].scale_points, added["尺度"].label_low) == (7, "反対")
    assert (added["数値"].min_value, added["数値"].max_value) == (0, 1000)
    assert [o.label for o in added["順位"].options] == ["X", "Y", "Z"]
    # settings that do not apply to a type are not kept
    assert added["短文"].options == [] and added["短文"].scale_points is None
    assert not added["長文"].allow_other


def test_condition_must_point_to_an_earlier_choice(fac, world, db):
    q = world.questions
    first = world.survey.sections[0]
    r = fac.post(base(world) + f"/{world.survey.id}/sections/{first.id}/questions/new",
                 data=question_data(kind="short_text", text="later",
                                    show_if_option_id=str(q["ranking"].options[0].id)))
    assert r.status_code == 422
    assert "earlier choice question" in r.get_data(as_text=True)
    # the form only offers options of earlier choice questions
    r = fac.get(base(world) + f"/{world.survey.id}/questions/{q['single'].id}/edit")
    assert f'value="{q["single"].options[0].id}"' not in r.get_data(as_text=True)
    r = fac.get(base(world) + f"/{world.survey.id}/questions/{q['likert'].id}/edit")
    html = r.get_data(as_text=True)
    assert f'value="{q["single"].options[0].id}"' in html
    assert f'value="{q["ranking"].options[0].id}"' not in html


def test_editing_options_keeps_conditions_on_unchanged_labels(fac, world, db):
    q = world.questions
    bus = q["single"].options[0]
    r = fac.post(base(world) + f"/{world.survey.id}/questions/{q['single'].id}/edit",
                 data=question_data(kind="single", text="交通手段", options="自動車\nバス\n自転車",
                                    allow_other="y", required="y"))
    assert r.status_code == 302
    survey = reload(db, world.survey.id)
    single = survey.sections[0].questions[0]
    assert [o.label for o in single.options] == ["自動車", "バス", "自転車"]
    assert next(o for o in single.options if o.label == "バス").id == bus.id
    conditional = next(x for x in survey.questions() if x.id == q["conditional"].id)
    assert conditional.show_if_option_id == bus.id
    # removing the option a condition uses is refused
    r = fac.post(base(world) + f"/{world.survey.id}/questions/{q['single'].id}/edit",
                 data=question_data(kind="single", text="交通手段", options="自動車\n自転車"))
    assert r.status_code == 422
    assert "Another question is shown only when this option is chosen" in r.get_data(as_text=True)
    assert len(reload(db, world.survey.id).sections[0].questions[0].options) == 3


# --- order -------------------------------------------------------------------------------------

def order(db, survey_id):
    return [q.text for q in reload(db, survey_id).questions()]


def test_move_questions_within_and_across_sections(fac, world, db):
    q = world.questions
    url = base(world) + f"/{world.survey.id}/questions/{{}}/move"
    assert order(db, world.survey.id)[:4] == ["交通手段は?", "関心のある分野", "バスの改善点", "満足度"]
    r = fac.post(url.format(q["multiple"].id), data={"direction": "up"})
    assert r.status_code == 302
    assert order(db, world.survey.id)[:2] == ["関心のある分野", "交通手段は?"]
    # down from the end of section 1 goes to the top of section 2
    fac.post(url.format(q["conditional"].id), data={"direction": "down"})
    survey = reload(db, world.survey.id)
    assert [x.text for x in survey.sections[1].questions][:2] == ["バスの改善点", "満足度"]
    # and back up to the end of section 1
    fac.post(url.format(q["conditional"].id), data={"direction": "up"})
    assert reload(db, world.survey.id).sections[0].questions[-1].text == "バスの改善点"
    assert [x.position for x in reload(db, world.survey.id).sections[0].questions] == [0, 1, 2]


def test_move_refused_when_a_question_would_precede_its_condition(fac, world, db):
    q = world.questions
    url = base(world) + f"/{world.survey.id}/questions/{q['conditional'].id}/move"
    fac.post(url, data={"direction": "up"})  # above 関心のある分野: still after its source
    r = fac.post(url, data={"direction": "up"}, follow_redirects=True)
    assert "before the answer it depends on" in r.get_data(as_text=True)
    assert order(db, world.survey.id)[:3] == ["交通手段は?", "バスの改善点", "関心のある分野"]


def test_move_and_delete_sections(fac, world, db):
    first_id, second_id = [s.id for s in world.survey.sections]
    r = fac.post(base(world) + f"/{world.survey.id}/sections/{second_id}/move",
                 data={"direction": "up"})
    assert r.status_code == 302
    assert [s.title for s in reload(db, world.survey.id).sections] == ["ご意見", "あなたの暮らし"]
    # deleting needs the confirmation box
    url = base(world) + f"/{world.survey.id}/sections/{second_id}/delete"
    fac.post(url, data={})
    assert len(reload(db, world.survey.id).sections) == 2
    fac.post(url, data={"confirm": "yes"})
    survey = reload(db, world.survey.id)
    assert [(s.id, s.title, s.position) for s in survey.sections] == [(first_id, "あなたの暮らし", 0)]


def test_delete_question_with_dependants_refused(fac, world, db):
    q = world.questions
    url = base(world) + f"/{world.survey.id}/questions/{{}}/delete"
    r = fac.post(url.format(q["single"].id), data={"confirm": "yes"}, follow_redirects=True)
    assert "depends on an answer to this one" in r.get_data(as_text=True)
    fac.post(url.format(q["conditional"].id), data={"confirm": "yes"})
    fac.post(url.format(q["single"].id), data={"confirm": "yes"})
    assert "交通手段は?" not in order(db, world.survey.id)


def test_preview_shows_every_section_and_conditions(fac, world):
    r = fac.get(base(world) + f"/{world.survey.id}/preview")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Section 1 of 2" in html and "Section 2 of 2" in html
    assert "Shown only when “交通手段は?” is answered “バス”." in html
    assert "バスの改善点" in html and "優先順位" in html
    assert 'name="action"' not in html  # nothing can be sent from the preview


# --- the structure lock ------------------------------------------------------------------------

def start_draft(db, world):
    db.session.add(SurveyResponse(survey_id=world.survey.id, user_id=world.participant.id))
    db.session.commit()


def test_structure_locked_once_answers_exist(fac, world, db):
    start_draft(db, world)
    q = world.questions
    survey_url = base(world) + f"/{world.survey.id}"
    # a structural change through the form is refused with a message
    r = fac.post(survey_url + f"/questions/{q['single'].id}/edit",
                 data=question_data(kind="multiple", text="交通手段は?", options="バス\n地下鉄\n自動車",
                                    allow_other="y", required="y"))
    assert r.status_code == 422
    assert "structure is locked" in r.get_data(as_text=True)
    assert reload(db, world.survey.id).questions()[0].kind == "single"
    r = fac.post(survey_url + f"/questions/{q['single'].id}/edit",
                 data=question_data(kind="single", text="交通手段は?", options="バス\n地下鉄",
                                    allow_other="y", required="y"))
    assert r.status_code == 422
    # wording fixes are allowed
    r = fac.post(survey_url + f"/questions/{q['single'].id}/edit",
                 data=question_data(kind="single", text="主な交通手段は?", options="路線バス\n地下鉄\n自動車",
                                    allow_other="y", required="y", help_text="ひとつ選んでください"))
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    single = reload(db, world.survey.id).questions()[0]
    assert single.text == "主な交通手段は?" and single.options[0].label == "路線バス"
    assert single.options[0].id == q["single"].options[0].id
    # adding, moving and deleting are refused
    count = len(reload(db, world.survey.id).questions())
    r = fac.post(survey_url + f"/sections/{world.survey.sections[1].id}/questions/new",
                 data=question_data())
    assert r.status_code == 422 and "structure is locked" in r.get_data(as_text=True)
    r = fac.post(survey_url + f"/questions/{q['number'].id}/move", data={"direction": "up"},
                 follow_redirects=True)
    assert "structure is locked" in r.get_data(as_text=True)
    fac.post(survey_url + f"/questions/{q['long'].id}/delete", data={"confirm": "yes"})
    fac.post(survey_url + "/sections/new", data={"title": "追加"})
    survey = reload(db, world.survey.id)
    assert len(survey.questions()) == count and len(survey.sections) == 2
    assert [x.id for x in survey.questions()] == [x.id for x in world.survey.questions()]
    # the locked form shows the settings as text and still allows section wording
    r = fac.get(survey_url + f"/questions/{q['single'].id}/edit")
    assert "only the wording can be changed" in r.get_data(as_text=True)
    # ... the condition too, by its words, not as an id
    r = fac.get(survey_url + f"/questions/{q['conditional'].id}/edit")
    page = r.get_data(as_text=True)
    assert "“主な交通手段は?” is answered “路線バス”" in page
    assert ">None<" not in page   # a setting the question does not have reads –
    r = fac.post(survey_url + f"/sections/{world.survey.sections[0].id}/edit",
                 data={"title": "暮らしについて"})
    assert r.status_code == 302


def test_service_refuses_structural_changes_when_locked(world, db):
    start_draft(db, world)
    q = world.questions["number"]
    spec = dict(kind="number", text=q.text, min_value=0, max_value=50, integer_only=True)
    with pytest.raises(DomainError, match="structure is locked"):
        builder.update_question(db.session, q, **spec)
    with pytest.raises(DomainError, match="structure is locked"):
        builder.move_section(db.session, world.survey.sections[1], "up")
    with pytest.raises(DomainError, match="structure is locked"):
        builder.delete_question(db.session, q)


# --- opening and closing -----------------------------------------------------------------------

def test_open_close_and_schedule(fac, world, db, make):
    url = base(world) + f"/{world.survey.id}/status"
    fac.post(url, data={"action": "close"})
    assert reload(db, world.survey.id).status() == "closed"
    fac.post(url, data={"action": "open"})
    survey = reload(db, world.survey.id)
    assert survey.status() == "open" and survey.closes_at is None
    # unpublish is refused once someone started answering
    start_draft(db, world)
    r = fac.post(url, data={"action": "unpublish"}, follow_redirects=True)
    assert "cannot be withdrawn" in r.get_data(as_text=True)
    assert reload(db, world.survey.id).published
    # a draft survey with a future opening date is scheduled once published
    future, _ = build_survey(db.session, world.space, world.facilitator, publish=False,
                             opens_at=utcnow() + timedelta(days=2))
    fac.post(base(world) + f"/{future.id}/status", data={"action": "publish"})
    assert reload(db, future.id).status() == "scheduled"
    # a survey without questions cannot be opened
    empty = builder.create_survey(db.session, world.space, world.facilitator, title="空")
    db.session.commit()
    r = fac.post(base(world) + f"/{empty.id}/status", data={"action": "open"},
                 follow_redirects=True)
    assert "Add at least one question first." in r.get_data(as_text=True)
    assert reload(db, empty.id).status() == "draft"


def test_settings_and_delete(fac, world, db):
    url = base(world) + f"/{world.survey.id}"
    r = fac.post(url + "/settings", data={"title": "新しい題", "results_visibility": "private",
                                          "description_md": "説明"})
    assert r.status_code == 302
    assert reload(db, world.survey.id).results_visibility == "private"
    fac.post(url + "/delete", data={})
    assert reload(db, world.survey.id) is not None
    fac.post(url + "/delete", data={"confirm": "yes"})
    assert reload(db, world.survey.id) is None


# --- copying -----------------------------------------------------------------------------------

def test_copy_to_a_space_of_another_municipality(client, world, db, make):
    other_area = make.area("13101", "千代田区", "Chiyoda")
    target = make.space("chiyoda-plan", area=other_area)
    copier = make.user("copier@example.jp", roles=(f"facilitator:{target.id}",))
    client.get("/lang/en")
    login(client, "copier@example.jp")
    url = base(world) + f"/{world.survey.id}/copy"
    r = client.get(url)
    assert r.status_code == 200 and "chiyoda-plan" in r.get_data(as_text=True)
    assert "sapporo-plan" not in r.get_data(as_text=True).split("<select")[1].split("</select>")[0]
    r = client.post(url, data={"target_space": "sapporo-plan"})  # not theirs
    assert r.status_code == 422
    r = client.post(url, data={"target_space": "chiyoda-plan"})
    assert r.status_code == 302
    copy = db.session.scalar(select(Survey).where(Survey.space_id == target.id))
    assert copy.copied_from_id == world.survey.id and not copy.published
    assert copy.opens_at is None and copy.closes_at is None
    source_q, copy_q = world.survey.questions(), copy.questions()
    assert [(q.kind, q.text) for q in copy_q] == [(q.kind, q.text) for q in source_q]
    assert {q.id for q in copy_q}.isdisjoint({q.id for q in source_q})
    conditional = next(q for q in copy_q if q.text == "バスの改善点")
    bus = next(o for q in copy_q for o in q.options if o.label == "バス")
    assert conditional.show_if_option_id == bus.id  # remapped to the copy's own option
    assert all(q.survey_id == copy.id for q in copy_q)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == copy.id)) == 0
    assert copier.id  # the copier needed no role in the source space


def test_copy_refused_to_participants_and_for_unpublished_surveys(client, world, db, make):
    draft, _ = build_survey(db.session, world.space, world.facilitator, publish=False)
    target = make.space("other-plan")
    make.user("copier@example.jp", roles=(f"facilitator:{target.id}",))
    login(client, "part@example.jp")
    assert client.get(base(world) + f"/{world.survey.id}/copy").status_code == 403
    client.post("/auth/logout")
    login(client, "copier@example.jp")
    assert client.get(base(world) + f"/{draft.id}/copy").status_code == 404
