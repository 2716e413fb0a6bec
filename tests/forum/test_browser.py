"""End to end in headless Chromium against a real server (CSRF on): open a thread, reply, react,
flag, and a moderator hides the flagged post; the author then sees why. Skipped when Chromium
or Playwright is not installed."""
from __future__ import annotations

import pytest

from app.moderation.models import Flag
from tests.browser.conftest import (PHONE, browser, browser_problems, committed,  # noqa: F401
                                    live_server, live_server_thread, open_page,
                                    outside_requests)
from tests.factories import TEST_PASSWORD
from tests.forum.helpers import counts
from tests.people import role_world

pytestmark = pytest.mark.browser


def _person(open_page, email, **options):
    page = open_page(**options)
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert "/auth/login" not in page.url
    return page


def test_thread_reply_react_flag_and_hide_in_a_browser(open_page, browser_problems, db, make,
                                                       tmp_path):
    world = role_world(make)
    forum = f"/spaces/{world.space.slug}/forum/"

    author = _person(open_page, world.author.email)
    author.goto(forum)
    author.click(f"a[href='/spaces/{world.space.slug}/forum/new']")
    author.fill("input[name=title]", "バス路線の見直し")
    author.fill("textarea[name=body]", "**平日の朝**に増便してほしいです。<script>alert(1)</script>")
    author.click("form.forum-form button[type=submit]")
    author.wait_for_selector("article.post-opening")
    assert author.inner_text("h1.thread-heading").strip() == "バス路線の見直し"
    assert author.locator("article.post-opening strong", has_text="平日の朝").count() == 1
    assert "<script>" in author.inner_text("article.post-opening .post-body")  # shown as text
    thread_url = author.url.split("#")[0]
    assert thread_url.startswith("http")

    reader = _person(open_page, world.participant.email, **PHONE)   # on a phone
    reader.goto(thread_url)
    reader.fill("textarea[name=body]", "賛成です。夕方もお願いします。")
    reader.click("#reply-form button[type=submit]")
    reader.wait_for_selector("ol.post-list article.post")
    assert "夕方もお願いします" in reader.inner_text("ol.post-list")
    reader.click("article.post-opening button[name=kind][value=agree]")
    reader.wait_for_selector("article.post-opening button[value=agree][aria-pressed=true]")
    assert reader.inner_text(
        "article.post-opening button[value=agree] .reaction-count").strip() == "1"
    reader.screenshot(path=str(tmp_path / "forum-thread.png"), full_page=True)
    reader.click("article.post-opening a.post-flag")
    reader.check("input[name=reason][value=spam]")
    reader.click("form.stacked button[type=submit]")
    reader.wait_for_url("**/threads/**")
    committed(db)
    assert counts(db, Flag) == 1

    moderator = _person(open_page, world.moderator.email)
    moderator.goto("/lang/en?next=/moderation/")           # this one works in English
    assert moderator.inner_text("h1").strip() == "Flagged posts"
    moderator.click("table a.button-small")
    moderator.select_option("select[name=reason]", "spam")
    moderator.fill("textarea[name=note]", "宣伝と判断しました")
    moderator.click("form[action$='/hide'] button[type=submit]")
    moderator.wait_for_selector(".flash-success")
    assert "The post is hidden." in moderator.inner_text(".flash-success")
    moderator.wait_for_url("**/moderation/")
    assert moderator.locator("table a.button-small").count() == 0

    reader.goto(thread_url)
    assert "バス路線の見直し" not in reader.inner_text("main")
    author.goto(thread_url)
    author.wait_for_selector(".notice-hidden")
    assert "宣伝と判断しました" in author.inner_text(".notice-hidden")
    author.screenshot(path=str(tmp_path / "forum-hidden-author.png"), full_page=True)
    reader.screenshot(path=str(tmp_path / "forum-hidden-reader.png"), full_page=True)
    assert browser_problems == []
