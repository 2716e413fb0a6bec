"""Forum rules: opening threads, replying, editing, deleting, reacting, and the facilitator's
pin / lock / close. No Flask here; functions take the session first and only flush.

Refusals raise DomainError (app.common.errors) before anything is written, so a refused action
changes nothing; the view translates its msgid in the reader's language."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, delete, exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from app.admin.services import audit
from app.common import invalidation
from app.common.errors import N_, DomainError
from app.common.markdown import render_markdown
from app.common.pagination import Page, paginate_keyset
from app.common.sql import dialect_insert
from app.common.time import utcnow
from app.forum import search
from app.forum.counters import change_reply_count
from app.forum.models import REACTION_KINDS, Post, Reaction, Thread
from app.moderation.blocks import is_blocked
from app.notifications.services import notify
from app.representation.ledger import record_participation
from app.spaces.eligibility import participation_refusal

TITLE_MAX = 150
BODY_MAX = 10_000
EDIT_WINDOW = timedelta(minutes=30)
EDIT_MINUTES = int(EDIT_WINDOW.total_seconds() // 60)
SORTS = ("latest", "newest", "replies")
THREAD_STATES = ("pinned", "locked", "closed")
# Characters that render as nothing: a title of only these is as empty as a blank one.
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u3164\u115f\u1160]+")

QUOTE_MAX = 600
KIND_REPLY = "forum_reply"


# --- checks --------------------------------------------------------------------------------

def clean_text(value: str | None, limit: int, field_name: str) -> str:
    """The text as it will be stored (surrounding whitespace trimmed), or DomainError when it is
    empty, only whitespace or invisible characters, or longer than `limit` characters."""
    text = (value or "").strip()
    if not _INVISIBLE.sub("", text):
        if field_name == "title":
            raise DomainError(N_("Please enter a title."), "title")
        raise DomainError(N_("Please write something."), field_name)
    if len(text) > limit:
        raise DomainError(N_("Please keep this under %(limit)d characters (it has %(length)d)."),
                          field_name, limit=limit, length=len(text))
    return text


def write_refusal(session: Session, user, space) -> str | None:
    """Why `user` cannot write in the forum of `space` right now (an English msgid), or None.
    Anonymous visitors get None: the view sends them to log in."""
    if not space.forum_enabled:
        return N_("The forum of this space is switched off.")
    if not space.accepts_input():
        return N_("This space is not accepting contributions in its current phase, so the "
                  "forum is read-only.")
    if user is not None and getattr(user, "is_authenticated", False) and \
            is_blocked(session, user, space):
        return N_("You have been blocked from writing in this space.")
    return participation_refusal(session, user, space)


def _check_writable(session: Session, user, space) -> None:
    reason = write_refusal(session, user, space)
    if reason:
        raise DomainError(reason)


def _check_thread_open(session: Session, thread: Thread) -> None:
    if session.scalar(select(_opening_hidden(thread.id))):
        raise DomainError(N_("This thread was hidden by a moderator."))
    if thread.locked:
        raise DomainError(N_("This thread is locked: it can be read but not changed."))
    if thread.closed:
        raise DomainError(N_("This thread is closed: the discussion has ended."))


def edit_window_open(post: Post, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= post.created_at + EDIT_WINDOW


def check_edit_window(post: Post, now: datetime | None = None) -> None:
    """DomainError once EDIT_WINDOW has passed since the post was written."""
    if not edit_window_open(post, now):
        raise DomainError(N_("Posts can be edited only within %(minutes)d minutes of writing "
                             "them."), minutes=EDIT_MINUTES)


# --- reading -------------------------------------------------------------------------------

def get_thread(session: Session, space, thread_id: int) -> Thread | None:
    """The thread if it belongs to `space` (None for a thread of another space)."""
    return session.scalar(select(Thread).where(Thread.id == thread_id,
                                               Thread.space_id == space.id))


def get_post(session: Session, space, post_id: int) -> Post | None:
    """The post if its thread belongs to `space`, with its thread loaded."""
    return session.scalar(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.id == post_id, Thread.space_id == space.id)
        .options(selectinload(Post.thread))
    )


def post_in_thread(session: Session, thread: Thread, post_id: int) -> Post | None:
    """The post `post_id` if it belongs to `thread` (None otherwise)."""
    post = session.get(Post, post_id)
    return post if post is not None and post.thread_id == thread.id else None


def reply_quote(post: Post, gettext) -> str | None:
    """The start of a reply that quotes `post`: "> Name wrote:" and its text (cut at QUOTE_MAX
    characters) as a Markdown quote; None for a deleted or hidden post, which has nothing left
    to quote. `gettext` speaks the reader's language (services never translate themselves)."""
    if post.is_deleted or post.is_hidden:
        return None
    excerpt = post.body if len(post.body) <= QUOTE_MAX else \
        post.body[:QUOTE_MAX].rstrip() + "…"
    name = post.author.public_name if post.author else gettext("Deleted user")
    return "> " + gettext("%(name)s wrote:", name=name) + "\n>\n" + "\n".join(
        "> " + line for line in excerpt.splitlines()) + "\n\n"


