"""A participant answers a survey on a phone-sized screen (390 px wide) in headless Chromium."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import TEST_PASSWORD
from tests.browser.pages import assert_shown

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]
# Where the screenshots go (kept for looking at them after the run).
SHOTS = Path(os.environ.get("SURVEY_SCREENSHOTS", "/tmp/hiroba-survey-screens"))


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_answer_a_survey_on_a_phone(live_server, world, db):
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    survey_url = f"{live_server}/spaces/{world.space.slug}/surveys/{world.survey.id}/"
    csp_errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844},
                                          device_scale_factor=2, is_mobile=True, has_touch=True)
            page = context.new_page()
            page.on("console", lambda m: csp_errors.append(m.text)
                    if "Content Security Policy" in m.text else None)
            page.goto(f"{live_server}/lang/en?next=/auth/login")
            page.fill("input[name=email]", "part@example.jp")
            page.fill("input[name=password]", TEST_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.goto(survey_url)
            page.get_by_role("link", name="Start the survey").click()

            # section 1: missing answers get messages next to the questions
            assert_shown(page.get_by_text("Section 1 of 2"))
            page.get_by_role("button", name="Next").click()
            assert_shown(page.get_by_text("Please answer this question.").first)
            assert page.locator("p.error").count() == 2  # counted once the page has loaded
            page.screenshot(path=str(SHOTS / "1-errors.png"), full_page=True)

            # choosing バス reveals the conditional question on the same page
            page.get_by_label("バス").check()
            page.get_by_label("子育て").check()
            page.get_by_role("button", name="Next").click()
            assert_shown(page.get_by_text("More questions appeared"))
            page.get_by_label("バスの改善点").fill("本数を増やしてほしい")
            page.screenshot(path=str(SHOTS / "2-condition.png"), full_page=True)
            page.get_by_role("button", name="Next").click()

            # section 2: a scale, a number, a ranking and a long text
            assert_shown(page.get_by_text("Section 2 of 2"))
            page.locator(f"input[name=q{world.questions['likert'].id}][value='4']").check()
            page.get_by_label("居住年数").fill("１２")
            for rank, option in enumerate(world.questions["ranking"].options, 1):
                page.select_option(f"#q{world.questions['ranking'].id}_o{option.id}", str(rank))
            page.get_by_label("自由意見").fill("公園を増やしてほしい")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page is {width}px wide on a 390px screen"
            page.screenshot(path=str(SHOTS / "3-section2.png"), full_page=True)
            page.get_by_role("button", name="Review my answers").click()

            assert_shown(page.get_by_role("heading", name="Review your answers"))
            assert_shown(page.get_by_text("本数を増やしてほしい"))
            page.get_by_role("button", name="Send my answers").click()
            assert_shown(page.get_by_role("heading", name="Thank you!"))
            page.screenshot(path=str(SHOTS / "4-done.png"), full_page=True)
        finally:
            browser.close()
    assert csp_errors == []
    db.session.expire_all()
    from app.surveys.models import SurveyResponse

    response = db.session.query(SurveyResponse).one()
    assert response.submitted_at is not None and response.user_id == world.participant.id
