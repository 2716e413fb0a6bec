"""The three-premium limit under concurrent grants (PostgreSQL only: SQLite serialises every
writer anyway). Four registrations of one person have each earned premium; four threads, each
with its own app context, session and connection, grant them at the same moment. Exactly three
may become premium: the person's row lock (SELECT ... FOR UPDATE) makes the count and the
update one step."""
from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.time import today_jst
from app.furusato import services
from app.furusato.models import FurusatoActivity, FurusatoRegistration
from tests.furusato.helpers import build_map

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith(
    "postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
ROUNDS = 3


def _four_earned_registrations(db, make, places):
    person = make.user(home_area=places.shinjuku)
    staff = make.user(roles=("admin",))
    ids = []
    for code in ("01202", "01204", "01205", "01206"):
        area = make.area(code, f"町{code}", f"Town {code}", parent=places.hokkaido)
        programme = services.save_programme(db.session, area, description_ja="町",
                                            description_en="", categories="手伝い", is_open=True)
        row = services.register(db.session, person, programme, tier="premium",
                                tie_kind="volunteering", contact_consent=False)
        for days in (3, 4, 5):  # confirmed directly: granting is left to the threads
            db.session.add(FurusatoActivity(registration=row, on_date=today_jst() - timedelta(days),
                                            category="手伝い", status="confirmed",
                                            decided_by_id=staff.id,
                                            decided_at=services.utcnow()))
        ids.append(row.id)
    db.session.commit()
    return person.id, ids


def _grant_together(app, ids) -> list[bool]:
    from app.extensions import db as _db

    barrier = threading.Barrier(len(ids))
    results, errors, lock = [], [], threading.Lock()

    def worker(registration_id: int) -> None:
        try:
            with app.app_context():
                row = _db.session.get(FurusatoRegistration, registration_id)
                _db.session.commit()  # loaded; the race starts in a fresh transaction
                barrier.wait(timeout=30)
                granted = services.grant_premium_if_earned(_db.session, row)
                _db.session.commit()
                with lock:
                    results.append(granted)
        except BaseException as error:  # noqa: BLE001 (re-raised in the main thread)
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_fourth_concurrent_premium_is_refused(app, db, make, round_):
    places = build_map(make, db)
    person_id, ids = _four_earned_registrations(db, make, places)
    results = _grant_together(app, ids)
    assert sorted(results) == [False, True, True, True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(FurusatoRegistration).where(
        FurusatoRegistration.user_id == person_id,
        FurusatoRegistration.tier == "premium")) == 3


def test_two_registrations_submitted_at_once_leave_one_row_and_no_error_page(app, db, make):
    from app.accounts.models import User
    from app.extensions import db as _db
    from tests.people import PersonClient, log_in

    places = build_map(make, db)
    person = make.user(home_area=places.shinjuku)
    db.session.commit()
    person_id, sapporo_id, hokkaido_id = person.id, places.sapporo.id, places.hokkaido.id
    barrier = threading.Barrier(4)
    statuses, errors, lock = [], [], threading.Lock()

    def worker() -> None:
        try:
            with app.app_context():
                client = PersonClient(app, app.response_class, use_cookies=True)
                log_in(client, _db.session.get(User, person_id))
                _db.session.remove()
                barrier.wait(timeout=30)
                response = client.post("/furusato/01100/register",
                                       data={"tier": "basic", "tie_kind": "visits"})
                with lock:
                    statuses.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 (re-raised in the main thread)
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(statuses) == [303, 422, 422, 422]
    db.session.expire_all()
    areas = set(db.session.scalars(select(FurusatoRegistration.area_id).where(
        FurusatoRegistration.user_id == person_id)))
    assert areas == {sapporo_id, hokkaido_id}
