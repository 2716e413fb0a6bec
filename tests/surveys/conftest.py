"""Fixtures for survey tests: a space with a facilitator and participants, and a survey built
through the builder services (every question type), published and open."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.surveys import builder, services
from app.surveys.models import Survey


@dataclass
class World:
    space: object
    facilitator: object
    participant: object
    survey: Survey
    questions: dict  # name -> question


def build_survey(session, space, actor, *, publish: bool = True, **settings) -> tuple[Survey, dict]:
    """Two sections: choices and a condition first, then the other types."""
    survey = builder.create_survey(session, space, actor, title=settings.pop("title", "市民アンケート"),
                                   description_md="ご協力ください。", **settings)
    first = survey.sections[0]
    builder.update_section(session, first, title="あなたの暮らし")
    q = {}
    q["single"] = builder.add_question(session, first, kind="single", text="交通手段は？",
                                       required=True, allow_other=True,
                                       options=["バス", "地下鉄", "自動車"])
    q["multiple"] = builder.add_question(session, first, kind="multiple", text="関心のある分野",
                                         options=["子育て", "福祉", "観光", "防災"],
                                         min_choices=1, max_choices=2, required=True)
    q["conditional"] = builder.add_question(
        session, first, kind="short_text", text="バスの改善点", required=True,
        show_if_option_id=q["single"].options[0].id)
    second = builder.add_section(session, survey, title="ご意見")
    q["likert"] = builder.add_question(session, second, kind="likert", text="満足度",
                                       scale_points=5, label_low="不満", label_high="満足",
                                       required=True)
    q["number"] = builder.add_question(session, second, kind="number", text="居住年数",
                                       min_value=0, max_value=100, integer_only=True)
    q["ranking"] = builder.add_question(session, second, kind="ranking", text="優先順位",
                                        options=["道路", "公園", "図書館"])
    q["long"] = builder.add_question(session, second, kind="long_text", text="自由意見")
    if publish:
        services.open_now(session, survey)
    session.commit()
    return survey, q


@pytest.fixture
def world(db, make) -> World:
    space = make.space("sapporo-plan")
    facilitator = make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))
    participant = make.user("part@example.jp", birth_year=1990, gender="female",
                            sector="industry")
    survey, questions = build_survey(db.session, space, facilitator)
    return World(space, facilitator, participant, survey, questions)


def answer_form(world: World, section: int, **overrides) -> dict:
    """A valid form for section 1 or 2 of the built survey."""
    q = world.questions
    if section == 1:
        data = {f"q{q['single'].id}": str(q["single"].options[1].id),
                f"q{q['multiple'].id}": [str(q["multiple"].options[0].id)],
                "shown": f"{q['single'].id},{q['multiple'].id}"}
    else:
        data = {f"q{q['likert'].id}": "4", f"q{q['number'].id}": "12",
                f"q{q['long'].id}": "公園を増やしてほしい",
                "shown": f"{q['likert'].id},{q['number'].id},{q['ranking'].id},{q['long'].id}"}
        for rank, option in enumerate(q["ranking"].options, 1):
            data[f"q{q['ranking'].id}_o{option.id}"] = str(rank)
    data.update(overrides)
    return data
