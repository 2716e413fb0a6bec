"""The forum of a space at /spaces/<slug>/forum/: thread list with search and sorting, threads,
replies, editing and deleting one's own posts, reactions, and the facilitator's pin / lock /
close. Views parse, authorise (app.accounts.permissions), call a service and render; the request
boundary commits, and a refused request (app.common.unit_of_work) writes nothing."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import (can_delete_post, can_edit_post, can_flag_post,
                                      can_manage_thread, can_manage_threads, can_moderate,
                                      can_read_forum, can_see_hidden_post, can_see_thread_title,
                                      can_write_forum, require)
from app.common import fragments
from app.common.errors import N_, DomainError
from app.common.pagination import parse_cursor, parse_page
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


# --- what the URL names (the loaders of `require`) ------------------------------------------

def thread_from_url(thread_id: int):
    """The thread of this space. Another space's thread (or none) answers 404 with a page that
    says the thread is not in this space, for a link followed from elsewhere."""
    thread = services.get_thread(db.session, g.space, thread_id)
    if thread is None:
        abort(current_app.make_response((render_template(
            "errors/error.html", code=404, message=_("There is no such thread in this space.")),
            404)))
    return thread


def post_from_url(post_id: int):
    """The post, if its thread is in this space (None: 404)."""
    return services.get_post(db.session, g.space, post_id)


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
        include_hidden=can_moderate(current_user, g.space),
        after=parse_cursor(request.args.get("after")),
        before=parse_cursor(request.args.get("before")))
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
    may_write, notice = _write_state()
    can_moderate_here = can_moderate(current_user, g.space)

    def conversation() -> dict:
        view = services.thread_view(db.session, thread, current_user,
                                    parse_page(request.args.get("page")), REPLIES_PER_PAGE,
                                    after=parse_cursor(request.args.get("after")),
                                    before=parse_cursor(request.args.get("before")))
        html = fragments.drawn("forum/_conversation.html", thread=thread, view=view,
                               may_write=may_write, can_moderate_here=can_moderate_here)
        return {"html": html, "opening_hidden": view.opening.is_hidden,
                "title_hidden": view.opening.is_hidden
                and not can_see_hidden_post(current_user, view.opening)}

    # An anonymous reader's page of replies comes from the cache (app/common/fragments.py)
    # until the thread, one of its posts or its space changes; `?reply_to=` and other
    # arguments are drawn afresh.
    args = fragments.plain_args({"page": fragments.is_page_number, "after": fragments.is_row_id,
                                 "before": fragments.is_row_id})
    parts = conversation() if args is None or may_write else fragments.cached_parts(
        "thread", [("space", g.space.id), ("thread", thread.id)], conversation, args)
    answering_id = form.reply_to_id()
    answering = services.post_in_thread(db.session, thread, answering_id) if answering_id \
        else None
    return render_template(
        "forum/thread.html", thread=thread, conversation=parts["html"], form=form,
        may_write=may_write, notice=notice, answering=answering,
        can_manage=can_manage_threads(current_user, g.space),
        hidden_thread=parts["title_hidden"], opening_hidden=parts["opening_hidden"],
    )


@bp.get(FORUM + "/threads/<int:thread_id>")
@require(can_read_forum, thread=thread_from_url)
def thread(thread):
    form = ReplyForm(formdata=None)
    reply_to = request.args.get("reply_to", "")
    if reply_to.isdigit() and len(reply_to) < 10:  # beyond that, no post id (PostgreSQL int)
        form.reply_to.data = reply_to
        target = services.post_in_thread(db.session, thread, int(reply_to))
        quote = services.reply_quote(target, _) if request.args.get("quote") and target \
            else None
        if quote:
            form.body.data = quote
    return _render_thread(thread, form)


@bp.post(FORUM + "/threads/<int:thread_id>/reply")
@login_required
@require(can_read_forum, thread=thread_from_url)
def reply(thread):
    # Anyone logged in may try: a phase that takes no input or a block is the service's
    # refusal, shown with its reason.
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
@require(can_read_forum, post=post_from_url)
def post_link(post):
    """A stable link to a post (used by notifications): the right page of its thread."""
    return redirect(_post_url(post))


@bp.route(FORUM + "/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@require(can_edit_post, post=post_from_url)
def edit_post(post):
    form = EditPostForm(is_opening=post.is_opening)
    title_hidden = not can_see_thread_title(current_user, post.thread)
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
@require(can_delete_post, post=post_from_url)
def delete_post(post):
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
@require(can_read_forum, post=post_from_url)
def react(post):
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
@require(can_manage_thread, thread=thread_from_url)
def set_state(thread, state: str):
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
