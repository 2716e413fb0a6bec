"""The person's furusato pages and the municipality's register, through HTTP."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.time import today_jst
from app.furusato import roster, services
from app.furusato.models import FurusatoActivity, FurusatoRegistration
from app.notifications.models import Notification
from tests.furusato.helpers import build_map


@pytest.fixture
def places(make, db):
    return build_map(make, db)


def test_a_person_registers_in_one_form_and_sees_the_card(client, sign_in, make, db, places):
    person = make.user(display_name="遠方 花子", home_area=places.shinjuku)
    sign_in(person)
    page = client.get("/furusato/")
    assert "札幌市" in page.get_data(as_text=True)
    response = client.post("/furusato/01100/register",
                           data={"tier": "basic", "tie_kind": "donations",
                                 "contact_consent": "y"})
    assert response.status_code == 303
    row = services.registration_of(db.session, person.id, places.sapporo.id)
    assert response.headers["Location"].endswith(f"/furusato/card/{row.id}")
    card = client.get(f"/furusato/card/{row.id}").get_data(as_text=True)
    for text in (row.number, "札幌市", "遠方 花子", "ベーシック" if "ベーシック" in card else "Basic"):
        assert text in card
    assert row.valid_until.isoformat()[:4] in card and row.contact_consent


def test_the_card_is_the_holders_only(client, sign_in, make, db, places):
    holder, other = make.user(home_area=places.shinjuku), make.user(home_area=places.shinjuku)
    row = services.register(db.session, holder, places.sapporo_programme, tier="basic",
                            tie_kind="visits", contact_consent=False)
    db.session.commit()
    sign_in(other)
    assert client.get(f"/furusato/card/{row.id}").status_code == 403


def test_a_refused_registration_answers_422_next_to_the_field_keeping_the_input(
        client, sign_in, make, db, places):
    sign_in(make.user(home_area=places.shinjuku, locale="en"))
    response = client.post("/furusato/01100/register",
                           data={"tier": "premium", "tie_kind": "visits",
                                 "contact_consent": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="error" id="tie_kind-error">Choose a kind of tie of the tier you chose.</p>' \
        in html
    assert re.search(r'<input[^>]* checked id="tier-1"[^>]*value="premium"', html)
    assert re.search(r'<input[^>]* checked id="tie_kind-0"[^>]*value="visits"', html)
    assert re.search(r'<input[^>]* checked id="contact_consent"', html)
    assert db.session.scalar(select(FurusatoRegistration.id)) is None


def test_the_home_municipality_answers_422_with_a_message(client, sign_in, make, db, places):
    sign_in(make.user(home_area=places.chuo))
    response = client.post("/furusato/01100/register",
                           data={"tier": "basic", "tie_kind": "visits"})
    assert response.status_code == 422
    assert db.session.scalar(select(FurusatoRegistration.id)) is None


def test_recording_an_activity_then_staff_confirming_it(client, sign_in, make, db, places):
    person = make.user(home_area=places.shinjuku)
    row = services.register(db.session, person, places.sapporo_programme, tier="premium",
                            tie_kind="volunteering", contact_consent=False)
    space = make.space("sapporo-plan", area=places.sapporo)
    staff = make.user(roles=(f"facilitator:{space.id}",))
    db.session.commit()
    sign_in(person)
    day = (today_jst() - timedelta(days=3)).isoformat()
    bad = client.post(f"/furusato/card/{row.id}/activity",
                      data={"on_date": day, "category": "釣り", "note": "x"})
    assert bad.status_code == 422 and 'id="category-error"' in bad.get_data(as_text=True)
    good = client.post(f"/furusato/card/{row.id}/activity",
                       data={"on_date": day, "category": "観光案内", "note": "駅で案内"})
    assert good.status_code == 303
    activity = db.session.scalar(select(FurusatoActivity))
    sign_in(staff)
    listing = client.get("/furusato/01100/manage/activities").get_data(as_text=True)
    assert "駅で案内" in listing
    decided = client.post(f"/furusato/01100/manage/activities/{activity.id}",
                          data={"decision": "confirm"})
    assert decided.status_code == 303
    db.session.expire_all()
    assert db.session.get(FurusatoActivity, activity.id).status == "confirmed"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "furusato.activity.confirm")) is not None


def test_leaving_asks_for_confirmation(client, sign_in, make, db, places):
    person = make.user(home_area=places.shinjuku)
    row = services.register(db.session, person, places.sapporo_programme, tier="basic",
                            tie_kind="visits", contact_consent=False)
    db.session.commit()
    sign_in(person)
    assert client.post(f"/furusato/card/{row.id}/leave", data={}).status_code == 303
    db.session.expire_all()
    assert db.session.get(FurusatoRegistration, row.id).status == "active"
    client.post(f"/furusato/card/{row.id}/leave", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(FurusatoRegistration, row.id).status == "left"


def _registrants(make, db, places, specs):
    """specs: (gender, birth_year, consent, home area) per person; all register with Sapporo."""
    people = []
    for gender, birth_year, consent, home in specs:
        person = make.user(home_area=home, gender=gender, birth_year=birth_year)
        services.register(db.session, person, places.sapporo_programme, tier="basic",
                          tie_kind="visits", contact_consent=consent)
        people.append(person)
    db.session.commit()
    return people


def test_only_sapporos_staff_see_its_register(client, sign_in, make, db, places):
    space = make.space("sapporo-plan", area=places.sapporo)
    otaru_space = make.space("otaru-plan", area=places.otaru)
    staff = make.user(roles=(f"facilitator:{space.id}",))
    other = make.user(roles=(f"facilitator:{otaru_space.id}",))
    sign_in(other)
    assert client.get("/furusato/01100/manage").status_code == 403
    assert client.get("/furusato/01100/manage/contacts.csv").status_code == 403
    sign_in(staff)
    assert client.get("/furusato/01100/manage").status_code == 200


def test_the_register_hides_small_groups_and_their_complements(client, sign_in, make, db,
                                                               places):
    kanagawa = make.area("14000", "神奈川県", "Kanagawa", kind="prefecture")
    yokohama = make.area("14100", "横浜市", "Yokohama", parent=kanagawa)
    # Seven women and one man from Tokyo, two women from Kanagawa.
    _registrants(make, db, places, [("female", 1990, False, places.shinjuku)] * 7
                 + [("male", 1980, False, places.shinjuku)]
                 + [("female", 1990, False, yokohama)] * 2)
    counts = roster.register_counts(db.session, places.sapporo, k=5)
    tables = {t.dimension: dict(t.rows) for t in counts.tables}
    assert counts.total == 10
    assert tables["gender"]["male"] is None  # 1 < k: hidden
    assert tables["gender"]["female"] is None  # 9 = total - 1: hidden as its complement
    assert tables["prefecture"]["13000"] is None and tables["prefecture"]["14000"] is None
    assert tables["tier"]["basic"] == 10 and tables["tier"]["premium"] == 0
    admin = make.user(roles=("admin",))
    sign_in(admin)
    html = client.get("/furusato/01100/manage").get_data(as_text=True)
    assert "10" in html and "suppressed" in html


def _tables(db, places):
    counts = roster.register_counts(db.session, places.sapporo, k=5)
    return counts, {t.dimension: dict(t.rows) for t in counts.tables}


def test_the_register_counts_closed_batches_so_one_newcomer_moves_nothing(db, make, places):
    """Staff see who registered today (the contactable list): a register counted live would give
    that person's age and gender away as the difference between two views."""
    _registrants(make, db, places, [("female", 1990, False, places.shinjuku)] * 5
                 + [("male", 1970, False, places.shinjuku)] * 5)
    before, before_tables = _tables(db, places)
    for gender in ("female", "male", "male", "female"):  # the next batch: still open
        _registrants(make, db, places, [(gender, 2000, True, places.shinjuku)])
        after, after_tables = _tables(db, places)
        assert after_tables == before_tables and after.total == before.total == 10
    assert (after.made, after.active) == (14, 14)
    _registrants(make, db, places, [("male", 2000, False, places.shinjuku)])
    closed, closed_tables = _tables(db, places)
    assert closed.total == 15 and closed_tables["gender"]["male"] == 8