def _opening_hidden(thread_id_column):
    return exists(select(Post.id).where(Post.thread_id == thread_id_column, Post.is_opening,
                                        Post.hidden_at.is_not(None)))


def list_threads(session: Session, space, *, sort: str = "latest", query: str | None = None,
                 page: int = 1, per_page: int = 20, include_hidden: bool = False,
                 after: int | None = None, before: int | None = None) -> Page:
    """Threads of the space, pinned first, then by `sort`; only those matching `query` when one
    is given. Threads whose opening post is hidden are left out unless `include_hidden`. Pages
    by keyset (`after` / `before` a thread id)."""
    stmt = (select(Thread).where(Thread.space_id == space.id, Thread.module == "forum")
            .options(selectinload(Thread.author)))
    if not include_hidden:
        stmt = stmt.where(~_opening_hidden(Thread.id))
    clause = search.matches(search.query_terms(query))
    if clause is not None:
        stmt = stmt.where(clause)
    order = {
        "latest": ("last_activity_at",),
        "newest": ("created_at",),
        "replies": ("reply_count", "last_activity_at"),
    }[sort if sort in SORTS else "latest"]
    return paginate_keyset(session, stmt, Thread, ("pinned", *order, "id"), page, per_page,
                           descending=True, after=after, before=before)


@dataclass
class ThreadView:
    opening: Post
    replies: Page                    # top-level replies of this page
    children: dict[int, list[Post]] = field(default_factory=dict)   # nested under each
    my_reactions: set[tuple[int, str]] = field(default_factory=set)


def thread_view(session: Session, thread: Thread, user, page: int, per_page: int, *,
                after: int | None = None, before: int | None = None) -> ThreadView:
    """One page of the conversation: the opening post, top-level replies in order (by keyset:
    `after` / `before` a reply id), and the replies nested under them; the same queries
    whatever the page holds and however deep it is."""
    with_people = (selectinload(Post.author), selectinload(Post.reply_to).selectinload(Post.author))
    opening = session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening)
                             .options(*with_people))
    stmt = (select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(False),
                               Post.parent_id.is_(None))
            .options(*with_people))
    replies = paginate_keyset(session, stmt, Post, ("id",), page, per_page, descending=False,
                              after=after, before=before)
    children: dict[int, list[Post]] = {}
    top_ids = [p.id for p in replies.items]
    if top_ids:
        for child in session.scalars(select(Post).where(Post.parent_id.in_(top_ids))
                                     .order_by(Post.id).options(*with_people)):
            children.setdefault(child.parent_id, []).append(child)
    mine: set[tuple[int, str]] = set()
    if user is not None and getattr(user, "is_authenticated", False):
        ids = [opening.id] + top_ids + [c.id for group in children.values() for c in group]
        rows = session.execute(select(Reaction.post_id, Reaction.kind).where(
            Reaction.user_id == user.id, Reaction.post_id.in_(ids)))
        mine = {(post_id, kind) for post_id, kind in rows}
    return ThreadView(opening=opening, replies=replies, children=children, my_reactions=mine)


def page_of_post(session: Session, post: Post, per_page: int) -> int:
    """The thread page on which `post` appears (nested replies sit with their top-level one)."""
    if post.is_opening:
        return 1
    top_id = post.parent_id or post.id
    before = session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == post.thread_id, Post.is_opening.is_(False), Post.parent_id.is_(None),
        Post.id < top_id)) or 0
    return before // per_page + 1


