"""The browser tests refuse every request to another host (tests/browser/conftest.keep_inside),
and Hiroba's pages make none: no CDN, no web font, no analytics."""
from __future__ import annotations

import pytest

from tests.browser.conftest import keep_inside

pytestmark = pytest.mark.browser


def test_a_request_to_another_host_is_refused_and_noted(browser, live_server):
    outside: list[str] = []
    context = browser.new_context(base_url=live_server.url)
    keep_inside(context, outside)
    try:
        page = context.new_page()
        page.goto("/")
        with pytest.raises(Exception, match="ERR_BLOCKED_BY_CLIENT"):
            page.goto("http://example.com/")   # a navigation: the site's CSP cannot stop it
    finally:
        context.close()
    assert outside == ["http://example.com/"]


def test_the_home_page_and_a_space_reach_only_the_local_server(open_page, make, db):
    make.space("kita-plan", title="北区のまちづくり")
    db.session.commit()
    page = open_page()
    page.goto("/")
    page.goto("/spaces/kita-plan/")
    # outside_requests (used by open_page) fails the test at teardown if anything went out.
