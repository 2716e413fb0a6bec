"""Tallies and a withdrawal of consent at the same moment (PostgreSQL only: SQLite lets one
writer in at a time anyway). Whichever takes the space's row lock first, no tally keeps the
withdrawn age and gender once both have committed."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.accounts.services import withdraw_demographics
from app.accounts.models import User
from app.representation import tallies
from app.representation.models import LedgerTally, Participation
from tests.representation.ledger_rows import add_rows, sapporo  # noqa: F401

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith(
    "postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")


@pytest.fixture
def ledger(db, sapporo, make, monkeypatch):
    monkeypatch.setattr(tallies, "CHUNK", 4)
    add_rows(db.session, sapporo, [{"age": 30, "gender": "male",
                                    "first_at": datetime(2026, 6, 1) + timedelta(hours=i)}
                                   for i in range(20)])
    person = make.user(birth_year=1990, gender="female")
    db.session.execute(update(Participation).where(Participation.id == 2)
                       .values(user_id=person.id, age=36, gender="female")
                       .execution_options(**{tallies.SKIP_OPTION: "counts_unchanged"}))
    db.session.commit()
    return sapporo.id, person.id


def _in_thread(app, work, done: threading.Event, errors: list):
    from app.extensions import db as _db

    def run():
        try:
            with app.app_context():
                work(_db.session)
                _db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            done.set()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _women_in_tallies(session, space_id) -> int:
    counts = session.scalars(select(LedgerTally.counts).where(
        LedgerTally.space_id == space_id, LedgerTally.chain == "all")).all()
    return sum(n for c in counts for _age, gender, n in c["ag"] if gender == "female")


def test_a_build_holding_the_lock_is_removed_by_the_withdrawal_waiting_for_it(app, db, ledger):
    space_id, person_id = ledger
    built, release, withdrawn = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def build(session):
        tallies.heads(session, space_id)  # stores 5 tallies, counting the woman, holds the lock
        built.set()
        assert release.wait(30)

    def withdraw(session):
        withdraw_demographics(session, session.get(User, person_id))

    builder = _in_thread(app, build, threading.Event(), errors)
    assert built.wait(30)
    writer = _in_thread(app, withdraw, withdrawn, errors)
    assert not withdrawn.wait(1)  # waits for the builder's lock
    release.set()
    builder.join(30)
    writer.join(30)
    assert not errors, errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerTally)) == 0
    tallies.heads(db.session, space_id)
    assert _women_in_tallies(db.session, space_id) == 0


def test_a_build_waiting_for_a_withdrawal_counts_what_it_left(app, db, ledger):
    space_id, person_id = ledger
    locked, release, finished = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def withdraw(session):
        withdraw_demographics(session, session.get(User, person_id))  # takes the lock
        locked.set()
        assert release.wait(30)

    writer = _in_thread(app, withdraw, threading.Event(), errors)
    assert locked.wait(30)
    builder = _in_thread(app, lambda session: tallies.heads(session, space_id), finished, errors)
    assert not finished.wait(1)  # waits for the withdrawal's lock
    release.set()
    writer.join(30)
    builder.join(30)
    assert not errors, errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerTally)) == 5
    assert _women_in_tallies(db.session, space_id) == 0
