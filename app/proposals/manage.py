"""Facilitators' pages of the proposals blueprint: moving a proposal through the workflow with an
official answer, merging, the CSV export, and the space's threshold and categories. Every route
is guarded by a rule of the space's facilitators (app.accounts.permissions)."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import (can_answer_proposal, can_change_proposal_category,
                                      can_manage_proposals, require)
from app.admin.services import audit
from app.common.errors import DomainError
from app.common.mail import absolute_url
from app.common.time import today_jst
from app.common.unit_of_work import refuse
from app.exports.start_views import (offer_background, start_background_export,
                                     too_large_to_wait)
from app.extensions import db
from app.proposals import bp, export, services, supports, workflow
from app.proposals.forms import CategoryForm, SettingsForm, StatusForm
from app.spaces.models import Space
from app.proposals.pages import category_in_space, locale, published_proposal, status_label

# --- workflow -------------------------------------------------------------------------------


def _status_form(proposal, form: StatusForm | None = None) -> StatusForm:
    form = form or StatusForm(formdata=None)
    choices = []
    if proposal.status in workflow.ANSWERABLE:
        choices.append(SelectChoice(proposal.status, _("%(status)s (keep; answer only)",
                                                       status=status_label(proposal.status))))
    choices += [SelectChoice(s, status_label(s)) for s in workflow.allowed_moves(proposal)]
    form.status.choices = choices
    if form.status.data is None and choices:
        form.status.data = choices[0].value
    return form


def _render_status(proposal, form: StatusForm | None = None):
    form = _status_form(proposal, form)
    candidates = services.find_similar(db.session, g.space, f"{proposal.title}\n{proposal.body}",
                                       exclude_id=proposal.id)
    return render_template("proposals/status.html", proposal=proposal, form=form,
                           candidates=candidates,
                           history=services.status_history(db.session, proposal))


@bp.route("/<int:proposal_id>/status", methods=["GET", "POST"])
@require(can_answer_proposal, proposal=published_proposal)
def status(proposal):
    if request.method == "GET":
        return _render_status(proposal)
    form = _status_form(proposal, StatusForm())
    if form.validate_on_submit():
        try:
            workflow.take_step(db.session, proposal, current_user, to_status=form.status.data,
                               answer=form.answer.data, merge_into_id=form.merge_into.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The proposal is updated. Its author and supporters are notified."),
                  "success")
            return redirect(url_for(".detail", proposal_id=proposal.id)), 303
    return _render_status(proposal, form)


# --- export ---------------------------------------------------------------------------------

def _csv_header() -> list[str]:
    return [_("Proposal no."), _("Title"), _("Status"), _("Category"), _("Part of the area"),
            _("Author"), _("Supports"), _("Comments"), _("Threshold reached"),
            _("Published"), _("Last answered"), _("Official answer"), _("Merged into"),
            _("Address")]


def _csv_rows(space, progress=None) -> list[list]:
    # Links from HIROBA_BASE_URL, the same in a request and in a background job.
    return export.rows(db.session, space, locale=locale(), status_label=status_label,
                       deleted_name=_("Deleted user"), progress=progress,
                       url_of=lambda p: absolute_url("proposals.detail", slug=space.slug,
                                                     proposal_id=p.id))


def _csv_filename(space) -> str:
    return f"proposals-{space.slug}-{today_jst().isoformat()}.csv"


@bp.get("/export.csv")
@require(can_manage_proposals)
def export_csv():
    count = export.count(db.session, g.space)
    if too_large_to_wait(count):
        return offer_background(_export_title(g.space), count,
                                url_for(".export_background"))
    rows = _csv_rows(g.space)
    audit(db.session, current_user, "proposals.export", f"space:{g.space.id}", rows=len(rows))
    return Response(export.to_csv(_csv_header(), rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{_csv_filename(g.space)}"',
                             "Cache-Control": "private, no-store"})


def _export_title(space) -> str:
    return _("Proposals of “%(space)s” (CSV)", space=space.title)


@bp.post("/export.csv/background")
@require(can_manage_proposals)
def export_background():
    return start_background_export("proposals", g.space.id, _export_title(g.space))


def build_export(session, user, background, progress):
    """The background export of a space's proposals (app.exports.kinds)."""
    space = session.get(Space, background.target_id)
    if space is None or not can_manage_proposals(user, space):
        raise PermissionError("no longer a facilitator of this space")
    rows = _csv_rows(space, progress)
    audit(session, user, "proposals.export", f"space:{space.id}", rows=len(rows),
          background=True)
    return _csv_filename(space), export.to_csv(_csv_header(), rows), len(rows)


# --- settings -------------------------------------------------------------------------------

def _render_settings(settings_form=None, add_form=None, edit_forms=None):
    categories = services.list_categories(db.session, g.space)
    if settings_form is None:
        settings_form = SettingsForm(formdata=None)
        settings_form.support_threshold.data = services.support_threshold(db.session, g.space)
    edit_forms = edit_forms or {}
    forms = []
    for category in categories:
        form = edit_forms.get(category.id) or CategoryForm(formdata=None, obj=category,
                                                           prefix=f"c{category.id}")
        forms.append((category, form))
    return render_template("proposals/settings.html", settings_form=settings_form,
                           add_form=add_form or CategoryForm(formdata=None, prefix="new"),
                           category_forms=forms)


@bp.route("/settings", methods=["GET", "POST"])
@require(can_manage_proposals)
def settings():
    if request.method == "GET":
        return _render_settings()
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            marked = supports.change_threshold(db.session, g.space, form.support_threshold.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The settings are saved.") if not marked else
                  _("The settings are saved. %(count)s proposals have already reached the "
                    "threshold; the facilitators are notified.", count=marked), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(settings_form=form)


@bp.post("/settings/categories")
@require(can_manage_proposals)
def add_category():
    form = CategoryForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_category(db.session, g.space, name_ja=form.name_ja.data or "",
                                  name_en=form.name_en.data or "")
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The category is added."), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(add_form=form)


@bp.post("/settings/categories/<int:category_id>")
@require(can_change_proposal_category, category=category_in_space)
def edit_category(category):
    form = CategoryForm(prefix=f"c{category.id}")
    if form.validate_on_submit():
        try:
            services.update_category(db.session, category, g.space,
                                     name_ja=form.name_ja.data or "",
                                     name_en=form.name_en.data or "",
                                     position=form.position.data if form.position.data
                                     is not None else category.position)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The category is saved."), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(edit_forms={category.id: form})


@bp.post("/settings/categories/<int:category_id>/delete")
@require(can_change_proposal_category, category=category_in_space)
def delete_category(category):
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for(".settings")), 303
    try:
        services.delete_category(db.session, category)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
        return redirect(url_for(".settings")), 303
    flash(_("The category is deleted."), "success")
    return redirect(url_for(".settings")), 303
