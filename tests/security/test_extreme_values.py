"""Extreme numbers and dates on the routes this issue touched answer 400 with a message or 404,
never 500 (issue #10). These held already once the id converter stopped at PostgreSQL's
integer range; the tests keep it so."""
from __future__ import annotations

import pytest

from tests.people import client_for, role_world

HUGE = "9" * 40
VALUES = [HUGE, "-1", "0", "0001-01-01", "9999-12-31", "1e308", "１２", "9" * 5000]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("name", ["page", "per_page", "category"])
def test_the_proposals_api_list_answers_400_or_200(client, world, name, value):
    response = client.get(f"/api/v1/spaces/{world.space.slug}/proposals?{name}={value}")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert response.json["error"] and response.json["status"] == 400


@pytest.mark.parametrize("value", [HUGE, "2147483648", "0001-01-01", "-1"])
def test_proposal_and_post_numbers_out_of_range_are_404(app, db, make, value):
    world = role_world(make)
    client = client_for(app, world, "moderator")
    assert client.get(f"/api/v1/proposals/{value}").status_code == 404
    for path in (f"/moderation/posts/{value}/flag", f"/moderation/posts/{value}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("path", ["/moderation/", "/moderation/hidden", "/moderation/blocks"])
def test_moderation_lists_take_any_page_number(app, db, make, path, value):
    world = role_world(make)
    response = client_for(app, world, "moderator").get(f"{path}?page={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["xx", HUGE, "0001-01-01"])
def test_an_unknown_language_changes_nothing(client, code):
    assert client.post(f"/lang/{code}").status_code == 303
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)
