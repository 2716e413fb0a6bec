"""`flask db upgrade` from an empty database must give exactly the models' schema."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from tests.scratch_db import scratch_database
from app.common.schema import include_object_for
from app.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path, "migrations") as url:
        yield url


def test_upgrade_from_empty_matches_models_and_downgrades_cleanly(empty_database_url):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "include_object": include_object_for(conn.dialect.name)})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        downgrade(revision="base")
        with db.engine.connect() as conn:
            from sqlalchemy import inspect

            leftover = set(inspect(conn).get_table_names()) - {"alembic_version"}
        assert leftover == set()
        db.engine.dispose()
