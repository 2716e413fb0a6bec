"""The language switch leads back to a page that answers a GET, also from a refused POST."""
from __future__ import annotations

from app.common.urls import return_path


def _adapter(app):
    return app.url_map.bind("localhost")


def test_a_get_page_comes_back_to_itself_with_its_query(app):
    assert return_path(_adapter(app), "GET", "/spaces/", "page=2", None) == "/spaces/?page=2"


def test_a_post_only_url_goes_back_to_the_same_site_page_the_form_was_on(app):
    adapter = _adapter(app)
    post_only = "/proposals/1/support"
    assert return_path(adapter, "POST", post_only, "", None) == "/"
    assert return_path(adapter, "POST", post_only, "", "http://localhost/spaces/?page=3") == "/spaces/?page=3"
    # another site's page, or a referrer that is itself POST-only, is never the way back
    assert return_path(adapter, "POST", post_only, "", "http://evil.example/spaces/") == "/"
    assert return_path(adapter, "POST", post_only, "", "http://localhost/proposals/1/support") == "/"


def test_a_url_that_answers_get_and_post_stays_itself(app):
    assert return_path(_adapter(app), "POST", "/auth/login", "", None) == "/auth/login"
