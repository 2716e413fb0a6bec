"""Shared fixtures for end-to-end tests in headless Chromium against a live server.

    live_server   the session `app` served on 127.0.0.1 (own thread, threaded=True) with CSRF ON,
                  so the real forms and their tokens are exercised; same database as the test.
    browser       a Playwright Chromium (Debian's /usr/bin/chromium), one per test module.
    open_page     open_page(**context_options) -> a Page in a fresh context (own cookies) whose
                  relative URLs go to the live server; console errors, page errors and failed
                  responses (>= 400) are collected in `browser_problems` for the test to assert on;
                  a request to any other host is refused and fails the test (outside_requests).
    committed     committed(db) -> the test session, rolled back so it sees what the server
                  committed (the test's own open transaction and identity map would not).

Tests outside this folder can use them with
    from tests.browser.conftest import (PHONE, browser, browser_problems, committed,  # noqa: F401
                                        live_server, live_server_thread, open_page,
                                    outside_requests)
Everything is skipped, with the reason, when Chromium or Playwright is missing or will not start.

Threads: the autouse `db` fixture keeps an app context open in the test's thread; werkzeug serves
each request in a new thread, where Flask pushes a fresh app context and Flask-SQLAlchemy gives
it its own session, so the server never shares the test's session or `g`.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A page that waits longer than this for the local server has found a bug, not a slow network.
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="module")
def live_server_thread(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for the loop's next turn.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="hiroba-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(live_server_thread, app, db):
    """The running server, with CSRF protection on for this test (restored afterwards).
    Depends on `db` so it is torn down before the tables are emptied."""
    previous = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield live_server_thread
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    try:
        playwright = sync_api.sync_playwright().start()
    except Exception as error:  # noqa: BLE001  (any failure to start means: skip, saying why)
        pytest.skip(f"playwright could not start: {error}")
    try:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001
        playwright.stop()
        pytest.skip(f"chromium could not be launched: {error}")
    try:
        yield instance
    finally:
        instance.close()
        playwright.stop()


def keep_inside(context, outside: list[str]) -> None:
    """Municipal networks are often closed: a page must never reach a host other than the local
    server. Every other request is refused and noted in `outside`, for the test to fail on."""
    def route(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", None) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")
    context.route("**/*", route)


@pytest.fixture
def outside_requests():
    """Requests the pages of this test tried to send to other hosts; any fails the test."""
    found: list[str] = []
    yield found
    assert not found, "pages reached outside hosts:\n" + "\n".join(found)


def _own_request(url: str) -> bool:
    """Requests the browser makes by itself, not because a page asked (the site has no icon)."""
    return url.endswith("/favicon.ico")


@pytest.fixture
def browser_problems() -> list[str]:
    """What went wrong inside the pages of this test (CSP violations, JS errors, 4xx/5xx)."""
    return []


@pytest.fixture
def open_page(browser, live_server, browser_problems, outside_requests):
    contexts = []

    def _open(**options):
        options = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", **DESKTOP, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        keep_inside(context, outside_requests)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: browser_problems.append(f"console: {m.text}")
                if m.type == "error" and not _own_request(m.location.get("url", ""))
                and "status of 422" not in m.text else None)
        page.on("pageerror", lambda e: browser_problems.append(f"page error: {e}"))
        # A refused form comes back as its page with 422 (app/common/unit_of_work.py): that is
        # the answer the test asked for, not a problem; any other error status is.
        page.on("response", lambda r: browser_problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 and not _own_request(r.url)
                and not (r.status == 422 and r.request.resource_type == "document") else None)
        return page

    yield _open
    for context in contexts:
        context.close()


def committed(db):
    """The test's session, ready to read what the live server has committed since."""
    db.session.rollback()
    db.session.expire_all()
    return db.session
