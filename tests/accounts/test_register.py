"""Registration: the one-page form, its rules, and what it keeps when something is wrong."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import Demographics, User
from app.common.time import today_jst
from tests.accounts.conftest import register_data
from tests.dom import field_error, field_value, parse


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _selected(html: str, name: str) -> str | None:
    node = parse(html).css_first(f'select[name="{name}"] option[selected]')
    return node.attributes.get("value") if node is not None else None


@pytest.fixture
def en(client):
    client.get("/lang/en")
    return client


def test_register_page_has_exactly_the_fields_of_the_issue(client, sapporo):
    client.get("/lang/en")
    html = client.get("/auth/register").get_data(as_text=True)
    names = [node.attributes["name"] for node in parse(html).css("input[name], select[name]")]
    form_names = [n for n in dict.fromkeys(names) if n != "csrf_token"]
    # Only the home municipality: how the person is connected to any other area is asked per
    # area (ties), never once for the account.
    assert form_names == ["email", "password", "display_name", "home_area",
                          "consent_demographics", "birth_year", "gender", "sector"]
    assert "residency" not in html
    # The optional section sits in its own fieldset with the consent first.
    section = html[html.index('class="optional-section"'):]
    assert section.index('name="consent_demographics"') < section.index('name="birth_year"')
    assert "groups of fewer than 5 people are hidden" in section
    # Small areas table: the municipality names come as a datalist.
    assert '<datalist id="home-area-options">' in html and '<option value="札幌市">' in html
    assert 'list="home-area-options"' in html


def test_no_datalist_when_the_areas_table_is_large(client, make, monkeypatch):
    make.area()
    monkeypatch.setattr(services, "area_suggestions",
                        lambda session, limit=300: [])
    html = client.get("/auth/register").get_data(as_text=True)
    assert "<datalist" not in html and 'list="home-area-options"' not in html


def test_area_suggestions_are_empty_beyond_the_limit(db, make):
    make.area("01100", "札幌市")
    make.area("01202", "函館市")
    assert services.area_suggestions(db.session, limit=5) == ["函館市", "札幌市"]
    assert services.area_suggestions(db.session, limit=1) == []


def _mail(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hiroba.mail")


def _link(mail_text: str, path: str) -> str:
    match = re.search(rf"http://localhost({path}\S+)", mail_text)
    assert match, mail_text
    return match.group(1)


def test_register_minimal_waits_for_the_mailed_link(client, db, sapporo, caplog):
    with caplog.at_level(logging.INFO, logger="hiroba.mail"):
        response = client.post("/auth/register?next=/spaces/",
                               data=register_data(display_name="  花子  "))
    assert response.status_code == 302 and response.headers["Location"] == "/auth/register/sent"
    user = _user(db, "hanako@example.jp")
    assert user is not None
    assert user.display_name == "花子"
    assert user.password_hash.startswith("scrypt:")
    assert user.home_area_id == sapporo.id
    assert user.locale == "ja" and user.email_confirmed_at is None and not user.is_active
    assert _count(db, Demographics) == 0
    assert client.get("/auth/profile").status_code == 302  # not logged in yet
    assert client.post("/auth/login", data={"email": "hanako@example.jp",
                                            "password": "a sentence to remember"}
                       ).status_code == 422  # and cannot log in before confirming
    sent = _mail(caplog)
    assert "To: hanako@example.jp" in sent
    link = _link(sent, "/auth/register/confirm/")
    assert "next=/spaces/" in link

    page = client.get(link)
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.get_data(as_text=True)
    assert _user(db, "hanako@example.jp").email_confirmed_at is None  # opening it is not enough
    confirmed = client.post(link, data={"confirm": "yes"})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/spaces/"
    assert client.get("/auth/profile").status_code == 200
    assert _user(db, "hanako@example.jp").is_active
    client.post("/auth/logout")
    assert client.get(link).status_code == 410  # works once


def test_the_sent_page_says_to_check_the_mail(client):
    client.get("/lang/en")
    html = client.get("/auth/register/sent").get_data(as_text=True)
    assert "Check your e-mail" in html and "within 24 hours" in html


def test_register_remembers_the_chosen_language(client, db, sapporo):
    client.get("/lang/en")
    client.post("/auth/register", data=register_data())
    assert _user(db, "hanako@example.jp").locale == "en"


def test_register_normalises_full_width_input(client, db, sapporo):
    response = client.post("/auth/register", data=register_data(
        email="ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ", display_name="ﾊﾅｺ", home_area="０１１００",
        consent_demographics="y", birth_year="１９９８", gender="female", sector="civil_society"))
    assert response.status_code == 302
    user = _user(db, "hanako@example.jp")
    assert user.display_name == "ハナコ"
    assert user.home_area_id == sapporo.id
    demo = db.session.get(Demographics, user.id)
    assert (demo.birth_year, demo.gender, demo.sector) == (1998, "female", "civil_society")
    assert demo.consented_at is not None


@pytest.mark.parametrize("typed", ["札幌市", "札幌", "Sapporo", "sapporo", "北海道札幌市", "北海道札幌",
                                   "011002", "01100", " ０１１００ "])
def test_home_area_by_name_or_code(client, db, make, typed):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    sapporo = make.area("01100", "札幌市", "Sapporo", parent=hokkaido)
    response = client.post("/auth/register", data=register_data(home_area=typed))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _user(db, "hanako@example.jp").home_area_id == sapporo.id


def test_home_area_without_its_district(db, make):
    fukushima = make.area("07000", "福島県", "Fukushima", kind="prefecture")
    koori = make.area("07301", "伊達郡桑折町", "", parent=fukushima)
    assert services.resolve_area(db.session, "桑折町").id == koori.id
    assert services.resolve_area(db.session, "桑折").id == koori.id
    assert services.resolve_area(db.session, "福島県桑折町").id == koori.id


def test_ambiguous_municipality_name_asks_for_the_code(en, db, make):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    fukushima = make.area("07000", "福島県", "Fukushima", kind="prefecture")
    make.area("01233", "伊達市", "", parent=hokkaido)
    fukushima_date = make.area("07213", "伊達市", "", parent=fukushima)
    html = en.post("/auth/register", data=register_data(home_area="伊達市")).get_data(as_text=True)
    message = field_error(html, "home_area")
    assert "Several places have this name" in message
    assert "01233" in message and "07213" in message
    assert _count(db, User) == 0
    response = en.post("/auth/register", data=register_data(home_area="福島県伊達市"))
    assert response.status_code == 302
    assert _user(db, "hanako@example.jp").home_area_id == fukushima_date.id


@pytest.mark.parametrize("typed", ["99999", "０１１０１", "011003", "存在しない市", "Atlantis"])
def test_unknown_municipality(en, db, sapporo, typed):
    response = en.post("/auth/register", data=register_data(home_area=typed,
                                                            display_name="残る名前"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "We do not know this municipality" in field_error(html, "home_area")
    assert field_value(html, "home_area") == typed
    assert field_value(html, "display_name") == "残る名前"
    assert _count(db, User) == 0


def test_region_is_not_a_home_area(en, db, make):
    make.area("R-HOKKAIDO", "北海道広域", "", kind="region")
    html = en.post("/auth/register", data=register_data(home_area="R-HOKKAIDO")).get_data(as_text=True)
    assert "We do not know this municipality" in field_error(html, "home_area")


@pytest.mark.parametrize("password, expected", [
    ("short", "Use at least 10 characters."),
    ("1234567890", "too easy to guess"),
    ("Password123", "too easy to guess"),
    ("zzzzzzzzzzzz", "too easy to guess"),
    ("hanako@example.jp", "Do not use your e-mail address"),
])
def test_weak_passwords(en, db, sapporo, password, expected):
    html = en.post("/auth/register", data=register_data(password=password)).get_data(as_text=True)
    assert expected in field_error(html, "password")
    assert field_value(html, "email") == "hanako@example.jp"
    assert _count(db, User) == 0


@pytest.mark.parametrize("year", ["1899", str(today_jst().year + 1), "３０００"])
def test_birth_year_out_of_range(en, db, sapporo, year):
    html = en.post("/auth/register", data=register_data(
        consent_demographics="y", birth_year=year, gender="male")).get_data(as_text=True)
    assert f"Enter a year between 1900 and {today_jst().year}." in field_error(html, "birth_year")
    assert field_value(html, "birth_year") == year
    assert _count(db, User) == 0 and _count(db, Demographics) == 0


def test_birth_year_not_a_number(en, db, sapporo):
    html = en.post("/auth/register", data=register_data(
        consent_demographics="y", birth_year="nineteen")).get_data(as_text=True)
    assert "Enter the year as digits" in field_error(html, "birth_year")
    assert field_value(html, "birth_year") == "nineteen"
    assert _count(db, User) == 0


def test_demographics_without_consent_are_refused_and_kept(en, db, sapporo):
    html = en.post("/auth/register", data=register_data(
        birth_year="1990", gender="other", sector="labour")).get_data(as_text=True)
    assert "we need your consent" in field_error(html, "consent_demographics")
    assert field_value(html, "birth_year") == "1990"
    assert _selected(html, "gender") == "other" and _selected(html, "sector") == "labour"
    assert _count(db, User) == 0 and _count(db, Demographics) == 0


def test_consent_without_answers_stores_no_demographics(client, db, sapporo):
    response = client.post("/auth/register", data=register_data(consent_demographics="y"))
    assert response.status_code == 302
    assert _count(db, User) == 1 and _count(db, Demographics) == 0


@pytest.mark.parametrize("field, value, expected", [
    ("display_name", "   ", "Enter the name others will see."),
    ("display_name", "あ" * 41, "Use at most 40 characters."),
    ("email", "not-an-address", "Enter an e-mail address"),
    ("email", "", "Enter an e-mail address"),
    ("home_area", "", "Enter your municipality's name or its 5-digit code."),
])
def test_other_bad_input(en, db, sapporo, field, value, expected):
    html = en.post("/auth/register", data=register_data(**{field: value})).get_data(as_text=True)
    assert expected in field_error(html, field)
    assert _count(db, User) == 0


def test_register_when_logged_in_goes_home(client, make):
    from tests.conftest import login

    make.user("taro@example.jp")
    login(client, "taro@example.jp")
    assert client.get("/auth/register").status_code == 302
