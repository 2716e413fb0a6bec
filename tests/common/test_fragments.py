"""Cached fragments for anonymous readers (app/common/fragments.py, issue #15): a cached page
runs fewer statements, every write shows at once, hidden posts never come back from the cache,
each language has its own copy, logged-in readers never get (or leave) a shared copy, and with
Redis two app servers share the cache and its invalidation."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask import template_rendered

from sqlalchemy import select

from app import create_app
from app.areas.models import Area
from app.extensions import cache
from app.extensions import db as app_db
from app.forum.models import Thread
from app.proposals import workflow
from app.representation import releases
from app.representation.population import load_shipped_population
from tests.dom import one
from tests.forum.helpers import add_reply, forum_url, open_thread
from tests.people import client_as, client_for
from tests.proposals.helpers import published, supported_by
from tests.proposals.helpers import url as proposals_url
from tests.representation.ledger_rows import add_rows
from tests.statements import recorded


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
    assert "No replies yet." not in html and "まだ返信はありません。" in html
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


# --- proposals ---------------------------------------------------------------------------------

def test_proposal_list_and_page_follow_supports_and_answers(app, db, fragment_cache, world):
    proposal = published(db, world.space, world.author, title="子ども食堂を増やす")
    list_path, page_path = proposals_url(world.space), proposals_url(world.space, f"{proposal.id}")
    reader = client_for(app, world, "anonymous")
    _, cold, _, warm = _twice(reader, list_path)
    assert warm < cold
    _, cold, _, warm = _twice(reader, page_path)
    assert warm < cold
    supporter = app_db.session.merge(world.participant)
    supported_by(db, app_db.session.merge(proposal), supporter)
    assert _support_total(reader.get(list_path).get_data(as_text=True)) == "1"
    assert one(reader.get(page_path).get_data(as_text=True), ".support-total strong").text() == "1"
    workflow.change_status(db.session, db.session.merge(proposal),
                           db.session.merge(world.facilitator), to_status="under_review",
                           answer="担当課で検討を始めました。")
    db.session.commit()
    html = reader.get(page_path).get_data(as_text=True)
    assert "担当課で検討を始めました。" in html and "Official answer" in html


def test_the_random_order_is_never_shared(app, db, fragment_cache, world):
    published(db, world.space, world.author)
    reader = client_for(app, world, "anonymous")
    reader.get(proposals_url(world.space, "?sort=random"))
    assert not [k for k in _stored_keys() if k.startswith("frag:")]


def _support_total(html: str) -> str:
    return one(html, ".proposal-item-count strong").text()


# --- transparency --------------------------------------------------------------------------------

def test_transparency_figures_are_drawn_once_per_release(app, db, fragment_cache, make):
    load_shipped_population(db.session, area_codes={"01100"})
    db.session.commit()
    space = make.space(slug="sapporo-review", transparency_public=True,
                       area=db.session.scalar(select(Area).where(Area.code == "01100")))
    add_rows(db.session, space, [{"age": 25, "gender": "female", "forum": True}] * 12
             + [{"age": 45, "gender": "male", "forum": True}] * 18)
    db.session.commit()
    releases.create_release(db.session, space, None, public_k=10, batch=5)
    db.session.commit()
    reader = client_as(app, None)
    path = "/spaces/sapporo-review/transparency"
    with _drawn(app) as templates:
        first = reader.get(path).get_data(as_text=True)
        second = reader.get(path).get_data(as_text=True)
    assert templates.count("representation/_transparency_body.html") == 1
    assert _main(first) == _main(second) and "Release 1" in second
    add_rows(db.session, space, [{"age": 30, "gender": "female", "forum": True}] * 10)
    releases.create_release(db.session, space, None, public_k=10, batch=5)
    db.session.commit()
    assert "Release 2" in reader.get(path).get_data(as_text=True)


# --- two app servers on one Redis ----------------------------------------------------------------

@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_two_app_servers_share_the_cache_and_its_invalidation(app, db, world):
    import redis

    url = os.environ["TEST_REDIS_URL"]
    store = redis.Redis.from_url(url)
    store.flushdb()
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
                "CACHE_KEY_PREFIX": "hiroba-test:"}
    one_server, other_server = create_app("test", settings), create_app("test", settings)
    try:
        thread = open_thread(db, world.space, world.author)
        path = forum_url(world.space, f"threads/{thread.id}")
        reply_path = forum_url(world.space, f"threads/{thread.id}/reply")
        reader_one = client_for(one_server, world, "anonymous")
        reader_other = client_for(other_server, world, "anonymous")
        writer = client_for(other_server, world, "participant")
        with _drawn(one_server) as drawn_one, _drawn(other_server) as drawn_other:
            reader_one.get(path)
            assert store.keys("hiroba-test:frag:*")
            assert "No replies yet." in reader_other.get(path).get_data(as_text=True)
        assert drawn_one.count("forum/_conversation.html") == 1
        assert drawn_other.count("forum/_conversation.html") == 0  # the first server's copy
        assert writer.post(reply_path, data={"body": "雪かきの当番表を作りましょう。"}
                           ).status_code == 302
        assert "雪かきの当番表を作りましょう。" in reader_one.get(path).get_data(as_text=True)
    finally:
        store.flushdb()
        for server in (one_server, other_server):
            with server.app_context():
                app_db.session.remove()
                app_db.engine.dispose()
