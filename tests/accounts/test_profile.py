"""Profile, demographics, password change, data export and account deletion."""
from __future__ import annotations

from flask_babel import force_locale

import json

import pytest
from sqlalchemy import func, select

from app.accounts import services, ties
from app.accounts.models import Demographics, ResidencyTie, RoleAssignment, User
from app.representation.ledger import record_participation
from app.representation.models import Participation
from tests.conftest import TEST_PASSWORD, login

PROTECTED = ["/auth/profile", "/auth/profile/demographics", "/auth/profile/password",
             "/auth/profile/export", "/auth/profile/delete"]
ROLES = {
    "participant": (),
    "facilitator": ("facilitator",),
    "moderator": ("moderator",),
    "admin": ("admin",),
}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fresh(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def taro(make, sapporo):
    return make.user("taro@example.jp", display_name="太郎", home_area=sapporo,
                     birth_year=1990, gender="male", sector="academia")


@pytest.fixture
def en(client, taro):
    login(client, "taro@example.jp")
    client.get("/lang/en")
    return client


@pytest.mark.parametrize("path", PROTECTED)
def test_anonymous_is_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PROTECTED)
def test_every_role_reaches_its_own_account_pages(client, make, role, path):
    make.user(f"{role}@example.jp", roles=ROLES[role])
    login(client, f"{role}@example.jp")
    assert client.get(path).status_code == 200


def test_profile_shows_and_edits(en, db, taro, make):
    html = en.get("/auth/profile").get_data(as_text=True)
    assert "taro@example.jp" in html and 'value="太郎"' in html
    assert "Currently: Sapporo (01100)." in html
    hakodate = make.area("01202", "函館市", "Hakodate")
    response = en.post("/auth/profile", data={"display_name": " たろう ",
                                              "home_area": "函館市", "locale": "ja"})
    assert response.status_code == 302
    user = _fresh(db, taro)
    assert (user.display_name, user.home_area_id, user.locale) == ("たろう", hakodate.id, "ja")
    assert 'name="residency"' not in html  # no per-account answer: ties are per area
    with en.session_transaction() as sess:
        assert sess["locale"] == "ja"


def test_profile_bad_input_is_kept(en, db, taro):
    html = en.post("/auth/profile", data={"display_name": "新しい名前",
                                          "home_area": "99999", "locale": "en"}).get_data(as_text=True)
    assert "We do not know this municipality" in html
    assert 'value="新しい名前"' in html and 'value="99999"' in html
    assert _fresh(db, taro).display_name == "太郎"


def test_demographics_can_be_changed(en, db, taro):
    html = en.get("/auth/profile/demographics").get_data(as_text=True)
    assert 'value="1990"' in html and "checked" in html
    response = en.post("/auth/profile/demographics", data={
        "consent_demographics": "y", "birth_year": "２００１", "gender": "no_answer", "sector": ""})
    assert response.status_code == 302
    demo = db.session.get(Demographics, taro.id)
    db.session.refresh(demo)
    assert (demo.birth_year, demo.gender, demo.sector) == (2001, "no_answer", None)


def test_demographics_need_consent_and_a_valid_year(en, db, taro):
    html = en.post("/auth/profile/demographics", data={"birth_year": "1985"}).get_data(as_text=True)
    assert "we need your consent" in html and 'value="1985"' in html
    html = en.post("/auth/profile/demographics", data={
        "consent_demographics": "y", "birth_year": "1850"}).get_data(as_text=True)
    assert "Enter a year between 1900" in html
    db.session.expire_all()
    assert db.session.get(Demographics, taro.id).birth_year == 1990


def test_withdrawing_deletes_the_answers_and_blanks_past_snapshots(en, db, taro, make):
    space = make.space()
    record_participation(db.session, space.id, taro, "forum")
    db.session.commit()
    html = en.get("/auth/profile/demographics").get_data(as_text=True)
    assert "you count as “unknown”" in html and 'action="/auth/profile/demographics/withdraw"' in html

    assert en.post("/auth/profile/demographics/withdraw").status_code == 302  # no confirmation
    assert _count(db, Demographics) == 1
    assert en.post("/auth/profile/demographics/withdraw", data={"confirm": "yes"}).status_code == 302
    assert _count(db, Demographics) == 0
    row = db.session.scalar(select(Participation))
    assert (row.user_id, row.age, row.gender, row.sector) == (taro.id, None, None, None)


