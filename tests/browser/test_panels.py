"""A citizens' panel end to end in headless Chromium on a 390 px phone, CSRF on: a facilitator
creates a call and opens it, a participant volunteers (answering what the profile lacks), the
facilitator closes it, runs the selection and picks the panel by a public number, the volunteer
sees their probability, and the public result shows the draw without a name."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.panels.models import PanelCall, PanelVolunteer
from tests.browser.conftest import PHONE, committed
from tests.browser.pages import assert_shown, log_in
from tests.panels.web_world import census, pool

pytestmark = pytest.mark.browser


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def _submit(page, form_selector: str) -> None:
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state()


def test_a_panel_from_call_to_public_result_on_a_phone(open_page, browser_problems, make, db):
    area = make.area()
    census(db.session)
    space = make.space("panel-walk", area=area)
    make.user("fac@example.jp", roles=(f"facilitator:{space.id}",), display_name="進行 役")
    make.user("vol@example.jp", display_name="応募 花子")

    fac = open_page(**PHONE)
    log_in(fac, "fac@example.jp")
    fac.goto("/spaces/panel-walk/")
    fac.click("text=市民パネル")
    fac.click("text=新しいパネルの募集")
    fac.fill("input[name=title]", "交通を考える市民パネル")
    fac.fill("textarea[name=description_md]", "6人で3回話し合います。")
    fac.fill("input[name=size]", "6")
    fac.fill("input[name=lottery_size]", "200")
    _submit(fac, "main form.stacked")
    assert fac.url.endswith("/quotas"), fac.url
    assert fac.input_value("input[name=gender__female__min]") == "2"
    assert _fits_the_phone(fac)
    _submit(fac, "main form.stacked")  # keep the proposal
    fac.check("form[action$='/status'] input[name=confirm]")
    _submit(fac, "form[action$='/status']")
    call = committed(db).scalar(select(PanelCall))
    assert call.status == "open"

    pool(make, call, 19)
    vol = open_page(**PHONE)
    log_in(vol, "vol@example.jp")
    vol.goto(f"/spaces/panel-walk/panels/{call.id}")
    vol.click("main a.button")  # 応募する
    vol.fill("input[name=birth_year]", "1999")
    vol.select_option("select[name=gender]", "female")
    _submit(vol, "main form.stacked")  # no consent yet: refused, the answers kept
    assert vol.input_value("input[name=birth_year]") == "1999"
    assert_shown(vol.locator("#consent_contact-error"))
    vol.check("input[name=consent_contact]")
    _submit(vol, "main form.stacked")
    number = committed(db).scalar(select(PanelVolunteer.number).where(
        PanelVolunteer.features["gender"].as_string() == "female").order_by(
        PanelVolunteer.created_at.desc()).limit(1))
    assert f"応募番号は {number}" in vol.inner_text("main")

    fac.check("form[action$='/status'] input[name=confirm]")
    _submit(fac, "form[action$='/status']")
    fac.fill("input[name=number_source]", "2027年1月の宝くじ1等の番号の下6桁")
    fac.check("form[action$='/run'] input[name=confirm]")
    _submit(fac, "form[action$='/run']")
    assert "最も低い選出確率" in fac.inner_text("main")
    fac.fill("input[name=public_number]", "777")
    fac.check("form[action$='/pick'] input[name=confirm]")
    _submit(fac, "form[action$='/pick']")
    text = fac.inner_text("main")
    assert "公表された数字 777 により" in text and "席" in text
    assert _fits_the_phone(fac)

    vol.reload()
    assert "選ばれる確率" in vol.inner_text("main")

    public = open_page(**PHONE)
    public.goto(f"/spaces/panel-walk/panels/{call.id}/result")
    shown = public.inner_text("main")
    assert "777" in shown and "レキシミン" in shown and "20" in shown
    assert "2027年1月の宝くじ1等の番号の下6桁" in shown
    assert "応募 花子" not in public.content() and "@example.jp" not in public.content()
    assert public.locator("a[href$='lottery.csv']").count() == 1
    assert _fits_the_phone(public)
    public.screenshot(path="/tmp/hiroba-panel-result-phone.png", full_page=True)
    assert browser_problems == []
