"""A refused request writes nothing (app.common.unit_of_work): a form drawn again with the
reason answers 422, a refusal that goes back to the page stays a redirect, and in both cases no
table has gained or lost a row and nothing that was there has changed."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.forum import services
from app.forum.models import Post, Thread
from tests.forum.helpers import add_reply, forum_url, open_thread
from tests.people import client_for
from tests.route_walk import row_counts
from tests.dom import attribute


def test_a_reply_the_service_refuses_answers_422_and_writes_nothing(app, db, world):
    thread = open_thread(db, world.space, world.author)
    services.set_thread_state(db.session, thread, world.facilitator, "locked", True)
    db.session.commit()
    activity = thread.last_activity_at
    before = row_counts(db.session)
    response = client_for(app, world, "participant").post(
        forum_url(world.space, f"threads/{thread.id}/reply"), data={"body": "鍵の後の返信"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This thread is locked: it can be read but not changed." in html
    assert row_counts(db.session) == before   # no post, notification, ledger or audit row
    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    assert (stored.reply_count, stored.last_activity_at) == (0, activity)


def test_a_refused_new_thread_answers_422_and_writes_nothing(app, db, make):
    from tests.people import role_world

    world = role_world(make, accepts_input=False)
    before = row_counts(db.session)
    response = client_for(app, world, "participant").post(
        forum_url(world.space, "new"), data={"title": "題", "body": "本文"})
    assert response.status_code == 422
    assert "read-only" in response.get_data(as_text=True)
    assert row_counts(db.session) == before


def test_an_unconfirmed_delete_answers_422_and_keeps_the_post(app, db, world):
    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.participant, "まだ消さない")
    before = row_counts(db.session)
    response = client_for(app, world, "participant").post(
        forum_url(world.space, f"posts/{reply.id}/delete"))
    assert response.status_code == 422
    assert "Please tick the box to confirm." in response.get_data(as_text=True)
    assert row_counts(db.session) == before
    db.session.expire_all()
    assert db.session.get(Post, reply.id).body == "まだ消さない"


def test_a_refused_reaction_stays_a_redirect_and_writes_nothing(app, db, world):
    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.participant, "自分の返信")
    before = row_counts(db.session)
    client = client_for(app, world, "participant")
    response = client.post(forum_url(world.space, f"posts/{reply.id}/react"),
                           data={"kind": "agree"})
    assert response.status_code == 303
    assert row_counts(db.session) == before
    db.session.expire_all()
    assert db.session.get(Post, reply.id).agree_count == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot react to your own post." in page


def test_the_switch_on_a_refused_reply_does_not_lead_to_a_405(app, db, world):
    thread = open_thread(db, world.space, world.author)
    services.set_thread_state(db.session, thread, world.facilitator, "locked", True)
    db.session.commit()
    client = client_for(app, world, "participant")
    thread_page = forum_url(world.space, f"threads/{thread.id}")
    response = client.post(forum_url(world.space, f"threads/{thread.id}/reply"),
                           data={"body": "鍵の後の返信"}, headers={"Referer": f"http://localhost{thread_page}"})
    assert response.status_code == 422
    action = attribute(response.get_data(as_text=True), "form.language-switch", "action")
    back = parse_qs(urlsplit(action).query)["next"][0]
    assert back == thread_page
    assert client.get(back).status_code == 200
