"""Screenshots of the main pages at phone and desktop size, written to a folder (instance/
screenshots, or HIROBA_SCREENSHOT_DIR): `make screenshots` refreshes the four in the README.
The test also checks each picture is a real page, not an error, and small enough to ship."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import keep_inside
from tests.browser.pages import log_in
from tests.route_walk import EMAILS, build_world

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HIROBA_SCREENSHOT_DIR", "instance/screenshots"))
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LIMIT = 150_000  # bytes: the README's pictures stay small


def _pages(slug: str) -> dict[str, tuple[str | None, str]]:
    return {"home": (None, "/"), "space": (None, f"/spaces/{slug}/"),
            "transparency": (None, f"/spaces/{slug}/transparency"),
            "dashboard": ("facilitator", f"/spaces/{slug}/representation/")}


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_the_main_pages(app, db, browser, live_server, outside_requests, size):
    slug = build_world(db.session, app.config["SECRET_KEY"]).values["slug"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, (role, url) in _pages(slug).items():
        context = browser.new_context(base_url=live_server.url, locale="ja-JP",
                                      viewport=SIZES[size], device_scale_factor=1)
        keep_inside(context, outside_requests)
        try:
            page = context.new_page()
            if role:
                log_in(page, EMAILS[role])
            response = page.goto(url)
            assert response.status == 200, url
            path = SHOTS / f"{name}-{size}.png"
            page.screenshot(path=str(path))
            assert 5_000 < path.stat().st_size < LIMIT, (path, path.stat().st_size)
        finally:
            context.close()
