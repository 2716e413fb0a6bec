"""The migration that removes "results public while open" moves existing 'live' surveys to
'after_close' (public once closed, as near as honest to what was chosen) and keeps the value
out with a check constraint."""
from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import create_app
from tests.scratch_db import scratch_database
from app.extensions import db

BEFORE = "499cb5eaeb5b"


@pytest.fixture
def empty_database_url(tmp_path):
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path,
                          "live_migration") as url:
        yield url


def _insert_survey(conn, survey_id: int, visibility: str) -> None:
    conn.execute(text(
        "INSERT INTO surveys (id, space_id, title, description_md, published, "
        "results_visibility, created_at, updated_at) VALUES (:id, 1, 't', '', :yes, :v, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": survey_id, "v": visibility, "yes": True})


def test_live_surveys_become_after_close(empty_database_url):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO areas (id, code, name_ja, name_en, kind) "
                              "VALUES (1, '01100', '札幌市', 'Sapporo', 'municipality')"))
            conn.execute(text(
                "INSERT INTO spaces (id, slug, title, description_md, area_id, min_age, "
                "youth_min, youth_max, visibility, forum_enabled, proposals_enabled, "
                "surveys_enabled, reference_choice, transparency_public, created_at) VALUES "
                "(1, 's', 't', '', 1, 18, 18, 29, 'public', :yes, :yes, :yes, 'census', :yes, "
                "CURRENT_TIMESTAMP)"), {"yes": True})
            for survey_id, visibility in ((1, "live"), (2, "after_close"), (3, "private")):
                _insert_survey(conn, survey_id, visibility)
        upgrade()
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, results_visibility FROM surveys")).all())
        assert rows == {1: "after_close", 2: "after_close", 3: "private"}
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert_survey(conn, 4, "live")
        db.engine.dispose()
