"""Big requests: more than MAX_CONTENT_LENGTH is refused with 413 and a page in the reader's
language; a field far beyond its limit is refused next to the field without being sent back
(issue #10: a 20 MB form body was accepted and echoed)."""
from __future__ import annotations

import pytest

from tests.forum import helpers as forum
from tests.proposals import helpers as proposals
from tests.people import client_for, role_world

HUGE = "x" * (2 * 1024 * 1024)
LONG = "y" * 300_000  # under the request limit, thirty times a proposal's body


def test_a_body_over_the_limit_is_refused_with_413_in_japanese(client):
    response = client.post("/auth/login", data={"email": HUGE, "password": "p"})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "送信された内容が大きすぎます" in text
    assert "xxxxxxxxxx" not in text and len(text) < 20_000


def test_the_413_page_speaks_english_when_asked(client):
    client.get("/lang/en")
    response = client.post("/auth/register", data={"display_name": HUGE})
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_the_limit_is_a_setting(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] <= app.config["MAX_CONTENT_LENGTH"]


def _refused_without_echo(response, needle: str = "y") -> str:
    """Refused (422) with at most a limit's worth of the value drawn again (the largest limit
    is a proposal's 10,000 characters), never the 300,000 sent."""
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert text.count(needle) <= 10_000 + 100, text.count(needle)
    return text


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_proposal_field_far_too_long_is_refused_and_not_echoed(app, db, world, field):
    category = proposals.first_category(db, world.space)
    data = {"title": "題名", "body": "本文", "category": str(category.id), field: LONG}
    client = client_for(app, world, "participant")
    text = _refused_without_echo(client.post(proposals.url(world.space, "new"), data=data))
    assert "Use at most" in text


def test_a_proposal_number_field_far_too_long_is_not_echoed(app, db, world):
    proposal = proposals.published(db, world.space, world.author)
    client = client_for(app, world, "facilitator")
    response = client.post(proposals.url(world.space, f"{proposal.id}/status"),
                           data={"status": "merged", "merge_into": "9" * 300_000})
    _refused_without_echo(response, "9")


def test_a_forum_reply_far_too_long_is_refused_and_not_echoed(app, db, make):
    world = role_world(make)
    thread = forum.open_thread(db, world.space, world.author)
    client = client_for(app, world, "participant")
    text = _refused_without_echo(client.post(
        forum.forum_url(world.space, f"threads/{thread.id}/reply"), data={"body": LONG}))
    assert "Please keep this under" in text


def test_a_flag_note_far_too_long_is_refused_and_not_echoed(app, db, make):
    world = role_world(make)
    thread = forum.open_thread(db, world.space, world.author)
    client = client_for(app, world, "participant")
    post_id = forum.opening_post(db, thread).id
    _refused_without_echo(client.post(f"/moderation/posts/{post_id}/flag",
                                      data={"reason": "other", "note": LONG}))
