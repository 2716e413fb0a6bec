"""Account rules that need no request."""
from __future__ import annotations

import pytest

from app.accounts import services
from app.accounts.services import AccountError


@pytest.mark.parametrize("password, email, problem", [
    ("123456789", None, "password_too_short"),
    ("qwertyuiop", None, "password_too_common"),
    ("PASSWORD123", None, "password_too_common"),
    ("““““““““““", None, "password_too_common"),
    ("taro@example.jp", "ＴＡＲＯ＠example.jp", "password_is_email"),
    ("taro.yamada", "taro.yamada@example.jp", "password_is_email"),
    ("ten chars!", None, None),
    ("川の流れのように生きる", None, None),
])
def test_password_problem(password, email, problem):
    assert services.password_problem(password, email) == problem


@pytest.mark.parametrize("code, valid", [
    ("011002", True), ("130001", True), ("010006", True), ("131016", True),
    ("011003", False), ("130000", False),
])
def test_local_government_code_check_digit(code, valid):
    assert services._valid_check_digit(code) is valid


@pytest.mark.parametrize("name, expected", [
    ("  ﾀﾛｳ  ", "タロウ"), ("山田　太郎", "山田 太郎"), ("a" * 40, "a" * 40),
])
def test_clean_display_name(name, expected):
    assert services.clean_display_name(name) == expected


@pytest.mark.parametrize("name, code", [("", "display_name_missing"), ("　", "display_name_missing"),
                                        ("a" * 41, "display_name_too_long")])
def test_clean_display_name_rejects(name, code):
    with pytest.raises(AccountError) as raised:
        services.clean_display_name(name)
    assert raised.value.field == "display_name" and raised.value.code == code


def test_register_user_refuses_a_taken_address_in_any_width(db, make, sapporo):
    make.user("taro@example.jp")
    with pytest.raises(AccountError) as raised:
        services.register_user(db.session, email="ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
                               password="a sentence to remember", display_name="T",
                               residency="resident", home_area=sapporo)
    assert (raised.value.field, raised.value.code) == ("email", "email_taken")


def test_register_user_keeps_the_transaction_usable_after_a_race(db, make, sapporo, monkeypatch):
    make.user("taro@example.jp")
    monkeypatch.setattr(services, "find_user_by_email", lambda session, email: None)
    with pytest.raises(AccountError):
        services.register_user(db.session, email="taro@example.jp",
                               password="a sentence to remember", display_name="T",
                               residency="resident", home_area=sapporo)
    monkeypatch.undo()
    user = services.register_user(db.session, email="other@example.jp",
                                  password="a sentence to remember", display_name="O",
                                  residency="relationship", home_area=sapporo)
    db.session.commit()
    assert user.id is not None


def test_grant_role_rejects_unknown_roles(db, make):
    user = make.user()
    with pytest.raises(ValueError):
        services.grant_role(db.session, user, "king")
    assert services.grant_role(db.session, user, "moderator", None) is True
    assert services.grant_role(db.session, user, "moderator", None) is False
