"""Space services: creation rules, phases and the Japan-time current phase, copying, listing, team."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

import app.common.time as time_module
from app.accounts.models import RoleAssignment
from app.common.errors import DomainError
from app.representation.ledger import record_participation
from app.representation.models import Participation
from app.spaces import services, team
from app.spaces.models import Phase, Space


@pytest.fixture
def staff(make):
    """The person making changes in tests that are not about who may make them."""
    return make.user(roles=("admin",))


def _create(db, make, actor=None, **overrides):
    values = {"title": "札幌の未来", "slug": "sapporo-future", "area": make.area()}
    values.update(overrides)
    return services.create_space(db.session, actor=actor or make.user(roles=("facilitator",)),
                                 **values)


def test_create_space_defaults_and_creator_becomes_facilitator(db, make):
    actor = make.user(roles=("admin",))
    space = _create(db, make, actor=actor, description_md="# 目的")
    db.session.commit()
    assert (space.min_age, space.youth_min, space.youth_max) == (18, 18, 39)
    assert space.visibility == "public" and space.enabled_modules == ["forum", "proposals", "surveys"]
    assert space.created_by_id == actor.id
    role = db.session.scalar(select(RoleAssignment).where(RoleAssignment.space_id == space.id))
    assert (role.user_id, role.role) == (actor.id, "facilitator")


@pytest.mark.parametrize("overrides, field", [
    ({"slug": "ab"}, "slug"),
    ({"slug": "Has Space"}, "slug"),
    ({"slug": "-leading"}, "slug"),
    ({"slug": "x" * 61}, "slug"),
    ({"slug": "new"}, "slug"),
    ({"title": ""}, "title"),
    ({"title": "あ" * 151}, "title"),
    ({"description_md": "x" * 20_001}, "description_md"),
    ({"min_age": 121}, "min_age"),
    ({"min_age": -1}, "min_age"),
    ({"min_age": 20, "youth_min": 18}, "youth_min"),
    ({"youth_min": 40, "youth_max": 39}, "youth_max"),
    ({"visibility": "secret"}, "visibility"),
    ({"reference_choice": "guess"}, "reference_choice"),
    ({"area": None}, "area"),
])
def test_create_space_rejects_bad_values(db, make, overrides, field):
    with pytest.raises(DomainError) as caught:
        _create(db, make, **overrides)
    assert caught.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Space)) == 0


def test_create_space_rejects_a_taken_slug(db, make):
    make.space("sapporo-future")
    with pytest.raises(DomainError) as caught:
        _create(db, make)
    assert caught.value.field == "slug" and "already used" in str(caught.value)


def test_update_space_keeps_own_slug_and_refuses_another(db, make, staff):
    space = make.space("first-space")
    make.space("second-space")
    services.update_space(db.session, space, actor=staff, slug="first-space", title="新しい題名",
                          min_age=16, youth_min=16)
    assert (space.title, space.min_age) == ("新しい題名", 16)
    with pytest.raises(DomainError) as caught:
        services.update_space(db.session, space, actor=staff, slug="second-space")
    assert caught.value.field == "slug"
    with pytest.raises(DomainError):
        services.update_space(db.session, space, actor=staff, youth_max=10)  # below youth_min 16
    with pytest.raises(TypeError):
        services.update_space(db.session, space, actor=staff, created_by_id=1)


def test_phases_add_update_delete(db, make, staff):
    space = make.space()  # has one phase at position 0
    added = services.add_phase(db.session, space, actor=staff, name="熟議",
                               starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 31),
                               accepts_input=True)
    assert added.position == 1
    services.update_phase(db.session, added, actor=staff, name="熟議（延長）",
                          starts_on=date(2026, 5, 1), ends_on=date(2026, 6, 15),
                          accepts_input=False, position=3)
    db.session.commit()
    stored = db.session.get(Phase, added.id)
    assert (stored.name, stored.ends_on, stored.accepts_input, stored.position) == (
        "熟議（延長）", date(2026, 6, 15), False, 3)
    with pytest.raises(DomainError) as caught:
        services.add_phase(db.session, space, actor=staff, name="逆", starts_on=date(2026, 7, 2),
                           ends_on=date(2026, 7, 1))
    assert caught.value.field == "ends_on"
    services.delete_phase(db.session, stored, actor=staff)
    db.session.commit()
    assert db.session.get(Phase, added.id) is None
    assert len(space.phases) == 1


def test_a_one_day_phase_is_allowed(db, make, staff):
    space = make.space()
    phase = services.add_phase(db.session, space, actor=staff, name="当日",
                               starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 5))
    assert phase.starts_on == phase.ends_on


class _FrozenDatetime(datetime):
    frozen: datetime

    @classmethod
    def now(cls, tz=None):
        return cls.frozen.astimezone(tz) if tz else cls.frozen.replace(tzinfo=None)


@pytest.fixture
def freeze(monkeypatch):
    def _freeze(moment_utc: datetime):
        _FrozenDatetime.frozen = moment_utc.replace(tzinfo=timezone.utc)
        monkeypatch.setattr(time_module, "datetime", _FrozenDatetime)
    return _freeze


def test_current_phase_follows_japan_dates_at_the_boundaries(db, make, freeze):
    space = make.space()
    space.phases.clear()
    space.phases.extend([
        Phase(name="準備", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), position=0,
              accepts_input=False),
        Phase(name="意見募集", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30), position=1,
              accepts_input=True),
    ])
    db.session.commit()
    # 2026-03-31 23:59 JST is 14:59 UTC: still the preparation phase, no input.
    freeze(datetime(2026, 3, 31, 14, 59))
    assert space.current_phase().name == "準備" and not space.accepts_input()
    # 2026-04-01 00:00 JST is 2026-03-31 15:00 UTC: the UTC date is still March.
    freeze(datetime(2026, 3, 31, 15, 0))
    assert space.current_phase().name == "意見募集" and space.accepts_input()
    # The last day counts in full (23:59 JST on 30 April)...
    freeze(datetime(2026, 4, 30, 14, 59))
    assert space.current_phase().name == "意見募集"
    # ...and at midnight JST the phase is over.
    freeze(datetime(2026, 4, 30, 15, 0))
    assert space.current_phase() is None and not space.accepts_input()
    assert space.current_phase(on=date(2026, 4, 15)).name == "意見募集"


def test_copy_space_shifts_phases_and_copies_no_participation(db, make):
    source = make.space("source-space", min_age=16, youth_min=16, youth_max=29,
                        surveys_enabled=False, transparency_public=True, reference_choice="census")
    source.description_md = "## 進め方"
    source.phases.clear()
    source.phases.extend([
        Phase(name="募集", starts_on=date(2025, 4, 1), ends_on=date(2025, 4, 30),
              accepts_input=True, position=0),
        Phase(name="まとめ", starts_on=date(2025, 5, 10), ends_on=date(2025, 5, 20),
              accepts_input=False, position=1),
    ])
    contributor = make.user(birth_year=1990)
    record_participation(db.session, source.id, contributor, "forum")
    db.session.commit()
    otaru = make.area("01203", "小樽市", "Otaru")
    actor = make.user(roles=("facilitator",))

    copy = services.copy_space(db.session, source, slug="otaru-copy", title="小樽の未来",
                               area=otaru, start_on=date(2026, 6, 1), actor=actor)
    db.session.commit()
    assert (copy.area_id, copy.title, copy.description_md) == (otaru.id, "小樽の未来", "## 進め方")
    assert (copy.min_age, copy.youth_min, copy.youth_max, copy.reference_choice) == (16, 16, 29, "census")
    assert copy.enabled_modules == ["forum", "proposals"] and copy.transparency_public
    assert [(p.name, p.starts_on, p.ends_on, p.accepts_input) for p in copy.phases] == [
        ("募集", date(2026, 6, 1), date(2026, 6, 30), True),
        ("まとめ", date(2026, 7, 10), date(2026, 7, 20), False),
    ]
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.space_id == copy.id)) == 0
    assert actor.has_role("facilitator", copy.id)
    # The source is untouched and keeping the dates works too.
    assert [p.starts_on for p in source.phases] == [date(2025, 4, 1), date(2025, 5, 10)]
    same = services.copy_space(db.session, source, slug="same-dates", title="同じ日程",
                               area=otaru, start_on=None, actor=actor)
    assert [p.starts_on for p in same.phases] == [date(2025, 4, 1), date(2025, 5, 10)]


def test_list_spaces_for_shows_unlisted_only_to_their_facilitators(db, make):
    public = make.space("public-one")
    hidden = make.space("hidden-one", visibility="unlisted")
    other_hidden = make.space("hidden-two", visibility="unlisted")
    facilitator = make.user(roles=(f"facilitator:{hidden.id}",))
    moderator = make.user(roles=(f"moderator:{hidden.id}",))
    admin = make.user(roles=("admin",))

    def slugs(user):
        return {s.slug for s in services.list_spaces_for(db.session, user, 1, 20).items}

    assert slugs(None) == {public.slug}
    assert slugs(make.user()) == {public.slug}
    assert slugs(moderator) == {public.slug}
    assert slugs(facilitator) == {public.slug, hidden.slug}
    assert slugs(admin) == {public.slug, hidden.slug, other_hidden.slug}
    assert [s.slug for s in services.list_public_spaces(db.session)] == [public.slug]


def test_list_spaces_for_paginates_newest_first(db, make):
    for n in range(7):
        make.space(f"space-number-{n}")
    first = services.list_spaces_for(db.session, None, 1, 3)
    last = services.list_spaces_for(db.session, None, 3, 3)
    assert (first.total, first.pages) == (7, 3)
    assert [s.slug for s in first.items] == ["space-number-6", "space-number-5", "space-number-4"]
    assert [s.slug for s in last.items] == ["space-number-0"]


def test_team_add_by_normalised_email_and_refuse_duplicates(db, make, staff):
    space = make.space()
    person = make.user("hanako@example.jp")
    assignment = team.add_team_member(db.session, space, "ＨＡＮＡＫＯ＠example.jp ", "moderator",
                                      actor=staff)
    db.session.commit()
    assert (assignment.user_id, assignment.role, assignment.space_id) == (person.id, "moderator", space.id)
    with pytest.raises(DomainError) as caught:
        team.add_team_member(db.session, space, "hanako@example.jp", "moderator", actor=staff)
    assert caught.value.field == "email"
    with pytest.raises(DomainError) as caught:
        team.add_team_member(db.session, space, "nobody@example.jp", "facilitator", actor=staff)
    assert caught.value.field == "email"
    with pytest.raises(DomainError) as caught:
        team.add_team_member(db.session, space, "hanako@example.jp", "admin", actor=staff)
    assert caught.value.field == "role"


def test_team_keeps_the_last_facilitator(db, make, staff):
    space = make.space()
    first = make.user(roles=(f"facilitator:{space.id}",))
    second = make.user()
    only = team.list_team(db.session, space)
    assert [a.user_id for a in only] == [first.id]
    with pytest.raises(DomainError):
        team.remove_team_member(db.session, space, only[0], actor=staff)
    team.add_team_member(db.session, space, second.email, "facilitator", actor=staff)
    team.remove_team_member(db.session, space, only[0], actor=staff)
    db.session.commit()
    assert [a.user_id for a in team.list_team(db.session, space)] == [second.id]


def test_get_space_by_slug(db, make):
    space = make.space("find-me")
    assert services.get_space_by_slug(db.session, "find-me").id == space.id
    assert services.get_space_by_slug(db.session, "missing") is None


def test_add_phase_after_today_does_not_become_current(db, make, staff):
    space = make.space()
    later = time_module.today_jst() + timedelta(days=100)
    services.add_phase(db.session, space, actor=staff, name="後", starts_on=later, ends_on=later)
    assert space.current_phase().name == "意見募集"
