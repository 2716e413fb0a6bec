"""Number answers are bounded and finite (issue #10): a question without a range of its own
still refuses 1e308, inf and nan next to the field, so no page or JSON ever shows them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.surveys import builder
from app.surveys.models import SurveyAnswer
from tests.people import client_as
from tests.surveys.questions import problem_of, question


def test_unbounded_question_refuses_huge_and_non_finite_numbers():
    q = question(kind="number", integer_only=False)
    assert problem_of(q, {"q1": "999999999999"}) is None
    assert problem_of(q, {"q1": "-1e12"}) is None
    assert problem_of(q, {"q1": "1e308"}) == "number_between"
    assert problem_of(q, {"q1": "-1e13"}) == "number_between"
    for text in ("inf", "-inf", "nan", "1e400", "Infinity"):
        assert problem_of(q, {"q1": text}) == "not_a_number"


def test_own_range_still_decides_first():
    q = question(kind="number", min_value=0, max_value=10)
    assert problem_of(q, {"q1": "1e308"}) == "number_between"
    assert problem_of(question(kind="number", min_value=0), {"q1": "1e308"}) == "number_between"


@pytest.mark.parametrize("typed, message", [
    ("1e308", "Enter a number between -1000000000000 and 1000000000000."),
    ("inf", "Enter a number, e.g. 12."),
    ("nan", "Enter a number, e.g. 12."),
])
def test_answer_page_refuses_next_to_the_field_and_keeps_the_text(client, world, db, typed,
                                                                 message):
    section = world.survey.sections[1]
    free = builder.add_question(db.session, section, kind="number", text="金額",
                                integer_only=False)
    db.session.commit()
    part = client_as(client.application, "part@example.jp")
    url = f"/spaces/{world.space.slug}/surveys/{world.survey.id}/answer/{section.id}"
    r = part.post(url, data={f"q{free.id}": typed, "action": "save",
                             "shown": str(free.id)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f'id="q{free.id}-error"' in html and message in html
    assert f'value="{typed}"' in html
    assert db.session.scalar(select(SurveyAnswer.id)) is None  # nothing stored
