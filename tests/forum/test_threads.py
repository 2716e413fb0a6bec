"""Opening threads, the thread list (sorting, pinned first, pagination), the read-only states
and every bad input of the new-thread form."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.common.errors import DomainError
from app.forum import services
from app.forum.models import Post, Thread
from app.moderation.models import Block
from app.representation.models import Participation
from tests.forum.helpers import counts, forum_url, open_thread, thread_titles
from tests.people import client_for


def test_participant_opens_a_thread_with_the_stable_field_names(app, db, world):
    client = client_for(app, world, "participant")
    page = client.get(forum_url(world.space, "new"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="title"' in html and 'name="body"' in html
    response = client.post(forum_url(world.space, "new"),
                           data={"title": "除雪の時間帯", "body": "**早朝**の除雪をお願いします。"})
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert thread.title == "除雪の時間帯" and thread.author_id == world.participant.id
    assert thread.reply_count == 0
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "除雪の時間帯" in shown and "<strong>早朝</strong>" in shown
    assert "Your thread is open." in shown


def test_opening_a_thread_records_forum_participation(db, world):
    open_thread(db, world.space, world.participant)
    row = db.session.scalar(select(Participation))
    assert row.space_id == world.space.id and row.user_id == world.participant.id and row.forum


@pytest.mark.parametrize("title, body, field, message", [
    ("", "本文", "title", "Please enter a title."),
    ("   \u3000 ", "本文", "title", "Please enter a title."),
    ("\u200b\u200b", "本文", "title", "Please enter a title."),
    ("題名", "", "body", "Please write something."),
    ("題名", " \n\t\u3000 ", "body", "Please write something."),
    ("あ" * 151, "本文", "title", "Please keep this under 150 characters (it has 151)."),
    ("題名", "あ" * 10_001, "body", "Please keep this under 10000 characters (it has 10001)."),
])
def test_bad_new_thread_input_gets_a_message_and_changes_nothing(app, db, world, title, body,
                                                               field, message):
    client = client_for(app, world, "participant")
    response = client.post(forum_url(world.space, "new"), data={"title": title, "body": body})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert counts(db, Thread) == 0 and counts(db, Post) == 0 and counts(db, Participation) == 0
    if title.strip() and len(title) < 20:
        assert f'value="{title}"' in html  # what the person typed is kept


def test_limits_are_inclusive(db, world):
    thread = services.create_thread(db.session, world.space, world.participant, "題" * 150,
                                    "本" * 10_000)
    assert len(thread.title) == 150


def test_read_only_phase_shows_a_notice_and_refuses_writing(app, db, make):
    from tests.people import role_world

    world = role_world(make, accepts_input=False)
    client = client_for(app, world, "participant")
    html = client.get(forum_url(world.space)).get_data(as_text=True)
    assert "not accepting contributions in its current phase" in html
    assert forum_url(world.space, "new") not in html
    response = client.post(forum_url(world.space, "new"), data={"title": "題", "body": "本文"})
    assert response.status_code == 422
    assert "read-only" in response.get_data(as_text=True)
    assert counts(db, Thread) == 0


def test_space_without_phase_is_read_only(app, db, world):
    world.space.phases.clear()
    db.session.commit()
    with pytest.raises(DomainError):
        services.create_thread(db.session, world.space, world.participant, "題", "本文")


def test_forum_switched_off_is_not_found(app, db, make):
    from tests.people import role_world

    world = role_world(make, forum_enabled=False)
    client = client_for(app, world, "participant")
    assert client.get(forum_url(world.space)).status_code == 404
    assert client.post(forum_url(world.space, "new"),
                       data={"title": "題", "body": "本文"}).status_code == 404
    assert client.get("/spaces/no-such-space/forum/").status_code == 404


@pytest.mark.parametrize("site_wide", [False, True])
def test_blocked_person_cannot_open_a_thread(app, db, world, site_wide):
    db.session.add(Block(user_id=world.participant.id,
                         space_id=None if site_wide else world.space.id, reason="spam"))
    db.session.commit()
    client = client_for(app, world, "participant")
    html = client.get(forum_url(world.space)).get_data(as_text=True)
    assert "You have been blocked from writing in this space." in html
    response = client.post(forum_url(world.space, "new"), data={"title": "題", "body": "本文"})
    assert response.status_code == 422
    assert "blocked" in response.get_data(as_text=True)
    assert counts(db, Thread) == 0


def test_block_in_another_space_does_not_apply(app, db, make, world):
    other = make.space("other-space")
    db.session.add(Block(user_id=world.participant.id, space_id=other.id, reason="x"))
    db.session.commit()
    open_thread(db, world.space, world.participant)
    assert counts(db, Thread) == 1


def _age(db, thread, minutes):
    """Move a thread's times into the past (for ordering without sleeping)."""
    past = thread.created_at - timedelta(minutes=minutes)
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(created_at=past, last_activity_at=past))
    db.session.commit()


def _titles(client, space, query: str = "") -> list[str]:
    return thread_titles(client.get(forum_url(space, query)).get_data(as_text=True))


