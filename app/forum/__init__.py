"""The forum of each space: threads, replies, reactions, the facilitators' pin / lock / close,
and the daily e-mail digest of forum notifications."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("forum", __name__)


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.forum import export, views
    from app.forum.cli import cli
    from app.forum.services import KIND_REPLY
    from app.notifications.export import omit_from_export
    from app.notifications.kinds import register_kind

    app.register_blueprint(bp)
    app.cli.add_command(cli)
    register_kind(KIND_REPLY, views.render_reply_notification)
    register_export_section("forum", export.export_forum)
    # A reply notification carries the replier's display name (a copy that outlives their
    # account): it stays out of the recipient's export.
    omit_from_export(KIND_REPLY, "replier")
    _watch_for_cached_pages()


def _watch_for_cached_pages() -> None:
    """A thread's cached conversation depends on ("thread", id): its posts and its own row.
    Bulk updates (hiding, reaction counts, deletion) touch it in the services."""
    from app.common.invalidation import watch
    from app.forum.models import Post, Thread

    watch(Thread, lambda thread: [("thread", thread.id)])
    watch(Post, lambda post: [("thread", post.thread_id)])