# --- writing -------------------------------------------------------------------------------

def create_thread(session: Session, space, author, title: str, body: str) -> Thread:
    _check_writable(session, author, space)
    title = clean_text(title, TITLE_MAX, "title")
    body = clean_text(body, BODY_MAX, "body")
    now = utcnow()
    thread = Thread(space_id=space.id, author_id=author.id, title=title,
                    search_text=search.search_text(title), created_at=now, last_activity_at=now)
    thread.posts.append(Post(author_id=author.id, is_opening=True, body=body,
                             search_text=search.search_text(body), created_at=now))
    session.add(thread)
    session.flush()
    record_participation(session, space.id, author, "forum", at=now)
    return thread


def reply(session: Session, thread: Thread, author, body: str,
          reply_to_id: int | None = None) -> Post:
    """A reply to the thread, or to one of its posts (`reply_to_id`). Replies to a nested reply
    sit under the same top-level reply, keeping the display one level deep."""
    _check_writable(session, author, thread.space)
    _check_thread_open(session, thread)
    body = clean_text(body, BODY_MAX, "body")
    target = None
    if reply_to_id is not None:
        target = post_in_thread(session, thread, reply_to_id)
        if target is None:
            raise DomainError(N_("You can only answer a post in this thread."))
        if target.is_hidden:
            raise DomainError(N_("This post was hidden by a moderator and cannot be answered."))
        if target.is_deleted:
            raise DomainError(N_("This post was deleted and cannot be answered."))
        if target.is_opening:
            target = None  # answering the opening post is answering the thread
    now = utcnow()
    post = Post(thread_id=thread.id, author_id=author.id, body=body,
                search_text=search.search_text(body), created_at=now,
                reply_to_id=target.id if target else None,
                parent_id=(target.parent_id or target.id) if target else None)
    session.add(post)
    session.flush()
    session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(reply_count=Thread.reply_count + 1,
                last_activity_at=case((Thread.last_activity_at < now, now),
                                      else_=Thread.last_activity_at))
        .execution_options(synchronize_session=False))
    session.expire(thread, ["reply_count", "last_activity_at"])
    record_participation(session, thread.space_id, author, thread.module, at=now)
    _notify_reply(session, thread, post, target, author)
    return post


def _notify_reply(session: Session, thread: Thread, post: Post, target: Post | None,
                  author) -> None:
    payload = {"space_slug": thread.space.slug, "thread_id": thread.id,
               "thread_title": thread.title, "post_id": post.id,
               "replier": author.display_name}
    told: set[int] = {author.id}
    if target is not None and target.author_id and target.author_id not in told:
        notify(session, target.author_id, KIND_REPLY, {**payload, "to": "post"},
               dedupe_key=f"{KIND_REPLY}:{post.id}")
        told.add(target.author_id)
    if thread.author_id and thread.author_id not in told:
        notify(session, thread.author_id, KIND_REPLY, {**payload, "to": "thread"},
               dedupe_key=f"{KIND_REPLY}:{post.id}")


def edit_post(session: Session, post: Post, user, body: str, title: str | None = None,
              now: datetime | None = None) -> bool:
    """Change the author's own post (and the title, for an opening post) within EDIT_WINDOW.
    Returns False when nothing changed (the post is then not marked edited)."""
    if post.author_id != user.id:
        raise DomainError(N_("Only the author can edit a post."))
    if post.is_deleted:
        raise DomainError(N_("This post was deleted."))
    if post.is_hidden:
        raise DomainError(N_("A post hidden by a moderator cannot be edited."))
    thread = post.thread
    _check_writable(session, user, thread.space)
    _check_thread_open(session, thread)
    now = now or utcnow()
    check_edit_window(post, now)
    body = clean_text(body, BODY_MAX, "body")
    new_title = clean_text(title, TITLE_MAX, "title") if post.is_opening and title is not None \
        else thread.title
    if body == post.body and new_title == thread.title:
        return False
    post.body = body
    post.search_text = search.search_text(body)
    post.edited_at = now
    if new_title != thread.title:
        thread.title = new_title
        thread.search_text = search.search_text(new_title)
    session.flush()
    return True


