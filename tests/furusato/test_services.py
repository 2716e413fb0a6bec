"""The rules of furusato registration, through the services and the database constraints."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.common.errors import DomainError
from app.common.time import today_jst
from app.furusato import renewals, services
from app.furusato.models import FurusatoActivity, FurusatoRegistration
from app.notifications.models import Notification
from tests.furusato.helpers import build_map

TODAY = date(2026, 12, 7)


@pytest.fixture
def places(make, db):
    return build_map(make, db)


def _register(db, user, programme, tier="basic", tie="visits", consent=False, today=TODAY):
    return services.register(db.session, user, programme, tier=tier, tie_kind=tie,
                             contact_consent=consent, today=today)


def test_two_rows_for_one_person_and_area_are_refused_by_the_database(db, make, places):
    person = make.user(home_area=places.shinjuku)
    for _ in range(2):
        db.session.add(FurusatoRegistration(user_id=person.id, area_id=places.sapporo.id,
                                            registered_on=TODAY, valid_from=TODAY,
                                            valid_until=TODAY))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_database_refuses_an_unknown_tier(db, make, places):
    person = make.user(home_area=places.shinjuku)
    db.session.add(FurusatoRegistration(user_id=person.id, area_id=places.sapporo.id, tier="gold",
                                        registered_on=TODAY, valid_from=TODAY, valid_until=TODAY))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_registering_twice_is_refused_with_a_message(db, make, places):
    person = make.user(home_area=places.shinjuku)
    _register(db, person, places.sapporo_programme)
    with pytest.raises(DomainError, match="already registered"):
        _register(db, person, places.sapporo_programme)


@pytest.mark.parametrize("home", ["sapporo", "chuo"])
def test_the_home_municipality_and_the_city_of_a_home_ward_are_refused(db, make, places, home):
    person = make.user(home_area=getattr(places, home))
    with pytest.raises(DomainError, match="You live here"):
        _register(db, person, places.sapporo_programme)


def test_a_ward_of_the_home_city_is_refused(db, make, places):
    person = make.user(home_area=places.sapporo)
    ward_programme = services.save_programme(db.session, places.chuo, description_ja="中央区",
                                             description_en="", categories="清掃", is_open=True)
    with pytest.raises(DomainError, match="You live here"):
        _register(db, person, ward_programme)


def test_registering_brings_the_prefecture_and_a_card_number(db, make, places):
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme)
    assert row.number == f"01100-{row.id:07d}"
    assert (row.valid_from, row.valid_until) == (TODAY, date(2027, 12, 6))
    prefecture = services.registration_of(db.session, person.id, places.hokkaido.id)
    assert prefecture is not None and prefecture.derived and prefecture.tier == "basic"
    assert prefecture.number.startswith("01000-") and prefecture.status == "active"


def test_no_prefecture_row_for_someone_living_in_that_prefecture(db, make, places):
    person = make.user(home_area=places.chuo)
    _register(db, person, places.otaru_programme)
    assert services.registration_of(db.session, person.id, places.hokkaido.id) is None


def test_the_prefecture_row_is_left_with_the_last_of_its_municipalities(db, make, places):
    person = make.user(home_area=places.shinjuku)
    sapporo = _register(db, person, places.sapporo_programme)
    otaru = _register(db, person, places.otaru_programme)
    prefecture = services.registration_of(db.session, person.id, places.hokkaido.id)
    services.leave(db.session, sapporo)
    assert prefecture.status == "active"
    services.leave(db.session, otaru)
    assert (sapporo.status, otaru.status, prefecture.status) == ("left", "left", "left")
    assert db.session.scalar(select(func.count()).select_from(FurusatoRegistration)) == 3
    again = _register(db, person, places.otaru_programme)  # the same row comes back
    assert again.id == otaru.id and again.status == "active" and prefecture.status == "active"


def test_a_closed_programme_takes_nobody(db, make, places):
    person = make.user(home_area=places.shinjuku)
    places.sapporo_programme.is_open = False
    with pytest.raises(DomainError, match="not taking registrations"):
        _register(db, person, places.sapporo_programme)


def test_the_kind_of_tie_must_fit_the_tier(db, make, places):
    person = make.user(home_area=places.shinjuku)
    with pytest.raises(DomainError) as refused:
        _register(db, person, places.sapporo_programme, tier="premium", tie="visits")
    assert refused.value.field == "tie_kind"


def _activities(db, registration, n, staff, confirm=True, days_ago=10):
    for i in range(n):
        activity = services.record_activity(
            db.session, registration, on_date=TODAY - timedelta(days=days_ago + i),
            category=services.programme_for(db.session, registration.area).category_list[0],
            note="雪かき", today=TODAY)
        if confirm:
            services.decide_activity(db.session, activity, staff, confirm=True, today=TODAY)


def test_premium_is_held_from_the_third_confirmed_activity(db, make, places):
    staff = make.user(roles=("admin",))
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme, tier="premium", tie="volunteering")
    assert (row.tier, row.premium_requested) == ("basic", True)
    _activities(db, row, 2, staff)
    assert row.tier == "basic"
    _activities(db, row, 1, staff, confirm=False)  # recorded, not yet confirmed
    assert row.tier == "basic"
    services.decide_activity(db.session, row.activities[0] if row.activities[0].status == "pending"
                             else next(a for a in row.activities if a.status == "pending"),
                             staff, confirm=True, today=TODAY)
    assert row.tier == "premium" and row.premium_since == TODAY


def test_a_rejected_activity_does_not_count(db, make, places):
    staff = make.user(roles=("admin",))
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme, tier="premium", tie="side_job")
    _activities(db, row, 2, staff)
    _activities(db, row, 1, staff, confirm=False)
    pending = next(a for a in row.activities if a.status == "pending")
    services.decide_activity(db.session, pending, staff, confirm=False, today=TODAY)
    assert row.tier == "basic" and pending.status == "rejected" and pending.decided_by_id


def test_a_person_holds_premium_with_at_most_three_areas(db, make, places):
    staff = make.user(roles=("admin",))
    person = make.user(home_area=places.shinjuku)
    rows = []
    for code in ("01202", "01204", "01205", "01206"):
        area = make.area(code, f"町{code}", f"Town {code}", parent=places.hokkaido)
        programme = services.save_programme(db.session, area, description_ja="町",
                                            description_en="", categories="手伝い", is_open=True)
        rows.append(_register(db, person, programme, tier="premium", tie="volunteering"))
    for row in rows:
        _activities(db, row, 3, staff)
    assert [r.tier for r in rows] == ["premium", "premium", "premium", "basic"]
    services.leave(db.session, rows[0])
    assert services.grant_premium_if_earned(db.session, rows[3], TODAY)
    assert services.premium_count(db.session, person.id) == 3


def test_an_activity_must_be_dated_within_the_last_year_with_a_known_category(db, make, places):
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme, tier="premium", tie="volunteering")
    with pytest.raises(DomainError) as refused:
        services.record_activity(db.session, row, on_date=TODAY + timedelta(days=1),
                                 category="観光案内", note="", today=TODAY)
    assert refused.value.field == "on_date"
    with pytest.raises(DomainError) as refused:
        services.record_activity(db.session, row, on_date=TODAY, category="釣り", note="",
                                 today=TODAY)
    assert refused.value.field == "category"


def test_the_renewal_job_reminds_once_marks_lapsed_and_ends_unearned_premium(db, make, places):
    staff = make.user(roles=("admin",))
    soon, late, keen = (make.user(home_area=places.shinjuku) for _ in range(3))
    start = TODAY - timedelta(days=350)  # ends in 15 days: reminded
    soon_row = _register(db, soon, places.sapporo_programme, today=start)
    late_row = _register(db, late, places.sapporo_programme, today=TODAY - timedelta(days=400))
    keen_row = _register(db, keen, places.otaru_programme, tier="premium", tie="volunteering",
                         today=TODAY - timedelta(days=100))
    _activities(db, keen_row, 3, staff, days_ago=300)
    assert keen_row.tier == "premium"
    db.session.commit()

    later = TODAY + timedelta(days=70)  # the activities are now more than a year old
    run = renewals.run_renewals(db.session, today=later)
    assert run.lapsed >= 1 and run.premium_ended == 1
    assert db.session.get(FurusatoRegistration, late_row.id).status == "lapsed"
    assert db.session.get(FurusatoRegistration, soon_row.id).status == "lapsed"
    assert db.session.get(FurusatoRegistration, keen_row.id).tier == "basic"

    db.session.rollback()
    run = renewals.run_renewals(db.session, today=TODAY)
    assert db.session.get(FurusatoRegistration, soon_row.id).status == "active"
    reminders = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == renewals.KIND_RENEWAL, Notification.user_id == soon.id))
    assert reminders == 1
    renewals.run_renewals(db.session, today=TODAY)  # a second run the same year: no second one
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == renewals.KIND_RENEWAL, Notification.user_id == soon.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(FurusatoRegistration)) >= 3
    assert db.session.scalar(select(func.count()).select_from(FurusatoActivity)) == 3


def test_renewing_adds_a_year_in_the_last_two_months_and_restarts_a_lapsed_one(db, make, places):
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme)
    with pytest.raises(DomainError, match="last"):
        services.renew(db.session, row, today=TODAY)
    services.renew(db.session, row, today=row.valid_until - timedelta(days=10))
    assert row.valid_until == date(2028, 12, 6)
    row.status = "lapsed"
    services.renew(db.session, row, today=date(2029, 3, 1))
    assert (row.status, row.valid_from, row.valid_until) == ("active", date(2029, 3, 1),
                                                             date(2030, 2, 28))


def test_deleting_the_account_erases_its_registrations_and_activities(db, make, places):
    from app.accounts.services import delete_account

    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme, tier="premium", tie="volunteering",
                    today=today_jst())
    services.record_activity(db.session, row, on_date=today_jst(), category="観光案内", note="x")
    db.session.commit()
    delete_account(db.session, person)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FurusatoRegistration)) == 0
    assert db.session.scalar(select(func.count()).select_from(FurusatoActivity)) == 0


def test_registering_again_after_leaving_keeps_the_activities_that_earned_premium(db, make,
                                                                                 places):
    staff = make.user(roles=("admin",))
    person = make.user(home_area=places.shinjuku)
    row = _register(db, person, places.sapporo_programme, tier="premium", tie="volunteering")
    _activities(db, row, 3, staff)
    assert row.tier == "premium"
    services.leave(db.session, row)
    assert row.tier == "basic"
    again = _register(db, person, places.sapporo_programme, tier="premium", tie="side_job")
    assert again.id == row.id and again.tier == "premium"
