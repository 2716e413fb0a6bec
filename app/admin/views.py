"""Administration pages: overview, users and roles, areas and regions, the audit log.
Every route is for administrators only (@require(is_admin))."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import is_admin, require
from app.admin import bp, regions, services
from app.admin.forms import (AUDIT_ACTION_LABELS, KIND_LABELS, AreaSearchForm, AuditFilterForm,
                             ConfirmForm, GrantRoleForm, RegionEditForm, RegionForm,
                             UserSearchForm)
from app.areas.services import check_region, parse_area_codes
from app.common.errors import DomainError
from app.common.pagination import parse_page
from app.common.unit_of_work import refuse
from app.extensions import db


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _confirmed() -> bool:
    form = ConfirmForm()
    if form.validate_on_submit():
        return True
    flash(_("Tick the box to confirm, then press the button again."), "error")
    return False


@bp.get("/")
@require(is_admin)
def index():
    return render_template("admin/index.html", counts=services.overview_counts(db.session))


# ---------------------------------------------------------------- users

@bp.get("/users")
@require(is_admin)
def users():
    form = UserSearchForm(request.args)
    query = form.q.data if form.validate() else ""
    page = services.search_users(db.session, query, parse_page(request.args.get("page")),
                                 _per_page())
    return render_template("admin/users.html", form=form, page=page, query=query)


def _load_user(user_id: int):
    user = services.get_user(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _render_user(user, grant_form: GrantRoleForm | None = None):
    return render_template("admin/user_detail.html", user=user,
                           summary=services.user_summary(db.session, user),
                           grant_form=grant_form or GrantRoleForm(formdata=None))


@bp.get("/users/<int:user_id>")
@require(is_admin)
def user_detail(user_id: int):
    return _render_user(_load_user(user_id))


@bp.post("/users/<int:user_id>/roles")
@require(is_admin)
def grant_role(user_id: int):
    user = _load_user(user_id)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            services.grant_role(db.session, current_user, user, form.role.data,
                                form.space_slug.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Role granted."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, form)


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/revoke")
@require(is_admin)
def revoke_role(user_id: int, assignment_id: int):
    user = _load_user(user_id)
    if _confirmed():
        try:
            services.revoke_role(db.session, current_user, user, assignment_id)
        except DomainError as error:
            refuse()
            flash(error.translated(_), "error")
        else:
            flash(_("Role revoked."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _set_active(user_id: int, active: bool):
    user = _load_user(user_id)
    if _confirmed():
        try:
            changed = services.set_active(db.session, current_user, user, active)
        except DomainError as error:
            refuse()
            flash(error.translated(_), "error")
        else:
            if changed:
                flash(_("The account was reactivated.") if active
                      else _("The account was deactivated; the person can no longer log in."),
                      "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@require(is_admin)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@require(is_admin)
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


# ---------------------------------------------------------------- areas and regions

@bp.get("/areas")
@require(is_admin)
def areas():
    form = AreaSearchForm(request.args)
    valid = form.validate()
    page = regions.search_areas(db.session, form.q.data if valid else "",
                                form.kind.data if valid else "",
                                parse_page(request.args.get("page")), _per_page())
    return render_template("admin/areas.html", form=form, page=page,
                           regions=regions.list_regions(db.session),
                           kind_labels=KIND_LABELS)


def _refuse_region(form, problems: list[DomainError]) -> None:
    """Put the areas module's problems next to the fields WTForms found nothing wrong with (a
    field's own message, such as an empty name, is enough there)."""
    flagged = set(form.errors)
    for problem in problems:
        if problem.field not in flagged:
            form.refuse(problem)


@bp.route("/areas/regions/new", methods=["GET", "POST"])
@require(is_admin)
def new_region():
    form = RegionForm()
    if form.is_submitted():
        valid = form.validate_on_submit()
        # Every field's problems at once: the code and the members too, not only empty fields.
        problems = check_region(db.session, parse_area_codes(form.members.data),
                                code=form.code.data or "",
                                names=(form.name_ja.data, form.name_en.data))[1]
        if valid and not problems:
            region = regions.create_region(db.session, current_user, form.code.data,
                                           form.name_ja.data, form.name_en.data,
                                           form.members.data)
            flash(_("Region %(code)s created.", code=region.code), "success")
            return redirect(url_for("admin.areas"))
        _refuse_region(form, problems)
    return render_template("admin/region_form.html", form=form, region=None)


def _load_region(code: str):
    region = regions.get_region(db.session, code)
    if region is None:
        abort(404)
    return region


@bp.route("/areas/regions/<code>/edit", methods=["GET", "POST"])
@require(is_admin)
def edit_region(code: str):
    region = _load_region(code)
    form = RegionEditForm()
    if request.method == "GET":
        form.name_ja.data, form.name_en.data = region.name_ja, region.name_en
        form.members.data = "\n".join(a.code for a in region.members)
    else:
        valid = form.validate_on_submit()
        problems = check_region(db.session, parse_area_codes(form.members.data),
                                names=(form.name_ja.data, form.name_en.data))[1]
        if valid and not problems:
            regions.update_region(db.session, current_user, region, form.name_ja.data,
                                  form.name_en.data, form.members.data)
            flash(_("Region %(code)s saved.", code=region.code), "success")
            return redirect(url_for("admin.areas"))
        _refuse_region(form, problems)
    return render_template("admin/region_form.html", form=form, region=region)


@bp.post("/areas/regions/<code>/delete")
@require(is_admin)
def delete_region(code: str):
    region = _load_region(code)
    code = region.code
    if not _confirmed():
        return redirect(url_for("admin.edit_region", code=code))
    try:
        regions.delete_region(db.session, current_user, region)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
        return redirect(url_for("admin.edit_region", code=code))
    flash(_("Region %(code)s deleted.", code=code), "success")
    return redirect(url_for("admin.areas"))


# ---------------------------------------------------------------- audit log

@bp.get("/audit")
@require(is_admin)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(a, AUDIT_ACTION_LABELS.get(a, a)) for a in services.audit_actions(db.session)]
    valid = form.validate()
    page = services.list_audit(db.session, action=form.action.data if valid else None,
                               actor=form.actor.data if valid else None,
                               page=parse_page(request.args.get("page")), per_page=_per_page())
    return render_template("admin/audit.html", form=form, page=page,
                           action_labels=AUDIT_ACTION_LABELS)
