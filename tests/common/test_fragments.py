"""Cached fragments for anonymous readers (app/common/fragments.py, issue #15): a cached page
runs fewer statements, every write shows at once, hidden posts never come back from the cache,
each language has its own copy, logged-in readers never get (or leave) a shared copy, and with
Redis two app servers share the cache and its invalidation."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask import template_rendered

from app import create_app
from app.extensions import cache, cache_config
from app.extensions import db as app_db
from app.forum.models import Thread
from tests.forum.helpers import add_reply, forum_url, open_thread
from tests.people import client_as, client_for
from tests.proposals.helpers import published, supported_by
from tests.proposals.helpers import url as proposals_url
from tests.statements import recorded


@pytest.fixture
def fragment_cache(app):
    """The session's app with an in-memory fragment cache, for this test only."""
    cache.init_app(app, config=cache_config({**app.config, "CACHE_TYPE": "SimpleCache"}))
    cache.clear()
    yield cache
    cache.init_app(app, config=cache_config(app.config))


def _statements(client, path: str) -> tuple[str, int]:
    # A fresh session, as every production request has (the tests keep one app context, whose
    # session would otherwise answer from what earlier requests loaded).
    app_db.session.expunge_all()
    with recorded() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True), len(statements)


def _twice(client, path: str) -> tuple[str, int, str, int]:
    first, cold = _statements(client, path)
    second, warm = _statements(client, path)
    return first, cold, second, warm


@contextmanager
def _drawn(app):
    names: list[str] = []

    def remember(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(remember, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(remember, app)


def _main(html: str) -> str:
    """The page without its header (which holds the reader's own CSRF token)."""
    return html[html.index("<main"):]


def test_space_page_is_served_from_the_cache_the_second_time(app, fragment_cache, world):
    reader = client_for(app, world, "anonymous")
    path, title = f"/spaces/{world.space.slug}/", world.space.title
    with _drawn(app) as templates:
        first, cold, second, warm = _twice(reader, path)
    # its queries are in the space's own load (which every visit needs); the body is drawn once
    assert warm <= cold
    assert templates.count("spaces/_detail_body.html") == 1
    assert templates.count("spaces/detail.html") == 2
    assert _main(second) == _main(first)
    assert title in second


def test_without_the_cache_every_visit_costs_the_same(app, world):
    reader = client_for(app, world, "anonymous")
    path = f"/spaces/{world.space.slug}/"
    _, cold, _, warm = _twice(reader, path)
    assert warm == cold


def test_space_edit_shows_at_once(app, db, fragment_cache, world):
    reader = client_for(app, world, "anonymous")
    path = f"/spaces/{world.space.slug}/"
    reader.get(path)
    world.space.title = "南区のまちづくり"
    db.session.commit()
    assert "南区のまちづくり" in reader.get(path).get_data(as_text=True)


def test_a_reply_shows_at_once_on_the_cached_thread(app, db, fragment_cache, world):
    thread = open_thread(db, world.space, world.author)
    reader = client_for(app, world, "anonymous")
    path = forum_url(world.space, f"threads/{thread.id}")
    reply_path = forum_url(world.space, f"threads/{thread.id}/reply")
    writer = client_for(app, world, "participant")
    _, cold, _, warm = _twice(reader, path)
    assert warm < cold
    response = writer.post(reply_path,
                           data={"body": "夜の街灯も増やしてほしい。"})
    assert response.status_code == 302
    assert "夜の街灯も増やしてほしい。" in reader.get(path).get_data(as_text=True)


def test_a_hidden_post_never_comes_back_from_the_cache(app, db, fragment_cache, world):
    thread = open_thread(db, world.space, world.author)
    post = add_reply(db, thread, world.participant, "広告です。今すぐクリック")
    reader = client_for(app, world, "anonymous")
    path = forum_url(world.space, f"threads/{thread.id}")
    assert "今すぐクリック" in reader.get(path).get_data(as_text=True)  # cached now
    moderator = client_for(app, world, "moderator")
    response = moderator.post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
    assert response.status_code == 303
    for _ in range(2):  # drawn again, then from the cache again
        html = reader.get(path).get_data(as_text=True)
        assert "今すぐクリック" not in html
        assert "This post was hidden by a moderator." in html


def test_a_rolled_back_write_invalidates_nothing(app, db, fragment_cache, world):
    thread = open_thread(db, world.space, world.author)
    reader = client_for(app, world, "anonymous")
    path = forum_url(world.space, f"threads/{thread.id}")
    thread_id = thread.id
    _, cold = _statements(reader, path)
    db.session.get(Thread, thread_id).title = "書きかけ"
    db.session.flush()
    db.session.rollback()
    html, warm = _statements(reader, path)
    assert warm < cold  # still the cached copy: nothing was committed
    assert "書きかけ" not in html


def test_japanese_and_english_readers_get_their_own_copy(app, db, fragment_cache, world):
    thread = open_thread(db, world.space, world.author)
    path = forum_url(world.space, f"threads/{thread.id}")
    english = client_for(app, world, "anonymous", locale="en")
    japanese = client_for(app, world, "anonymous", locale="ja")
    assert "No replies yet." in english.get(path).get_data(as_text=True)
    html = japanese.get(path).get_data(as_text=True)
    assert "No replies yet." not in html
    assert "まだ返信はありません" in html or "返信" in html
    assert "No replies yet." in english.get(path).get_data(as_text=True)


def test_a_logged_in_reader_neither_gets_nor_leaves_a_shared_copy(app, db, fragment_cache,
                                                                   world):
    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.author, "最初の返信")
    path = forum_url(world.space, f"threads/{thread.id}")
    participant = client_for(app, world, "participant")
    mine = participant.get(path).get_data(as_text=True)
    assert 'name="csrf_token"' in mine  # reactions and the reply form are theirs
    anonymous = client_for(app, world, "anonymous")
    shown = _main(anonymous.get(path).get_data(as_text=True))
    assert 'name="csrf_token"' not in shown
    assert world.participant.display_name not in shown
    # and what an anonymous reader left in the cache never reaches the participant
    again = participant.get(path).get_data(as_text=True)
    assert 'action="/spaces/kita-plan/forum/posts/' in again or "reaction" in again
    assert again.count('name="csrf_token"') == mine.count('name="csrf_token"')
    for key in _stored_keys():
        stored = str(cache.get(key))
        assert 'name="csrf_token"' not in stored
        assert world.participant.display_name not in stored


def test_junk_arguments_are_not_cached(app, db, fragment_cache, world):
    thread = open_thread(db, world.space, world.author)
    reader = client_for(app, world, "anonymous")
    base = forum_url(world.space, f"threads/{thread.id}")
    reader.get(base + "?utm_source=x")
    reader.get(base + "?page=abc")
    assert not [k for k in _stored_keys() if k.startswith("frag:")]
    reader.get(base + "?page=1")
    assert [k for k in _stored_keys() if k.startswith("frag:")]


def _stored_keys() -> list[str]:
    return list(cache.cache._cache)  # SimpleCache keeps a dict (and needs no prefix)
