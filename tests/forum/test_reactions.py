"""Reactions: agree / disagree / helpful, one of each per person and post, toggled; counters
equal the rows; each reaction records participation."""
from __future__ import annotations

import pytest
from sqlalchemy import Delete, delete, select, update
from sqlalchemy.exc import IntegrityError

from app.common.errors import DomainError
from app.forum import services
from app.forum.models import Post, Reaction
from app.representation.models import Participation
from tests.forum.helpers import (add_reply, counts, forum_url, open_thread, opening_post, real_reaction_count)
from tests.people import client_for


@pytest.fixture
def post(db, world):
    return opening_post(db, open_thread(db, world.space, world.author))


def _react(client, world, post, kind):
    return client.post(forum_url(world.space, f"posts/{post.id}/react"), data={"kind": kind})


def test_reacting_toggles_and_counts(app, db, world, post):
    client = client_for(app, world, "participant")
    assert _react(client, world, post, "agree").status_code == 303
    assert _react(client, world, post, "helpful").status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Post, post.id)
    assert (fresh.agree_count, fresh.disagree_count, fresh.helpful_count) == (1, 0, 1)
    html = client.get(forum_url(world.space, f"threads/{post.thread_id}")).get_data(as_text=True)
    assert html.count('aria-pressed="true"') == 2
    assert _react(client, world, post, "agree").status_code == 303      # toggled off
    db.session.expire_all()
    fresh = db.session.get(Post, post.id)
    assert (fresh.agree_count, fresh.helpful_count) == (0, 1)
    for kind in ("agree", "disagree", "helpful"):
        assert fresh.reaction_count(kind) == real_reaction_count(db, post.id, kind)


def test_a_press_whose_row_another_tab_just_removed_adds_it_again(db, world, post, monkeypatch):
    """Two tabs press "helpful" on a given reaction at once: both inserts find the row, the
    other tab deletes it first, and this press's delete finds nothing. Taken one after the
    other the presses give off, then on; the second press must not be lost."""
    services.toggle_reaction(db.session, post, world.participant, "helpful")
    db.session.commit()
    execute = db.session.execute
    other_tab_done = []

    def racing_execute(statement, *args, **kwargs):
        if (isinstance(statement, Delete) and statement.table.name == Reaction.__tablename__
                and not other_tab_done):
            other_tab_done.append(True)   # the other tab's whole toggle, just before ours
            execute(delete(Reaction).where(Reaction.post_id == post.id))
            execute(update(Post).where(Post.id == post.id)
                    .values(helpful_count=Post.helpful_count - 1))
        return execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", racing_execute)
    pressed = services.toggle_reaction(db.session, post, world.participant, "helpful")
    monkeypatch.undo()
    assert other_tab_done and pressed is True
    db.session.commit()
    db.session.expire_all()
    assert other_tab_done
    fresh = db.session.get(Post, post.id)
    assert fresh.helpful_count == real_reaction_count(db, post.id, "helpful") == 1


def test_reaction_records_participation_in_the_ledger(db, world, post):
    services.toggle_reaction(db.session, post, world.participant, "helpful")
    db.session.commit()
    row = db.session.scalar(select(Participation).where(
        Participation.user_id == world.participant.id))
    assert row is not None and row.forum and row.space_id == world.space.id


def test_the_database_refuses_a_duplicate_reaction(db, world, post):
    db.session.add(Reaction(post_id=post.id, user_id=world.participant.id, kind="agree"))
    db.session.commit()
    db.session.add(Reaction(post_id=post.id, user_id=world.participant.id, kind="agree"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("kind", ["", "love", "AGREE", "agree_count"])
def test_unknown_reaction_kind_is_refused(app, db, world, post, kind):
    client = client_for(app, world, "participant")
    response = _react(client, world, post, kind)
    assert response.status_code == 303
    assert "Choose agree, disagree or helpful." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert counts(db, Reaction) == 0


def test_no_reaction_to_own_post(app, db, world, post):
    client = client_for(app, world, "author")
    followed = client.post(forum_url(world.space, f"posts/{post.id}/react"),
                           data={"kind": "agree"}, follow_redirects=True)
    assert "You cannot react to your own post." in followed.get_data(as_text=True)
    assert counts(db, Reaction) == 0


def test_no_reaction_to_hidden_or_deleted_posts(db, world, post):
    from app.moderation import services as moderation

    thread = post.thread
    hidden = add_reply(db, thread, world.facilitator, "隠す")
    moderation.hide_post(db.session, hidden, world.moderator, "off_topic")
    deleted = add_reply(db, thread, world.facilitator, "消す")
    services.delete_post(db.session, deleted, world.facilitator)
    db.session.commit()
    for target in (hidden, deleted):
        with pytest.raises(DomainError):
            services.toggle_reaction(db.session, db.session.get(Post, target.id),
                                     world.participant, "agree")
    assert counts(db, Reaction) == 0


def test_anonymous_sees_counts_but_no_buttons(app, db, world, post):
    services.toggle_reaction(db.session, post, world.participant, "agree")
    db.session.commit()
    html = client_for(app, world, "anonymous").get(
        forum_url(world.space, f"threads/{post.thread_id}")).get_data(as_text=True)
    assert "reactions-static" in html and 'name="kind"' not in html
    assert '<span class="reaction-count">1</span>' in html
