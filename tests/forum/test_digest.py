"""The forum e-mail digest: opt-in on /forum/settings, at most one e-mail per person per day
(a unique row per person and day), only unread forum notifications since the last digest."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common.time import today_jst
from app.forum import cli as forum_cli
from app.forum import digest
from app.forum.models import DigestSent
from app.notifications.models import Notification
from tests.forum.helpers import add_reply, counts, open_thread
from tests.people import client_for

BASE = "https://hiroba.example.jp/"


def _opt_in(db, user, on=True):
    db.session.get(User, user.id).forum_email_digest = on
    db.session.commit()


def test_settings_page_switches_the_digest_on_and_off(app, db, world):
    client = client_for(app, world, "author")
    page = client.get("/forum/settings").get_data(as_text=True)
    assert 'name="forum_email_digest"' in page and "checked" not in page
    assert client.post("/forum/settings", data={"forum_email_digest": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.author.id).forum_email_digest is True
    assert "checked" in client.get("/forum/settings").get_data(as_text=True)
    assert client.post("/forum/settings", data={}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.author.id).forum_email_digest is False


def test_digest_goes_only_to_people_who_opted_in(app, db, world, outbox):
    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.participant, "返信1")
    reply = add_reply(db, thread, world.facilitator, "返信2")
    add_reply(db, thread, world.author, "答え", reply_to=reply)   # notifies the facilitator
    _opt_in(db, world.author)
    assert forum_cli.send_digests(BASE) == 1
    [(to, subject, body)] = outbox
    assert to == world.author.email
    assert "2" in subject
    assert "参加 花子" in body and "進行 役" in body and "公園の整備について" in body
    assert f"{BASE}spaces/{world.space.slug}/forum/posts/" in body
    assert f"{BASE}forum/settings" in body


def test_never_two_digests_on_the_same_day(app, db, world, outbox):
    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.participant, "返信1")
    _opt_in(db, world.author)
    assert forum_cli.send_digests(BASE) == 1
    add_reply(db, thread, world.participant, "返信2")              # new, unread
    assert forum_cli.send_digests(BASE) == 0
    assert len(outbox) == 1
    assert counts(db, DigestSent, user_id=world.author.id) == 1
    # the next day, only what came after the last digest
    tomorrow = today_jst() + timedelta(days=1)
    assert forum_cli.send_digests(BASE, day=tomorrow) == 1
    body = outbox[-1][2]
    assert body.count(f"{BASE}spaces/") == 1


def test_the_day_is_a_database_constraint(db, world):
    day = date(2026, 4, 1)
    db.session.add(DigestSent(user_id=world.author.id, day=day))
    db.session.commit()
    db.session.add(DigestSent(user_id=world.author.id, day=day))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert digest.claim(db.session, db.session.get(User, world.author.id), day, 1) is False


def test_read_and_other_notifications_are_not_mailed(app, db, world, outbox):
    from app.notifications.services import notify

    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.participant, "返信")
    notify(db.session, world.author.id, "representation_alert", {"x": 1})
    for note in db.session.scalars(select(Notification).where(Notification.kind == "forum_reply")):
        note.read_at = note.created_at
    db.session.commit()
    _opt_in(db, world.author)
    assert forum_cli.send_digests(BASE) == 0 and outbox == []


def test_moderation_decisions_are_in_the_digest(app, db, world, outbox):
    from app.moderation import services as moderation

    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.participant, "宣伝")
    moderation.hide_post(db.session, reply, world.moderator, "spam")
    db.session.commit()
    _opt_in(db, world.participant)
    db.session.get(User, world.participant.id).locale = "en"
    db.session.commit()
    assert forum_cli.send_digests(BASE) == 1
    body = outbox[0][2]
    assert "A moderator hid your post" in body and "Spam or advertising" in body


def test_deleted_and_deactivated_people_get_nothing(app, db, world, outbox):
    from app.common.time import utcnow

    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.participant, "返信")
    _opt_in(db, world.author)
    db.session.get(User, world.author.id).active = False
    db.session.commit()
    assert forum_cli.send_digests(BASE) == 0
    author = db.session.get(User, world.author.id)
    author.active, author.deleted_at = True, utcnow()
    db.session.commit()
    assert forum_cli.send_digests(BASE) == 0 and outbox == []


def test_cli_command(app, db, world, outbox):
    thread = open_thread(db, world.space, world.author)
    add_reply(db, thread, world.participant, "返信")
    _opt_in(db, world.author)
    result = app.test_cli_runner().invoke(args=["forum", "send-digests", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    assert "1 digest e-mail(s) sent." in result.output
    again = app.test_cli_runner().invoke(args=["forum", "send-digests", "--base-url", BASE])
    assert "0 digest e-mail(s) sent." in again.output
    assert len(outbox) == 1
