"""Comments on proposals are forum posts in a thread of the proposal: the forum's Markdown,
post component, reply notifications and moderation (flag, hide, restore, audit) apply
unchanged, the thread stays out of the forum's list, and comments count as "proposals" in the
ledger."""
from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import func, select

from app.admin.models import AuditEntry
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.moderation import services as moderation
from app.moderation.models import Flag
from app.notifications.models import Notification
from app.proposals import comments, workflow
from app.representation.models import Participation
from tests.proposals.helpers import draft, published, url
from tests.people import client_for


def _comment(client, space, proposal, body, reply_to=""):
    return client.post(url(space, f"{proposal.id}/comments"),
                       data={"body": body, "reply_to": reply_to})


def test_publication_opens_a_thread_that_the_forum_does_not_list(app, world, db):
    proposal = published(db, world.space, world.author, body="本文の写し")
    thread = comments.get_thread(db.session, proposal)
    assert thread.module == "proposals" and thread.title == proposal.title
    assert thread.author_id == world.author.id
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))
    assert opening.body == "本文の写し"
    forum.create_thread(db.session, world.space, world.participant, "普通のスレッド", "本文")
    db.session.commit()
    listed = forum.list_threads(db.session, world.space)
    assert [t.title for t in listed.items] == ["普通のスレッド"]
    assert forum.list_threads(db.session, world.space, query=proposal.title).total == 0
    page = client_for(app, world, "anonymous").get(f"/spaces/{world.space.slug}/forum/")
    assert proposal.title not in page.text


def test_comment_reply_and_ledger(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "participant")
    response = _comment(client, world.space, proposal, "賛成です。**ぜひ**")
    assert response.status_code == 303
    post = db.session.scalar(select(Post).where(Post.is_opening.is_(False)))
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#post-{post.id}")
    page = client.get(url(world.space, f"{proposal.id}"))
    assert "<strong>ぜひ</strong>" in page.text and "1 comment" in page.text
    assert f'id="post-{post.id}"' in page.text
    # An answer to that comment, by the author.
    author = client_for(app, world, "author")
    assert _comment(author, world.space, proposal, "ありがとう", reply_to=str(post.id)) \
        .status_code == 303
    answer = db.session.scalar(select(Post).where(Post.reply_to_id == post.id))
    assert answer.parent_id == post.id
    # The ledger says "proposals", not "forum", for commenting on a proposal.
    row = db.session.scalar(select(Participation).where(
        Participation.user_id == world.participant.id))
    assert row.proposals and not row.forum
    # The forum's reply notifications reach the proposal's author and the comment's writer.
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (world.author.id, forum.KIND_REPLY) in kinds
    assert (world.participant.id, forum.KIND_REPLY) in kinds


def test_bad_comments_are_refused_with_a_message(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "participant")
    for body, message in (("   ", "Please write something."),
                          ("\u200b\u200b", "Please write something."),
                          ("あ" * 10_001, "Please keep this under 10000 characters")):
        response = _comment(client, world.space, proposal, body)
        assert response.status_code == 422
        assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Post).where(
        Post.is_opening.is_(False))) == 0
    # A reply to a post of another thread is refused too.
    other = forum.create_thread(db.session, world.space, world.author, "別", "本文")
    db.session.commit()
    response = _comment(client, world.space, proposal, "返信", reply_to=str(other.posts[0].id))
    assert response.status_code == 422 and "only answer a post in this thread" in response.text


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_comments_are_markdown_rendered_inert(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "participant")
    assert _comment(client, world.space, proposal,
                    '<img src=x onerror=alert(1)> [a](ｊａｖａｓｃｒｉｐｔ：alert(1)) '
                    '<script>x</script> [b](javascript:alert(1))').status_code == 303
    parser = _Tags()
    parser.feed(client.get(url(world.space, f"{proposal.id}")).text)
    assert not [t for t, _ in parser.tags if t in ("script", "img", "iframe")]
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    hrefs = [attrs.get("href") or "" for t, attrs in parser.tags if t == "a"]
    assert not [h for h in hrefs if "javascript" in h.lower() or "ｊａｖａ" in h]


def test_no_comments_on_drafts_merged_or_closed_phases(app, world, db):
    client = client_for(app, world, "participant")
    hidden = draft(db, world.space, world.author)
    assert _comment(client, world.space, hidden, "x").status_code == 404

    merged = published(db, world.space, world.author, title="A")
    target = published(db, world.space, world.author, title="B")
    workflow.merge(db.session, merged, target, world.facilitator)
    db.session.commit()
    response = _comment(client, world.space, merged, "まだ話したい")
    assert response.status_code == 422 and "was merged" in response.text

    world.space.phases[0].accepts_input = False
    db.session.commit()
    response = _comment(client, world.space, target, "閉じた後")
    assert response.status_code == 422
    page = client.get(url(world.space, f"{target.id}"))
    assert 'id="comment-form"' not in page.text


