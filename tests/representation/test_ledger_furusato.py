"""The ledger keeps, per space, the kind of the tie behind the residency type and the furusato
tier for the space's area on the day of first participation."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import ResidencyTie
from app.furusato import services as furusato
from app.representation import ledger
from app.representation.ledger import record_participation
from app.representation.models import Participation
from tests.furusato.helpers import build_map

AT = datetime(2026, 8, 1, 3, 0)


@pytest.fixture
def places(make, db):
    return build_map(make, db)


def _row(db, space, user) -> Participation:
    return db.session.scalar(select(Participation).where(Participation.space_id == space.id,
                                                         Participation.user_id == user.id))


def test_a_basic_registration_with_otaru_counts_in_otaru_not_in_sapporo(make, db, places):
    person = make.user(residency=None, home_area=places.shinjuku)
    furusato.register(db.session, person, places.otaru_programme, tier="basic",
                      tie_kind="visits", contact_consent=False, today=date(2026, 7, 1))
    db.session.add(ResidencyTie(user_id=person.id, area_id=places.otaru.id, kind="family"))
    db.session.commit()
    otaru, sapporo, hokkaido = (make.space(area=places.otaru), make.space(area=places.sapporo),
                                make.space(area=places.hokkaido))
    for space in (otaru, sapporo, hokkaido):
        record_participation(db.session, space.id, person, "forum", at=AT)
    db.session.commit()
    assert (_row(db, otaru, person).furusato_tier, _row(db, otaru, person).tie_kind) == \
        ("basic", "family")
    assert (_row(db, sapporo, person).furusato_tier, _row(db, sapporo, person).residency,
            _row(db, sapporo, person).tie_kind) == ("none", None, None)
    # Hokkaido contains Otaru: the registration (and its tie) count there too.
    assert (_row(db, hokkaido, person).furusato_tier, _row(db, hokkaido, person).tie_kind) == \
        ("basic", "family")


def test_the_tier_is_the_one_of_the_first_day(make, db, places):
    person = make.user(residency=None, home_area=places.shinjuku)
    registration = furusato.register(db.session, person, places.otaru_programme, tier="basic",
                                     tie_kind="visits", contact_consent=False,
                                     today=date(2026, 8, 2))
    db.session.commit()
    early, late = make.space(area=places.otaru), make.space(area=places.otaru)
    record_participation(db.session, early.id, person, "forum", at=AT)  # the day before
    record_participation(db.session, late.id, person, "forum", at=datetime(2026, 8, 3))
    db.session.commit()
    assert _row(db, early, person).furusato_tier == "none"
    assert _row(db, late, person).furusato_tier == "basic"
    furusato.leave(db.session, registration)
    db.session.commit()
    # Leaving later changes no snapshot; a space joined after leaving counts no registration.
    assert _row(db, late, person).furusato_tier == "basic"
    after = make.space(area=places.otaru)
    record_participation(db.session, after.id, person, "forum")
    db.session.commit()
    assert _row(db, after, person).furusato_tier == "none"


def test_a_resident_has_no_tie_kind(make, db, places):
    person = make.user(home_area=places.sapporo)
    space = make.space(area=places.sapporo)
    record_participation(db.session, space.id, person, "forum", at=AT)
    db.session.commit()
    row = _row(db, space, person)
    assert (row.residency, row.tie_kind, row.furusato_tier) == ("resident", None, "none")


def test_the_one_tap_answer_records_the_kind_while_the_batch_is_open(make, db, places):
    person = make.user(residency=None, home_area=places.shinjuku)
    space = make.space(area=places.otaru)
    record_participation(db.session, space.id, person, "forum", at=AT)
    db.session.commit()
    assert ledger.answer_connection(db.session, person, space, "side_job", k=5)
    db.session.commit()
    row = _row(db, space, person)
    assert (row.residency, row.tie_kind) == ("relationship", "side_job")


def test_the_one_tap_answer_leaves_a_counted_snapshot_unknown(make, db, places):
    space = make.space(area=places.otaru)
    people = [make.user(residency=None, home_area=places.shinjuku) for _ in range(2)]
    for person in people:
        record_participation(db.session, space.id, person, "forum", at=AT)
    db.session.commit()
    # k = 1: every batch is closed at once, so the figures have counted the person already.
    assert not ledger.answer_connection(db.session, people[0], space, "family", k=1)
    db.session.commit()
    row = _row(db, space, people[0])
    assert (row.residency, row.tie_kind) == (None, None)


@pytest.mark.parametrize("values", [
    {"residency": "resident", "tie_kind": "family"},
    {"residency": "relationship", "tie_kind": "commuter"},
    {"residency": "commuter", "tie_kind": "astrology"},
    {"residency": "resident", "furusato_tier": "gold"},
])
def test_the_database_refuses_values_that_do_not_fit(make, db, places, values):
    space = make.space(area=places.otaru)
    db.session.add(Participation(space_id=space.id, first_at=AT, forum=True, forum_at=AT,
                                 **values))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