def test_sorting_and_pinned_first(app, db, world):
    old = open_thread(db, world.space, world.author, title="古い")
    middle = open_thread(db, world.space, world.author, title="中間")
    new = open_thread(db, world.space, world.author, title="新しい")
    _age(db, old, 30)
    _age(db, middle, 20)
    _age(db, new, 10)
    from tests.forum.helpers import add_reply

    add_reply(db, db.session.get(Thread, old.id), world.participant)    # old: latest activity
    add_reply(db, db.session.get(Thread, middle.id), world.participant)
    add_reply(db, db.session.get(Thread, middle.id), world.facilitator)  # middle: most replies
    client = client_for(app, world, "anonymous")
    assert _titles(client, world.space) == ["中間", "古い", "新しい"]
    assert _titles(client, world.space, "?sort=newest") == ["新しい", "中間", "古い"]
    assert _titles(client, world.space, "?sort=replies") == ["中間", "古い", "新しい"]
    assert _titles(client, world.space, "?sort=nonsense") == ["中間", "古い", "新しい"]
    services.set_thread_state(db.session, db.session.get(Thread, new.id), world.facilitator,
                              "pinned", True)
    db.session.commit()
    for sort in ("latest", "newest", "replies"):
        assert _titles(client, world.space, f"?sort={sort}")[0] == "新しい"


def test_thread_list_is_paginated(app, db, world):
    app.config["PER_PAGE"], per_page = 3, app.config["PER_PAGE"]
    try:
        for n in range(7):
            open_thread(db, world.space, world.author, title=f"スレッド{n}")
        client = client_for(app, world, "anonymous")
        first = client.get(forum_url(world.space)).get_data(as_text=True)
        assert "Page 1 of 3" in first and 'rel="next"' in first
        assert len(_titles(client, world.space)) == 3
        assert len(_titles(client, world.space, "?page=3")) == 1
        assert len(_titles(client, world.space, "?page=99")) == 1   # clamped to the last page
    finally:
        app.config["PER_PAGE"] = per_page


def test_thread_of_another_space_is_refused_with_a_message(app, db, make, world):
    other = make.space("other-space")
    foreign = open_thread(db, other, world.author, title="よそ")
    client = client_for(app, world, "participant")
    page = client.get(forum_url(world.space, f"threads/{foreign.id}"))
    assert page.status_code == 404
    assert "There is no such thread in this space." in page.get_data(as_text=True)
    response = client.post(forum_url(world.space, f"threads/{foreign.id}/reply"),
                           data={"body": "越境"})
    assert response.status_code == 404
    assert "There is no such thread in this space." in response.get_data(as_text=True)
    assert counts(db, Post, thread_id=foreign.id) == 1


@pytest.mark.parametrize("state, notice", [
    ("locked", "This thread is locked: it can be read but not changed."),
    ("closed", "This thread is closed: the discussion has ended."),
])
def test_locked_or_closed_thread_is_read_only(app, db, world, state, notice):
    thread = open_thread(db, world.space, world.author)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    services.set_thread_state(db.session, thread, world.facilitator, state, True)
    db.session.commit()
    client = client_for(app, world, "participant")
    html = client.get(forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert notice in html and 'id="reply-form"' not in html
    response = client.post(forum_url(world.space, f"threads/{thread.id}/reply"),
                           data={"body": "まだ書きたい"})
    assert response.status_code == 422 and notice in response.get_data(as_text=True)
    reacted = client.post(forum_url(world.space, f"posts/{post.id}/react"),
                          data={"kind": "agree"}, follow_redirects=True)
    assert notice in reacted.get_data(as_text=True)
    author = client_for(app, world, "author")
    edited = author.post(forum_url(world.space, f"posts/{post.id}/edit"), data={"body": "変更"})
    assert edited.status_code == 422, edited.get_data(as_text=True)[-2500:]
    db.session.expire_all()
    assert counts(db, Post, thread_id=thread.id) == 1
    assert db.session.get(Post, post.id).agree_count == 0
    assert db.session.get(Post, post.id).body == "北区の公園を整備してほしいです。"


def test_facilitator_pins_locks_and_closes_and_each_is_audited(app, db, world):
    from app.admin.models import AuditEntry

    thread = open_thread(db, world.space, world.author)
    client = client_for(app, world, "facilitator")
    for state, on, off in (("pinned", "thread.pin", "thread.unpin"),
                           ("locked", "thread.lock", "thread.unlock"),
                           ("closed", "thread.close", "thread.reopen")):
        url = forum_url(world.space, f"threads/{thread.id}/{state}")
        assert client.post(url, data={"value": "1"}).status_code == 303
        db.session.expire_all()
        assert getattr(db.session.get(Thread, thread.id), state) is True
        assert client.post(url, data={"value": "0"}).status_code == 303
        db.session.expire_all()
        assert getattr(db.session.get(Thread, thread.id), state) is False
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {on, off} <= actions
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "thread.pin"))
    assert entry.actor_id == world.facilitator.id and entry.target == f"thread:{thread.id}"
