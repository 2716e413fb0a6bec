"""Proposals of a space at /spaces/<slug>/proposals/: the list, a proposal with its history,
official answer and comments, drafts with preview and publication, supports, and similar
proposals while typing. Facilitators' pages (status, merge, export, settings) are in
app.proposals.manage on the same blueprint. Views parse, are authorised by `require`
(app.accounts.permissions), call a service and render; the request boundary commits."""
from __future__ import annotations

import secrets

from flask import (current_app, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import (can_edit_proposal, can_moderate, can_support_or_comment,
                                      can_view_proposal, require)
from app.common import fragments
from app.common.errors import DomainError
from app.common.pagination import parse_cursor, parse_page
from app.common.unit_of_work import refuse
from app.extensions import db, limiter
from app.proposals import bp, comments, services, supports, workflow
from app.proposals.forms import SORT_LABELS, CommentForm, FilterForm, ProposalForm
from app.proposals.models import PUBLIC_STATUSES, TITLE_MAX
from app.proposals.pages import (draft_only, locale, log_in_back_to_proposal, status_label,
                                 template_helpers, visible_proposal,
                                 visible_proposal_row)

COMMENTS_PER_PAGE = 30
SIMILAR_QUERY_MAX = 2000

bp.context_processor(template_helpers)


def _write_notice() -> str | None:
    try:
        services.check_writable(db.session, g.space,
                                current_user if current_user.is_authenticated else None)
    except DomainError as error:
        return error.translated(_)
    return None


def _random_seed() -> int:
    """A seed per visitor, kept in their session: the random order stays the same while they
    page through it, and differs between visitors so no proposal is always last."""
    seed = session.get("proposal_seed")
    if not isinstance(seed, int) or seed <= 0:
        seed = secrets.randbelow(2**62) + 1
        session["proposal_seed"] = seed
    return seed


# --- the list -------------------------------------------------------------------------------

@bp.get("/")
def index():
    categories = services.list_categories(db.session, g.space)
    form = FilterForm(request.args)
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(str(c.id), c.name(locale())) for c in categories]
    form.status.choices = [SelectChoice("", _("All open and answered"))] + [
        SelectChoice(s, status_label(s)) for s in PUBLIC_STATUSES]
    sort = form.sort.data if form.sort.data in SORT_LABELS else "newest"
    status = form.status.data if form.status.data in PUBLIC_STATUSES else None
    category_id = int(form.category.data) if (form.category.data or "").isdigit() \
        and len(form.category.data) < 10 else None
    seed = _random_seed() if sort == "random" else 1

    def proposal_list():
        page = services.list_proposals(
            db.session, g.space, status=status, category_id=category_id, sort=sort, seed=seed,
            page=parse_page(request.args.get("page")), per_page=current_app.config["PER_PAGE"],
            after=parse_cursor(request.args.get("after")),
            before=parse_cursor(request.args.get("before")))
        mine = supports.supported_ids(db.session, current_user, [p.id for p in page.items])
        return fragments.drawn("proposals/_list.html", page=page, supported=mine)

    # An anonymous reader's page of the list comes from the cache until a proposal of the
    # space, its supports or the space change; the random order is each visitor's own.
    args = fragments.plain_args(LIST_ARGS)
    listed = proposal_list() if args is None or sort == "random" else fragments.cached(
        "proposals", [("space", g.space.id), ("proposals", g.space.id)], proposal_list, args)
    drafts = services.list_drafts(db.session, g.space, current_user) \
        if current_user.is_authenticated else []
    return render_template("proposals/index.html", proposal_list=listed, form=form,
                           drafts=drafts, threshold=services.support_threshold(db.session, g.space),
                           notice=_write_notice())


LIST_ARGS = {"category": lambda v: v.isdigit() and len(v) < 10,
             "status": lambda v: v in PUBLIC_STATUSES,
             "sort": lambda v: v in SORT_LABELS, "page": fragments.is_page_number,
             "after": fragments.is_row_id, "before": fragments.is_row_id}