def test_a_person_who_leaves_moves_only_the_status_table(db, make, places):
    people = _registrants(make, db, places, [("female", 1990, False, places.shinjuku)] * 5
                          + [("male", 1970, False, places.shinjuku)] * 5)
    before, before_tables = _tables(db, places)
    registration = db.session.scalar(select(FurusatoRegistration).where(
        FurusatoRegistration.user_id == people[-1].id,
        FurusatoRegistration.area_id == places.sapporo.id))
    services.leave(db.session, registration)
    db.session.commit()
    after, after_tables = _tables(db, places)
    assert after.active == 9 and after.total == 10
    assert after_tables.pop("status") != before_tables.pop("status")
    assert after_tables == before_tables


def test_too_few_registrants_show_no_breakdown(db, make, places):
    _registrants(make, db, places, [("female", 1990, False, places.shinjuku)] * 3)
    counts = roster.register_counts(db.session, places.sapporo, k=5)
    assert counts.too_few and not counts.tables


def test_the_csv_lists_only_the_contactable_with_a_bom(client, sign_in, make, db, places):
    people = _registrants(make, db, places, [("female", 1990, True, places.shinjuku),
                                             ("male", 1970, False, places.shinjuku)])
    sign_in(make.user(roles=("admin",)))
    response = client.get("/furusato/01100/manage/contacts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert people[0].email in text and people[1].email not in text
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "furusato.contacts.export")) is not None


