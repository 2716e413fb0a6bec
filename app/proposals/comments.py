"""Comments on proposals are forum posts. Each published proposal gets a forum thread of its
own (module "proposals", so the forum does not list it) whose opening post is a copy of the
proposal's text; it is created at publication, or at the first comment if the space's forum was
off then. Replies, quoting, reactions, Markdown, flags, hiding, restoring, blocks, the
moderators' queue, the audit log and reply notifications are therefore the forum's and
moderation's own code, unchanged; posts in such a thread count in the ledger under "proposals".
A moderator who hides the opening post hides the proposal's text.

Comments follow the forum's rules too: with the space's forum switched off there are none."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.common.errors import N_, DomainError
from app.common.time import utcnow
from app.forum import search
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.proposals.models import Proposal
from app.proposals.services import check_writable

MODULE = "proposals"


def get_thread(session: Session, proposal: Proposal) -> Thread | None:
    if proposal.comment_thread_id is None:
        return None
    return session.get(Thread, proposal.comment_thread_id)


def ensure_thread(session: Session, proposal: Proposal) -> Thread:
    """The proposal's thread, created now if it has none. Two first comments at once: the
    conditional UPDATE lets one thread win and the other request drops its own."""
    thread = get_thread(session, proposal)
    if thread is not None:
        return thread
    now = utcnow()
    thread = Thread(space_id=proposal.space_id, author_id=proposal.author_id,
                    title=proposal.title, search_text=search.search_text(proposal.title),
                    module=MODULE, created_at=now, last_activity_at=now)
    thread.posts.append(Post(author_id=proposal.author_id, is_opening=True, body=proposal.body,
                             search_text=search.search_text(proposal.body), created_at=now))
    session.add(thread)
    session.flush()
    won = session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.comment_thread_id.is_(None))
        .values(comment_thread_id=thread.id)
        .execution_options(synchronize_session=False)).rowcount
    if not won:
        session.delete(thread)
        session.flush()
    session.expire(proposal, ["comment_thread_id"])
    return session.get(Thread, session.scalar(
        select(Proposal.comment_thread_id).where(Proposal.id == proposal.id)))


def open_discussion(session: Session, proposal: Proposal) -> Thread | None:
    """At publication: the proposal's thread, so it can be commented on and reported to the
    moderators from the start. Not while the space's forum is off (then at the first comment
    after it is switched on)."""
    if not proposal.space.forum_enabled:
        return None
    return ensure_thread(session, proposal)


def comment_refusal(session: Session, proposal: Proposal, user) -> str | None:
    """Why `user` cannot comment on the proposal now (an English msgid), or None."""
    if proposal.is_draft:
        return N_("A draft has no comments.")
    if proposal.status == "merged":
        return N_("This proposal was merged; the discussion continues on the proposal it was "
                  "merged into.")
    try:
        check_writable(session, proposal.space, user)
    except DomainError as error:
        return error.msgid
    refusal = forum.write_refusal(session, user, proposal.space)
    if refusal:
        return N_("Comments are part of the forum, which is switched off in this space.") \
            if not proposal.space.forum_enabled else refusal
    thread = get_thread(session, proposal)
    if thread is not None and thread.read_only:
        return N_("Comments on this proposal are closed.")
    if thread is not None and session.scalar(select(Post.id).where(
            Post.thread_id == thread.id, Post.is_opening, Post.hidden_at.is_not(None))):
        return N_("The text of this proposal was hidden by a moderator, so it takes no comments.")
    return None


def add_comment(session: Session, proposal: Proposal, user, body: str,
                reply_to_id: int | None = None) -> Post:
    """A comment (or an answer to one, `reply_to_id`) through the forum's reply service, whose
    refusals (DomainError) reach the caller as they are."""
    refusal = comment_refusal(session, proposal, user)
    if refusal:
        raise DomainError(refusal)
    forum.clean_text(body, forum.BODY_MAX, "body")  # refuse before creating the thread
    return forum.reply(session, ensure_thread(session, proposal), user, body, reply_to_id)


def comments_view(session: Session, proposal: Proposal, user, page: int, per_page: int, *,
                  after: int | None = None, before: int | None = None):
    """The forum's view of the proposal's thread (opening post, a page of comments, nested
    answers, the visitor's reactions), or None before the first comment."""
    thread = get_thread(session, proposal)
    if thread is None:
        return None
    return forum.thread_view(session, thread, user, page, per_page, after=after, before=before)


def lock_discussion(session: Session, proposal: Proposal, actor) -> None:
    """Close the comments of a merged proposal (audited by the forum as a thread lock)."""
    thread = get_thread(session, proposal)
    if thread is not None:
        forum.set_thread_state(session, thread, actor, "locked", True)


def hidden_text_post(session: Session, proposal: Proposal) -> Post | None:
    """The opening post of the proposal's thread when a moderator hid it (the proposal's text is
    then hidden wherever it is shown), else None."""
    if proposal.comment_thread_id is None:
        return None
    return session.scalar(select(Post).where(Post.thread_id == proposal.comment_thread_id,
                                             Post.is_opening, Post.hidden_at.is_not(None)))
