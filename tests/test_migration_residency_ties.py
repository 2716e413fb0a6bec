"""The residency-ties migration (3b8d4f6a1c27) on old data: snapshots keep their answers, an old
answer becomes a tie only where one space's area makes its meaning clear, and it says so."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.areas.models import Area, RegionMember
from app.extensions import db
from tests.scratch_db import app_at_revision

BEFORE = "9a4f2c7e1b35"  # the revision before 3b8d4f6a1c27
AT = datetime(2026, 9, 1, 3, 0)


@pytest.fixture
def old_app(tmp_path):
    with app_at_revision(os.environ.get("TEST_DATABASE_URL"), tmp_path, "ties_migration",
                         BEFORE) as app:
        yield app


def _areas() -> dict[str, Area]:
    japan = Area(code="00000", name_ja="全国", kind="nation")
    hokkaido = Area(code="01000", name_ja="北海道", kind="prefecture", parent=japan)
    tokyo = Area(code="13000", name_ja="東京都", kind="prefecture", parent=japan)
    areas = {"japan": japan, "hokkaido": hokkaido, "tokyo": tokyo,
             "sapporo": Area(code="01100", name_ja="札幌市", kind="municipality", parent=hokkaido),
             "otaru": Area(code="01203", name_ja="小樽市", kind="municipality", parent=hokkaido),
             "shinjuku": Area(code="13104", name_ja="新宿区", kind="municipality", parent=tokyo),
             "region": Area(code="R-SO", name_ja="札幌小樽圏", kind="region")}
    db.session.add_all(areas.values())
    db.session.flush()
    db.session.add_all([RegionMember(region_id=areas["region"].id, area_id=areas["sapporo"].id),
                        RegionMember(region_id=areas["region"].id, area_id=areas["otaru"].id)])
    return areas


@dataclass(frozen=True)
class _OldSpace:
    id: int


def _space(slug: str, area: Area) -> _OldSpace:
    # Written in SQL, in the columns of that revision: the model holds later columns.
    return _OldSpace(db.session.execute(text(
        "INSERT INTO spaces (slug, title, description_md, description_html, area_id, min_age, "
        "youth_min, youth_max, visibility, forum_enabled, proposals_enabled, surveys_enabled, "
        "reference_choice, transparency_public, created_at) VALUES (:slug, :slug, '', '', "
        ":area, 18, 18, 39, 'public', :yes, :yes, :yes, 'auto', :no, :at) RETURNING id"),
        {"slug": slug, "area": area.id, "yes": True, "no": False, "at": AT}).scalar_one())


def _old_user(name: str, residency: str, home: Area | None, *, deleted: bool = False) -> int:
    return db.session.execute(text(
        "INSERT INTO users (email, display_name, locale, residency, home_area_id, active, "
        "created_at, forum_email_digest, session_version, deleted_at) VALUES (:email, :name, "
        "'ja', :residency, :home, :yes, :at, :no, 0, :deleted) RETURNING id"),
        {"email": f"{name}@example.jp", "name": name, "residency": residency,
         "home": home.id if home else None, "yes": True, "no": False, "at": AT,
         "deleted": AT if deleted else None}).scalar_one()


def _took_part(user_id: int, space: _OldSpace, residency: str) -> None:
    db.session.execute(text(
        "INSERT INTO participations (space_id, user_id, first_at, forum, proposals, "
        "proposal_supporters, surveys, panel, forum_at, residency) VALUES (:space, :user, :at, "
        ":yes, :no, :no, :no, :no, :at, :residency)"),
        {"space": space.id, "user": user_id, "at": AT, "yes": True, "no": False,
         "residency": residency})


def test_old_answers_become_ties_only_where_clear(old_app, capsys):
    areas = _areas()
    sapporo_plan, sapporo_parks = _space("sapporo-plan", areas["sapporo"]), \
        _space("sapporo-parks", areas["sapporo"])
    otaru_plan = _space("otaru-plan", areas["otaru"])
    hokkaido_plan = _space("hokkaido-plan", areas["hokkaido"])
    region_plan = _space("region-plan", areas["region"])

    people = {
        # (answer, home, spaces) -> what the migration must make of it
        "tie": ("relationship", "shinjuku", [sapporo_plan]),
        "tie_two_spaces_one_area": ("dual_region", "otaru", [sapporo_plan, sapporo_parks]),
        "resident": ("resident", "sapporo", [sapporo_plan]),
        "several": ("commuter", "otaru", [sapporo_plan, otaru_plan]),
        "no_home": ("other", None, [sapporo_plan]),
        "home_inside": ("commuter", "sapporo", [hokkaido_plan]),
        "no_space": ("dual_region", "shinjuku", []),
        "region": ("relationship", "shinjuku", [region_plan]),
    }
    ids = {}
    for name, (answer, home, spaces) in people.items():
        ids[name] = _old_user(name, answer, areas[home] if home else None)
        for space in spaces:
            _took_part(ids[name], space, answer)
    ids["deleted"] = _old_user("deleted", "commuter", None, deleted=True)
    db.session.commit()
    capsys.readouterr()

    upgrade()

    printed = capsys.readouterr().out
    assert "tie created 2" in printed
    assert "resident (the home says it) 1" in printed and "no home area 1" in printed
    assert "no space 1" in printed and "spaces in several areas 1" in printed
    assert "home inside the space's area 1" in printed and "deleted account 1" in printed
    assert "space area not a prefecture, municipality or ward 1" in printed
    ties = db.session.execute(text(
        "SELECT user_id, area_id, kind FROM residency_ties ORDER BY user_id")).all()
    assert [tuple(t) for t in ties] == [
        (ids["tie"], areas["sapporo"].id, "relationship"),
        (ids["tie_two_spaces_one_area"], areas["sapporo"].id, "dual_region")]
    # Every snapshot keeps the answer it recorded, and counts as asked.
    snapshots = db.session.execute(text(
        "SELECT user_id, residency, residency_asked FROM participations")).all()
    assert len(snapshots) == 9  # user links intact: no cascade from rebuilding users
    for user_id, residency, asked in snapshots:
        name = next(n for n, i in ids.items() if i == user_id)
        assert residency == people[name][0] and bool(asked)
    assert "residency" not in {c["name"] for c in inspect(db.engine).get_columns("users")}

    # Going back restores one answer per account, from the latest snapshot.
    db.session.rollback()  # the reads above hold locks the downgrade's ALTER TABLE waits for
    downgrade(revision=BEFORE)
    restored = dict(db.session.execute(text("SELECT id, residency FROM users")).all())
    assert restored[ids["several"]] == "commuter" and restored[ids["no_space"]] == "resident"
    assert restored[ids["deleted"]] == "other"
