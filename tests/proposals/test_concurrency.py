"""Supports under concurrent requests, through the real HTTP routes: each thread has its own app
context (own session and connection) and its own client; a barrier starts them together. The
pool of the test app allows 15 connections (5 + 10 overflow): the threads beyond that wait for a
connection, which is returned when their request's app context ends."""
from __future__ import annotations

import threading

from tests.proposals.helpers import published, stored_count, support_rows, url
from tests.people import PersonClient, log_in

THREADS = 30


def _run_concurrently(app, jobs):
    """Run each (user_id, path) POST in its own thread and app context, all released at once.
    Returns the status codes; any exception fails the test."""
    from app.accounts.models import User
    from app.extensions import db as _db

    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(user_id: int, path: str) -> None:
        try:
            with app.app_context():
                client = PersonClient(app, app.response_class, use_cookies=True)
                log_in(client, _db.session.get(User, user_id))
                _db.session.remove()  # hand the connection back before the race starts
                barrier.wait(timeout=30)
                response = client.post(path)
                with lock:
                    statuses.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 (re-raised in the main thread)
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == len(jobs)
    return statuses


def test_thirty_concurrent_supports_by_one_person_leave_one(app, world, db):
    proposal = published(db, world.space, world.author)
    path = url(world.space, f"{proposal.id}/support")
    statuses = _run_concurrently(app, [(world.participant.id, path)] * THREADS)
    assert statuses == [303] * THREADS          # never an error page
    assert support_rows(db, proposal.id) == 1
    assert stored_count(db, proposal.id) == 1


def test_thirty_people_supporting_at_once_leave_thirty(app, world, db, make):
    proposal = published(db, world.space, world.author)
    people = [make.user() for _ in range(THREADS)]
    path = url(world.space, f"{proposal.id}/support")
    statuses = _run_concurrently(app, [(person.id, path) for person in people])
    assert statuses == [303] * THREADS
    assert support_rows(db, proposal.id) == THREADS
    assert stored_count(db, proposal.id) == THREADS


def test_support_and_withdrawal_racing_keep_the_count_equal_to_the_rows(app, world, db, make):
    proposal = published(db, world.space, world.author)
    people = [make.user() for _ in range(10)]
    from tests.proposals.helpers import supported_by

    supported_by(db, proposal, *people[:5])
    support = url(world.space, f"{proposal.id}/support")
    unsupport = url(world.space, f"{proposal.id}/unsupport")
    jobs = []
    for index, person in enumerate(people):
        jobs += [(person.id, support), (person.id, unsupport)] if index % 2 else \
            [(person.id, unsupport), (person.id, support), (person.id, support)]
    statuses = _run_concurrently(app, jobs)
    assert set(statuses) == {303}
    assert stored_count(db, proposal.id) == support_rows(db, proposal.id)