@bp.get("/similar")
@limiter.limit("120 per minute")
def similar():
    """Up to three published proposals like the text typed so far, for the new-proposal form
    (app/static/proposals-similar.js). No personal data: titles, counts and links."""
    query = (request.args.get("q") or "")[:SIMILAR_QUERY_MAX]
    exclude = request.args.get("exclude", "")
    exclude_id = int(exclude) if exclude.isdigit() and len(exclude) < 10 else None
    found = services.find_similar(db.session, g.space, query, exclude_id=exclude_id)
    return jsonify({"items": [{
        "id": p.id, "title": p.title, "status": p.status, "status_label": status_label(p.status),
        "support_count": p.support_count, "score": score,
        "support_label": ngettext("%(num)d support", "%(num)d supports", p.support_count),
        "url": url_for(".detail", proposal_id=p.id),
    } for p, score in found]})


# --- writing a proposal ---------------------------------------------------------------------

def _proposal_form(proposal=None) -> ProposalForm:
    form = ProposalForm(obj=None)
    form.set_choices(services.list_categories(db.session, g.space),
                     services.sub_areas(db.session, g.space), locale())
    if proposal is not None and request.method == "GET":
        form.title.data, form.body.data = proposal.title, proposal.body
        form.category.data = str(proposal.category_id or "")
        form.area.data = str(proposal.area_id or "")
    return form


def _render_form(form, proposal=None):
    return render_template("proposals/form.html", form=form, proposal=proposal,
                           notice=_write_notice(), has_areas=len(form.area.choices) > 1,
                           title_max=TITLE_MAX)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = _proposal_form()
    if request.method == "GET":
        category = request.args.get("category", "")
        if category.isdigit():
            form.category.data = category
        return _render_form(form)
    if form.validate_on_submit():
        try:
            proposal = services.create_draft(
                db.session, g.space, current_user, title=form.title.data, body=form.body.data,
                category_id=form.category_id(), area_id=form.area_id())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your draft is saved. Check it, then publish it."), "success")
            return redirect(url_for(".preview", proposal_id=proposal.id)), 303
    return _render_form(form)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
@require(can_edit_proposal, proposal=visible_proposal)
@draft_only
def edit(proposal):
    form = _proposal_form(proposal)
    if request.method == "GET":
        return _render_form(form, proposal)
    if form.validate_on_submit():
        try:
            services.update_draft(db.session, proposal, title=form.title.data,
                                  body=form.body.data, category_id=form.category_id(),
                                  area_id=form.area_id())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your draft is saved."), "success")
            return redirect(url_for(".preview", proposal_id=proposal.id)), 303
    return _render_form(form, proposal)


@bp.get("/<int:proposal_id>/preview")
@login_required
@require(can_edit_proposal, proposal=visible_proposal)
@draft_only
def preview(proposal):
    similar_found = services.find_similar(db.session, g.space,
                                          f"{proposal.title}\n{proposal.body}",
                                          exclude_id=proposal.id)
    return render_template("proposals/preview.html", proposal=proposal, similar=similar_found,
                           notice=_write_notice())


@bp.post("/<int:proposal_id>/publish")
@login_required
@require(can_edit_proposal, proposal=visible_proposal)
@draft_only
def publish(proposal):
    try:
        workflow.publish(db.session, proposal, current_user)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
        return redirect(url_for(".preview", proposal_id=proposal.id)), 303
    flash(_("Your proposal is published. Others can now support and discuss it."), "success")
    return redirect(url_for(".detail", proposal_id=proposal.id)), 303


@bp.post("/<int:proposal_id>/delete")
@login_required
@require(can_edit_proposal, proposal=visible_proposal)
@draft_only
def delete(proposal):
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for(".preview", proposal_id=proposal.id)), 303
    services.delete_draft(db.session, proposal)
    flash(_("Your draft is deleted."), "success")
    return redirect(url_for(".index")), 303


