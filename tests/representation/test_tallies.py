"""Stored tallies (app/representation/tallies): a prefix read from them equals the same prefix
counted straight from the ledger rows, and every kind of write that touches a tallied row
removes the tallies it made wrong, in the same transaction. Chunks of 4 here, so a few dozen
rows make many tallies."""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.accounts.services import delete_account, withdraw_demographics
from app.common.time import utcnow
from app.representation import tallies
from app.representation.ledger import record_participation
from app.representation.models import LedgerTally, Participation
from tests.representation.ledger_rows import add_rows, random_rows, sapporo  # noqa: F401


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(tallies, "CHUNK", 4)


def _ledger_prefix(session, space_id, chain, rank) -> tuple[Counter, Counter]:
    """(age, gender) and residency counts of the chain's first `rank` people, from the rows."""
    t = tallies.chain_time(chain)
    rows = session.execute(select(Participation.age, Participation.gender,
                                  Participation.residency, Participation.tie_kind)
                           .where(Participation.space_id == space_id, t.is_not(None))
                           .order_by(t, Participation.id).limit(rank)).all()
    return (Counter((a, g) for a, g, _r, _k in rows), Counter((r, k) for _a, _g, r, k in rows))


def _check(session, space_id, chain, ranks):
    found, _first = tallies.prefixes(session, space_id, chain, ranks, blocks=set(ranks))
    for rank in ranks:
        by_age_gender, by_residency = _ledger_prefix(session, space_id, chain, rank)
        assert +found[rank].age_gender == by_age_gender, (chain, rank)
        assert +found[rank].blocks["residency"] == by_residency, (chain, rank)


def _tally_count(session, space_id, chain="all") -> int:
    return session.scalar(select(func.count()).select_from(LedgerTally).where(
        LedgerTally.space_id == space_id, LedgerTally.chain == chain))


def test_prefixes_from_tallies_equal_the_ledger_for_every_chain(db, sapporo):
    add_rows(db.session, sapporo, random_rows(random.Random(7), 90))
    heads = tallies.heads(db.session, sapporo.id)
    db.session.commit()
    assert heads["all"].members == 90 and heads["all"].rank == 88  # 22 tallies, 2 after them
    rng = random.Random(3)
    for chain, head in heads.items():
        assert _tally_count(db.session, sapporo.id, chain) == head.members // 4
        ranks = sorted({0, head.members, *(rng.randrange(head.members + 1) for _ in range(8))})
        _check(db.session, sapporo.id, chain, ranks)
    weeks = dict(tallies.chain_weeks(db.session, sapporo.id, heads["all"]))
    assert sum(weeks.values()) == 90


def test_people_of_the_last_minutes_are_not_tallied_yet(db, sapporo):
    now = utcnow()
    add_rows(db.session, sapporo, [{"age": 30, "gender": "female",
                                    "first_at": now - timedelta(minutes=2)}] * 9)
    head = tallies.heads(db.session, sapporo.id)["all"]
    assert (head.rank, head.members) == (0, 9)
    assert _tally_count(db.session, sapporo.id) == 0


def _built(db, space, n=40):
    add_rows(db.session, space, [{"age": 20 + i, "gender": ("female", "male")[i % 2],
                                  "first_at": datetime(2026, 6, 1) + timedelta(hours=i)}
                                 for i in range(n)])
    tallies.heads(db.session, space.id)
    db.session.commit()
    assert _tally_count(db.session, space.id) == n // 4


def test_a_withdrawal_of_consent_removes_the_spaces_tallies(db, sapporo, make):
    _built(db, sapporo)
    person = make.user(birth_year=1990, gender="female")
    db.session.execute(update(Participation).where(Participation.id == 3)
                       .values(user_id=person.id)
                       .execution_options(**{tallies.SKIP_OPTION: "counts_unchanged"}))
    assert _tally_count(db.session, sapporo.id) == 10
    withdraw_demographics(db.session, person)
    assert _tally_count(db.session, sapporo.id) == 0  # in the same transaction
    db.session.commit()
    tallies.heads(db.session, sapporo.id)
    _check(db.session, sapporo.id, "all", [2, 3, 4, 17, 40])
    assert _ledger_prefix(db.session, sapporo.id, "all", 4)[0][(None, None)] == 1


