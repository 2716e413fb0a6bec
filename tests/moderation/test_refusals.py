"""A refused moderation request writes nothing (app.common.unit_of_work): a form drawn again
with the reason answers 422, a decision refused on the review page stays a redirect, and no
table has gained or lost a row (no block, flag, audit entry or notification)."""
from __future__ import annotations

from app.forum.models import Post
from app.moderation import services
from tests.forum.helpers import add_reply, open_thread, opening_post
from tests.people import client_for
from tests.route_walk import row_counts


def test_a_block_the_service_refuses_answers_422_and_writes_nothing(app, db, world):
    # A space moderator may review an admin's post but not block an administrator.
    thread = open_thread(db, world.space, world.admin, title="運営から")
    post = opening_post(db, thread)
    before = row_counts(db.session)
    response = client_for(app, world, "moderator").post(
        f"/moderation/posts/{post.id}/block", data={"scope": "space", "reason": "荒らし"})
    assert response.status_code == 422
    assert "Moderators and administrators cannot be blocked here" in \
        response.get_data(as_text=True)
    assert row_counts(db.session) == before


def test_a_second_identical_flag_answers_422_and_writes_nothing(app, db, world):
    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.author, "宣伝")
    services.flag_post(db.session, reply, world.participant, "spam")
    db.session.commit()
    before = row_counts(db.session)
    response = client_for(app, world, "participant").post(
        f"/moderation/posts/{reply.id}/flag?space={world.space.slug}",
        data={"reason": "spam", "note": "二度目"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="reason-error"' in html and "You have already flagged this post" in html
    assert row_counts(db.session) == before


def test_a_refused_decision_stays_a_redirect_and_writes_nothing(app, db, world):
    thread = open_thread(db, world.space, world.author)
    reply = add_reply(db, thread, world.participant, "問題のない返信")
    before = row_counts(db.session)
    client = client_for(app, world, "moderator")
    response = client.post(f"/moderation/posts/{reply.id}/dismiss")   # it has no flags
    assert response.status_code == 303
    assert row_counts(db.session) == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This post has no open flags." in page
    db.session.expire_all()
    assert db.session.get(Post, reply.id).hidden_at is None
