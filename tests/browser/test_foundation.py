"""The foundation flows end to end in headless Chromium, with CSRF on: registering on a phone,
bad registration input, login / language / logout, a facilitator opening a space, and a password
reset through the mailed link. Each asserts on what the page shows and on the database."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import RoleAssignment, User
from app.accounts.services import check_password
from app.common.time import today_jst
from app.spaces.models import Space
from tests.browser.conftest import PHONE, committed
from tests.browser.pages import log_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a quiet walk by the toyohira river"
SCREENSHOT = "/tmp/hiroba-register-phone.png"


def html_lang(page) -> str:
    return page.get_attribute("html", "lang")


def user_by_email(db, email: str) -> User | None:
    return committed(db).scalar(select(User).where(User.email == email))


class Interactions:
    """A page whose fills, taps, checks and selections are counted (navigation is not)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def _counted(self, action: str, selector: str, *args) -> None:
        self.count += 1
        getattr(self.page, action)(selector, *args)

    def fill(self, selector, value):
        self._counted("fill", selector, value)

    def tap(self, selector):
        self._counted("tap", selector)

    def check(self, selector):
        self._counted("check", selector)

    def select(self, selector, value):
        self._counted("select_option", selector, value)


def test_register_on_a_phone_in_a_minute(app, monkeypatch, live_server, open_page, make, db,
                                          mail_log, browser_problems):
    # Mailed links are built on the configured address: here, the live server's.
    monkeypatch.setitem(app.config, "HIROBA_BASE_URL", live_server.url)
    sapporo = make.area()  # 01100
    page = open_page(**PHONE)
    person = Interactions(page)
    page.goto("/")
    person.tap("main a[href='/auth/register']")
    page.wait_for_url("**/auth/register")
    person.fill("input[name=email]", "Midori.Sato@Example.JP")
    person.fill("input[name=password]", NEW_PASSWORD)
    person.fill("input[name=display_name]", "さとう みどり")
    person.fill("input[name=home_area]", "01100")
    person.check("input[name=consent_demographics]")
    person.fill("input[name=birth_year]", "1996")
    person.select("select[name=gender]", "female")
    person.select("select[name=sector]", "civil_society")
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SCREENSHOT, full_page=True)
    person.tap("main form.stacked button[type=submit]")
    page.wait_for_url("**/auth/register/sent")
    assert person.count < 11, f"registration took {person.count} interactions"

    # The mailed link, then one button (a page, so mail scanners opening links confirm nothing).
    [mail] = [m for m in mail_log if "To: midori.sato@example.jp" in m]
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/register/confirm/\S+", mail).group(0)
    page.goto(link)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url(live_server("/"))

    assert "さとう みどり" in page.inner_text(".flash-success")
    assert page.locator("header .main-nav a[href='/auth/profile']").inner_text() == "さとう みどり"
    assert page.locator("header form[action='/auth/logout'] button").count() == 1
    assert page.locator("header a[href^='/auth/login']").count() == 0

    user = user_by_email(db, "midori.sato@example.jp")  # stored normalised
    assert user is not None and user.display_name == "さとう みどり"
    assert user.home_area_id == sapporo.id  # the only place asked: ties are per area
    assert user.locale == "ja" and check_password(user, NEW_PASSWORD)
    demo = user.demographics
    assert demo is not None and demo.consented_at is not None
    assert (demo.birth_year, demo.gender, demo.sector) == (1996, "female", "civil_society")
    assert browser_problems == []


