"""Demo data: idempotent, deterministic, skewed like a real consultation, accounts that work."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import case, func, select
from werkzeug.security import generate_password_hash

from app.accounts.models import Demographics, RoleAssignment, User
from app.areas.models import Area
from app.demo import services
from app.demo.plan import plan_participants
from app.representation.models import Participation
from app.spaces.models import Phase, Space
from tests.conftest import login

TODAY = date(2026, 11, 28)


@pytest.fixture
def without_population(monkeypatch):
    """Most tests do not need the ~100,000 census rows (one test loads them for real), nor
    deliberately slow password hashes: a one-round PBKDF2 hash still verifies at login."""
    monkeypatch.setattr(services, "POPULATION_LOADERS", ())
    monkeypatch.setattr(services, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


def _table_counts(session) -> dict[str, int]:
    models = {"users": User, "demographics": Demographics, "roles": RoleAssignment,
              "areas": Area, "spaces": Space, "phases": Phase, "participations": Participation}
    return {name: session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()}


def test_cli_load_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--today", "2026-11-28"])
    assert first.exit_code == 0, first.output
    assert "demo participants created: 300" in first.output
    assert "admin@example.jp / hiroba-admin-2026" in first.output
    db.session.expire_all()
    after_first = _table_counts(db.session)
    assert after_first["participations"] == 300
    assert after_first["users"] == 303
    assert after_first["areas"] > 1000  # the shipped list of local governments

    second = runner.invoke(args=["demo", "load", "--today", "2026-11-28"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    db.session.expire_all()
    assert _table_counts(db.session) == after_first


def test_load_demo_returns_what_it_created(db, without_population):
    notes: list[str] = []
    first = services.load_demo(db.session, today=TODAY, note=notes.append)
    db.session.commit()
    assert first["participants"] == 300 and first["participations"] == 300 and first["targets"] == 1
    assert first["participants"] == 300 and first["participations"] == 300
    assert any("population" in n for n in notes)
    second = services.load_demo(db.session, today=TODAY)
    db.session.commit()
    assert set(second.values()) == {0}


def test_skew_is_really_present(db, without_population):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    space_id = db.session.scalar(select(Space.id).where(Space.slug == "sapporo-plan-review"))
    p = Participation
    row = db.session.execute(
        select(
            func.count(),
            func.count(p.gender),  # those who answered about gender
            func.sum(case((p.gender == "female", 1), else_=0)),
            func.count(p.age),
            func.sum(case((p.age.between(18, 39), 1), else_=0)),
            func.sum(case(((p.gender == "female") & p.age.between(18, 39), 1), else_=0)),
            func.sum(case(((p.gender == "male") & (p.age >= 60), 1), else_=0)),
            func.sum(case((p.residency == "resident", 1), else_=0)),
            func.sum(case((p.residency == "relationship", 1), else_=0)),
            func.min(p.age),
        ).where(p.space_id == space_id)
    ).one()
    total, gendered, women, aged, youth, young_women, older_men, residents, relationship, youngest = row
    assert total == 300
    assert women / gendered < 0.4
    assert youth / aged < 0.2
    assert young_women / gendered < 0.07
    assert older_men / gendered > 0.25
    assert 0.7 < residents / total < 0.85 and 0.08 <= relationship / total <= 0.12
    assert youngest >= 18
    assert gendered == 270  # ~10% gave no demographics
    genders = set(db.session.scalars(select(p.gender).distinct()))
    assert {"other", "no_answer"} <= genders
    sectors = dict(db.session.execute(
        select(p.sector, func.count()).group_by(p.sector)).all())
    assert max(sectors, key=sectors.get) == "none" and len(sectors) >= 8
    # Modules: most used the forum, many the surveys, some proposals.
    forum, surveys, proposals, supporters = db.session.execute(select(
        func.sum(case((p.forum, 1), else_=0)), func.sum(case((p.surveys, 1), else_=0)),
        func.sum(case((p.proposals, 1), else_=0)),
        func.sum(case((p.proposal_supporters, 1), else_=0)))).one()
    assert forum > surveys > supporters > proposals > 20
    # The time series has shape: the launch week outweighs a quiet mid-September week.
    first_at = list(db.session.scalars(select(p.first_at)))
    assert min(first_at).date() >= date(2026, 6, 30) and max(first_at).date() < TODAY
    launch = sum(1 for t in first_at if t.date() < date(2026, 7, 8))
    quiet = sum(1 for t in first_at if date(2026, 9, 21) <= t.date() < date(2026, 9, 28))
    assert launch > 3 * quiet
    # Residents live in Sapporo's wards or the city; nobody in the ledger lacks a snapshot.
    home_codes = set(db.session.scalars(
        select(Area.code).join(p, p.home_area_id == Area.id).where(p.residency == "resident")))
    assert home_codes and all(c.startswith("011") for c in home_codes)


def test_space_and_phases(db, without_population):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    space = db.session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))
    assert space.title == "第3期さっぽろ未来創生プラン見直し"
    assert space.area.code == "01100" and space.area.parent.code == "01000"
    assert (space.min_age, space.youth_min, space.youth_max) == (18, 18, 39)
    assert space.visibility == "public" and space.transparency_public
    assert space.enabled_modules == ["forum", "proposals", "surveys"]
    assert [ph.name for ph in space.phases] == ["論点整理", "意見募集", "取りまとめ"]
    assert space.accepts_input(TODAY)
    assert not space.accepts_input(date(2026, 5, 1)) and not space.accepts_input(date(2027, 3, 1))
    assert "地方創生2.0" in space.description_md and "デモ" in space.description_md


def test_demo_accounts_can_log_in(client, db, without_population):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    login(client, "admin@example.jp", "hiroba-admin-2026")
    assert client.get("/admin/").status_code == 200
    client.post("/auth/logout")
    login(client, "facilitator@example.jp", "hiroba-facilitator-2026")
    assert client.get("/admin/").status_code == 403
    client.post("/auth/logout")
    login(client, "participant@example.jp", "hiroba-participant-2026")
    client.post("/auth/logout")
    login(client, "demo-042@example.jp", "hiroba-demo-2026")
    client.post("/auth/logout")
    facilitator = db.session.scalar(select(User).where(User.email == "facilitator@example.jp"))
    space = db.session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))
    assert facilitator.has_role("facilitator", space.id) and not facilitator.is_admin
    participant = db.session.scalar(select(User).where(User.email == "participant@example.jp"))
    assert participant.roles == [] and participant.demographics is not None
    # One hash for all 300 demo participants.
    hashes = db.session.scalar(select(func.count(User.password_hash.distinct()))
                               .where(User.email.like("demo-%")))
    assert hashes == 1


def test_without_any_loader_hokkaido_and_sapporo_are_created(db, monkeypatch, without_population):
    monkeypatch.setattr(services, "_optional", lambda module, name: None)
    notes: list[str] = []
    counts = services.load_demo(db.session, today=TODAY, note=notes.append)
    db.session.commit()
    assert counts["areas"] == 2 and len(notes) == 2
    codes = dict(db.session.execute(select(Area.code, Area.kind)).all())
    assert codes == {"01000": "prefecture", "01100": "municipality"}
    # Homes whose areas are missing fall back to Sapporo (residents) or stay empty.
    homes = set(db.session.scalars(select(Participation.home_area_id).distinct()))
    sapporo_id = db.session.scalar(select(Area.id).where(Area.code == "01100"))
    assert homes == {sapporo_id, None}


def test_plan_is_deterministic_and_stays_in_the_window():
    first, again = plan_participants(TODAY), plan_participants(TODAY)
    assert first == again and len(first) == 300
    assert len({p.email for p in first}) == 300
    # Before the input phase has run two weeks, the demo pretends twenty weeks passed.
    early = plan_participants(date(2026, 3, 1))
    assert [p.email for p in early] == [p.email for p in first]
    assert [p.gender for p in early] == [p.gender for p in first]
    assert max(p.first_at for p in early).date() <= date(2026, 11, 18)
