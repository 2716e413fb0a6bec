"""Facilitators' pages of the proposals blueprint: moving a proposal through the workflow with an
official answer, merging, the CSV export, and the space's threshold and categories. Every route
is guarded by can_manage_proposals. Also the renderers of this module's notifications."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import can_manage_proposals, require
from app.common.time import today_jst
from app.extensions import db
from app.notifications.kinds import RenderedNotification, register_kind
from app.proposals import export, services, supports, workflow
from app.proposals.forms import CategoryForm, SettingsForm, StatusForm
from app.proposals.views import bp, error_text, form_error, load_proposal, locale, status_label

# --- workflow -------------------------------------------------------------------------------


def _status_form(proposal, form: StatusForm | None = None) -> StatusForm:
    form = form or StatusForm(formdata=None)
    form.page_errors = getattr(form, "page_errors", [])
    choices = []
    if proposal.status in workflow.ANSWERABLE:
        choices.append(SelectChoice(proposal.status, _("%(status)s (keep; answer only)",
                                                       status=status_label(proposal.status))))
    choices += [SelectChoice(s, status_label(s)) for s in workflow.allowed_moves(proposal)]
    form.status.choices = choices
    if form.status.data is None and choices:
        form.status.data = choices[0].value
    return form


def _render_status(proposal, form: StatusForm | None = None, code: int = 200):
    form = _status_form(proposal, form)
    candidates = services.find_similar(db.session, g.space, f"{proposal.title}\n{proposal.body}",
                                       exclude_id=proposal.id)
    return render_template("proposals/status.html", proposal=proposal, form=form,
                           candidates=candidates,
                           history=services.status_history(db.session, proposal)), code


@bp.route("/<int:proposal_id>/status", methods=["GET", "POST"])
@require(can_manage_proposals)
def status(proposal_id: int):
    proposal = load_proposal(proposal_id)
    if proposal.is_draft:
        abort(404)
    if request.method == "GET":
        return _render_status(proposal)
    form = _status_form(proposal, StatusForm())
    if form.validate():
        try:
            if form.status.data == "merged":
                target = services.get_proposal(db.session, g.space, form.merge_into.data) \
                    if form.merge_into.data else None
                workflow.merge(db.session, proposal, target, current_user,
                               answer=form.answer.data)
            else:
                workflow.change_status(db.session, proposal, current_user,
                                       to_status=form.status.data, answer=form.answer.data)
        except services.ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The proposal is updated. Its author and supporters are notified."),
                  "success")
            return redirect(url_for(".detail", proposal_id=proposal.id)), 303
    return _render_status(proposal, form, 422)


# --- export ---------------------------------------------------------------------------------

@bp.get("/export.csv")
@require(can_manage_proposals)
def export_csv():
    header = [_("Proposal no."), _("Title"), _("Status"), _("Category"), _("Part of the area"),
              _("Author"), _("Supports"), _("Comments"), _("Threshold reached"),
              _("Published"), _("Last answered"), _("Official answer"), _("Merged into"),
              _("Address")]
    rows = export.rows(db.session, g.space, locale=locale(), status_label=status_label,
                       deleted_name=_("Deleted user"),
                       url_of=lambda p: url_for(".detail", proposal_id=p.id, _external=True))
    filename = f"proposals-{g.space.slug}-{today_jst().isoformat()}.csv"
    from app.admin.services import audit

    audit(db.session, current_user, "proposals.export", f"space:{g.space.id}", rows=len(rows))
    return Response(export.to_csv(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


# --- settings -------------------------------------------------------------------------------

def _render_settings(settings_form=None, add_form=None, edit_forms=None, code: int = 200):
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
                           category_forms=forms), code


@bp.route("/settings", methods=["GET", "POST"])
@require(can_manage_proposals)
def settings():
    if request.method == "GET":
        return _render_settings()
    form = SettingsForm()
    if form.validate():
        try:
            services.save_threshold(db.session, g.space, form.support_threshold.data)
            marked = supports.mark_reached_after_change(db.session, g.space)
        except services.ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The settings are saved.") if not marked else
                  _("The settings are saved. %(count)s proposals have already reached the "
                    "threshold; the facilitators are notified.", count=marked), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(settings_form=form, code=422)


@bp.post("/settings/categories")
@require(can_manage_proposals)
def add_category():
    form = CategoryForm(prefix="new")
    if form.validate():
        try:
            services.add_category(db.session, g.space, name_ja=form.name_ja.data or "",
                                  name_en=form.name_en.data or "")
        except services.ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The category is added."), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(add_form=form, code=422)


def _category_or_404(category_id: int):
    category = services.get_category(db.session, g.space, category_id)
    if category is None:
        return None, (render_template("errors/error.html", code=404,
                                      message=_("The page was not found.")), 404)
    return category, None


@bp.post("/settings/categories/<int:category_id>")
@require(can_manage_proposals)
def edit_category(category_id: int):
    category, missing = _category_or_404(category_id)
    if missing:
        return missing
    form = CategoryForm(prefix=f"c{category.id}")
    if form.validate():
        try:
            services.update_category(db.session, category, g.space,
                                     name_ja=form.name_ja.data or "",
                                     name_en=form.name_en.data or "",
                                     position=form.position.data if form.position.data
                                     is not None else category.position)
        except services.ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The category is saved."), "success")
            return redirect(url_for(".settings")), 303
    return _render_settings(edit_forms={category.id: form}, code=422)


@bp.post("/settings/categories/<int:category_id>/delete")
@require(can_manage_proposals)
def delete_category(category_id: int):
    category, missing = _category_or_404(category_id)
    if missing:
        return missing
    if request.form.get("confirm") != "yes":
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for(".settings")), 303
    try:
        services.delete_category(db.session, category)
    except services.ProposalError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return redirect(url_for(".settings")), 303
    flash(_("The category is deleted."), "success")
    return redirect(url_for(".settings")), 303


# --- notifications of this module ------------------------------------------------------------

def render_status_notification(payload: dict) -> RenderedNotification:
    url = url_for("proposals.detail", slug=payload["space_slug"],
                  proposal_id=payload["proposal_id"])
    title, to_status = payload["title"], payload["to_status"]
    if to_status == payload.get("from_status"):
        message = _("Your proposal “%(title)s” received an official answer.", title=title) \
            if payload.get("role") == "author" else \
            _("A proposal you support, “%(title)s”, received an official answer.", title=title)
    elif payload.get("role") == "author":
        message = _("Your proposal “%(title)s” is now: %(status)s.", title=title,
                    status=status_label(to_status))
    else:
        message = _("A proposal you support, “%(title)s”, is now: %(status)s.", title=title,
                    status=status_label(to_status))
    return RenderedNotification(message, url)


def render_threshold_notification(payload: dict) -> RenderedNotification:
    url = url_for("proposals.detail", slug=payload["space_slug"],
                  proposal_id=payload["proposal_id"])
    return RenderedNotification(
        _("The proposal “%(title)s” has reached %(threshold)s supports and awaits an answer.",
          title=payload["title"], threshold=payload["threshold"]), url)


register_kind(workflow.KIND_STATUS, render_status_notification)
register_kind(supports.KIND_THRESHOLD, render_threshold_notification)