# --- a proposal -----------------------------------------------------------------------------

def _render_detail(proposal, comment_form: CommentForm | None = None):
    if proposal.is_draft:
        return redirect(url_for(".preview", proposal_id=proposal.id))
    # An anonymous reader's copy comes from the cache until the proposal, its comments or its
    # space change (app/common/fragments.py); a logged-in reader's page is theirs.
    args = fragments.plain_args({"page": fragments.is_page_number, "after": fragments.is_row_id,
                                 "before": fragments.is_row_id})
    depends = [("space", g.space.id), ("proposal", proposal.id),
               ("thread", proposal.comment_thread_id or 0)]
    draw = lambda: _detail_body(proposal, comment_form)  # noqa: E731
    body = draw() if args is None else fragments.cached("proposal", depends, draw, args)
    return render_template("proposals/detail.html", proposal=proposal, body=body)


def _detail_body(proposal, comment_form: CommentForm | None):
    history = services.status_history(db.session, proposal)
    view = comments.comments_view(db.session, proposal, current_user,
                                  parse_page(request.args.get("page")), COMMENTS_PER_PAGE,
                                  after=parse_cursor(request.args.get("after")),
                                  before=parse_cursor(request.args.get("before")))
    comment_form = comment_form or CommentForm(formdata=None)
    user = current_user if current_user.is_authenticated else None
    comment_refusal = comments.comment_refusal(db.session, proposal, user)
    return fragments.drawn(
        "proposals/_detail_body.html", proposal=proposal, history=history,
        comment_total=view.opening.thread.reply_count if view and view.opening else 0,
        answer=services.latest_answer(history), view=view, comment_form=comment_form,
        comment_notice=_(comment_refusal) if comment_refusal else None,
        may_comment=user is not None and comment_refusal is None,
        support_notice=_(refusal) if (refusal := supports.support_refusal(
            db.session, proposal, user)) else None,
        supported=supports.has_supported(db.session, proposal, current_user),
        threshold=services.support_threshold(db.session, g.space),
        merged_from=services.merged_from(db.session, proposal),
        can_moderate_here=can_moderate(current_user, g.space),
    )


@bp.get("/<int:proposal_id>")
@require(can_view_proposal, proposal=visible_proposal)
def detail(proposal):
    return _render_detail(proposal)


def _change_support(proposal, change, changed_message: str, unchanged_message: str):
    """Support and withdrawal share one shape: apply, say what happened, and go back to the
    proposal's support box (303, so a reload never repeats the POST)."""
    try:
        changed = change(db.session, proposal, current_user)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
    else:
        flash(changed_message if changed else unchanged_message, "success")
    return redirect(url_for(".detail", proposal_id=proposal.id, _anchor="support")), 303


@bp.post("/<int:proposal_id>/support")
@log_in_back_to_proposal
@require(can_support_or_comment, proposal=visible_proposal_row)
def support(proposal):
    return _change_support(proposal, supports.support,
                           _("Thank you, your support is counted."),
                           _("You already support this proposal."))


@bp.post("/<int:proposal_id>/unsupport")
@log_in_back_to_proposal
@require(can_support_or_comment, proposal=visible_proposal_row)
def unsupport(proposal):
    return _change_support(proposal, supports.unsupport,
                           _("Your support is withdrawn."),
                           _("You were not supporting this proposal."))


@bp.post("/<int:proposal_id>/comments")
@log_in_back_to_proposal
@require(can_support_or_comment, proposal=visible_proposal)
def comment(proposal):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            post = comments.add_comment(db.session, proposal, current_user, form.body.data,
                                        form.reply_to_id())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your comment is posted."), "success")
            return redirect(url_for(".detail", proposal_id=proposal.id,
                                    _anchor=f"post-{post.id}")), 303
    return _render_detail(proposal, form)
