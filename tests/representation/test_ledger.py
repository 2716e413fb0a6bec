"""The participation ledger: one row per person per space, snapshot at first participation,
module flags accumulate, safe under concurrency."""
from __future__ import annotations

import os
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.representation.ledger import age_at, record_participation
from app.representation.models import Participation


@pytest.mark.parametrize("birth_year,on,expected", [
    (2000, date(2026, 6, 30), 25),   # before the assumed mid-year birthday
    (2000, date(2026, 7, 1), 26),
    (2000, date(2026, 11, 28), 26),
    (None, date(2026, 11, 28), None),
    (2030, date(2026, 1, 1), 0),     # never negative
])
def test_age_at_assumes_mid_year_birthday(birth_year, on, expected):
    assert age_at(birth_year, on) == expected


def test_first_participation_writes_snapshot_and_later_calls_add_modules(make, db):
    space = make.space()
    otaru = make.area("01203", "小樽市", "Otaru")
    user = make.user(birth_year=1990, gender="female", sector="academia", residency="relationship",
                     home_area=otaru)
    record_participation(db.session, space.id, user, "forum", at=datetime(2026, 8, 1, 3, 0))
    db.session.commit()
    # The person changes their answers later, and moves into the area: the snapshot must not move.
    user.demographics.gender = "no_answer"
    user.home_area = space.area
    record_participation(db.session, space.id, user, "surveys", at=datetime(2026, 9, 1))
    db.session.commit()

    rows = db.session.scalars(select(Participation)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.forum, row.surveys, row.proposals, row.proposal_supporters) == (True, True, False, False)
    assert row.first_at == datetime(2026, 8, 1, 3, 0)
    assert (row.age, row.gender, row.sector, row.residency) == (36, "female", "academia", "relationship")
    assert row.home_area_id == otaru.id
    # Each module keeps the time of its first use: a module's filtered figures rank people by it.
    assert (row.forum_at, row.surveys_at) == (datetime(2026, 8, 1, 3, 0), datetime(2026, 9, 1))
    assert (row.proposals_at, row.proposal_supporters_at, row.panel_at) == (None, None, None)
    record_participation(db.session, space.id, user, "surveys", at=datetime(2026, 10, 1))
    db.session.commit()
    db.session.refresh(row)
    assert row.surveys_at == datetime(2026, 9, 1)


def test_person_without_demographics_is_recorded_as_unknown(make, db):
    space = make.space()
    user = make.user()
    record_participation(db.session, space.id, user, "proposals")
    db.session.commit()
    row = db.session.scalars(select(Participation)).one()
    assert (row.age, row.gender, row.sector, row.residency) == (None, None, None, "resident")


def test_unknown_module_is_refused(make, db):
    space = make.space()
    user = make.user()
    with pytest.raises(ValueError):
        record_participation(db.session, space.id, user, "chat")


def test_concurrent_first_participations_leave_one_row(app, make, db):
    space = make.space()
    user = make.user(birth_year=1980, gender="male")
    space_id, user_id = space.id, user.id
    modules = ["forum", "surveys", "proposals", "proposal_supporters"] * 3  # 12 threads: within the default connection pool
    barrier = threading.Barrier(len(modules))
    errors: list[BaseException] = []

    def worker(module: str) -> None:
        try:
            with app.app_context():
                from app.accounts.models import User

                barrier.wait(timeout=10)  # all start together, before any takes a connection
                person = _db.session.get(User, user_id)
                record_participation(_db.session, space_id, person, module)
                _db.session.commit()
                _db.session.remove()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in modules]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    row = db.session.scalars(select(Participation)).one()
    assert row.forum and row.surveys and row.proposals and row.proposal_supporters


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs TEST_DATABASE_URL (PostgreSQL): SQLite has no row locks")
def test_a_module_used_again_does_not_wait_for_the_persons_ledger_row(app, make, db):
    """One person's many supports in a row: only the first use of a module writes the ledger
    row, so the later ones neither update nor lock it (they used to queue on it)."""
    space = make.space()
    user = make.user(birth_year=1980, gender="male")
    record_participation(db.session, space.id, user, "proposal_supporters")
    db.session.commit()
    space_id, user_id = space.id, user.id
    db.session.execute(select(Participation).where(Participation.space_id == space_id)
                       .with_for_update())  # another request holds the row
    done = threading.Event()
    errors: list[BaseException] = []

    def again() -> None:
        try:
            with app.app_context():
                from app.accounts.models import User

                record_participation(_db.session, space_id, _db.session.get(User, user_id),
                                     "proposal_supporters")
                _db.session.commit()
                _db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=again)
    thread.start()
    finished = done.wait(5)
    db.session.rollback()  # releases the lock, so a waiting thread ends either way
    thread.join(10)
    assert finished and not errors, errors
