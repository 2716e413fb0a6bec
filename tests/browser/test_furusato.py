"""Furusato registration in a phone browser (390 px, JavaScript off): a person from Tokyo
registers with Sapporo in one form and gets a card that fits the screen, keeps its facts when
printed, and hides everything else on paper."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.furusato.models import FurusatoRegistration
from tests.browser.conftest import PHONE, committed
from tests.factories import TEST_PASSWORD
from tests.furusato.helpers import build_map
from tests.browser.pages import assert_shown

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", TEST_PASSWORD)
    page.click("main form button[type=submit]")
    assert page.locator("header form[action='/auth/logout']").count() == 1, "not logged in"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_registering_on_a_phone_and_showing_the_card(open_page, db, make, browser_problems,
                                                     language):
    places = build_map(make, db)
    person = make.user("furusato-phone@example.jp", display_name="東京 花子",
                       home_area=places.shinjuku, locale=language)
    db.session.commit()
    page = open_page(**PHONE, java_script_enabled=False)
    _log_in(page, person.email)
    page.goto(f"/lang/{language}?next=/furusato/")
    page.click("a[href='/furusato/01100/register']")

    page.click("main form.stacked button[type=submit]")  # nothing chosen: refused, kept
    assert_shown(page.locator("#tie_kind-error"))
    page.check("input[name=tie_kind][value=donations]")
    page.check("input[name=contact_consent]")
    page.click("main form.stacked button[type=submit]")

    row = committed(db).scalar(select(FurusatoRegistration).where(
        FurusatoRegistration.user_id == person.id, FurusatoRegistration.area_id
        == places.sapporo.id))
    assert row is not None and row.contact_consent and row.tie_kind == "donations"
    assert page.url.endswith(f"/furusato/card/{row.id}")
    card = page.locator(".furusato-card")
    assert row.number in card.inner_text()
    assert ("札幌市" if language == "ja" else "Sapporo") in card.inner_text()
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".no-print").is_hidden()
    assert_shown(card)
    assert row.number in card.inner_text()
    assert browser_problems == []
