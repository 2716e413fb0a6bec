"""Moderation rules: flagging posts, the moderators' queue, hiding and restoring posts, dismissing
flags, blocking people from a space or the whole site. Every moderator decision is written to the
audit log and the author of the content is told. No Flask here; only flush.

Refusals raise DomainError (app.common.errors; the view translates its msgid) before anything
is written. Who is blocked where is asked of app.moderation.blocks."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.accounts.roles import space_ids_with_role
from app.admin.services import audit
from app.common import invalidation
from app.common.errors import N_, DomainError
from app.common.pagination import Page, paginate
from app.common.time import utcnow
from app.forum.counters import change_reply_count
from app.forum.models import Post, Thread
from app.moderation.models import FLAG_REASONS, Block, Flag
from app.notifications.services import notify

NOTE_MAX = 1000
# What a moderation page shows of a post: its author, thread and space, loaded up front.
_POST_CONTEXT = (selectinload(Post.author), selectinload(Post.thread).selectinload(Thread.space))
KIND_DECISION = "forum_moderation"


# --- blocks --------------------------------------------------------------------------------

def block_user(session: Session, actor, user: User, space=None, reason: str = "") -> Block:
    """Block `user` from writing in `space`, or site-wide when `space` is None. Audited."""
    reason = _clean_note(reason, required=True, field="reason")
    if user.id == actor.id:
        raise DomainError(N_("You cannot block yourself."))
    if user.has_role("moderator", space.id if space else None):
        raise DomainError(N_("Moderators and administrators cannot be blocked here; ask an "
                             "administrator to change their roles first."))
    existing = session.scalar(select(Block).where(
        Block.user_id == user.id,
        Block.space_id.is_(None) if space is None else Block.space_id == space.id))
    if existing is not None:
        raise DomainError(N_("This person is already blocked there."))
    block = Block(user_id=user.id, space_id=space.id if space else None, reason=reason,
                  created_by_id=actor.id, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(block)
    except IntegrityError:  # a concurrent moderator blocked them a moment ago
        raise DomainError(N_("This person is already blocked there.")) from None
    audit(session, actor, "user.block", f"user:{user.id}",
          space=space.slug if space else None, reason=reason)
    return block


def unblock(session: Session, actor, block: Block) -> None:
    user_id, space = block.user_id, block.space
    session.delete(block)
    session.flush()
    audit(session, actor, "user.unblock", f"user:{user_id}",
          space=space.slug if space else None)


def get_block(session: Session, block_id: int) -> Block | None:
    return session.scalar(select(Block).where(Block.id == block_id)
                          .options(selectinload(Block.user), selectinload(Block.space)))


def list_blocks(session: Session, space_ids: Select | None, page: int, per_page: int) -> Page:
    """Blocks a moderator may see: in their spaces (space_ids) or all (None); newest first.
    Site-wide blocks are listed for everyone who moderates, since they apply everywhere."""
    stmt = select(Block).options(selectinload(Block.user), selectinload(Block.space),
                                 selectinload(Block.created_by))
    if space_ids is not None:
        stmt = stmt.where(or_(Block.space_id.in_(space_ids), Block.space_id.is_(None)))
    return paginate(session, stmt.order_by(Block.created_at.desc(), Block.id.desc()),
                    page, per_page)


# --- flags ---------------------------------------------------------------------------------

def _clean_note(note: str | None, *, required: bool, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise DomainError(N_("Please explain in a few words."), field=field)
    if len(note) > NOTE_MAX:
        raise DomainError(N_("Please keep this under %(limit)d characters (it has "
                             "%(length)d)."), field=field, limit=NOTE_MAX, length=len(note))
    return note


def flag_post(session: Session, post: Post, reporter, reason: str, note: str = "") -> Flag:
    """Report a post to the moderators. One flag per person, post and reason (a database
    constraint); nobody flags their own post."""
    if reason not in FLAG_REASONS:
        raise DomainError(N_("Choose a reason from the list."), field="reason")
    note = _clean_note(note, required=reason == "other")
    if post.author_id == reporter.id:
        raise DomainError(N_("You cannot flag your own post."))
    if post.is_deleted:
        raise DomainError(N_("This post was deleted by its author."))
    if post.is_hidden:
        raise DomainError(N_("This post is already hidden by a moderator."))
    duplicate = N_("You have already flagged this post for this reason. The moderators will "
                   "look at it.")
    if session.scalar(select(exists().where(Flag.post_id == post.id,
                                            Flag.reporter_id == reporter.id,
                                            Flag.reason == reason))):
        raise DomainError(duplicate, field="reason")
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason, note=note,
                created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(flag)
    except IntegrityError:  # the same flag sent twice at once: the constraint decides
        raise DomainError(duplicate, field="reason") from None
    return flag


@dataclass
class QueueItem:
    post: Post
    open_flags: int
    first_flagged_at: object


def moderated_space_ids(user) -> Select | None:
    """The spaces `user` moderates, as a subquery for `.in_()`; None means every space
    (site-wide moderators, admins)."""
    if user.has_role("moderator", None):
        return None
    return space_ids_with_role(user.id, "moderator")


def _in_spaces(stmt, space_ids: Select | None):
    if space_ids is None:
        return stmt
    return stmt.where(Thread.space_id.in_(space_ids))


def flag_queue(session: Session, space_ids: Select | None, page: int,
               per_page: int) -> Page:
    """Posts with open flags, oldest first flag first, one row per post with its flag count.
    Deleted and hidden posts have nothing left to decide and are not listed."""
    counts = (select(Flag.post_id, func.count().label("n"),
                     func.min(Flag.created_at).label("first"))
              .where(Flag.status == "open").group_by(Flag.post_id).subquery())
    stmt = (select(Post, counts.c.n, counts.c.first)
            .join(counts, counts.c.post_id == Post.id)
            .join(Thread, Post.thread_id == Thread.id)
            .where(Post.deleted_at.is_(None), Post.hidden_at.is_(None))
            .options(*_POST_CONTEXT)
            .order_by(counts.c.first, Post.id))
    result = paginate(session, _in_spaces(stmt, space_ids), page, per_page, scalars=False)
    result.items = [QueueItem(post=row[0], open_flags=row[1], first_flagged_at=row[2])
                    for row in result.items]
    return result


def hidden_posts(session: Session, space_ids: Select | None, page: int, per_page: int) -> Page:
    stmt = (select(Post).join(Thread, Post.thread_id == Thread.id)
            .where(Post.hidden_at.is_not(None), Post.deleted_at.is_(None))
            .options(*_POST_CONTEXT)
            .order_by(Post.hidden_at.desc(), Post.id.desc()))
    return paginate(session, _in_spaces(stmt, space_ids), page, per_page)


def flags_of(session: Session, post: Post) -> list[Flag]:
    return list(session.scalars(select(Flag).where(Flag.post_id == post.id)
                                .options(selectinload(Flag.reporter))
                                .order_by(Flag.created_at, Flag.id)))


def _resolve_open_flags(session: Session, post: Post, actor, status: str) -> int:
    return session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.status == "open")
        .values(status=status, resolved_at=utcnow(), resolved_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount or 0


def _decision_payload(post: Post, decision: str, reason: str | None = None) -> dict:
    thread = post.thread
    return {"space_slug": thread.space.slug, "thread_id": thread.id, "thread_title": thread.title,
            "post_id": post.id, "decision": decision, "reason": reason}


# --- decisions -----------------------------------------------------------------------------

def hide_post(session: Session, post: Post, actor, reason: str, note: str = "") -> None:
    """Hide a post: others see a placeholder, the author sees why. Open flags on it are upheld,
    the reply count drops, the author is told, the decision is audited."""
    if reason not in FLAG_REASONS:
        raise DomainError(N_("Choose a reason from the list."), field="reason")
    note = _clean_note(note, required=reason == "other")
    if post.is_deleted:
        raise DomainError(N_("This post was deleted by its author."))
    changed = session.execute(
        update(Post).where(Post.id == post.id, Post.hidden_at.is_(None), Post.deleted_at.is_(None))
        .values(hidden_at=utcnow(), hidden_reason=reason, hidden_note=note,
                hidden_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    session.expire(post)
    if not changed:
        raise DomainError(N_("This post is already hidden."))
    invalidation.touch(session, "thread", post.thread_id)  # cached pages drop it on commit
    if not post.is_opening:
        change_reply_count(session, post.thread_id, -1)
    upheld = _resolve_open_flags(session, post, actor, "upheld")
    audit(session, actor, "post.hide", f"post:{post.id}", space=post.thread.space.slug,
          thread=post.thread_id, reason=reason, note=note, flags_upheld=upheld)
    if post.author_id:
        notify(session, post.author_id, KIND_DECISION, _decision_payload(post, "hidden", reason))


def restore_post(session: Session, post: Post, actor) -> None:
    changed = session.execute(
        update(Post).where(Post.id == post.id, Post.hidden_at.is_not(None),
                           Post.deleted_at.is_(None))
        .values(hidden_at=None, hidden_reason=None, hidden_note=None, hidden_by_id=None)
        .execution_options(synchronize_session=False)).rowcount
    session.expire(post)
    if not changed:
        raise DomainError(N_("This post is not hidden."))
    invalidation.touch(session, "thread", post.thread_id)
    if not post.is_opening:
        change_reply_count(session, post.thread_id, 1)
    audit(session, actor, "post.restore", f"post:{post.id}", space=post.thread.space.slug,
          thread=post.thread_id)
    if post.author_id:
        notify(session, post.author_id, KIND_DECISION, _decision_payload(post, "restored"))


def dismiss_flags(session: Session, post: Post, actor) -> int:
    """The post stays as it is; its open flags are closed as dismissed. Audited."""
    dismissed = _resolve_open_flags(session, post, actor, "dismissed")
    if not dismissed:
        raise DomainError(N_("This post has no open flags."))
    audit(session, actor, "flag.dismiss", f"post:{post.id}", space=post.thread.space.slug,
          thread=post.thread_id, flags=dismissed)
    return dismissed


def get_post(session: Session, post_id: int) -> Post | None:
    return session.scalar(select(Post).where(Post.id == post_id).options(*_POST_CONTEXT))
