"""On a 390-px phone, without any script of ours: the one-tap "how are you connected to this
area?" after a first contribution outside one's home, and the page of one's ties."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import ResidencyTie
from app.representation.models import Participation
from tests.browser.conftest import PHONE, committed
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


def test_one_tap_question_and_ties_page_on_a_phone(open_page, make, db, browser_problems):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    otaru = make.area("01203", "小樽市", "Otaru", parent=hokkaido)
    make.area("01100", "札幌市", "Sapporo", parent=hokkaido)
    tokyo = make.area("13104", "新宿区", "Shinjuku")
    space = make.space("otaru-plan", area=otaru)
    taro = make.user("taro@example.jp", home_area=tokyo, residency=None)
    page = open_page(**PHONE, java_script_enabled=False)
    log_in(page, "taro@example.jp")

    page.goto(f"/spaces/{space.slug}/forum/new")
    page.fill("input[name=title]", "運河の散歩道")
    page.fill("textarea[name=body]", "冬も歩けるようにしてほしいです。")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/auth/connection/otaru-plan\?next=/spaces/"))
    assert "小樽市" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("button[name=kind][value=grew_up]")  # the one tap
    page.wait_for_url("**/spaces/otaru-plan/forum/threads/*")
    assert "運河の散歩道" in page.inner_text("main")
    session = committed(db)
    row = session.scalar(select(Participation).where(Participation.user_id == taro.id))
    assert (row.residency, row.residency_asked) == ("relationship", True)

    page.goto("/auth/profile/ties")
    assert "小樽市" in page.inner_text(".tie-list")
    page.fill("input[name=area]", "札幌市")
    page.check("input[name=kind][value=commuter]")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url("**/auth/profile/ties")
    assert "札幌市" in page.inner_text(".tie-list")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator(".tie-item").first
    first.locator("input[name=confirm]").check()
    first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert len(committed(db).scalars(select(ResidencyTie)).all()) == 1
    assert browser_problems == []
