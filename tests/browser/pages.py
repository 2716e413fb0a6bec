"""Shortcuts of the browser tests that act as a person would."""
from __future__ import annotations

from tests.factories import TEST_PASSWORD


def log_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the login form (the page then shows wherever the login leads)."""
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_load_state()


def assert_shown(locator) -> None:
    """The element is visible, waiting for it as Playwright's expect() does: `is_visible()`
    answers at once, so right after a click that loads a page it may read the page before."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible()
