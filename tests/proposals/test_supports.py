"""Supporting and withdrawing: one per person, counts equal rows, only while the phase accepts
input and the proposal is open; the threshold marks a proposal once and tells facilitators."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.common.errors import DomainError
from app.common.time import today_jst
from app.notifications.models import Notification
from app.proposals import services, supports, workflow
from app.proposals.models import ProposalSupport
from app.representation.models import Participation
from tests.proposals.helpers import published, stored_count, support_rows, supported_by, url
from tests.people import client_for


def test_support_and_withdraw_through_the_pages(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "participant")
    response = client.post(url(world.space, f"{proposal.id}/support"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#support")
    page = client.get(response.headers["Location"])
    assert "Thank you, your support is counted." in page.text
    assert "You support this" in page.text and "Withdraw my support" in page.text
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (1, 1)

    again = client.post(url(world.space, f"{proposal.id}/support"))
    assert again.status_code == 303
    assert "You already support this proposal." in client.get(again.headers["Location"]).text
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (1, 1)

    response = client.post(url(world.space, f"{proposal.id}/unsupport"))
    assert response.status_code == 303
    assert "Your support is withdrawn." in client.get(response.headers["Location"]).text
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (0, 0)
    response = client.post(url(world.space, f"{proposal.id}/unsupport"))
    assert "You were not supporting this proposal." in client.get(response.headers["Location"]).text
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (0, 0)


def test_displayed_count_equals_rows(app, world, db, make):
    proposal = published(db, world.space, world.author)
    people = [make.user() for _ in range(4)]
    supported_by(db, proposal, *people)
    supports.unsupport(db.session, proposal, people[0])
    db.session.commit()
    page = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    assert '<p class="support-total"><strong>3</strong> supports' in page.text
    assert stored_count(db, proposal.id) == support_rows(db, proposal.id) == 3


def test_support_records_supporters_apart_from_authors_in_the_ledger(app, world, db):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    rows = {r.user_id: r for r in db.session.scalars(select(Participation))}
    assert rows[world.participant.id].proposal_supporters
    assert not rows[world.participant.id].proposals
    assert rows[world.author.id].proposals and not rows[world.author.id].proposal_supporters


def test_anonymous_support_goes_to_login_and_changes_nothing(app, world, db):
    proposal = published(db, world.space, world.author)
    response = client_for(app, world, "anonymous").post(url(world.space, f"{proposal.id}/support"))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    # back to the proposal after logging in, not to the POST's address
    next_url = parse_qs(urlsplit(response.headers["Location"]).query)["next"]
    assert next_url == [url(world.space, f"{proposal.id}").rstrip("/")]
    assert support_rows(db, proposal.id) == 0


def test_support_refused_when_phase_closed(app, world, db):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    world.space.phases[0].accepts_input = False
    db.session.commit()
    client = client_for(app, world, "participant")
    response = client.post(url(world.space, f"{proposal.id}/unsupport"))
    assert "does not accept proposals or supports" in client.get(response.headers["Location"]).text
    client_other = client_for(app, world, "facilitator")
    client_other.post(url(world.space, f"{proposal.id}/support"))
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (1, 1)
    page = client.get(url(world.space, f"{proposal.id}"))
    assert "Support this proposal" not in page.text and "Withdraw my support" not in page.text


def test_support_refused_after_the_last_phase_ended(app, world, db):
    proposal = published(db, world.space, world.author)
    world.space.phases[0].ends_on = today_jst() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DomainError):
        supports.support(db.session, proposal, world.participant)
    db.session.rollback()
    assert support_rows(db, proposal.id) == 0


@pytest.mark.parametrize("status", ["accepted", "rejected", "implemented"])
def test_support_only_while_the_proposal_is_open(app, world, db, status):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    steps = ["accepted", "implemented"] if status == "implemented" else [status]
    for step in steps:
        workflow.change_status(db.session, proposal, world.facilitator, to_status=step,
                               answer="理由")
    db.session.commit()
    for action in ("support", "unsupport"):
        client = client_for(app, world, "participant" if action == "unsupport" else "moderator")
        response = client.post(url(world.space, f"{proposal.id}/{action}"))
        assert "no longer takes supports" in client.get(response.headers["Location"]).text
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (1, 1)


def test_drafts_cannot_be_supported(app, world, db):
    from tests.proposals.helpers import draft

    proposal = draft(db, world.space, world.author)
    response = client_for(app, world, "participant").post(url(world.space, f"{proposal.id}/support"))
    assert response.status_code == 404
    assert support_rows(db, proposal.id) == 0


def test_threshold_marks_once_and_notifies_the_space_facilitators(app, world, db, make):
    services.save_threshold(db.session, world.space, 2)
    db.session.commit()
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    assert db.session.scalar(select(Notification).where(
        Notification.kind == supports.KIND_THRESHOLD)) is None
    supported_by(db, proposal, world.moderator)
    db.session.expire_all()
    assert proposal.threshold_reached_at is not None
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == supports.KIND_THRESHOLD)).all()
    assert [n.user_id for n in notes] == [world.facilitator.id]
    assert notes[0].payload["proposal_id"] == proposal.id and notes[0].payload["threshold"] == 2
    # Falling below and rising again: still marked once, no second notification.
    supports.unsupport(db.session, proposal, world.moderator)
    supported_by(db, proposal, make.user())
    assert len(db.session.scalars(select(Notification).where(
        Notification.kind == supports.KIND_THRESHOLD)).all()) == 1
    page = client_for(app, world, "facilitator").get("/notifications/")
    assert "has reached 2 supports" in page.text
    detail = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    assert "Threshold reached on" in detail.text


def test_lowering_the_threshold_marks_proposals_already_over_it(app, world, db, make):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, *[make.user() for _ in range(3)])
    client = client_for(app, world, "facilitator")
    response = client.post(url(world.space, "settings"), data={"support_threshold": "３"})
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.threshold_reached_at is not None
    assert db.session.scalar(select(Notification.user_id).where(
        Notification.kind == supports.KIND_THRESHOLD)) == world.facilitator.id


@pytest.mark.parametrize("value,message", [
    ("0", "Enter a number between 1 and 1000000"),
    ("-3", "Enter a whole number"),
    ("abc", "Enter a whole number"),
    ("99999999", "Enter a number between 1 and 1000000"),
])
def test_bad_threshold_is_refused_and_kept(app, world, db, value, message):
    client = client_for(app, world, "facilitator")
    response = client.post(url(world.space, "settings"), data={"support_threshold": value})
    assert response.status_code == 422
    assert message in response.text and f'value="{value}"' in response.text
    assert services.support_threshold(db.session, world.space) is None


def test_clearing_the_threshold(app, world, db):
    client = client_for(app, world, "facilitator")
    client.post(url(world.space, "settings"), data={"support_threshold": "10"})
    assert services.support_threshold(db.session, world.space) == 10
    client.post(url(world.space, "settings"), data={"support_threshold": ""})
    db.session.expire_all()
    assert services.support_threshold(db.session, world.space) is None


def test_support_row_is_unique_in_the_database(app, world, db):
    from sqlalchemy.exc import IntegrityError

    proposal = published(db, world.space, world.author)
    db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=world.participant.id))
    db.session.commit()
    db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=world.participant.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