def test_an_announcement_reaches_the_opted_in_only(client, sign_in, make, db, places):
    yes, no = _registrants(make, db, places, [("female", 1990, True, places.shinjuku),
                                              ("male", 1970, False, places.shinjuku)])
    left = _registrants(make, db, places, [("female", 1991, True, places.shinjuku)])[0]
    services.leave(db.session, services.registration_of(db.session, left.id, places.sapporo.id))
    db.session.commit()
    sign_in(make.user(roles=("admin",)))
    refused = client.post("/furusato/01100/manage/announce",
                          data={"title": "", "text": "本文", "link": "https://evil.example/"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="title-error"' in html and "https://evil.example/" in html  # kept to correct
    offsite = client.post("/furusato/01100/manage/announce",
                          data={"title": "件名", "text": "本文", "link": "//evil.example/"})
    assert offsite.status_code == 422 and 'id="link-error"' in offsite.get_data(as_text=True)
    sent = client.post("/furusato/01100/manage/announce",
                       data={"title": "雪まつりの集い", "text": "ご参加ください。",
                             "link": "/spaces/"})
    assert sent.status_code == 303
    recipients = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == roster.KIND_ANNOUNCEMENT)))
    assert recipients == {yes.id}
    sign_in(yes)
    assert "雪まつりの集い" in client.get("/notifications/").get_data(as_text=True)


def test_staff_open_and_edit_a_programme_audited(client, sign_in, make, db, places):
    town = make.area("01204", "旭川市", "Asahikawa", parent=places.hokkaido)
    sign_in(make.user(roles=("admin",)))
    refused = client.post("/furusato/01204/manage/programme",
                          data={"description_ja": "", "categories": "", "is_open": "y"})
    assert refused.status_code == 422
    saved = client.post("/furusato/01204/manage/programme",
                        data={"description_ja": "旭川のふるさと住民", "categories": "農業\n祭り",
                              "is_open": "y"})
    assert saved.status_code == 303
    programme = services.programme_for(db.session, town)
    assert programme.category_list == ["農業", "祭り"] and programme.is_open
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "furusato.programme")) is not None


def test_the_persons_data_export_holds_their_registrations(client, sign_in, make, db, places):
    person = make.user(home_area=places.shinjuku)
    services.register(db.session, person, places.sapporo_programme, tier="basic",
                      tie_kind="grew_up", contact_consent=True)
    db.session.commit()
    sign_in(person)
    response = client.get("/auth/profile/export")
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    codes = {r["area_code"]: r for r in data["furusato"]}
    assert set(codes) == {"01100", "01000"}
    assert codes["01100"]["tie_kind"] == "grew_up" and codes["01100"]["contact_consent"]


