"""Test fixtures: one app per session on SQLite (a temporary file, so threads share it) or on
TEST_DATABASE_URL (PostgreSQL in CI). Every test starts from empty tables."""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db as _db
from tests import factories
from tests.people import PersonClient, log_in, role_world

TEST_PASSWORD = factories.TEST_PASSWORD


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs two workers) each worker gets services of its own:
    TEST_DATABASE_URL's database gets the worker's name (test -> test_gw0, test_gw1; created if
    missing) and TEST_REDIS_URL's db number counts down from the one given (/15 -> /15, /14).
    The variables are rewritten in the worker's environment, before any test module reads
    them, so every test (and every server a test starts) sees only its worker's own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    database_url = os.environ.get("TEST_DATABASE_URL", "")
    if database_url.startswith("postgresql"):
        os.environ["TEST_DATABASE_URL"] = _worker_database(database_url, worker)
    redis_url = os.environ.get("TEST_REDIS_URL")
    if redis_url:
        os.environ["TEST_REDIS_URL"] = _worker_redis(redis_url, int(worker.removeprefix("gw")))


def _worker_database(suite_url: str, worker: str) -> str:
    suite = make_url(suite_url)
    own = suite.set(database=f"{suite.database}_{worker}")
    admin = create_engine(suite.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": own.database}) is None:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)


def _worker_redis(redis_url: str, index: int) -> str:
    parts = urlsplit(redis_url)
    number = int(parts.path.strip("/") or 0) - index
    if number < 0:
        raise pytest.UsageError(f"TEST_REDIS_URL {redis_url}: no Redis db number left for worker "
                                f"{index}; give a higher one (e.g. /15) or fewer workers")
    return urlunsplit(parts._replace(path=f"/{number}"))


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    options = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        # Concurrency tests write from many threads; wait for SQLite's lock instead of failing.
        options["connect_args"] = {"timeout": 30}
    application = create_app("test", {"SQLALCHEMY_DATABASE_URI": url,
                                       "SQLALCHEMY_ENGINE_OPTIONS": options})
    with application.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
        _db.create_all()
        yield application
        _db.session.remove()


_POSTGRESQL_EMPTYING: list[str] = []


def _postgresql_emptying(conn, tables) -> str:
    """Every DELETE and every sequence restart as one script: one round trip per test instead
    of ~80 (about 15 ms a test on PostgreSQL)."""
    if not _POSTGRESQL_EMPTYING:
        statements = [str(table.delete().compile(dialect=conn.dialect)) for table in tables]
        # Identities restart at 1, as SQLite's do once a table is empty. setval(.., 1, false),
        # not ALTER SEQUENCE .. RESTART: that one gives the sequence a new file on disk, ~40
        # files made and unlinked per test.
        sequences = conn.execute(text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'")).scalars().all()
        if sequences:
            statements.append("SELECT " + ", ".join(
                f"setval('\"{sequence}\"', 1, false)" for sequence in sequences))
        _POSTGRESQL_EMPTYING.append(";\n".join(statements))
    return _POSTGRESQL_EMPTYING[0]


@pytest.fixture(autouse=True)
def db(app):
    """Empty every table after each test (a transaction per test cannot hold: requests commit)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            # DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of ~40 tables costs about a second
            # per test, a DELETE of the few rows a test wrote a few milliseconds.
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(_postgresql_emptying(conn, tables))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def client(app):
    """A client with a fresh `g` per request (tests.people.PersonClient), not logged in."""
    app.test_client_class = PersonClient
    return app.test_client()


@pytest.fixture
def world(make, db):
    """A space with one person per role (tests.people.role_world); some modules add to it."""
    return role_world(make)


@pytest.fixture
def sign_in(client):
    """sign_in(user): the `client` fixture acts as `user` from now on."""
    return lambda user: log_in(client, user)


@pytest.fixture
def make(db):
    """Factories bound to the test session: make.user(...), make.area(...), make.space(...)."""
    return factories.Factory(db.session)


def login(client, email: str, password: str = TEST_PASSWORD):
    """Log in through the login form, password check included (tests.people.log_in skips it)."""
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def fragment_cache(app):
    """The session's app with an in-memory fragment cache (app/common/fragments.py), for this
    test only: the suite otherwise runs without one."""
    from app.extensions import cache, cache_config

    cache.init_app(app, config=cache_config({**app.config, "CACHE_TYPE": "SimpleCache"}))
    cache.clear()
    yield cache
    cache.init_app(app, config=cache_config(app.config))


@pytest.fixture
def outbox(monkeypatch):
    """The e-mails the digest command hands to the mail server: (to, subject, body)."""
    from app.forum import cli as forum_cli

    sent: list[tuple[str, str, str]] = []

    def fake_send(to, subject, body):
        sent.append((to, subject, body))
        return True

    monkeypatch.setattr(forum_cli.mail, "send_mail", fake_send)
    return sent
