"""Account rules that need no request."""
from __future__ import annotations

import pytest

from app.accounts import services
from app.common.errors import DomainError

TOO_SHORT = "Use at least %(n)s characters."
TOO_COMMON = "This password is too easy to guess. Try a short sentence you will remember."
IS_EMAIL = "Do not use your e-mail address as your password."
NAME_MISSING = "Enter the name others will see."
NAME_TOO_LONG = "Use at most %(max)s characters."
EMAIL_TAKEN = ("This e-mail address is already registered. Log in, or reset your password if "
               "you forgot it.")


@pytest.mark.parametrize("password, email, problem", [
    ("123456789", None, TOO_SHORT),
    ("qwertyuiop", None, TOO_COMMON),
    ("PASSWORD123", None, TOO_COMMON),
    ("““““““““““", None, TOO_COMMON),
    ("taro@example.jp", "ＴＡＲＯ＠example.jp", IS_EMAIL),
    ("taro.yamada", "taro.yamada@example.jp", IS_EMAIL),
    ("ten chars!", None, None),
    ("川の流れのように生きる", None, None),
])
def test_password_problem(password, email, problem):
    found = services.password_problem(password, email)
    assert (found.msgid if found else None) == problem


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


@pytest.mark.parametrize("name, code", [("", NAME_MISSING), ("　", NAME_MISSING),
                                        ("a" * 41, NAME_TOO_LONG)])
def test_clean_display_name_rejects(name, code):
    with pytest.raises(DomainError) as raised:
        services.clean_display_name(name)
    assert raised.value.field == "display_name" and raised.value.msgid == code


def test_register_user_refuses_a_taken_address_in_any_width(db, make, sapporo):
    make.user("taro@example.jp")
    with pytest.raises(DomainError) as raised:
        services.register_user(db.session, email="ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
                               password="a sentence to remember", display_name="T",
                               home_area=sapporo)
    assert (raised.value.field, raised.value.msgid) == ("email", EMAIL_TAKEN)


def test_register_user_keeps_the_transaction_usable_after_a_race(db, make, sapporo, monkeypatch):
    make.user("taro@example.jp")
    monkeypatch.setattr(services, "find_user_by_email", lambda session, email: None)
    with pytest.raises(DomainError):
        services.register_user(db.session, email="taro@example.jp",
                               password="a sentence to remember", display_name="T",
                               home_area=sapporo)
    monkeypatch.undo()
    user = services.register_user(db.session, email="other@example.jp",
                                  password="a sentence to remember", display_name="O",
                                  home_area=sapporo)
    db.session.commit()
    assert user.id is not None


def test_grant_role_rejects_unknown_roles(db, make):
    user = make.user()
    with pytest.raises(ValueError):
        services.grant_role(db.session, user, "king")
    assert services.grant_role(db.session, user, "moderator", None) is True
    assert services.grant_role(db.session, user, "moderator", None) is False
