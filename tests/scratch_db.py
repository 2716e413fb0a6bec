"""A database of its own for tests that need an empty one (migrations from scratch, a server in
another process): a temporary SQLite file, or `<suite db>_<suffix>` on the suite's PostgreSQL
server, so the suite's own tables are never touched."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(suite_url: str | None, tmp_path: Path, suffix: str, *,
                     before_drop: Callable[[], None] | None = None) -> Iterator[str]:
    """Yield the URL of an empty database; drop it afterwards (after `before_drop`, e.g. making
    sure a server a test restarted is up again)."""
    if not suite_url:
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    suite = make_url(suite_url)
    target = suite.set(database=f"{suite.database}_{suffix}")
    admin = create_engine(suite.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    try:
        yield target.render_as_string(hide_password=False)
    finally:
        if before_drop is not None:
            before_drop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def app_at_revision(suite_url: str | None, tmp_path: Path, suffix: str, revision: str):
    """An app on a scratch database migrated up to `revision` (to test the migration after it
    on old data), inside its app context."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    with scratch_database(suite_url, tmp_path, suffix) as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade(revision=revision)
            yield app
            db.session.remove()
            db.engine.dispose()