def test_a_late_change_to_one_row_removes_the_tallies_from_it_on(db, sapporo):
    _built(db, sapporo)
    row = db.session.scalar(select(Participation).where(Participation.id == 22))
    row.residency, row.tie_kind = "relationship", "family"  # the one-tap answer, through the ORM
    db.session.flush()
    assert _tally_count(db.session, sapporo.id) == 5  # ranks 4..20 stay; 24..40 counted it
    db.session.commit()
    tallies.heads(db.session, sapporo.id)
    _check(db.session, sapporo.id, "all", [20, 21, 22, 23, 24, 40])


def test_a_back_dated_first_contribution_shifts_the_ranks_after_it(db, sapporo, make):
    _built(db, sapporo)
    person = make.user(birth_year=2001, gender="male")
    record_participation(db.session, sapporo.id, person, "forum",
                         at=datetime(2026, 6, 1, 9, 30))  # between the 10th and 11th person
    assert _tally_count(db.session, sapporo.id) == 2  # 4 and 8 stay
    db.session.commit()
    assert tallies.heads(db.session, sapporo.id)["all"].members == 41
    _check(db.session, sapporo.id, "all", [8, 10, 11, 12, 41])
    _check(db.session, sapporo.id, "forum", [1])


def test_contributions_made_now_leave_every_tally(db, sapporo, make):
    _built(db, sapporo)
    newcomer, regular = make.user(), make.user()
    record_participation(db.session, sapporo.id, newcomer, "proposals")
    record_participation(db.session, sapporo.id, regular, "proposals")
    record_participation(db.session, sapporo.id, regular, "surveys")  # a module added now
    db.session.commit()
    assert _tally_count(db.session, sapporo.id) == 10


def test_an_erased_account_keeps_the_tallies_and_an_unknown_bulk_write_drops_them(
        db, sapporo, make):
    _built(db, sapporo)
    person = make.user()
    db.session.execute(update(Participation).where(Participation.id == 5)
                       .values(user_id=person.id)
                       .execution_options(**{tallies.SKIP_OPTION: "counts_unchanged"}))
    delete_account(db.session, person)  # unlinks the row; its snapshot still counts
    assert _tally_count(db.session, sapporo.id) == 10
    db.session.execute(update(Participation).where(Participation.id == 5).values(age=None))
    assert _tally_count(db.session, sapporo.id) == 0  # no scope given: every tally goes


def test_the_command_stores_the_tallies_that_are_due(app, db, sapporo, monkeypatch):
    monkeypatch.setattr(tallies, "BUILD_LIMIT", 2)  # the command goes on until all are stored
    add_rows(db.session, sapporo, random_rows(random.Random(5), 21))
    result = app.test_cli_runner().invoke(args=["representation", "tallies"])
    assert result.exit_code == 0, result.output
    assert "sapporo-review: 5 tallies of 21 people" in result.output
    assert _tally_count(db.session, sapporo.id) == 5


def test_a_request_stores_a_bounded_number_of_tallies_and_counts_right_meanwhile(
        db, sapporo, monkeypatch):
    monkeypatch.setattr(tallies, "BUILD_LIMIT", 3)
    add_rows(db.session, sapporo, random_rows(random.Random(11), 50))
    for stored in (3, 6, 9):
        head = tallies.heads(db.session, sapporo.id)["all"]
        db.session.commit()
        assert (_tally_count(db.session, sapporo.id), head.members) == (stored, 50)
        _check(db.session, sapporo.id, "all", [0, 5, 13, 31, 49, 50])
