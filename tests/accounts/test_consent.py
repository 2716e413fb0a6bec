"""Consent to the optional demographics: withdrawing it blanks age, gender and sector in every
ledger snapshot of the person at once; editing the answers later leaves the snapshots (taken at
first participation) alone; downloading one's data is audited without its content."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Demographics
from app.admin.models import AuditEntry
from app.representation.ledger import record_participation
from app.representation.models import Participation
from tests.people import log_in


@pytest.fixture
def otaru(make):
    return make.area("01203", "小樽市", "Otaru")


@pytest.fixture
def hanako(make, sapporo, otaru):
    # Lives in Otaru and commutes to Sapporo, the spaces' area.
    return make.user("hanako@example.jp", home_area=otaru, residency="commuter", tie_area=sapporo,
                     birth_year=1995, gender="female", sector="labour")


@pytest.fixture
def spaces(make):
    return make.space("first-space"), make.space("second-space")


def _snapshots(db, user_id) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(Participation.space_id, Participation.age, Participation.gender,
               Participation.sector, Participation.residency, Participation.home_area_id)
        .where(Participation.user_id == user_id).order_by(Participation.space_id)).all()


def _take_part(db, user, spaces) -> None:
    for space in spaces:
        record_participation(db.session, space.id, user, "forum")
    db.session.commit()


def test_withdrawal_blanks_every_snapshot_and_keeps_residency_and_home_area(db, hanako, spaces,
                                                                            make, otaru):
    _take_part(db, hanako, spaces)
    someone = make.user(birth_year=1980, gender="male", sector="industry")
    _take_part(db, someone, spaces[:1])
    assert services.withdraw_demographics(db.session, hanako) is True
    db.session.commit()
    assert db.session.get(Demographics, hanako.id) is None
    assert _snapshots(db, hanako.id) == [
        (spaces[0].id, None, None, None, "commuter", otaru.id),
        (spaces[1].id, None, None, None, "commuter", otaru.id)]
    (other,) = _snapshots(db, someone.id)  # another person's snapshot is untouched
    assert other[1] is not None and other[2:4] == ("male", "industry")


def test_withdrawal_is_one_transaction_with_the_answers(db, hanako, spaces):
    _take_part(db, hanako, spaces)
    services.withdraw_demographics(db.session, hanako)
    db.session.rollback()  # the request failed after the service: neither part lands
    assert db.session.get(Demographics, hanako.id) is not None
    assert {row[2] for row in _snapshots(db, hanako.id)} == {"female"}


def test_withdrawal_without_answers_still_blanks_older_snapshots(db, hanako, spaces):
    """Snapshots can outlive the answers (withdrawn before this rule existed)."""
    _take_part(db, hanako, spaces)
    db.session.delete(hanako.demographics)
    db.session.commit()
    assert services.withdraw_demographics(db.session, hanako) is True
    assert services.withdraw_demographics(db.session, hanako) is False  # nothing left
    assert {row[1:4] for row in _snapshots(db, hanako.id)} == {(None, None, None)}


def test_withdrawal_page_says_what_happens(client, db, hanako, spaces):
    _take_part(db, hanako, spaces)
    log_in(client, hanako)
    html = client.get("/auth/profile/demographics").get_data(as_text=True)
    assert "「無回答」" in html and "公表" in html
    client.get("/lang/en")
    html = client.get("/auth/profile/demographics").get_data(as_text=True)
    assert "removed from the participation records" in html
    assert "stay as they were published: a published release is a frozen snapshot" in html
    assert "home area and your connections to other areas are not part of these" in html
    response = client.post("/auth/profile/demographics/withdraw", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "you now count as unknown in every space" in response.get_data(as_text=True)
    assert {row[1:4] for row in _snapshots(db, hanako.id)} == {(None, None, None)}


def test_editing_the_answers_later_leaves_the_snapshots(client, db, hanako, spaces):
    _take_part(db, hanako, spaces)
    before = _snapshots(db, hanako.id)
    log_in(client, hanako)
    response = client.post("/auth/profile/demographics", data={
        "consent_demographics": "y", "birth_year": "1970", "gender": "other", "sector": "media"})
    assert response.status_code == 302
    assert db.session.get(Demographics, hanako.id).birth_year == 1970
    assert _snapshots(db, hanako.id) == before


def test_a_space_joined_after_an_edit_snapshots_the_new_answers(db, hanako, spaces):
    _take_part(db, hanako, spaces[:1])
    services.save_demographics(db.session, hanako, {"birth_year": 1970, "gender": "other",
                                                    "sector": "media"})
    _take_part(db, hanako, spaces[1:])
    rows = _snapshots(db, hanako.id)
    assert rows[0][2:4] == ("female", "labour") and rows[1][2:4] == ("other", "media")


def test_saving_no_answers_at_all_is_a_withdrawal(db, hanako, spaces):
    _take_part(db, hanako, spaces)
    assert services.save_demographics(db.session, hanako, {}) is None
    db.session.commit()
    assert {row[1:4] for row in _snapshots(db, hanako.id)} == {(None, None, None)}


def test_data_download_is_audited_without_its_content(client, db, hanako, spaces):
    _take_part(db, hanako, spaces)
    log_in(client, hanako)
    response = client.get("/auth/profile/export")
    assert response.status_code == 200 and json.loads(response.get_data(as_text=True))
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.actor_id, entry.target, entry.detail) == (
        "export.personal_data", hanako.id, f"user:{hanako.id}", {})
