"""The prefecture page in a real browser, without JavaScript: a column is sorted from the
keyboard alone (Tab to its heading link, Enter), aria-sort follows, and on a 390-px phone the
wide table scrolls inside its own box while the page itself does not scroll sideways."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.representation.prefecture_fixtures import hokkaido, join, publish

pytestmark = pytest.mark.browser


@pytest.fixture
def hokkaido_page(make, db):
    _pref, towns = hokkaido(make, db.session, 3)
    for slug, code, young in (("br-sapporo", "01100", 10), ("br-otaru", "01203", 20)):
        space = make.space(slug, area=towns[code], transparency_public=True)
        join(db.session, space, 20, age=65, gender="male")
        join(db.session, space, young, age=25, gender="female")
        publish(db.session, space)
    return "/areas/01000/overview"


def _codes(page) -> list[str]:
    return page.eval_on_selector_all("tbody tr td:first-child",
                                     "cells => cells.map(c => c.textContent.trim())")


def test_sorting_from_the_keyboard_without_javascript(open_page, hokkaido_page, browser_problems):
    page = open_page(java_script_enabled=False)
    page.goto(hokkaido_page)
    assert _codes(page) == ["011002", "012025", "012033"]
    link = 'thead a[href*="sort=youth_share"]'
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", link):
            break
    else:
        raise AssertionError("the youth column cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    heading = 'thead th:has(a[href*="sort=youth_share"])'
    assert page.locator(heading).get_attribute("aria-sort") == "ascending"
    assert _codes(page) == ["011002", "012033", "012025"]  # 33% < 50%; Hakodate has none
    page.locator(link).press("Enter")
    page.wait_for_load_state()
    assert page.locator(heading).get_attribute("aria-sort") == "descending"
    assert _codes(page) == ["012033", "011002", "012025"]  # the row without a share stays last
    assert not browser_problems


def test_the_table_scrolls_in_its_box_on_a_phone(open_page, hokkaido_page):
    page = open_page(**PHONE)
    page.goto(hokkaido_page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert page.locator(".table-wrap[role=region][tabindex='0']").count() == 1
