"""SQLite under several writers: three gunicorn workers with four threads each take ~200
concurrent forum posts on one SQLite file; WAL and the busy timeout make them queue for the lock,
so none fails with "database is locked" and every post is there, whole."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine

from app import create_app
from app.extensions import SQLITE_BUSY_TIMEOUT_MS
from app.extensions import db as _db
from tests.faults.server import (SLUG, Browser, gunicorn, new_thread_form, seed_forum,
                                 threads_as_written)

PEOPLE = 5
CLIENTS_PER_PERSON = 4
POSTS_PER_CLIENT = 10  # 5 × 4 × 10 = 200 writes, 20 at a time


def test_every_sqlite_connection_uses_wal_and_waits_for_the_lock(tmp_path):
    # The shipped engine options (no connect_args): what `make run` and gunicorn get.
    application = create_app("development", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.sqlite3'}",
        "RATELIMIT_ENABLED": False})
    with application.app_context():
        with _db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        _db.engine.dispose()


def test_a_longer_timeout_chosen_by_the_caller_is_kept(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'patient.sqlite3'}",
                           connect_args={"timeout": 30})
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


@pytest.mark.slow
def test_three_gunicorn_workers_take_200_concurrent_writes_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    emails = seed_forum(url, PEOPLE)
    answers: list[tuple[str, int]] = []
    failures: list[BaseException] = []
    with gunicorn(url, tmp_path, workers=3, threads=4) as base:
        people = []
        for email in emails:
            browser = Browser(base)
            browser.log_in(email)
            people.append(browser)
        start = threading.Barrier(PEOPLE * CLIENTS_PER_PERSON)

        def write(person: Browser, client: int) -> None:
            try:
                start.wait(timeout=30)
                for n in range(POSTS_PER_CLIENT):
                    title = f"書き込み {client}-{n}"
                    answer = person.request(f"/spaces/{SLUG}/forum/new", new_thread_form(title))
                    answers.append((title, answer.status))
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)

        # Clients of one person share its session cookie, as tabs of one browser do.
        writers = [threading.Thread(target=write, args=(people[c % PEOPLE], c))
                   for c in range(PEOPLE * CLIENTS_PER_PERSON)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=120)
        log = (tmp_path / "gunicorn.log").read_text()
    assert not failures, failures
    assert len(answers) == PEOPLE * CLIENTS_PER_PERSON * POSTS_PER_CLIENT
    assert {status for _, status in answers} == {302}, [a for a in answers if a[1] != 302][:5]
    assert "database is locked" not in log
    written = threads_as_written(url)
    assert written == {title: [new_thread_form(title)["body"]] for title, _ in answers}
