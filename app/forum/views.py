"""The forum of a space at /spaces/<slug>/forum/: thread list with search and sorting, threads,
replies, editing and deleting one's own posts, reactions, and the facilitator's pin / lock /
close. Views parse, authorise (app.accounts.permissions), call a service and render; the request
boundary commits, and a refused request (app.common.unit_of_work) writes nothing."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import (can_delete_post, can_edit_post, can_flag_post,
                                      can_manage_threads, can_moderate, can_see_hidden_post,
                                      can_write_forum, require)
from app.common.errors import N_, DomainError
from app.common.pagination import parse_page
from app.common.unit_of_work import refuse
from app.extensions import db
from app.forum import bp, services
from app.forum.forms import ConfirmForm, DigestSettingsForm, EditPostForm, ReplyForm, ThreadForm
from app.forum.models import REACTION_KINDS
from app.notifications.kinds import RenderedNotification
from app.spaces.scoping import scope_to_space

# The forum lives under its space; the person's digest setting is site-wide (/forum/settings,
# which takes no slug and so gets none).
scope_to_space(bp, enabled="forum_enabled")
FORUM = "/spaces/<slug>/forum"

REPLIES_PER_PAGE = 30
QUOTE_MAX = 600


@bp.context_processor
def _helpers():
    return {"space": g.get("space"), "reaction_kinds": REACTION_KINDS,
            "reaction_label": reaction_label, "can_edit_post": can_edit_post,
            "can_delete_post": can_delete_post, "can_flag_post": can_flag_post,
            "can_see_hidden_post": can_see_hidden_post, "edit_window_open":
            services.edit_window_open}


def reaction_label(kind: str) -> str:
    return {"agree": _("Agree"), "disagree": _("Disagree"), "helpful": _("Helpful")}[kind]


def _write_state() -> tuple[bool, str | None]:
    """Whether the visitor may write here now, and otherwise the notice that says why."""
    refusal = services.write_refusal(db.session, current_user, g.space)
    if refusal:
        return False, _(refusal)
    return current_user.is_authenticated and can_write_forum(current_user, g.space), None


def _thread_or_404(thread_id: int):
    thread = services.get_thread(db.session, g.space, thread_id)
    if thread is None:
        # Also for a thread of another space: the message says where it is not.
        return None, (render_template("errors/error.html", code=404,
                                      message=_("There is no such thread in this space.")), 404)
    return thread, None


def _post_or_404(post_id: int):
    post = services.get_post(db.session, g.space, post_id)
    if post is None:
        abort(404)
    return post


def _title_hidden_from_visitor(thread) -> bool:
    """A thread whose opening post a moderator hid shows "Hidden thread" instead of its title
    to everyone but that post's author and the moderators (the title may be what was hidden)."""
    from app.moderation.services import opening_post

    opening = opening_post(db.session, thread)
    return bool(opening is not None and opening.is_hidden and thread.module == "forum"
                and not can_see_hidden_post(current_user, opening))


def _post_url(post, per_page: int = REPLIES_PER_PAGE) -> str:
    page = services.page_of_post(db.session, post, per_page)
    return url_for(".thread", thread_id=post.thread_id, page=page if page > 1 else None,
                   _anchor=f"post-{post.id}")


# --- list and search ------------------------------------------------------------------------

@bp.get(FORUM + "/")
def index():
    sort = request.args.get("sort", "latest")
    sort = sort if sort in services.SORTS else "latest"
    query = (request.args.get("q") or "").strip()[:200]
    page = services.list_threads(
        db.session, g.space, sort=sort, query=query, page=parse_page(request.args.get("page")),
        per_page=current_app.config["PER_PAGE"],
        include_hidden=can_moderate(current_user, g.space))
    may_write, notice = _write_state()
    return render_template("forum/index.html", page=page, sort=sort, query=query,
                           may_write=may_write, notice=notice)


