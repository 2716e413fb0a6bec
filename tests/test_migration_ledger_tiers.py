"""The ledger tie-kind and furusato-tier migration (6e1f3a9d2c48) on old data: a tie kind only
where SQL can say it for sure, the tier from the registrations in force on the first day (Japan
time), and it says how many stayed unknown."""
from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.areas.models import Area
from app.extensions import db
from tests.scratch_db import app_at_revision

BEFORE = "3b8d4f6a1c27"  # the revision before 6e1f3a9d2c48
AT = datetime(2026, 8, 1, 3, 0)  # 12:00 in Japan


@pytest.fixture
def old_app(tmp_path):
    with app_at_revision(os.environ.get("TEST_DATABASE_URL"), tmp_path, "tiers_migration",
                         BEFORE) as app:
        yield app


def _areas() -> dict[str, Area]:
    japan = Area(code="00000", name_ja="全国", kind="nation")
    hokkaido = Area(code="01000", name_ja="北海道", kind="prefecture", parent=japan)
    tokyo = Area(code="13000", name_ja="東京都", kind="prefecture", parent=japan)
    areas = {"hokkaido": hokkaido,
             "sapporo": Area(code="01100", name_ja="札幌市", kind="municipality", parent=hokkaido),
             "otaru": Area(code="01203", name_ja="小樽市", kind="municipality", parent=hokkaido),
             "shinjuku": Area(code="13104", name_ja="新宿区", kind="municipality", parent=tokyo)}
    db.session.add_all([japan, tokyo, *areas.values()])
    db.session.flush()
    return areas


def _space(area: Area) -> int:
    # Written in SQL, in the columns of that revision: the model holds later columns.
    return db.session.execute(text(
        "INSERT INTO spaces (slug, title, description_md, description_html, area_id, min_age, "
        "youth_min, youth_max, visibility, forum_enabled, proposals_enabled, surveys_enabled, "
        "reference_choice, transparency_public, created_at) VALUES (:slug, :slug, '', '', "
        ":area, 18, 18, 39, 'public', :yes, :yes, :yes, 'auto', :no, :at) RETURNING id"),
        {"slug": f"plan-{area.code}", "area": area.id, "yes": True, "no": False,
         "at": AT}).scalar_one()


def _user(name: str, home: Area) -> int:
    return db.session.execute(text(
        "INSERT INTO users (email, display_name, locale, home_area_id, active, created_at, "
        "forum_email_digest, session_version) VALUES (:email, :name, 'ja', :home, :yes, :at, "
        ":no, 0) RETURNING id"),
        {"email": f"{name}@example.jp", "name": name, "home": home.id, "yes": True, "no": False,
         "at": datetime(2026, 1, 1)}).scalar_one()


def _tie(user_id: int, area: Area, kind: str, created_at: datetime) -> None:
    db.session.execute(text(
        "INSERT INTO residency_ties (user_id, area_id, kind, created_at) "
        "VALUES (:user, :area, :kind, :at)"),
        {"user": user_id, "area": area.id, "kind": kind, "at": created_at})


def _registration(user_id: int, area: Area, *, tier="basic", status="active",
                  valid_from=date(2026, 4, 1), premium_since=None, left_at=None) -> None:
    db.session.execute(text(
        "INSERT INTO furusato_registrations (user_id, area_id, tier, premium_requested, derived, "
        "status, contact_consent, registered_on, valid_from, valid_until, premium_since, "
        "left_at, created_at) VALUES (:user, :area, :tier, :no, :no, :status, :no, :from_, "
        ":from_, :until, :premium, :left, :from_)"),
        {"user": user_id, "area": area.id, "tier": tier, "status": status, "no": False,
         "from_": valid_from, "until": date(2027, 3, 31), "premium": premium_since,
         "left": left_at})


def _took_part(user_id: int | None, space_id: int, residency: str | None, at=AT) -> None:
    db.session.execute(text(
        "INSERT INTO participations (space_id, user_id, first_at, forum, proposals, "
        "proposal_supporters, surveys, panel, forum_at, residency, residency_asked) VALUES "
        "(:space, :user, :at, :yes, :no, :no, :no, :no, :at, :residency, :no)"),
        {"space": space_id, "user": user_id, "at": at, "yes": True, "no": False,
         "residency": residency})


def test_backfill_says_only_what_sql_can_tell(old_app, capsys):
    areas = _areas()
    otaru, sapporo, hokkaido = (_space(areas["otaru"]), _space(areas["sapporo"]),
                                _space(areas["hokkaido"]))
    before, after = datetime(2026, 7, 1), datetime(2026, 9, 1)
    a = _user("a", areas["shinjuku"])  # family tie to Otaru, basic registration with Otaru
    _tie(a, areas["otaru"], "family", before)
    _registration(a, areas["otaru"])
    for space, residency in ((otaru, "relationship"), (sapporo, None), (hokkaido, "relationship")):
        _took_part(a, space, residency)
    b = _user("b", areas["shinjuku"])  # tie made after taking part; premium since July
    _tie(b, areas["otaru"], "commuter", after)
    _registration(b, areas["otaru"], tier="premium", premium_since=date(2026, 7, 1))
    _took_part(b, otaru, "commuter")
    c = _user("c", areas["sapporo"])  # left Otaru's registration before taking part
    _tie(c, areas["otaru"], "other", before)
    _registration(c, areas["otaru"], status="left", left_at=datetime(2026, 7, 15))
    _took_part(c, otaru, "other")
    d = _user("d", areas["shinjuku"])  # took part at 01:00 on 1 August in Japan
    _registration(d, areas["otaru"], valid_from=date(2026, 8, 1))
    _took_part(d, otaru, None, at=datetime(2026, 7, 31, 16, 0))
    _took_part(None, otaru, "resident")  # a deleted account
    db.session.commit()
    capsys.readouterr()

    upgrade()

    printed = capsys.readouterr().out
    assert "participations.tie_kind: backfilled 2, left unknown" in printed
    assert "cannot be known now) 2, resident or residency unknown 3" in printed
    assert "participations.furusato_tier: none 2, basic 3, premium 1, unknown 1" in printed
    rows = {(user, space): (kind, tier) for user, space, kind, tier in db.session.execute(text(
        "SELECT user_id, space_id, tie_kind, furusato_tier FROM participations"))}
    assert rows[(a, otaru)] == ("family", "basic")
    assert rows[(a, sapporo)] == (None, "none")  # Sapporo does not contain Otaru
    # Hokkaido: the tie to Otaru was the most specific one then, but SQL cannot be sure it was
    # the one chosen (another may have been removed since): unknown. The registration counts.
    assert rows[(a, hokkaido)] == (None, "basic")
    assert rows[(b, otaru)] == (None, "premium")
    assert rows[(c, otaru)] == ("other", "none")
    assert rows[(d, otaru)] == (None, "basic")
    assert rows[(None, otaru)] == (None, None)
    # The CHECKs hold in the migrated database too.
    with pytest.raises(Exception):  # noqa: B017 (IntegrityError, by driver)
        with db.session.begin_nested():
            db.session.execute(text("UPDATE participations SET tie_kind = 'family' "
                                    "WHERE user_id = :c"), {"c": c})
    db.session.rollback()

    downgrade(revision=BEFORE)
    columns = {c["name"] for c in inspect(db.engine).get_columns("participations")}
    assert "tie_kind" not in columns and "furusato_tier" not in columns
    assert db.session.execute(text("SELECT COUNT(*) FROM participations")).scalar_one() == 7
