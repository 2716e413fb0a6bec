"""Moderation at /moderation/: the queue of flagged posts, reviewing a post (hide, restore,
dismiss its flags, block its author), hidden posts, blocks; and the flag form every logged-in
person can use. Moderators see only the spaces they moderate (site-wide moderators and admins:
all). Every decision is audited by the services; the rules are in app.accounts.permissions."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import (can_block_site_wide, can_block_user,
                                      can_find_post_by_number, can_flag_post, can_lift_block,
                                      can_moderate_post, can_use_moderation_queue, require)
from app.common.errors import DomainError
from app.common.pagination import parse_page
from app.common.unit_of_work import refuse
from app.extensions import db
from app.moderation import bp, services
from app.moderation.blocks import is_blocked
from app.moderation.forms import REASON_LABELS, BlockForm, FlagForm, HideForm
from app.notifications.kinds import RenderedNotification


@bp.app_template_filter("flag_reason")
def flag_reason(code: str | None) -> str:
    label = REASON_LABELS.get(code or "")
    return str(label) if label is not None else (code or "")


# --- what the URL names (the loaders of `require`) ------------------------------------------

def post_from_url(post_id: int):
    """The post with its author, thread and space (None: 404)."""
    return services.get_post(db.session, post_id)


def block_from_url(block_id: int):
    return services.get_block(db.session, block_id)


def post_to_flag(post_id: int):
    """The post, if the visitor may find it; None (404, the same answer as for a number no post
    has) otherwise. The flag page shows the post's text, its thread's title and its space, so:
    nothing hidden or deleted (there is nothing left to flag), nothing in a space whose forum
    is off, and only what can_find_post_by_number lets the visitor find."""
    post = services.get_post(db.session, post_id)
    if post is None or not post.thread.space.forum_enabled or post.is_hidden or post.is_deleted:
        return None
    if not can_find_post_by_number(current_user, post, request.values.get("space")):
        return None
    if not can_flag_post(current_user, post):
        # The reason rather than the bare 403 page: their own post has no Report link, so
        # whoever is here typed the address.
        abort(current_app.make_response((render_template(
            "errors/error.html", code=403, message=_("You cannot flag your own post.")), 403)))
    return post


# --- the queue -----------------------------------------------------------------------------

@bp.get("/")
@login_required
@require(can_use_moderation_queue)
def queue():
    page = services.flag_queue(db.session, services.moderated_space_ids(current_user),
                               parse_page(request.args.get("page")),
                               current_app.config["PER_PAGE"])
    return render_template("moderation/queue.html", page=page)


@bp.get("/hidden")
@login_required
@require(can_use_moderation_queue)
def hidden():
    page = services.hidden_posts(db.session, services.moderated_space_ids(current_user),
                                 parse_page(request.args.get("page")),
                                 current_app.config["PER_PAGE"])
    return render_template("moderation/hidden.html", page=page)


def _render_review(post, hide_form=None, block_form=None):
    hide_form = hide_form or HideForm(formdata=None)
    block_form = block_form or BlockForm(formdata=None)
    author = post.author
    return render_template(
        "moderation/review.html", post=post, flags=services.flags_of(db.session, post),
        hide_form=hide_form, block_form=block_form,
        may_block_site=can_block_site_wide(current_user),
        may_block_author=can_block_user(current_user, author, post.thread.space),
        author_blocked=author is not None and is_blocked(db.session, author, post.thread.space),
    )


@bp.get("/posts/<int:post_id>")
@login_required
@require(can_moderate_post, post=post_from_url)
def review(post):
    return _render_review(post)


@bp.post("/posts/<int:post_id>/hide")
@login_required
@require(can_moderate_post, post=post_from_url)
def hide(post):
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.hide_post(db.session, post, current_user, form.reason.data, form.note.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The post is hidden. Its author was told why."), "success")
            return redirect(url_for(".queue")), 303
    return _render_review(post, hide_form=form)


def _simple_decision(post, action, done_message):
    try:
        action(db.session, post, current_user)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
    else:
        flash(done_message(), "success")
    return redirect(url_for(".review", post_id=post.id)), 303


@bp.post("/posts/<int:post_id>/restore")
@login_required
@require(can_moderate_post, post=post_from_url)
def restore(post):
    return _simple_decision(post, services.restore_post,
                            lambda: _("The post is visible again. Its author was told."))


@bp.post("/posts/<int:post_id>/dismiss")
@login_required
@require(can_moderate_post, post=post_from_url)
def dismiss(post):
    return _simple_decision(post, services.dismiss_flags,
                            lambda: _("The flags were dismissed; the post stays as it is."))


@bp.post("/posts/<int:post_id>/block")
@login_required
@require(can_moderate_post, post=post_from_url)
def block(post):
    form = BlockForm(may_block_site=can_block_site_wide(current_user))
    if post.author is None:  # the author deleted their account: nobody is left to block
        abort(404)
    if form.validate_on_submit():
        try:
            services.block_user(db.session, current_user, post.author,
                                None if form.site_wide else post.thread.space, form.reason.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("%(name)s can no longer write there.", name=post.author.public_name),
                  "success")
            return redirect(url_for(".review", post_id=post.id)), 303
    return _render_review(post, block_form=form)


# --- blocks --------------------------------------------------------------------------------

@bp.get("/blocks")
@login_required
@require(can_use_moderation_queue)
def blocks():
    page = services.list_blocks(db.session, services.moderated_space_ids(current_user),
                                parse_page(request.args.get("page")),
                                current_app.config["PER_PAGE"])
    return render_template("moderation/blocks.html", page=page,
                           may_lift=lambda block: can_lift_block(current_user, block))


@bp.post("/blocks/<int:block_id>/delete")
@login_required
@require(can_lift_block, block=block_from_url)
def unblock(block):
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for(".blocks")), 303
    name = block.user.public_name
    services.unblock(db.session, current_user, block)
    flash(_("The block on %(name)s is lifted.", name=name), "success")
    return redirect(url_for(".blocks")), 303


# --- flagging (every logged-in person) -----------------------------------------------------

@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@require(can_flag_post, post=post_to_flag)
def flag(post):
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(db.session, post, current_user, form.reason.data, form.note.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Thank you. The moderators will look at this post."), "success")
            return redirect(url_for("forum.post_link", slug=post.thread.space.slug,
                                    post_id=post.id)), 303
    return render_template("moderation/flag.html", form=form, post=post)


# --- notifications of this module (registered by app.moderation.register) -------------------

def render_decision_notification(payload: dict) -> RenderedNotification:
    url = url_for("forum.post_link", slug=payload["space_slug"], post_id=payload["post_id"])
    if payload["decision"] == "hidden":
        message = _("A moderator hid your post in “%(title)s”. Reason: %(reason)s.",
                    title=payload["thread_title"], reason=flag_reason(payload.get("reason")))
    else:
        message = _("A moderator made your post in “%(title)s” visible again.",
                    title=payload["thread_title"])
    return RenderedNotification(message, url)
