"""Invisible and bidirectional control characters in e-mail addresses and display names: one
helper (app.common.text.normalize_identity) strips them wherever an identity is normalised."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.admin import services as admin_services
from app.common.errors import DomainError
from app.common.text import INVISIBLE_CHARACTERS, normalize_email, normalize_identity
from app.spaces import team
from tests.accounts.conftest import register_data

LISTED = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
          "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
          "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("char", LISTED)
def test_each_listed_character_is_stripped_from_addresses_and_names(char):
    assert char in INVISIBLE_CHARACTERS
    assert normalize_email(f"ad{char}min@example.jp") == "admin@example.jp"
    assert normalize_email(f"{char}ADMIN@EXAMPLE.JP{char}") == "admin@example.jp"
    assert services.clean_display_name(f"管理{char}者") == "管理者"


def test_visible_text_is_left_alone():
    # Variation selectors (異体字) are visible and belong to Japanese names.
    assert normalize_identity("辻\U000E0100 太郎") == "辻\U000E0100 太郎"
    assert normalize_identity("  ﾀﾛｳ  ") == "タロウ"


def test_a_name_of_invisible_characters_only_is_missing():
    with pytest.raises(DomainError) as raised:
        services.clean_display_name("\u200b\u202e\u2066")
    assert raised.value.msgid == "Enter the name others will see."


def test_an_address_of_invisible_characters_only_is_refused_next_to_the_field(client, db, make):
    make.area()
    client.get("/lang/en")
    html = client.post("/auth/register",
                       data=register_data(email="\u200b\u200d")).get_data(as_text=True)
    assert '<p class="error" id="email-error">Enter an e-mail address' in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_hidden_character_does_not_register_beside_the_real_address(client, db, make):
    make.area()
    make.user("admin@example.jp", display_name="管理者")
    response = client.post("/auth/register", data=register_data(email="ad\u200bmin@example.jp"))
    assert response.status_code in (302, 303)
    emails = db.session.scalars(select(User.email)).all()
    assert emails == ["admin@example.jp"]


def test_profile_name_is_stored_without_an_override(client, db, make):
    sapporo = make.area()
    user = make.user("taro@example.jp", home_area=sapporo)
    from tests.conftest import login

    login(client, "taro@example.jp")
    client.post("/auth/profile", data={"display_name": "\u202e太郎\u202c",
                                       "home_area": "01100", "locale": "ja"})
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "太郎"


def test_login_team_and_admin_search_find_the_address_typed_with_a_hidden_character(db, make):
    user = make.user("taro@example.jp")
    assert services.find_user_by_email(db.session, "ta\u2060ro@example.jp").id == user.id
    assert [u.id for u in admin_services.search_users(db.session, "ta\u200bro").items] == [user.id]
    space = make.space()
    assignment = team.add_team_member(db.session, space, "\ufefftaro@example.jp", "moderator",
                                      actor=None)
    assert assignment.user_id == user.id