@bp.route(FORUM + "/new", methods=["GET", "POST"])
@login_required
def new_thread():
    may_write, notice = _write_state()
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = services.create_thread(db.session, g.space, current_user,
                                            form.title.data, form.body.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your thread is open."), "success")
            return redirect(url_for(".thread", thread_id=thread.id))
    return render_template("forum/new.html", form=form, may_write=may_write, notice=notice)


# --- a thread -------------------------------------------------------------------------------

def _render_thread(thread, form: ReplyForm):
    view = services.thread_view(db.session, thread, current_user,
                                parse_page(request.args.get("page")), REPLIES_PER_PAGE)
    may_write, notice = _write_state()
    answering = None
    answering_id = form.reply_to_id()
    if answering_id:
        answering = services.get_post(db.session, g.space, answering_id)
        if answering is not None and answering.thread_id != thread.id:
            answering = None
    return render_template(
        "forum/thread.html", thread=thread, view=view, form=form, may_write=may_write,
        notice=notice, answering=answering, can_manage=can_manage_threads(current_user, g.space),
        hidden_thread=view.opening.is_hidden
        and not can_see_hidden_post(current_user, view.opening),
        can_moderate_here=can_moderate(current_user, g.space),
    )


@bp.get(FORUM + "/threads/<int:thread_id>")
def thread(thread_id: int):
    thread, missing = _thread_or_404(thread_id)
    if missing:
        return missing
    form = ReplyForm(formdata=None)
    reply_to = request.args.get("reply_to", "")
    if reply_to.isdigit() and len(reply_to) < 10:  # beyond that, no post id (PostgreSQL int)
        form.reply_to.data = reply_to
        target = services.get_post(db.session, g.space, int(reply_to))
        if request.args.get("quote") and target is not None and target.thread_id == thread.id \
                and not target.is_deleted and not target.is_hidden:
            excerpt = target.body if len(target.body) <= QUOTE_MAX else \
                target.body[:QUOTE_MAX].rstrip() + "…"
            name = target.author.public_name if target.author else _("Deleted user")
            form.body.data = "> " + _("%(name)s wrote:", name=name) + "\n>\n" + "\n".join(
                "> " + line for line in excerpt.splitlines()) + "\n\n"
    return _render_thread(thread, form)


@bp.post(FORUM + "/threads/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    thread, missing = _thread_or_404(thread_id)
    if missing:
        return missing
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = services.reply(db.session, thread, current_user, form.body.data,
                                  form.reply_to_id())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your reply is posted."), "success")
            return redirect(_post_url(post))
    return _render_thread(thread, form)


@bp.get(FORUM + "/posts/<int:post_id>")
def post_link(post_id: int):
    """A stable link to a post (used by notifications): the right page of its thread."""
    return redirect(_post_url(_post_or_404(post_id)))


@bp.route(FORUM + "/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = _post_or_404(post_id)
    if not can_edit_post(current_user, post):
        abort(403)
    form = EditPostForm(is_opening=post.is_opening)
    title_hidden = _title_hidden_from_visitor(post.thread)
    try:
        # Checked first: no point in checking a text that cannot be saved anyway.
        services.check_edit_window(post)
    except DomainError as expired:
        if form.is_submitted():
            refuse()
        return render_template("forum/edit.html", form=form, post=post,
                               expired=expired.translated(_), title_hidden=title_hidden)
    if not form.is_submitted():
        form.body.data = post.body
        form.title.data = post.thread.title
    elif form.validate_on_submit():
        try:
            changed = services.edit_post(db.session, post, current_user, form.body.data,
                                         form.title.data if post.is_opening else None)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your post is updated.") if changed else _("Nothing was changed."), "success")
            return redirect(_post_url(post))
    return render_template("forum/edit.html", form=form, post=post, title_hidden=title_hidden)


@bp.route(FORUM + "/posts/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id: int):
    post = _post_or_404(post_id)
    if not can_delete_post(current_user, post):
        abort(403)
    form = ConfirmForm()
    if not form.is_submitted():
        return render_template("forum/delete.html", post=post)
    if not form.confirmed:
        form.refuse(DomainError(N_("Please tick the box to confirm.")))
        return render_template("forum/delete.html", post=post)
    try:
        services.delete_post(db.session, post, current_user)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
        return redirect(url_for(".thread", thread_id=post.thread_id))
    flash(_("Your post is deleted. A placeholder keeps the conversation readable."), "success")
    return redirect(_post_url(post))


@bp.post(FORUM + "/posts/<int:post_id>/react")
@login_required
def react(post_id: int):
    post = _post_or_404(post_id)
    # Anyone logged in may try; the service refuses one's own post, a hidden one, a block.
    try:
        services.toggle_reaction(db.session, post, current_user, request.form.get("kind", ""))
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
    return redirect(_post_url(post)), 303


# --- facilitators --------------------------------------------------------------------------

STATE_NOTICES = {
    ("pinned", True): lambda: _("The thread is pinned to the top."),
    ("pinned", False): lambda: _("The thread is no longer pinned."),
    ("locked", True): lambda: _("The thread is locked: it can be read but not changed."),
    ("locked", False): lambda: _("The thread is unlocked."),
    ("closed", True): lambda: _("The thread is closed."),
    ("closed", False): lambda: _("The thread is open again."),
}


@bp.post(FORUM + "/threads/<int:thread_id>/<any(pinned, locked, closed):state>")
@require(can_manage_threads)
def set_state(thread_id: int, state: str):
    thread, missing = _thread_or_404(thread_id)
    if missing:
        return missing
    value = request.form.get("value") == "1"
    services.set_thread_state(db.session, thread, current_user, state, value)
    flash(STATE_NOTICES[state, value](), "success")
    return redirect(url_for(".thread", thread_id=thread.id)), 303


# --- the person's e-mail setting -----------------------------------------------------------

@bp.route("/forum/settings", methods=["GET", "POST"])
@login_required
def settings():
    # Explicit form data: an unticked box sends nothing, and empty data would otherwise fall
    # back to the stored value.
    form = DigestSettingsForm(formdata=request.form if request.method == "POST" else None,
                              obj=current_user)
    if form.validate_on_submit():
        services.set_digest_preference(db.session, current_user, form.forum_email_digest.data)
        flash(_("Daily e-mail summary switched on.") if form.forum_email_digest.data
              else _("Daily e-mail summary switched off."), "success")
        return redirect(url_for(".settings")), 303
    return render_template("forum/settings.html", form=form)


# --- notifications of this module (registered by app.forum.register) ------------------------

def render_reply_notification(payload: dict) -> RenderedNotification:
    url = url_for("forum.post_link", slug=payload["space_slug"], post_id=payload["post_id"])
    if payload.get("to") == "post":
        message = _("%(name)s answered your post in “%(title)s”.",
                    name=payload["replier"], title=payload["thread_title"])
    else:
        message = _("%(name)s replied to your thread “%(title)s”.",
                    name=payload["replier"], title=payload["thread_title"])
    return RenderedNotification(message, url)
