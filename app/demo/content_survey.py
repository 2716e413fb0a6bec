"""The demo survey: built with the survey builder, published, and answered by ~120 demo
participants through the same steps as the answering pages (each section checked and saved,
then submitted). Answers lean by age group and gender, so the population-weighted results
differ visibly from the raw ones (the demo's participants are older and more male than
Sapporo)."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.demo import content_data as data
from app.demo.cast import Cast, Clock, Person, utc_at
from app.surveys import answering, builder
from app.surveys import services as surveys
from app.surveys.answering import Given
from app.surveys.models import Survey

SURVEY_RESPONSES = 120
FLUSH_EVERY = 40


def create_survey(session: Session, space, facilitator: User, cast: Cast, clock: Clock,
                  today: date, note: Callable[[str], None]) -> dict[str, int]:
    """The survey, unless the space already has it, with its responses."""
    counts = {"surveys": 0, "survey_responses": 0}
    if session.scalar(select(Survey.id).where(Survey.space_id == space.id,
                                              Survey.title == data.SURVEY_TITLE)):
        return counts
    opens = clock.at(data.SURVEY_OPENS_AT)
    phase = space.current_phase(today)
    survey = builder.create_survey(
        session, space, facilitator, title=data.SURVEY_TITLE,
        description_md=data.SURVEY_DESCRIPTION, results_visibility="after_close", opens_at=opens,
        closes_at=utc_at(phase.ends_on, time(23, 59)))
    first = survey.sections[0]
    builder.update_section(session, first, title=data.SECTIONS[0][0],
                           description_md=data.SECTIONS[0][1])
    sections = [first] + [builder.add_section(session, survey, title=title, description_md=text)
                          for title, text in data.SECTIONS[1:]]
    questions = {key: builder.add_question(session, sections[index], **spec)
                 for index, key, spec in data.QUESTIONS}
    surveys.publish(session, survey)
    survey.created_at, survey.updated_at = opens - timedelta(days=2), opens
    counts["surveys"] = 1
    refusal = surveys.answer_refusal(survey, space, clock.end)
    if refusal:
        note(f"The demo survey cannot take answers now ({refusal}): no responses were created.")
        return counts
    for number, person in enumerate(cast.sample("surveys", SURVEY_RESPONSES, clock.end), 1):
        started = clock.between(max(opens, person.first_at), clock.end - timedelta(minutes=10))
        _respond(session, survey, person, _answers(cast.rng, person, questions), started)
        if number % FLUSH_EVERY == 0:
            session.flush()
        counts["survey_responses"] += 1
    session.flush()
    return counts


def _respond(session: Session, survey: Survey, person: Person, answers: dict[int, Given],
             started: datetime) -> None:
    """Answer as the answering pages do: each section checked and saved, then submitted."""
    sections = survey.sections
    for index, section in enumerate(sections):
        shown = {q.id for q in section.questions}
        result = answering.check_section(section.questions, answers, shown)
        if result.problems:
            raise ValueError(f"demo survey answers refused: {result.problems}")
        following = sections[index + 1].id if index + 1 < len(sections) else section.id
        surveys.save_section(session, survey, person.user, section,
                             {qid: given for qid, given in result.answers.items()
                              if not given.is_empty()},
                             resume_section_id=following,
                             now=started + timedelta(minutes=2 * index))
    done = started + timedelta(minutes=2 * len(sections) + 1)
    response = surveys.submit(session, survey, person.user, now=done)
    response.updated_at = done


def _weighted_pick(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k different items, each draw proportional to the weights of those left."""
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


# Answer tendencies by age group (young 18-39, middle 40-59 or unknown, older 60+), with women
# leaning further the same way, so the population-weighted results differ from the raw ones.
STAY = {"young": (8, 30, 40, 22), "middle": (35, 42, 10, 13), "older": (70, 22, 2, 6)}
PRIORITIES = {"young": (8, 9, 2, 1, 3, 5, 1, 3.5), "middle": (5, 5, 5, 4, 1.5, 3.5, 2, 1.5),
              "older": (1.2, 1.5, 9, 9, 1, 1, 4, 1.5)}
PRIORITIES_WOMEN = (2.2, 1, 1, 1.4, 1, 1, 1.1, 1)
SATISFACTION = {"young": (25, 38, 25, 10, 2), "middle": (8, 25, 40, 23, 4),
                "older": (3, 10, 30, 42, 15)}
PILLARS = {"young": (2.5, 5, 2.5, 3.5, 1), "middle": (4, 3.5, 1.5, 2, 1.3),
           "older": (6, 1.8, 1, 0.8, 1.6)}


def _answers(rng: random.Random, person: Person, questions: dict) -> dict[int, Given]:
    age, female = person.age, person.gender == "female"
    group = "young" if age is not None and age < 40 else (
        "older" if age is not None and age >= 60 else "middle")
    out: dict[int, Given] = {}

    stay = questions["stay"]
    weights = list(STAY[group])
    if female:
        weights[2] += 8
    out[stay.id] = Given(options=[rng.choices(stay.options, weights=weights)[0].id])

    priorities = questions["priorities"]
    weights = [w * (f if female else 1) for w, f in zip(PRIORITIES[group], PRIORITIES_WOMEN)]
    k = rng.choices((1, 2, 3), weights=(1, 2, 7))[0]
    other = rng.choice(data.OTHER_PRIORITIES) if rng.random() < 0.04 else None
    picked = _weighted_pick(rng, priorities.options, weights, k - (other is not None))
    out[priorities.id] = Given(options=[o.id for o in picked], other=other)

    weights = [w * (1.5 if female and point <= 2 else 0.6 if female and point >= 4 else 1)
               for point, w in enumerate(SATISFACTION[group], 1)]
    point = rng.choices(range(1, 6), weights=weights)[0]
    out[questions["satisfaction"].id] = Given(number=float(point), raw=str(point))

    pillars = questions["pillars"]
    weights = [w * (1.3 if female and i == 0 else 1) for i, w in enumerate(PILLARS[group])]
    order = _weighted_pick(rng, pillars.options, weights, len(pillars.options))
    out[pillars.id] = Given(ranks={option.id: rank for rank, option in enumerate(order, 1)})

    if rng.random() < 0.92:
        if person.residency in ("relationship", "dual_region"):
            years = rng.randint(1, 20)
        elif age is not None:
            years = round(age * rng.uniform(0.3, 1.0))
        else:
            years = rng.randint(3, 50)
        years = min(years, age if age is not None else 100, 100)
        out[questions["years"].id] = Given(number=float(years), raw=str(years))

    if rng.random() < 0.35:
        out[questions["comment"].id] = Given(text=rng.choice(data.COMMENTS[group]))
    return out