def delete_post(session: Session, post: Post, user) -> None:
    """The author withdraws their post: its text is erased and a placeholder stays so the
    conversation still reads. Allowed in every phase and in locked threads (anyone may take
    back what they wrote). The reply count drops only if the post was still counted."""
    if post.author_id != user.id:
        raise DomainError(N_("Only the author can delete a post."))
    now = utcnow()
    erase = {"deleted_at": now, "body": "", "body_html": render_markdown(""), "search_text": ""}
    live = session.execute(
        update(Post).where(Post.id == post.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .values(**erase).execution_options(synchronize_session=False)).rowcount
    if not live:
        hidden = session.execute(
            update(Post).where(Post.id == post.id, Post.deleted_at.is_(None))
            .values(**erase).execution_options(synchronize_session=False)).rowcount
        if not hidden:
            session.expire(post)
            raise DomainError(N_("This post was already deleted."))
    if live and not post.is_opening:
        change_reply_count(session, post.thread_id, -1)
    invalidation.touch(session, "thread", post.thread_id)
    session.expire(post)


_TOGGLE_ROUNDS = 4


def toggle_reaction(session: Session, post: Post, user, kind: str) -> bool:
    """Add the reaction if `user` has not given it, remove it if they have; True when it is now
    given. Insert-or-nothing against the unique (post, user, kind) constraint, then delete, so a
    double click or two tabs can never count twice; the counter follows each row that changed."""
    if kind not in REACTION_KINDS:
        raise DomainError(N_("Choose agree, disagree or helpful."))
    if post.is_deleted or post.is_hidden:
        raise DomainError(N_("You cannot react to a deleted or hidden post."))
    if post.author_id == user.id:
        raise DomainError(N_("You cannot react to your own post."))
    thread = post.thread
    _check_writable(session, user, thread.space)
    _check_thread_open(session, thread)
    counter = getattr(Post, f"{kind}_count")
    insert = dialect_insert(session)
    # RETURNING tells whether a row was written (an INSERT's rowcount is not reliable on every
    # driver: psycopg reports -1).
    add = (insert(Reaction).values(post_id=post.id, user_id=user.id, kind=kind, created_at=utcnow())
           .on_conflict_do_nothing(index_elements=["post_id", "user_id", "kind"])
           .returning(Reaction.id))
    remove = (delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == user.id,
                                     Reaction.kind == kind)
              .execution_options(synchronize_session=False))
    # On PostgreSQL (read committed) the row our insert found can be deleted by another tab's
    # toggle before our delete runs; that press must then add it again, as if the two had come
    # one after the other, or a press is lost. A few rounds suffice: each needs another commit.
    delta = 0
    for _ in range(_TOGGLE_ROUNDS):
        if session.execute(add).first() is not None:
            delta = 1
            break
        if session.execute(remove).rowcount:
            delta = -1
            break
    added = delta == 1
    if delta:
        session.execute(update(Post).where(Post.id == post.id)
                        .values({counter: counter + delta})
                        .execution_options(synchronize_session=False))
        session.expire(post, [f"{kind}_count"])
        invalidation.touch(session, "thread", post.thread_id)  # the counts anonymous readers see
    if added:
        record_participation(session, thread.space_id, user, thread.module)
    return added


def set_digest_preference(session: Session, user, enabled: bool) -> None:
    user.forum_email_digest = bool(enabled)
    session.flush()


def set_thread_state(session: Session, thread: Thread, actor, state: str, value: bool) -> bool:
    """A facilitator pins, locks or closes a thread (or undoes it); audited. Returns False when
    the thread already was in that state."""
    if state not in THREAD_STATES:
        raise DomainError(N_("Unknown thread setting."))
    if getattr(thread, state) == value:
        return False
    setattr(thread, state, value)
    session.flush()
    action = {("pinned", True): "thread.pin", ("pinned", False): "thread.unpin",
              ("locked", True): "thread.lock", ("locked", False): "thread.unlock",
              ("closed", True): "thread.close", ("closed", False): "thread.reopen"}[state, value]
    audit(session, actor, action, f"thread:{thread.id}", space=thread.space.slug,
          title=thread.title)
    return True
