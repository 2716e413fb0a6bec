"""Replies (with one level of nesting and quoting), editing within 30 minutes, deleting with a
placeholder, the reply notifications, and every bad input of the reply form."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.common.errors import DomainError
from app.forum import services
from app.forum.models import Post, Thread
from app.notifications.models import Notification
from app.representation.models import Participation
from tests.forum.helpers import (add_reply, counts, forum_url, open_thread, opening_post, real_reply_count)
from tests.people import client_for
from tests.dom import parse


@pytest.fixture
def thread(db, world):
    return open_thread(db, world.space, world.author)


def _thread_html(client, world, thread, query: str = "") -> str:
    return client.get(forum_url(world.space, f"threads/{thread.id}{query}")).get_data(as_text=True)


def test_reply_with_the_stable_field_name(app, db, world, thread):
    client = client_for(app, world, "participant")
    assert 'name="body"' in _thread_html(client, world, thread)
    response = client.post(forum_url(world.space, f"threads/{thread.id}/reply"),
                           data={"body": "私も*賛成*です。"})
    assert response.status_code == 302 and "#post-" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<em>賛成</em>" in html and "Your reply is posted." in html
    assert db.session.scalar(select(Participation.forum).where(
        Participation.user_id == world.participant.id)) is True


def test_answering_a_reply_nests_one_level_and_links_the_answered_post(app, db, world, thread):
    first = add_reply(db, thread, world.participant, "最初の返信")
    second = add_reply(db, thread, world.facilitator, "返信への返信", reply_to=first)
    third = add_reply(db, thread, world.author, "さらに返信", reply_to=second)
    assert (second.parent_id, second.reply_to_id) == (first.id, first.id)
    assert (third.parent_id, third.reply_to_id) == (first.id, second.id)  # still one level deep
    html = _thread_html(client_for(app, world, "anonymous"), world, thread)
    children = html.split('class="post-list post-children"')[1]
    assert f'id="post-{second.id}"' in children and f'id="post-{third.id}"' in children
    assert "in reply to" in children and "進行 役" in children


def test_answering_the_opening_post_is_a_top_level_reply(db, world, thread):
    post = add_reply(db, thread, world.participant, reply_to=opening_post(db, thread))
    assert post.parent_id is None and post.reply_to_id is None


def test_quote_prefills_the_reply_with_the_quoted_text(app, db, world, thread):
    first = add_reply(db, thread, world.participant, "一行目\n二行目")
    client = client_for(app, world, "facilitator")
    html = _thread_html(client, world, thread, f"?reply_to={first.id}&quote=1")
    body = parse(html).css_first('textarea[name="body"]').text()
    assert "> 参加 花子 wrote:" in body and "> 一行目" in body and "> 二行目" in body
    assert f'name="reply_to" type="hidden" value="{first.id}"' in html \
        or f'value="{first.id}"' in html
    assert "You are answering 参加 花子." in html


def _post_reply(client, world, thread, **data):
    return client.post(forum_url(world.space, f"threads/{thread.id}/reply"), data=data)


@pytest.mark.parametrize("body, message", [
    ("", "Please write something."),
    ("  \n\u3000\t", "Please write something."),
    ("\u200b", "Please write something."),
    ("あ" * 10_001, "Please keep this under 10000 characters (it has 10001)."),
])
def test_bad_reply_bodies_are_refused(app, db, world, thread, body, message):
    client = client_for(app, world, "participant")
    response = _post_reply(client, world, thread, body=body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="body-error"' in html and message in html
    db.session.expire_all()
    assert counts(db, Post, thread_id=thread.id) == 1
    assert db.session.get(Thread, thread.id).reply_count == 0


def test_reply_to_a_post_of_another_thread_or_garbage_is_refused(app, db, world, thread):
    other = open_thread(db, world.space, world.author, title="別のスレッド")
    foreign = add_reply(db, other, world.participant)
    client = client_for(app, world, "facilitator")
    for reply_to in (str(foreign.id), str(opening_post(db, other).id), "999999", "abc"):
        response = _post_reply(client, world, thread, body="返信", reply_to=reply_to)
        assert response.status_code == 422, reply_to
        assert "You can only answer a post in this thread." in response.get_data(as_text=True)
        assert "返信" in response.get_data(as_text=True)  # the text is kept
    assert counts(db, Post, thread_id=thread.id) == 1


def test_reply_to_a_hidden_or_deleted_post_is_refused(app, db, world, thread):
    from app.moderation import services as moderation

    hidden = add_reply(db, thread, world.participant, "隠される")
    moderation.hide_post(db.session, hidden, world.moderator, "spam")
    deleted = add_reply(db, thread, world.participant, "消される")
    services.delete_post(db.session, deleted, world.participant)
    db.session.commit()
    client = client_for(app, world, "facilitator")
    response = _post_reply(client, world, thread, body="返信", reply_to=str(hidden.id))
    assert response.status_code == 422
    assert "This post was hidden by a moderator and cannot be answered." in \
        response.get_data(as_text=True)
    response = _post_reply(client, world, thread, body="返信", reply_to=str(deleted.id))
    assert response.status_code == 422
    assert "This post was deleted and cannot be answered." in response.get_data(as_text=True)
    assert counts(db, Post, thread_id=thread.id) == 3
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == real_reply_count(db, thread.id) == 0


def test_reply_notifies_the_thread_author_and_the_answered_author_once_each(db, world, thread):
    first = add_reply(db, thread, world.participant, "返信")
    notes = list(db.session.scalars(select(Notification)))
    assert [(n.user_id, n.kind, n.payload["to"]) for n in notes] == \
        [(world.author.id, "forum_reply", "thread")]
    add_reply(db, thread, world.facilitator, "答え", reply_to=first)
    to = sorted((n.user_id, n.payload["to"]) for n in db.session.scalars(
        select(Notification).where(Notification.payload["post_id"].as_integer() > first.id)))
    assert to == sorted([(world.participant.id, "post"), (world.author.id, "thread")])
    add_reply(db, thread, world.author, "自分で")     # no notification to oneself
    assert counts(db, Notification, user_id=world.author.id) == 2


def test_reply_notification_renders_with_a_link_to_the_post(app, db, world, thread):
    reply = add_reply(db, thread, world.participant, "返信")
    client = client_for(app, world, "author")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "参加 花子 replied to your thread “公園の整備について”." in html
    note = db.session.scalar(select(Notification))
    target = client.post(f"/notifications/{note.id}/open").headers["Location"]
    assert target.endswith(forum_url(world.space, f"posts/{reply.id}"))
    landing = client.get(target)
    assert landing.headers["Location"].endswith(f"threads/{thread.id}#post-{reply.id}")


def test_author_edits_within_30_minutes_and_the_edit_is_marked(app, db, world, thread):
    post = opening_post(db, thread)
    client = client_for(app, world, "author")
    form = client.get(forum_url(world.space, f"posts/{post.id}/edit")).get_data(as_text=True)
    assert 'name="title"' in form and "北区の公園" in form
    response = client.post(forum_url(world.space, f"posts/{post.id}/edit"),
                           data={"title": "公園の整備（改題）", "body": "南区も含めて整備を。"})
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body == "南区も含めて整備を。" and post.edited_at is not None
    assert db.session.get(Thread, thread.id).title == "公園の整備（改題）"
    assert "edited" in client.get(forum_url(world.space, f"threads/{thread.id}")).get_data(
        as_text=True)


def test_unchanged_edit_is_not_marked(db, world, thread):
    post = opening_post(db, thread)
    assert services.edit_post(db.session, post, world.author, post.body, thread.title) is False
    assert post.edited_at is None


def test_edit_after_30_minutes_is_refused(app, db, world, thread):
    post = opening_post(db, thread)
    db.session.execute(update(Post).where(Post.id == post.id)
                       .values(created_at=post.created_at - timedelta(minutes=31)))
    db.session.commit()
    client = client_for(app, world, "author")
    html = client.get(forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert f"posts/{post.id}/edit" not in html
    response = client.post(forum_url(world.space, f"posts/{post.id}/edit"), data={"body": "遅い"})
    assert response.status_code == 422
    assert "Posts can be edited only within 30 minutes of writing them." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post.id).body == "北区の公園を整備してほしいです。"


@pytest.mark.parametrize("data, message", [
    ({"title": "", "body": "本文"}, "Please enter a title."),
    ({"title": "題", "body": " "}, "Please write something."),
    ({"title": "あ" * 151, "body": "本文"}, "Please keep this under 150 characters"),
])
def test_bad_edits_are_refused(app, db, world, thread, data, message):
    post = opening_post(db, thread)
    response = client_for(app, world, "author").post(
        forum_url(world.space, f"posts/{post.id}/edit"), data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).title == "公園の整備について"
    assert db.session.get(Post, post.id).edited_at is None


def test_author_deletes_a_reply_and_a_placeholder_stays(app, db, world, thread):
    reply = add_reply(db, thread, world.participant, "取り消したい内容")
    answer = add_reply(db, thread, world.facilitator, "それへの答え", reply_to=reply)
    client = client_for(app, world, "participant")
    confirm = client.get(forum_url(world.space, f"posts/{reply.id}/delete"))
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.get_data(as_text=True)
    unconfirmed = client.post(forum_url(world.space, f"posts/{reply.id}/delete"))
    assert unconfirmed.status_code == 422
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is None
    response = client.post(forum_url(world.space, f"posts/{reply.id}/delete"),
                           data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    gone = db.session.get(Post, reply.id)
    assert gone.deleted_at is not None and gone.body == "" and gone.search_text == ""
    assert db.session.get(Thread, thread.id).reply_count == real_reply_count(db, thread.id) == 1
    html = client.get(forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert "This post was deleted by its author." in html and "取り消したい内容" not in html
    assert "それへの答え" in html and f'id="post-{answer.id}"' in html
    again = client.post(forum_url(world.space, f"posts/{reply.id}/delete"), data={"confirm": "yes"})
    assert again.status_code == 403   # nothing left to delete
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 1


def test_deleting_is_allowed_in_a_locked_thread_and_a_closed_phase(app, db, world, thread):
    reply = add_reply(db, thread, world.participant, "消す")
    services.set_thread_state(db.session, thread, world.facilitator, "locked", True)
    world.space.phases[0].accepts_input = False
    db.session.commit()
    services.delete_post(db.session, db.session.get(Post, reply.id), world.participant)
    db.session.commit()
    assert db.session.get(Post, reply.id).deleted_at is not None


def test_only_the_author_may_edit_or_delete(db, world, thread):
    post = opening_post(db, thread)
    with pytest.raises(DomainError):
        services.edit_post(db.session, post, world.participant, "横取り")
    with pytest.raises(DomainError):
        services.delete_post(db.session, post, world.moderator)
    db.session.rollback()
    assert db.session.get(Post, post.id).deleted_at is None