def test_with_the_forum_off_there_are_no_comments(app, make, db, world):
    space = make.space("no-forum", forum_enabled=False)
    proposal = published(db, space, world.author)
    assert proposal.comment_thread_id is None           # no thread while the forum is off
    client = client_for(app, world, "participant")
    page = client.get(url(space, f"{proposal.id}"))
    assert "Comments are part of the forum, which is switched off" in page.text
    assert _comment(client, space, proposal, "x").status_code == 422
    # Switched on later: the first comment opens the thread.
    space.forum_enabled = True
    db.session.commit()
    assert _comment(client, space, proposal, "今度は書ける").status_code == 303
    db.session.expire_all()
    assert comments.get_thread(db.session, proposal) is not None


def test_flag_hide_and_audit_of_a_comment(app, world, db):
    proposal = published(db, world.space, world.author)
    post = comments.add_comment(db.session, proposal, world.participant, "不適切な内容")
    db.session.commit()
    detail = client_for(app, world, "author").get(url(world.space, f"{proposal.id}"))
    assert f"/moderation/posts/{post.id}/flag" in detail.text     # the forum's flag link
    reporter = client_for(app, world, "author")
    response = reporter.post(f"/moderation/posts/{post.id}/flag",
                             data={"reason": "harassment", "note": ""})
    assert response.status_code == 303
    assert db.session.scalar(select(Flag.post_id)) == post.id
    queue = client_for(app, world, "moderator").get("/moderation/")
    assert "不適切な内容" in queue.text
    moderation.hide_post(db.session, post, world.moderator, "harassment", "")
    db.session.commit()
    others = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    assert "不適切な内容" not in others.text and "hidden by a moderator" in others.text
    own = client_for(app, world, "participant").get(url(world.space, f"{proposal.id}"))
    assert "不適切な内容" in own.text and "Hidden by a moderator." in own.text
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.target == f"post:{post.id}")) == "post.hide"


def test_hiding_the_opening_post_hides_the_proposal_text(app, world, db):
    proposal = published(db, world.space, world.author, body="宣伝です www.spam.example")
    opening = db.session.scalar(select(Post).where(Post.is_opening))
    page = client_for(app, world, "participant").get(url(world.space, f"{proposal.id}"))
    assert f"/moderation/posts/{opening.id}/flag" in page.text      # report the proposal
    moderation.hide_post(db.session, opening, world.moderator, "spam", "")
    db.session.commit()
    others = client_for(app, world, "participant").get(url(world.space, f"{proposal.id}"))
    assert "宣伝です" not in others.text
    assert "The text of this proposal was hidden by a moderator." in others.text
    assert 'id="comment-form"' not in others.text
    author = client_for(app, world, "author").get(url(world.space, f"{proposal.id}"))
    assert "宣伝です" in author.text and "Hidden by a moderator." in author.text


def test_the_opening_copy_cannot_be_edited_or_deleted_in_the_forum(app, world, db):
    proposal = published(db, world.space, world.author)
    opening = db.session.scalar(select(Post).where(
        Post.thread_id == proposal.comment_thread_id, Post.is_opening))
    client = client_for(app, world, "author")
    assert client.get(f"/spaces/{world.space.slug}/forum/posts/{opening.id}/edit").status_code == 403
    assert client.post(f"/spaces/{world.space.slug}/forum/posts/{opening.id}/delete",
                       data={"confirm": "yes"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, opening.id).deleted_at is None


def test_ensure_thread_is_idempotent(app, world, db):
    proposal = published(db, world.space, world.author)
    first = comments.ensure_thread(db.session, proposal)
    again = comments.ensure_thread(db.session, proposal)
    db.session.commit()
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 1


def test_a_refused_first_comment_answers_422_and_leaves_no_thread(app, make, db, world):
    # The first comment opens the thread before the forum refuses the answer (to a post of
    # another thread): the refusal rolls the new thread back with everything else.
    space = make.space("late-forum", forum_enabled=False)
    proposal = published(db, space, world.author)
    space.forum_enabled = True
    db.session.commit()
    elsewhere = published(db, world.space, world.author, title="別の提案")
    before = (db.session.scalar(select(func.count()).select_from(Thread)),
              db.session.scalar(select(func.count()).select_from(Post)),
              db.session.scalar(select(func.count()).select_from(Notification)))
    client = client_for(app, world, "participant")
    response = _comment(client, space, proposal, "返信",
                        reply_to=str(comments.get_thread(db.session, elsewhere).posts[0].id))
    assert response.status_code == 422 and "only answer a post in this thread" in response.text
    db.session.expire_all()
    assert comments.get_thread(db.session, proposal) is None
    assert (db.session.scalar(select(func.count()).select_from(Thread)),
            db.session.scalar(select(func.count()).select_from(Post)),
            db.session.scalar(select(func.count()).select_from(Notification))) == before