def test_registration_errors_appear_next_to_fields_and_keep_the_input(open_page, make, db,
                                                                       mail_log,
                                                                       browser_problems):
    make.area()
    make.user("hanako@example.jp", display_name="先にいる花子", locale="en")  # reads English mail
    page = open_page(**PHONE)
    page.goto("/lang/en?next=/auth/register")
    page.fill("input[name=email]", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ")  # the same address, full-width
    page.fill("input[name=password]", "short")
    page.fill("input[name=display_name]", "山田 花子")
    page.fill("input[name=home_area]", "01100")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_selector("#password-error")

    assert "Use at least 10 characters." in page.inner_text("#password-error")
    assert page.get_attribute("input[name=password]", "aria-invalid") == "true"
    assert page.input_value("input[name=password]") == ""  # a password is never echoed back
    assert page.input_value("input[name=display_name]") == "山田 花子"
    assert page.input_value("input[name=home_area]") == "01100"

    assert page.locator("#email-error").count() == 0  # the taken address is not revealed

    # Once the form is acceptable, the page answers as for any address; the owner is told.
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url("**/auth/register/sent")
    assert page.locator("header form[action='/auth/logout']").count() == 0
    [mail] = [m for m in mail_log if "To: hanako@example.jp" in m]
    assert "Someone tried to register with your e-mail address" in mail

    names = committed(db).scalars(select(User.display_name)).all()
    assert names == ["先にいる花子"]
    assert browser_problems == []


def test_login_switch_language_and_log_out(open_page, make, db, browser_problems):
    user = make.user("kenji@example.jp", display_name="健二", locale="ja")
    page = open_page()
    log_in(page, "kenji@example.jp")
    assert page.url.endswith("/")
    assert html_lang(page) == "ja"
    assert page.inner_text("header .main-nav a[href='/auth/profile']") == "健二"

    page.click("header form.language-switch button[lang=en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("header form[action='/auth/logout'] button") == "Log out"
    assert page.url.endswith("/")  # back where the person was
    assert committed(db).get(User, user.id).locale == "en"

    page.click("header form.language-switch button[lang=ja]")
    page.wait_for_function("document.documentElement.lang === 'ja'")
    assert committed(db).get(User, user.id).locale == "ja"

    # CSRF is on: a POST without the form's token is refused, the session stays.
    assert page.request.post("/auth/logout", max_redirects=0).status == 400
    page.reload()
    assert page.locator("header form[action='/auth/logout'] button").count() == 1

    page.click("header form[action='/auth/logout'] button")
    page.wait_for_selector("header a[href^='/auth/login']")
    assert html_lang(page) == "ja"
    assert page.locator("header form[action='/auth/logout']").count() == 0
    assert page.locator("header a[href='/auth/profile']").count() == 0
    page.goto("/auth/profile")
    assert "/auth/login" in page.url  # the session is really gone
    assert browser_problems == []


def test_facilitator_creates_a_space_with_a_phase(open_page, make, db, browser_problems):
    sapporo = make.area()
    facilitator = make.user("staff@example.jp", roles=("facilitator",))
    today = today_jst()
    page = open_page()
    log_in(page, "staff@example.jp")
    page.goto("/lang/en?next=/spaces/")
    page.click("main a[href='/spaces/new']")
    page.wait_for_url("**/spaces/new")
    page.fill("input[name=title]", "第3次札幌市まちづくり戦略ビジョンの見直し")
    page.fill("input[name=slug]", "sapporo-vision-review")
    page.fill("input[name=area]", "01100")
    page.fill("textarea[name=description_md]", "**中間見直し**について話し合います。")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url("**/spaces/sapporo-vision-review/phases")
    assert "Add its phases next" in page.inner_text(".flash-success")
    assert "No phases yet" in page.inner_text("main")

    page.fill("input[name=name]", "意見募集")
    page.fill("input[name=starts_on]", (today - timedelta(days=1)).isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=30)).isoformat())
    page.check("input[name=accepts_input]")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_selector("main table tbody tr")
    row = page.locator("main table tbody tr").first
    assert "意見募集" in row.inner_text() and "Open for input" in row.inner_text()
    assert row.locator(".badge-now").count() == 1

    page.goto("/spaces/")
    card = page.locator("main .space-list li.card", has_text="ビジョンの見直し")
    assert card.count() == 1
    assert "Now: 意見募集" in card.inner_text() and "Sapporo" in card.inner_text()
    card.locator("a").first.click()
    page.wait_for_url("**/spaces/sapporo-vision-review/")
    assert page.locator("main strong", has_text="中間見直し").count() == 1

    session = committed(db)
    space = session.scalar(select(Space).where(Space.slug == "sapporo-vision-review"))
    assert space is not None and space.area_id == sapporo.id
    assert space.created_by_id == facilitator.id and space.visibility == "public"
    assert [(p.name, p.starts_on, p.ends_on, p.accepts_input) for p in space.phases] == [
        ("意見募集", today - timedelta(days=1), today + timedelta(days=30), True)]
    assert session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == facilitator.id, RoleAssignment.space_id == space.id,
        RoleAssignment.role == "facilitator")) is not None
    assert browser_problems == []


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def mail_log():
    """Mails written to the "hiroba.mail" log by any thread (caplog misses the server's)."""
    logger = logging.getLogger("hiroba.mail")
    handler, level = _Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.messages
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_password_reset_through_the_mailed_link(app, live_server, monkeypatch, open_page, make, db,
                                                mail_log, browser_problems):
    # Mailed links are built on the configured address (never the request's Host): here, the
    # live server's.
    monkeypatch.setitem(app.config, "HIROBA_BASE_URL", live_server.url)
    user = make.user("yui@example.jp", display_name="結衣", locale="en")
    page = open_page()
    page.goto("/auth/login")
    page.click("main a[href='/auth/reset']")
    page.fill("input[name=email]", "YUI@example.jp")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_selector("main .flash-success")
    assert page.locator("input[name=email]").count() == 0

    mails = [m for m in mail_log if "To: yui@example.jp" in m]
    assert len(mails) == 1 and "Subject: Reset your Hiroba password" in mails[0]
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/reset/\S+", mails[0]).group(0)

    page.goto(link)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url("**/auth/login")
    assert page.locator("main .flash-success").count() == 1
    assert check_password(committed(db).get(User, user.id), NEW_PASSWORD)

    log_in(page, "yui@example.jp", TEST_PASSWORD)  # the old password no longer works
    assert "/auth/login" in page.url and page.locator("main .flash-error").count() == 1
    log_in(page, "yui@example.jp", NEW_PASSWORD)
    assert page.url.endswith("/")
    assert page.inner_text("header .main-nav a[href='/auth/profile']") == "結衣"
    assert browser_problems == []

    response = page.goto(link)  # the link worked once
    assert response.status == 410
    assert page.locator("input[name=new_password]").count() == 0
    assert all("410" in problem for problem in browser_problems), browser_problems