def test_withdraw_needs_a_login(client):
    response = client.post("/auth/profile/demographics/withdraw", data={"confirm": "yes"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_change_password(en, db, taro):
    html = en.post("/auth/profile/password", data={
        "current_password": "wrong wrong wrong", "new_password": "a brand new passphrase"}
    ).get_data(as_text=True)
    assert "This is not your current password." in html
    html = en.post("/auth/profile/password", data={
        "current_password": TEST_PASSWORD, "new_password": "short"}).get_data(as_text=True)
    assert "Use at least 10 characters." in html
    response = en.post("/auth/profile/password", data={
        "current_password": TEST_PASSWORD, "new_password": "a brand new passphrase"})
    assert response.status_code == 302
    en.post("/auth/logout")
    login(en, "taro@example.jp", "a brand new passphrase")


def test_export_contains_everything_linked_to_me(en, db, taro, make):
    space = make.space("sapporo-plan", title="札幌の未来")
    other_space = make.space("other")
    record_participation(db.session, space.id, taro, "forum")
    record_participation(db.session, space.id, taro, "surveys")
    someone = make.user("someone@example.jp")
    record_participation(db.session, other_space.id, someone, "forum")
    db.session.add(RoleAssignment(user_id=taro.id, role="facilitator", space_id=space.id))
    db.session.commit()
    ties.add_tie(db.session, taro, make.area("01203", "小樽市", "Otaru"), "grew_up")
    db.session.commit()

    response = en.get("/auth/profile/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="hiroba-my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "taro@example.jp"
    assert data["profile"]["display_name"] == "太郎"
    assert data["profile"]["home_area"]["code"] == "01100"
    assert data["demographics"]["birth_year"] == 1990 and data["demographics"]["consented_at"]
    assert [(t["area"]["code"], t["kind"]) for t in data["residency_ties"]] == [
        ("01203", "grew_up")]
    assert "residency" not in data["profile"]
    assert data["roles"] == [{"role": "facilitator", "space": "sapporo-plan",
                              "since": data["roles"][0]["since"]}]
    assert len(data["participations"]) == 1
    entry = data["participations"][0]
    assert entry["space"] == {"slug": "sapporo-plan", "title": "札幌の未来"}
    assert entry["modules"] == ["forum", "surveys"] and entry["first_at"]
    assert entry["snapshot"]["gender"] == "male"
    assert "someone@example.jp" not in response.get_data(as_text=True)


def test_a_refused_profile_change_answers_422_and_writes_nothing(en, db, taro, monkeypatch):
    # A service that has already changed the account when it refuses: the refusal undoes that.
    from app.accounts import views
    from app.common.errors import N_, DomainError

    def change_then_refuse(session, user, **fields):
        user.display_name = "途中の名前"
        session.flush()
        raise DomainError(N_("Enter the name others will see."), "display_name")

    monkeypatch.setattr(views.services, "update_profile", change_then_refuse)
    response = en.post("/auth/profile", data={"display_name": "新しい名前",
                                             "home_area": "01100", "locale": "en"})
    assert response.status_code == 422
    assert "Enter the name others will see." in response.get_data(as_text=True)
    assert _fresh(db, taro).display_name == "太郎"
    # A form that fails validation is refused the same way.
    response = en.post("/auth/profile", data={"display_name": "新しい名前",
                                             "home_area": "どこにもない町", "locale": "en"})
    assert response.status_code == 422 and _fresh(db, taro).display_name == "太郎"


def test_other_modules_can_add_export_sections(en, taro, monkeypatch):
    from datetime import datetime

    from app.accounts import export

    monkeypatch.setattr(export, "_EXPORT_SECTIONS", dict(export._EXPORT_SECTIONS))
    export.register_export_section(
        "forum_posts", lambda session, user: [{"by": user.id, "at": datetime(2026, 4, 1, 9, 30)}])
    data = en.get("/auth/profile/export").get_json(force=True)
    assert list(data)[-1] == "forum_posts"
    assert data["forum_posts"] == [{"by": taro.id, "at": "2026-04-01T09:30:00"}]


def test_delete_needs_password_and_confirmation(en, db, taro):
    html = en.post("/auth/profile/delete", data={"password": "wrong wrong wrong",
                                                 "confirm": "y"}).get_data(as_text=True)
    assert "This is not your current password." in html
    html = en.post("/auth/profile/delete", data={"password": TEST_PASSWORD}).get_data(as_text=True)
    assert "Tick this box to confirm." in html
    assert _fresh(db, taro).deleted_at is None


def test_delete_account_erases_the_person_and_keeps_the_ledger(en, db, taro, make):
    space = make.space()
    record_participation(db.session, space.id, taro, "proposals")
    taro.roles.append(RoleAssignment(role="moderator"))
    ties.add_tie(db.session, taro, make.area("01203", "小樽市", "Otaru"), "family")
    db.session.commit()
    before = db.session.execute(select(Participation.space_id, Participation.first_at,
                                       Participation.age, Participation.gender,
                                       Participation.residency, Participation.sector,
                                       Participation.home_area_id, Participation.proposals)).one()
    ledger_rows = _count(db, Participation)

    response = en.post("/auth/profile/delete", data={"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/"

    user = _fresh(db, taro)
    assert user.email is None and user.password_hash is None and user.display_name == ""
    assert user.deleted_at is not None and not user.active and not user.is_active
    assert user.home_area_id is None
    assert _count(db, Demographics) == 0 and _count(db, RoleAssignment) == 0
    assert _count(db, ResidencyTie) == 0
    assert _count(db, Participation) == ledger_rows
    row = db.session.scalar(select(Participation))
    assert row.user_id is None
    assert (row.space_id, row.first_at, row.age, row.gender, row.residency, row.sector,
            row.home_area_id, row.proposals) == tuple(before)
    # Logged out, cannot log in again, and the address is free to register anew.
    assert en.get("/auth/profile").status_code == 302
    refused = en.post("/auth/login", data={"email": "taro@example.jp", "password": TEST_PASSWORD})
    assert refused.status_code == 422
    assert en.post("/auth/register", data={
        "email": "taro@example.jp", "password": "a sentence to remember", "display_name": "新",
        "home_area": "01100"}).status_code == 302


def test_deleted_user_is_shown_with_a_neutral_label(app, db, taro):
    services.delete_account(db.session, taro)
    db.session.commit()
    with app.test_request_context("/"), force_locale("en"):
        assert taro.public_name == "Deleted user"
    with app.test_request_context("/"):
        assert taro.public_name == "削除されたユーザー"
    assert _fresh(db, taro).is_deleted
