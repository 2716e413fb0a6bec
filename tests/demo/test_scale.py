"""`flask demo scale` at a tiny size: the rows it reports are there, every counter equals its
COUNT(*), the ledger holds exactly the people who did something (with the first use of what
they did), and the pages the load benchmark reads render on the generated data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.demo import scale, services
from app.forum.models import Post, Thread
from app.proposals.models import Proposal, ProposalSupport
from app.representation.models import Participation
from app.spaces.models import Space
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse
from tests.people import client_as


@pytest.fixture
def generated(app, db, monkeypatch):
    # The census rows and slow password hashes are not what this test is about.
    monkeypatch.setattr(services, "POPULATION_LOADERS", ())
    monkeypatch.setattr(scale, "generate_password_hash",
                        lambda password: services.generate_password_hash(
                            password, method="pbkdf2:sha256:1"))
    result = app.test_cli_runner().invoke(args=[
        "demo", "scale", "--users", "120", "--spaces", "2", "--ledger", "200", "--posts", "240",
        "--proposals", "20", "--supports", "300", "--survey-answers", "150"])
    assert result.exit_code == 0, result.output
    return result.output


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_counts_are_what_was_asked_and_what_is_reported(db, generated):
    assert count(db, User) == 120 + 2   # the people, the facilitator, the supporter
    assert count(db, Space) == 2
    assert count(db, Post, Post.thread.has(Thread.module == "forum")) == 240
    assert count(db, Proposal) == 20
    assert count(db, Participation) == 200
    supports = count(db, ProposalSupport)
    assert 270 <= supports <= 330
    answers = count(db, SurveyAnswer)
    assert 120 <= answers <= 180
    assert f"proposal_supports: {supports:,}" in generated
    assert f"survey_answers: {answers:,}" in generated
    assert re.search(r"rows in [\d.]+ s \([\d,]+ rows/s\)", generated)
    # The first space has the long thread.
    assert db.session.scalar(select(func.max(Thread.reply_count))) == 200


def test_counters_equal_their_counts(db, generated):
    for thread in db.session.scalars(select(Thread)):
        assert thread.reply_count == count(
            db, Post, Post.thread_id == thread.id, Post.is_opening.is_(False),
            Post.deleted_at.is_(None), Post.hidden_at.is_(None))
    for proposal in db.session.scalars(select(Proposal)):
        assert proposal.support_count == count(db, ProposalSupport,
                                               ProposalSupport.proposal_id == proposal.id)
        assert proposal.comment_thread_id is not None


def test_the_ledger_is_what_people_did(db, generated):
    for row in db.session.scalars(select(Participation)):
        assert row.forum or row.proposals or row.proposal_supporters or row.surveys
        times = [t for t in (row.forum_at, row.proposals_at, row.proposal_supporters_at,
                             row.surveys_at) if t is not None]
        assert row.first_at == min(times)
        wrote = count(db, Post, Post.author_id == row.user_id,
                      Post.thread.has((Thread.space_id == row.space_id) & (Thread.module == "forum")))
        assert bool(wrote) == row.forum
        supported = db.session.scalar(
            select(func.count()).select_from(ProposalSupport)
            .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
            .where(ProposalSupport.user_id == row.user_id, Proposal.space_id == row.space_id))
        assert bool(supported) == row.proposal_supporters
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert responses and all(r.participation_id is not None for r in responses)


def test_pages_render_on_the_generated_data(app, db, generated):
    space = db.session.scalar(select(Space).order_by(Space.id))
    long_thread = db.session.scalar(select(Thread).order_by(Thread.reply_count.desc()))
    proposal = db.session.scalar(select(Proposal).where(Proposal.space_id == space.id))
    survey = db.session.scalar(select(Survey).where(Survey.space_id == space.id))
    anonymous = client_as(app)
    for url in ("/", f"/spaces/{space.slug}/", f"/spaces/{space.slug}/forum/",
                f"/spaces/{space.slug}/forum/threads/{long_thread.id}",
                f"/spaces/{space.slug}/forum/threads/{long_thread.id}?page=2",
                f"/spaces/{space.slug}/proposals/", f"/spaces/{space.slug}/proposals/?page=2",
                f"/spaces/{space.slug}/proposals/{proposal.id}",
                f"/spaces/{space.slug}/transparency",
                f"/api/v1/spaces/{space.slug}/representation",
                f"/api/v1/surveys/{survey.id}/results"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
    facilitator = client_as(app, scale.FACILITATOR)
    assert facilitator.get(f"/spaces/{space.slug}/representation/").status_code == 200
    supporter = client_as(app, scale.SUPPORTER)
    response = supporter.post(f"/spaces/{space.slug}/proposals/{proposal.id}/support")
    assert response.status_code in (200, 302, 303)


def test_a_second_run_is_refused(app, generated):
    again = app.test_cli_runner().invoke(args=["demo", "scale", "--users", "5"])
    assert again.exit_code != 0
    assert "already" in again.output
