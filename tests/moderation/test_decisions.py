"""The moderators' queue and decisions: hide with a reason (the author sees why, others a
placeholder), restore, dismiss, block and unblock; each audited and told to the author."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.errors import DomainError
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.moderation import blocks, services
from app.moderation.models import Block, Flag
from app.notifications.models import Notification
from tests.forum.helpers import (add_reply, counts, forum_url, open_thread, opening_post, real_reply_count)
from tests.people import client_for


@pytest.fixture
def flagged(db, world):
    """A reply by the participant, flagged twice."""
    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.participant, "迷惑な宣伝です")
    services.flag_post(db.session, reply, world.author, "spam")
    services.flag_post(db.session, reply, world.facilitator, "off_topic")
    db.session.commit()
    return reply


def _audit(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_queue_lists_flagged_posts_once_with_their_count(app, db, world, flagged):
    html = client_for(app, world, "moderator").get("/moderation/").get_data(as_text=True)
    assert "迷惑な宣伝です" in html and f"/moderation/posts/{flagged.id}" in html
    assert '<td class="num">2</td>' in html


def test_queue_shows_only_the_spaces_a_moderator_moderates(app, db, make, world, flagged):
    other = make.space("other-space")
    elsewhere = add_reply(db, open_thread(db, other, world.author), world.participant, "よその投稿")
    services.flag_post(db.session, elsewhere, world.author, "spam")
    db.session.commit()
    mine = client_for(app, world, "moderator").get("/moderation/").get_data(as_text=True)
    assert "迷惑な宣伝です" in mine and "よその投稿" not in mine
    assert client_for(app, world, "moderator").get(
        f"/moderation/posts/{elsewhere.id}").status_code == 403
    everything = client_for(app, world, "admin").get("/moderation/").get_data(as_text=True)
    assert "迷惑な宣伝です" in everything and "よその投稿" in everything


def test_hide_with_reason(app, db, world, flagged):
    thread_id = flagged.thread_id
    client = client_for(app, world, "moderator")
    review = client.get(f"/moderation/posts/{flagged.id}").get_data(as_text=True)
    assert "Spam or advertising" in review and "Off-topic" in review
    response = client.post(f"/moderation/posts/{flagged.id}/hide",
                           data={"reason": "spam", "note": "宣伝は禁止です"})
    assert response.status_code == 303
    db.session.expire_all()
    post = db.session.get(Post, flagged.id)
    assert post.hidden_at and post.hidden_reason == "spam"
    assert post.hidden_by_id == world.moderator.id
    assert db.session.get(Thread, thread_id).reply_count == real_reply_count(db, thread_id) == 0
    assert {f.status for f in db.session.scalars(select(Flag))} == {"upheld"}
    [entry] = _audit(db, "post.hide")
    assert entry.actor_id == world.moderator.id and entry.target == f"post:{flagged.id}"
    assert entry.detail["reason"] == "spam" and entry.detail["flags_upheld"] == 2
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.participant.id))
    assert note.kind == "forum_moderation" and note.payload["decision"] == "hidden"
    # the queue is empty now
    assert "Nothing to review" in client.get("/moderation/").get_data(as_text=True)
    thread_url = forum_url(world.space, f"threads/{thread_id}")
    # the author sees the post and why
    author_view = client_for(app, world, "participant").get(thread_url).get_data(as_text=True)
    assert "迷惑な宣伝です" in author_view and "Hidden by a moderator." in author_view
    assert "Reason: Spam or advertising" in author_view and "宣伝は禁止です" in author_view
    notes = client_for(app, world, "participant").get("/notifications/").get_data(as_text=True)
    assert "A moderator hid your post" in notes and "Spam or advertising" in notes
    # everyone else sees a placeholder
    for role in ("anonymous", "author", "facilitator"):
        html = client_for(app, world, role).get(thread_url).get_data(as_text=True)
        assert "迷惑な宣伝です" not in html, role
        assert "This post was hidden by a moderator." in html, role
    # moderators see it, marked
    assert "迷惑な宣伝です" in client.get(thread_url).get_data(as_text=True)


@pytest.mark.parametrize("data, field, message", [
    ({}, "reason", "Choose a reason from the list."),
    ({"reason": ""}, "reason", "Choose a reason from the list."),
    ({"reason": "bogus"}, "reason", "Choose a reason from the list."),
    ({"reason": "other", "note": ""}, "note", "Please explain in a few words."),
    ({"reason": "spam", "note": "x" * 1001}, "note", "Please keep this under 1000 characters"),
])
def test_bad_hide_input_changes_nothing(app, db, world, flagged, data, field, message):
    response = client_for(app, world, "moderator").post(f"/moderation/posts/{flagged.id}/hide",
                                                        data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).hidden_at is None
    assert _audit(db, "post.hide") == [] and counts(db, Notification, kind="forum_moderation") == 0


def test_hiding_twice_is_refused(db, world, flagged):
    services.hide_post(db.session, flagged, world.moderator, "spam")
    db.session.commit()
    with pytest.raises(DomainError):
        services.hide_post(db.session, db.session.get(Post, flagged.id), world.moderator, "spam")
    db.session.rollback()
    assert db.session.get(Thread, flagged.thread_id).reply_count == 0


def test_restore(app, db, world, flagged):
    services.hide_post(db.session, flagged, world.moderator, "spam")
    db.session.commit()
    client = client_for(app, world, "moderator")
    hidden_list = client.get("/moderation/hidden").get_data(as_text=True)
    assert "迷惑な宣伝です" in hidden_list
    assert client.post(f"/moderation/posts/{flagged.id}/restore").status_code == 303
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).hidden_at is None
    assert db.session.get(Thread, flagged.thread_id).reply_count == 1
    assert len(_audit(db, "post.restore")) == 1
    assert counts(db, Notification, user_id=world.participant.id, kind="forum_moderation") == 2
    again = client.post(f"/moderation/posts/{flagged.id}/restore", follow_redirects=True)
    assert "This post is not hidden." in again.get_data(as_text=True)
    assert len(_audit(db, "post.restore")) == 1


def test_dismiss(app, db, world, flagged):
    client = client_for(app, world, "moderator")
    assert client.post(f"/moderation/posts/{flagged.id}/dismiss").status_code == 303
    assert {f.status for f in db.session.scalars(select(Flag))} == {"dismissed"}
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).hidden_at is None
    [entry] = _audit(db, "flag.dismiss")
    assert entry.detail["flags"] == 2
    again = client.post(f"/moderation/posts/{flagged.id}/dismiss", follow_redirects=True)
    assert "This post has no open flags." in again.get_data(as_text=True)
    assert len(_audit(db, "flag.dismiss")) == 1


def test_hidden_opening_post_hides_the_thread(app, db, world):
    thread = open_thread(db, world.space, world.author, title="宣伝スレッド")
    services.hide_post(db.session, opening_post(db, thread), world.moderator, "spam")
    db.session.commit()
    listing = client_for(app, world, "participant").get(forum_url(world.space)).get_data(
        as_text=True)
    assert "宣伝スレッド" not in listing
    page = client_for(app, world, "participant").get(
        forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert "宣伝スレッド" not in page and "Hidden thread" in page
    with pytest.raises(DomainError):
        forum.reply(db.session, db.session.get(Thread, thread.id), world.participant, "返信")
    db.session.rollback()
    assert "宣伝スレッド" in client_for(app, world, "author").get(
        forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert "宣伝スレッド" in client_for(app, world, "moderator").get(
        forum_url(world.space)).get_data(as_text=True)


def test_block_from_the_space_and_lift_it(app, db, world, flagged):
    client = client_for(app, world, "moderator")
    response = client.post(f"/moderation/posts/{flagged.id}/block",
                           data={"scope": "space", "reason": "宣伝の繰り返し"})
    assert response.status_code == 303
    block = db.session.scalar(select(Block))
    assert (block.user_id, block.space_id) == (world.participant.id, world.space.id)
    assert blocks.is_blocked(db.session, world.participant, world.space)
    [entry] = _audit(db, "user.block")
    assert entry.target == f"user:{world.participant.id}"
    assert entry.detail["space"] == world.space.slug
    participant = client_for(app, world, "participant")
    refused = participant.post(forum_url(world.space, "new"), data={"title": "題", "body": "本文"})
    assert refused.status_code == 422
    assert counts(db, Thread) == 1
    # a space moderator cannot block site-wide
    site = client.post(f"/moderation/posts/{flagged.id}/block",
                       data={"scope": "site", "reason": "x"})
    assert site.status_code == 422
    assert "Only site-wide moderators" in site.get_data(as_text=True)
    listing = client.get("/moderation/blocks").get_data(as_text=True)
    assert "参加 花子" in listing and "宣伝の繰り返し" in listing
    unconfirmed = client.post(f"/moderation/blocks/{block.id}/delete")
    assert unconfirmed.status_code == 303 and counts(db, Block) == 1
    assert client.post(f"/moderation/blocks/{block.id}/delete",
                       data={"confirm": "yes"}).status_code == 303
    assert counts(db, Block) == 0 and len(_audit(db, "user.unblock")) == 1
    assert participant.post(forum_url(world.space, "new"),
                            data={"title": "題", "body": "本文"}).status_code == 302


def test_site_wide_block_by_an_admin(app, db, make, world, flagged):
    client = client_for(app, world, "admin")
    assert client.post(f"/moderation/posts/{flagged.id}/block",
                       data={"scope": "site", "reason": "全体で禁止"}).status_code == 303
    other = make.space("other-space")
    assert blocks.is_blocked(db.session, world.participant, other)
    block = db.session.scalar(select(Block))
    # a space moderator sees the site-wide block but cannot lift it
    assert client_for(app, world, "moderator").post(
        f"/moderation/blocks/{block.id}/delete", data={"confirm": "yes"}).status_code == 403
    assert counts(db, Block) == 1


@pytest.mark.parametrize("data, message", [
    ({"scope": "space", "reason": ""}, "Please explain in a few words."),
    ({"scope": "elsewhere", "reason": "x"}, "Choose where the block applies."),
])
def test_bad_block_input_changes_nothing(app, db, world, flagged, data, message):
    response = client_for(app, world, "moderator").post(
        f"/moderation/posts/{flagged.id}/block", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert counts(db, Block) == 0 and _audit(db, "user.block") == []


def test_block_rules(db, world, flagged):
    services.block_user(db.session, world.moderator, world.participant, world.space, "一回目")
    db.session.commit()
    with pytest.raises(DomainError, match="already blocked"):
        services.block_user(db.session, world.moderator, world.participant, world.space, "二回目")
    with pytest.raises(DomainError, match="yourself"):
        services.block_user(db.session, world.moderator, world.moderator, world.space, "自分")
    with pytest.raises(DomainError, match="Moderators and administrators"):
        services.block_user(db.session, world.moderator, world.admin, world.space, "管理者")
    db.session.rollback()
    assert counts(db, Block) == 1


def test_site_wide_block_is_unique_in_the_database(db, world):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Block(user_id=world.participant.id, space_id=None, reason="a"))
    db.session.commit()
    db.session.add(Block(user_id=world.participant.id, space_id=None, reason="b"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_every_moderator_action_appears_in_the_admin_audit_page(app, db, world, flagged):
    client = client_for(app, world, "moderator")
    client.post(f"/moderation/posts/{flagged.id}/dismiss")
    client.post(f"/moderation/posts/{flagged.id}/hide", data={"reason": "harassment"})
    client.post(f"/moderation/posts/{flagged.id}/restore")
    client.post(f"/moderation/posts/{flagged.id}/block", data={"scope": "space", "reason": "r"})
    block = db.session.scalar(select(Block))
    client.post(f"/moderation/blocks/{block.id}/delete", data={"confirm": "yes"})
    admin = client_for(app, world, "admin")
    for action in ("flag.dismiss", "post.hide", "post.restore", "user.block", "user.unblock"):
        html = admin.get(f"/admin/audit?action={action}").get_data(as_text=True)
        assert f"<code>{action}</code>" in html, action


def test_a_hidden_post_cannot_be_edited_but_can_be_deleted_by_its_author(app, db, world, flagged):
    services.hide_post(db.session, flagged, world.moderator, "spam")
    db.session.commit()
    client = client_for(app, world, "participant")
    response = client.post(forum_url(world.space, f"posts/{flagged.id}/edit"),
                           data={"body": "こっそり書き換え"})
    assert response.status_code == 422
    assert "A post hidden by a moderator cannot be edited." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).body == "迷惑な宣伝です"
    assert client.post(forum_url(world.space, f"posts/{flagged.id}/delete"),
                       data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).deleted_at is not None
    assert db.session.get(Thread, flagged.thread_id).reply_count == 0   # not counted twice


def test_moderators_are_not_offered_a_block_of_another_moderator(app, db, world):
    thread = open_thread(db, world.space, world.admin, title="運営から")
    html = client_for(app, world, "moderator").get(
        f"/moderation/posts/{opening_post(db, thread).id}").get_data(as_text=True)
    assert f"/moderation/posts/{opening_post(db, thread).id}/block" not in html
    assert "Block the author" not in html
