"""A citizen writes a proposal in headless Chromium on a phone-sized screen: the similar
proposals appear while typing (the vendored script, no inline JS), the draft is previewed and
published; another person supports it. The Content-Security-Policy must never complain."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.proposals.models import Proposal
from tests.factories import TEST_PASSWORD
from tests.proposals.helpers import published, support_rows
from tests.browser.pages import assert_shown

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]
SHOTS = Path(os.environ.get("PROPOSAL_SCREENSHOTS", "/tmp/hiroba-proposal-screens"))


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/lang/en?next=/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_submit_preview_publish_support(live_server, world, db):
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    existing = published(db, world.space, world.participant, title="子ども食堂の拡充",
                         body="各区に子ども食堂を増やしてほしい。")
    base = f"{live_server}/spaces/{world.space.slug}/proposals"
    csp_errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            def new_page():
                context = browser.new_context(viewport={"width": 390, "height": 844},
                                              device_scale_factor=2, is_mobile=True,
                                              has_touch=True)
                page = context.new_page()
                page.on("console", lambda m: csp_errors.append(m.text)
                        if "Content Security Policy" in m.text else None)
                return page

            author = new_page()
            _log_in(author, live_server, "author@example.jp")
            author.goto(f"{base}/")
            author.get_by_role("link", name="Write a proposal").click()

            # Typing the title shows the similar proposal, fetched by the vendored script.
            author.get_by_label("Title").fill("子ども食堂を増やす")
            similar = author.locator("#similar-live")
            similar.wait_for(state="visible", timeout=10_000)
            assert_shown(similar.get_by_role("link", name="子ども食堂の拡充"))
            author.get_by_label("Your proposal").fill("各区に一つずつ、**子ども食堂**を。")
            author.get_by_label("Category").select_option(index=1)
            width = author.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the form is {width}px wide on a 390px screen"
            author.screenshot(path=str(SHOTS / "1-write.png"), full_page=True)
            author.get_by_role("button", name="Save draft and preview").click()

            # The preview renders the Markdown and lists the similar proposal without JS.
            assert_shown(author.get_by_role("heading", name="Preview your proposal"))
            assert author.locator(".proposal-body strong").inner_text() == "子ども食堂"
            assert_shown(author.locator(".similar-box").get_by_text("子ども食堂の拡充"))
            author.screenshot(path=str(SHOTS / "2-preview.png"), full_page=True)
            author.get_by_role("button", name="Publish").click()
            assert_shown(author.get_by_text("Your proposal is published."))
            assert_shown(author.get_by_role("heading", name="子ども食堂を増やす"))
            proposal_url = author.url

            supporter = new_page()
            _log_in(supporter, live_server, "part@example.jp")
            supporter.goto(proposal_url)
            supporter.get_by_role("button", name="Support this proposal").click()
            assert_shown(supporter.get_by_text("Thank you, your support is counted."))
            assert supporter.locator(".support-total strong").inner_text() == "1"
            assert_shown(supporter.get_by_role("button", name="Withdraw my support"))
            width = supporter.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the proposal is {width}px wide on a 390px screen"
            supporter.screenshot(path=str(SHOTS / "3-supported.png"), full_page=True)
        finally:
            browser.close()
    assert csp_errors == []
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal).where(Proposal.id != existing.id))
    assert proposal.status == "published" and proposal.author_id == world.author.id
    assert support_rows(db, proposal.id) == proposal.support_count == 1
