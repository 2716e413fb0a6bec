"""Every page that renders HTML passes axe-core's WCAG 2.0–2.2 A and AA rules (JIS X 8341-3:2016
level AA is WCAG 2.0 AA), in Japanese and in English, on a phone (390 px) and a desktop (1280 px).

The pages come from the URL map, like the route walk (tests/route_walk.py), with the walk's
world: a new route is checked as soon as it exists. Each page is opened by one person who may
see it (anonymous where anyone may). axe-core is vendored (tests/browser/vendor) and evaluated
through the test browser, so the site's Content-Security-Policy stays strict. A violation of
serious or critical impact fails the test, naming page, rule and element; moderate and minor
ones are printed (pytest -s shows them) and written to the report file below."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, keep_inside
from tests.browser.pages import log_in
from tests.people import client_as
from tests.route_walk import ACCESS, EMAILS, build_world, plan_visits

# Markup does not depend on the database: the walk runs in the SQLite pass of CI only.
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the accessibility walk runs on SQLite")]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}
# Who opens a page: the least privileged person who may see it.
OPENERS = ("anonymous", "participant", "facilitator", "moderator", "admin")
# Where the walk writes what it found, for `make accessibility-report` (docs/accessibility.md).
REPORT_DIR = Path(os.environ.get("HIROBA_A11Y_REPORT_DIR", "instance/accessibility"))

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def _opener(endpoint: str) -> str | None:
    return next((role for role in OPENERS if role in ACCESS[endpoint]), None)


def html_pages(app, world) -> dict[str, list[str]]:
    """{role: [url, ...]}: every GET rule whose page is HTML (200, text/html) for its opener."""
    pages: dict[str, list[str]] = {}
    clients = {}
    for visit in plan_visits(app, world):
        role = _opener(visit.endpoint)
        if visit.method != "GET" or role is None:
            continue
        if role not in clients:
            clients[role] = client_as(app, None if role == "anonymous" else EMAILS[role])
        response = clients[role].get(visit.url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.setdefault(role, []).append(visit.url)
    return pages


def _log_in(page, role: str) -> None:
    if role != "anonymous":
        log_in(page, EMAILS[role])


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_every_page_passes_axe(app, db, browser, live_server, outside_requests, width, locale):
    world = build_world(db.session, app.config["SECRET_KEY"])
    pages = html_pages(app, world)
    assert sum(map(len, pages.values())) > 60, "the walk lost most of its pages"
    source = AXE.read_text(encoding="utf-8")
    blocking, reported = [], []
    for role, urls in pages.items():
        context = browser.new_context(base_url=live_server.url, locale="ja-JP",
                                      timezone_id="Asia/Tokyo",
                                      **(PHONE if width == "phone" else DESKTOP))
        keep_inside(context, outside_requests)
        try:
            page = context.new_page()
            _log_in(page, role)
            page.goto(f"/lang/{locale}")
            for url in urls:
                page.goto(url)
                assert page.evaluate("document.documentElement.lang") == locale, url
                page.evaluate(source)
                for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
                    line = (f"{width} {locale} {role} {url}: {violation['id']} "
                            f"({violation['impact']}) {violation['help']} at "
                            f"{'; '.join(violation['nodes'])}")
                    (blocking if violation["impact"] in BLOCKING else reported).append(line)
        finally:
            context.close()
    _write_report(width, locale, pages, blocking, reported)
    for line in reported:
        print("axe (moderate or minor):", line)
    assert not blocking, f"{len(blocking)} serious or critical violation(s):\n" + "\n".join(blocking)


def _write_report(width: str, locale: str, pages: dict, blocking: list, reported: list) -> None:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"axe-{width}-{locale}.json").write_text(json.dumps({
        "width": width, "locale": locale, "pages": sum(map(len, pages.values())),
        "axe_version": "4.14.1", "tags": WCAG_TAGS,
        "serious_or_critical": blocking, "moderate_or_minor": reported,
    }, ensure_ascii=False, indent=1), encoding="utf-8")


# WCAG 1.4.10 (reflow): at 320 CSS px, and at 200% zoom of a 1280-px window (640 CSS px), the
# page itself never scrolls sideways; wide tables scroll inside their own focusable box.
@pytest.mark.parametrize("width", [320, 640])
def test_no_page_scrolls_sideways(app, db, browser, live_server, outside_requests, width):
    world = build_world(db.session, app.config["SECRET_KEY"])
    too_wide = []
    for role, urls in html_pages(app, world).items():
        context = browser.new_context(base_url=live_server.url, locale="ja-JP",
                                      viewport={"width": width, "height": 800})
        keep_inside(context, outside_requests)
        try:
            page = context.new_page()
            _log_in(page, role)
            for url in urls:
                page.goto(url)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    widest = page.evaluate("""() => [...document.querySelectorAll('main *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                                     && !e.closest('.table-wrap'))
                        .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
                    too_wide.append(f"{role} {url}: {overflow}px wider than {width} ({widest})")
        finally:
            context.close()
    assert not too_wide, "pages that scroll sideways:\n" + "\n".join(too_wide)
