"""What a moderator hid reaches only the post's author and the space's moderators, and walking
numbers reveals nothing of unlisted spaces (issue #10: hidden content leaks)."""
from __future__ import annotations


from app.moderation import services as moderation
from tests.forum import helpers as forum
from tests.proposals import helpers as proposals
from tests.people import client_for, role_world

SECRET = "電話番号は090-1234-5678です"
TITLE_SECRET = "山田太郎さんの住所について"


def _hide(db, post, moderator):
    moderation.hide_post(db.session, post, moderator, "personal_information")
    db.session.commit()


# --- the flag form -------------------------------------------------------------------------

def test_the_flag_form_of_a_hidden_post_shows_nothing(app, db, world):
    thread = forum.open_thread(db, world.space, world.author)
    reply = forum.add_reply(db, thread, world.author, SECRET)
    _hide(db, reply, world.moderator)
    for role in ("participant", "facilitator"):
        response = client_for(app, world, role).get(f"/moderation/posts/{reply.id}/flag")
        assert response.status_code == 404, role
        assert "090-1234" not in response.get_data(as_text=True)


def test_the_flag_form_of_a_reply_does_not_show_a_hidden_threads_title(app, db, world):
    thread = forum.open_thread(db, world.space, world.author, title=TITLE_SECRET)
    reply = forum.add_reply(db, thread, world.facilitator, "返信です")
    _hide(db, forum.opening_post(db, thread), world.moderator)
    stranger = client_for(app, world, "participant")
    response = stranger.get(f"/moderation/posts/{reply.id}/flag?space={world.space.slug}")
    assert response.status_code == 404
    assert "山田太郎" not in response.get_data(as_text=True)
    # The hidden post's author still sees their own thread's title where they may flag.
    page = client_for(app, world, "author").get(f"/moderation/posts/{reply.id}/flag")
    assert page.status_code == 200 and TITLE_SECRET in page.get_data(as_text=True)


def test_the_flag_form_of_an_unlisted_space_needs_its_address_or_membership(app, db, make):
    world = role_world(make, slug="hidden-plan", visibility="unlisted",
                              title="非公開の検討会")
    thread = forum.open_thread(db, world.space, world.author)
    reply = forum.add_reply(db, thread, world.author, "返信です")
    walker = client_for(app, world, "participant")
    response = walker.get(f"/moderation/posts/{reply.id}/flag")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "hidden-plan" not in text and "非公開の検討会" not in text
    assert walker.get(f"/moderation/posts/{reply.id}/flag?space=wrong-slug").status_code == 404
    # The Report link on the space's own page carries the address, so those who can see the
    # space can flag.
    page = walker.get(forum.forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert f"/moderation/posts/{reply.id}/flag?space=hidden-plan" in page
    assert walker.get(f"/moderation/posts/{reply.id}/flag?space=hidden-plan").status_code == 200
    assert walker.post(f"/moderation/posts/{reply.id}/flag?space=hidden-plan",
                       data={"reason": "spam"}).status_code == 303
    # Its team, and those who took part (the author wrote there), reach it by number alone.
    assert client_for(app, world, "facilitator").get(
        f"/moderation/posts/{forum.opening_post(db, thread).id}/flag").status_code == 200


def test_the_edit_page_of_a_reply_in_a_hidden_thread_hides_the_title(app, db, world):
    thread = forum.open_thread(db, world.space, world.author, title=TITLE_SECRET)
    reply = forum.add_reply(db, thread, world.participant, "返信です")
    _hide(db, forum.opening_post(db, thread), world.moderator)
    page = client_for(app, world, "participant").get(
        forum.forum_url(world.space, f"posts/{reply.id}/edit")).get_data(as_text=True)
    assert "山田太郎" not in page and "Hidden thread" in page


# --- the proposals API ---------------------------------------------------------------------

def _hidden_proposal(db, world):
    from app.proposals import comments

    proposal = proposals.published(db, world.space, world.author, body=SECRET)
    _hide(db, comments.hidden_text_post(db.session, proposal) or
          forum.opening_post(db, comments.get_thread(db.session, proposal)), world.moderator)
    return proposal


def test_the_api_gives_a_hidden_text_only_to_its_author_and_the_moderators(app, db, world):
    proposal = _hidden_proposal(db, world)
    for role in ("anonymous", "participant", "facilitator"):
        response = client_for(app, world, role).get(f"/api/v1/proposals/{proposal.id}")
        assert response.status_code == 200, role
        assert response.json["body"] is None, role
        assert "090-1234" not in response.get_data(as_text=True)
    for role in ("author", "moderator"):
        response = client_for(app, world, role).get(f"/api/v1/proposals/{proposal.id}")
        assert response.json["body"] == SECRET, role
        assert "no-store" in response.headers["Cache-Control"]


def test_similar_proposals_do_not_match_on_a_hidden_text(app, db, world):
    proposal = _hidden_proposal(db, world)
    client = client_for(app, world, "participant")
    found = client.get(proposals.url(world.space, "similar?q=電話番号は090-1234-5678です")).json
    assert proposal.id not in [item["id"] for item in found["items"]]


def test_proposals_of_an_unlisted_space_are_absent_by_number(app, db, make):
    world = role_world(make, slug="closed-plan", visibility="unlisted")
    proposal = proposals.published(db, world.space, world.author)
    missing = client_for(app, world, "anonymous").get("/api/v1/proposals/999999")
    for role in ("anonymous", "participant", "other_facilitator"):
        response = client_for(app, world, role).get(f"/api/v1/proposals/{proposal.id}")
        assert response.status_code == 404, role
        assert response.json == missing.json
    for role in ("author", "facilitator", "moderator", "admin"):
        response = client_for(app, world, role).get(f"/api/v1/proposals/{proposal.id}")
        assert response.status_code == 200, role
        assert response.json["space"] == "closed-plan"
        assert "no-store" in response.headers["Cache-Control"]
    # Knowing the address is what an unlisted space asks: its list still answers.
    listed = client_for(app, world, "anonymous").get(
        "/api/v1/spaces/closed-plan/proposals").json
    assert [item["id"] for item in listed["items"]] == [proposal.id]
