"""The public results of a closed survey are computed once for anonymous readers and shared
(app/surveys/api.py, issue #15), and every write that changes them shows at once: the survey's
wording, a withdrawal of consent (a bulk update of the ledger), a logged-in reader's copy is
never shared."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts import services as accounts
from app.common.time import utcnow
from app.extensions import db as app_db
from app.accounts.models import User
from app.surveys.models import SurveyOption
from tests.people import client_as
from tests.statements import recorded
from tests.surveys.helpers import load_population, people, respond


@pytest.fixture
def closed(client, world, db, make, monkeypatch, fragment_cache):
    monkeypatch.setitem(client.application.config, "MIN_CELL_PUBLIC", 1)
    load_population(db.session, {("female", 18, 29): 600, ("male", 18, 29): 400})
    respondents = people(make, 3, age=25, gender="female") + people(make, 3, age=25,
                                                                    gender="male")
    for i, person in enumerate(respondents):
        respond(db, world, person, single=i % 2)
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    # Ids, not objects: each request below starts from a fresh session.
    return {"url": f"/api/v1/surveys/{world.survey.id}/results",
            "option": world.questions["single"].options[0].id,
            "respondent": respondents[0].id}


def _get(client, url: str) -> tuple[dict, int]:
    app_db.session.expunge_all()  # a fresh session, as every production request has
    with recorded() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.json, len(statements)


def test_anonymous_readers_share_one_computed_copy(client, world, closed):
    anonymous = client_as(client.application)
    url = closed["url"] + "?weighted=1"
    first, cold = _get(anonymous, url)
    second, warm = _get(anonymous, url)
    assert second == first and first["respondents"] == 6
    assert warm < cold, (cold, warm)
    raw, _ = _get(anonymous, closed["url"])
    assert raw["weighted"] is False  # each form of the question has its own copy


def test_a_new_wording_shows_at_once(client, world, closed, db):
    anonymous = client_as(client.application)
    url = closed["url"]
    _get(anonymous, url)
    option = db.session.get(SurveyOption, closed["option"])
    option.label = "路線バス"
    db.session.commit()
    labels = [o["label"] for o in _get(anonymous, url)[0]["questions"][0]["options"]]
    assert "路線バス" in labels


def test_a_withdrawal_of_consent_shows_at_once(client, world, closed, db):
    anonymous = client_as(client.application)
    url = closed["url"] + "?weighted=1"
    before = _get(anonymous, url)[0]["weighting"]["lacking_demographics"]
    accounts.withdraw_demographics(db.session, db.session.get(User, closed["respondent"]))
    db.session.commit()
    after = _get(anonymous, url)[0]["weighting"]["lacking_demographics"]
    assert after == before + 1


def test_a_logged_in_reader_neither_reads_nor_leaves_a_shared_copy(client, world, closed,
                                                                   fragment_cache):
    reader = client_as(client.application, "part@example.jp")
    _get(reader, closed["url"])
    assert not [key for key in fragment_cache.cache._cache if "survey-results" in key]


def test_a_facilitators_answer_is_never_stored_by_a_shared_cache(client, world, closed):
    """A facilitator's results count groups down to the facilitators' minimum: marked public,
    a proxy would hand them to the next anonymous reader of the same address."""
    facilitator = client_as(client.application, "fac@example.jp")
    assert facilitator.get(closed["url"]).headers["Cache-Control"] == "private, no-store"
    anonymous = client_as(client.application)
    assert anonymous.get(closed["url"]).headers["Cache-Control"] == "public, max-age=60"
