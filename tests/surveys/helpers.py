"""Shortcuts of the survey tests: population figures, respondents and their answers, written
through the real services."""
from __future__ import annotations

from datetime import date

from app.common.time import today_jst
from app.representation import population as pop
from app.representation.population_files import PopulationRecord
from app.surveys import results, services
from app.surveys.answering import Given

YEAR = today_jst().year


def load_population(session, counts: dict, area_code: str = "01100") -> None:
    """counts: {(sex, low, high): people}."""
    records = [PopulationRecord(area_code, sex, low, high, n)
               for (sex, low, high), n in counts.items()]
    pop.import_population(session, key="test-census", kind="census", title="Test census",
                          reference_date=date(2020, 10, 1), records=records)
    session.commit()


def respond(db, world, user, *, single: int, likert: int = 3, number: str = "",
            text: str = "", multiple: tuple = (0,), other: str | None = None):
    """Answer the world's survey through the services (as the pages would)."""
    q = world.questions
    survey = services.get_survey_by_id(db.session, world.survey.id)
    first, second = survey.sections
    options = [] if single is None else [q["single"].options[single].id]
    page = {q["single"].id: Given(options=options, other=other),
            q["multiple"].id: Given(options=[q["multiple"].options[i].id for i in multiple])}
    if single == 0:  # バス shows the conditional question, which is required
        page[q["conditional"].id] = Given(text="本数を増やして")
    services.save_section(db.session, survey, user, first, page, resume_section_id=second.id)
    answers = {q["likert"].id: Given(number=float(likert))}
    if number:
        answers[q["number"].id] = Given(number=float(number), raw=number)
    if text:
        answers[q["long"].id] = Given(text=text)
    services.save_section(db.session, survey, user, second, answers, resume_section_id=None)
    services.submit(db.session, survey, user)
    db.session.commit()


def people(make, n, *, age, gender, **kw):
    return [make.user(birth_year=YEAR - age - 1, gender=gender, **kw) for _ in range(n)]


def result_of(db, world, name, weighting=None):
    survey = services.get_survey_by_id(db.session, world.survey.id)
    out = results.question_results(db.session, survey, world.space, weighting)
    return next(r for r in out if r.question.id == world.questions[name].id)


def weighting_of(db, world, cap=None):
    survey = services.get_survey_by_id(db.session, world.survey.id)
    return results.compute_weighting(db.session, survey, world.space, cap=cap)
