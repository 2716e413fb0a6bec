"""Flagging a post: the reasons, "other" needs a text, no flag on one's own post, a second
identical flag is refused (by the database too), and each refusal changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.errors import DomainError
from app.moderation import services
from app.moderation.models import FLAG_REASONS, Flag
from tests.forum.helpers import add_reply, counts, open_thread, opening_post
from tests.people import client_for


@pytest.fixture
def post(db, world):
    return opening_post(db, open_thread(db, world.space, world.author))


def _flag(client, post, **data):
    return client.post(f"/moderation/posts/{post.id}/flag", data=data)


@pytest.mark.parametrize("reason", FLAG_REASONS)
def test_each_reason_can_be_flagged(app, db, world, post, reason):
    client = client_for(app, world, "participant")
    page = client.get(f"/moderation/posts/{post.id}/flag")
    assert page.status_code == 200 and f'value="{reason}"' in page.get_data(as_text=True)
    note = "住所が書かれています" if reason == "other" else ""
    response = _flag(client, post, reason=reason, note=note)
    assert response.status_code == 303
    assert "Thank you. The moderators will look at this post." in client.get(
        response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    flag = db.session.scalar(select(Flag))
    assert (flag.post_id, flag.reporter_id, flag.reason, flag.status, flag.note) == \
        (post.id, world.participant.id, reason, "open", note)


@pytest.mark.parametrize("data, field, message", [
    ({}, "reason", "Choose a reason from the list."),
    ({"reason": "nonsense"}, "reason", "Choose a reason from the list."),
    ({"reason": "other"}, "note", "Please explain in a few words."),
    ({"reason": "other", "note": "   "}, "note", "Please explain in a few words."),
    ({"reason": "spam", "note": "x" * 1001}, "note", "Please keep this under 1000 characters"),
])
def test_bad_flags_get_a_message_next_to_the_field(app, db, world, post, data, field, message):
    response = _flag(client_for(app, world, "participant"), post, **data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert counts(db, Flag) == 0


def test_no_flag_on_ones_own_post(app, db, world, post):
    client = client_for(app, world, "author")
    for response in (client.get(f"/moderation/posts/{post.id}/flag"),
                     _flag(client, post, reason="spam")):
        assert response.status_code == 403
        assert "You cannot flag your own post." in response.get_data(as_text=True)
    with pytest.raises(DomainError):
        services.flag_post(db.session, post, world.author, "spam")
    assert counts(db, Flag) == 0


def test_second_identical_flag_is_refused_but_another_reason_is_accepted(app, db, world, post):
    client = client_for(app, world, "participant")
    assert _flag(client, post, reason="spam").status_code == 303
    again = _flag(client, post, reason="spam")
    assert again.status_code == 422
    assert "You have already flagged this post for this reason." in again.get_data(as_text=True)
    assert counts(db, Flag) == 1
    assert _flag(client, post, reason="harassment").status_code == 303
    assert counts(db, Flag) == 2


def test_identical_flag_is_a_database_constraint(db, world, post):
    db.session.add(Flag(post_id=post.id, reporter_id=world.participant.id, reason="spam"))
    db.session.commit()
    db.session.add(Flag(post_id=post.id, reporter_id=world.participant.id, reason="spam"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_no_flag_on_hidden_or_deleted_posts(db, world, post):
    from app.forum import services as forum

    hidden = add_reply(db, post.thread, world.facilitator, "隠す")
    services.hide_post(db.session, hidden, world.moderator, "spam")
    deleted = add_reply(db, post.thread, world.facilitator, "消す")
    forum.delete_post(db.session, deleted, world.facilitator)
    db.session.commit()
    for target in (hidden, deleted):
        with pytest.raises(DomainError):
            services.flag_post(db.session, target, world.participant, "spam")
    assert counts(db, Flag) == 0


def test_anonymous_must_log_in_to_flag(app, db, world, post):
    response = client_for(app, world, "anonymous").post(f"/moderation/posts/{post.id}/flag",
                                                        data={"reason": "spam"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert counts(db, Flag) == 0
