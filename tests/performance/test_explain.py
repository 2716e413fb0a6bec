"""The hot pages' queries use indexes on PostgreSQL: every SELECT that the proposal list (first
and a later page), a long thread (first and a later page of replies), the facilitator's
dashboard (ledger aggregates), a proposal's page (its supports), deep keyset pages and the survey
results API run is EXPLAINed, and none may scan a big table sequentially. The data is the scale generator's at a
few thousand rows per table over 20 spaces, ANALYZEd, so these are the planner's real choices
(no enable_seqscan tricks). Skipped on SQLite."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from app.demo import scale, services
from app.extensions import db as _db
from app.forum.models import Post, Thread
from app.proposals.models import Proposal
from app.spaces.models import Space
from app.surveys.models import Survey
from tests.people import client_as

BIG_TABLES = ("participations", "proposals", "proposal_supports", "forum_posts",
              "forum_threads", "survey_answers", "survey_responses", "users", "demographics")


@pytest.fixture
def generated(app, db, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN judgments are about PostgreSQL's planner")
    monkeypatch.setattr(services, "POPULATION_LOADERS", ())
    monkeypatch.setattr(scale, "generate_password_hash",
                        lambda password: services.generate_password_hash(
                            password, method="pbkdf2:sha256:1"))
    result = app.test_cli_runner().invoke(args=[
        "demo", "scale", "--users", "3000", "--spaces", "20", "--ledger", "20000",
        "--posts", "8000", "--proposals", "2000", "--supports", "20000",
        "--survey-answers", "8000"])
    assert result.exit_code == 0, result.output
    # As autovacuum leaves a live database: the visibility map set, so the planner's choice
    # between an index-only and a sequential scan does not depend on whether autovacuum has
    # passed yet (it had not, sometimes, after the migration tests: a flaky seq scan).
    _db.session.commit()
    with _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in BIG_TABLES:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}")  # nosec B608: our own names
    yield
    # One TRUNCATE of every table (about a second) before the db fixture's DELETEs, which take
    # ~10 s over this many rows; identities restart at 1 as they do after every test.
    _db.session.rollback()
    tables = ", ".join(f'"{table.name}"' for table in _db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY")  # nosec B608


def statements_of(app, client, url: str) -> list[tuple[str, object]]:
    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(_db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(_db.engine, "before_cursor_execute", remember)
    return seen


def sequential_scans(statement: str, parameters) -> list[str]:
    raw = _db.engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.close()
    return [line.strip() for line in plan.splitlines()
            if (m := re.search(r"Seq Scan on (\w+)", line)) and m.group(1) in BIG_TABLES] and [plan]


def test_hot_pages_scan_no_big_table(app, db, generated):
    space = db.session.scalar(select(Space).order_by(Space.id))
    thread = db.session.scalar(select(Thread).where(Thread.space_id == space.id)
                               .order_by(Thread.reply_count.desc()))
    proposal = db.session.scalar(select(Proposal).where(Proposal.space_id == space.id)
                                 .order_by(Proposal.support_count.desc()))
    older = db.session.scalar(select(Proposal).where(Proposal.space_id == space.id,
                                                     Proposal.status == "published")
                              .order_by(Proposal.published_at.desc()).offset(30).limit(1))
    reply = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                 Post.parent_id.is_(None),
                                                 Post.is_opening.is_(False))
                              .order_by(Post.id).offset(40).limit(1))
    survey = db.session.scalar(select(Survey).where(Survey.space_id == space.id)
                               .order_by(Survey.id))
    slug = space.slug
    pages = [(None, f"/spaces/{slug}/proposals/"), (None, f"/spaces/{slug}/proposals/?page=2"),
             (None, f"/spaces/{slug}/proposals/?sort=supports"),
             (None, f"/spaces/{slug}/forum/threads/{thread.id}"),
             (None, f"/spaces/{slug}/forum/threads/{thread.id}?page=5"),
             (None, f"/spaces/{slug}/proposals/{proposal.id}"),
             # deep pages, as their Next links give them (keyset: after the last row shown)
             (None, f"/spaces/{slug}/proposals/?page=40&after={older.id}"),
             (None, f"/spaces/{slug}/proposals/?sort=supported&page=40&after={older.id}"),
             (None, f"/spaces/{slug}/forum/threads/{thread.id}?page=5&after={reply.id}"),
             # survey results select the survey's answers by their survey id
             (scale.FACILITATOR, f"/api/v1/surveys/{survey.id}/results"),
             (scale.FACILITATOR, f"/api/v1/surveys/{survey.id}/results?weighted=1"),
             (scale.FACILITATOR, f"/spaces/{slug}/representation/"),
             (scale.SUPPORTER, f"/spaces/{slug}/proposals/")]
    found = {}
    for who, url in pages:
        for statement, parameters in statements_of(app, client_as(app, who), url):
            scans = sequential_scans(statement, parameters)
            if scans:
                found.setdefault(url, []).append((statement, scans[0]))
    assert not found, "\n\n".join(f"{url}\n{sql}\n{plan}" for url, items in found.items()
                                      for sql, plan in items)