def test_the_register_page_of_a_registered_person_leads_to_the_card(client, sign_in, make, db,
                                                                    places):
    person = make.user(home_area=places.shinjuku)
    row = services.register(db.session, person, places.sapporo_programme, tier="basic",
                            tie_kind="visits", contact_consent=False)
    db.session.commit()
    sign_in(person)
    html = client.get("/furusato/01100/register").get_data(as_text=True)
    assert f'href="/furusato/card/{row.id}"' in html and 'name="tier"' not in html


def test_age_bands_and_months_are_counted_in_sql_and_shown_when_large_enough(db, make, places):
    today = today_jst()
    thirties, seventies = today.year - 35, today.year - 75
    _registrants(make, db, places, [("female", thirties, False, places.shinjuku)] * 5
                 + [("male", seventies, False, places.shinjuku)] * 5)
    counts = roster.register_counts(db.session, places.sapporo, k=5, today=today)
    ages = dict(next(t for t in counts.tables if t.dimension == "age_band").rows)
    assert (ages["30s"], ages["70_plus"], ages["unknown"]) == (5, 5, 0)
    months = dict(counts.months)
    assert months[f"{today.year:04d}-{today.month:02d}"] == 10 and months["earlier"] == 0


def test_a_table_audit_hides_two_small_cells_without_a_complement(db, make, places):
    _registrants(make, db, places, [("female", 1990, False, places.shinjuku)] * 8
                 + [("male", 1990, False, places.shinjuku)] * 8
                 + [("other", 1990, False, places.shinjuku)] * 2
                 + [(None, 1990, False, places.shinjuku)] * 2)
    genders = dict(next(t for t in roster.register_counts(db.session, places.sapporo, k=5).tables
                        if t.dimension == "gender").rows)
    # Two hidden cells of 2 and 2: together 4, each 0..4 -> still k - 1 values apart.
    assert genders == {"female": 8, "male": 8, "other": None, "unknown": None}


def test_the_renewal_command_reminds_and_the_card_renews(app, client, sign_in, make, db, places):
    person = make.user(home_area=places.shinjuku, locale="en")
    row = services.register(db.session, person, places.sapporo_programme, tier="basic",
                            tie_kind="visits", contact_consent=False,
                            today=today_jst() - timedelta(days=350))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["furusato", "renew-reminders"])
    assert result.exit_code == 0 and "Reminded 1, marked 0 lapsed" in result.output
    sign_in(person)
    notifications = client.get("/notifications/").get_data(as_text=True)
    assert "Your furusato registration with Sapporo ends on" in notifications
    until = row.valid_until
    assert client.post(f"/furusato/card/{row.id}/renew").status_code == 303
    db.session.expire_all()
    assert db.session.get(FurusatoRegistration, row.id).valid_until > until


def test_staff_decide_only_their_municipalitys_activities(client, sign_in, make, db, places):
    person = make.user(home_area=places.shinjuku)
    otaru_row = services.register(db.session, person, places.otaru_programme, tier="premium",
                                  tie_kind="volunteering", contact_consent=False)
    activity = services.record_activity(db.session, otaru_row, on_date=today_jst(),
                                        category="運河清掃", note="")
    ward_space = make.space("chuo-plan", area=places.chuo)
    ward_staff = make.user(roles=(f"facilitator:{ward_space.id}",))
    db.session.commit()
    sign_in(ward_staff)  # a facilitator of a ward of Sapporo keeps Sapporo's register
    assert client.get("/furusato/01100/manage").status_code == 200
    assert client.get("/furusato/01203/manage").status_code == 403
    swapped = client.post(f"/furusato/01100/manage/activities/{activity.id}",
                          data={"decision": "confirm"})
    assert swapped.status_code == 403
    db.session.expire_all()
    assert db.session.get(FurusatoActivity, activity.id).status == "pending"
