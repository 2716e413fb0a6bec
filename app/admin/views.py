"""Administration pages: overview, users and roles, areas and regions, the audit log.
Every route is for administrators only (permissions.admin_required)."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import admin_required
from app.admin import regions, services
from app.admin.forms import (AUDIT_ACTION_LABELS, KIND_LABELS, AreaSearchForm, AuditFilterForm,
                             ConfirmForm, GrantRoleForm, RegionEditForm, RegionForm,
                             UserSearchForm)
from app.common.pagination import parse_page
from app.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _message(error: services.AdminError) -> str:
    return _(error.message, **error.params)


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _confirmed() -> bool:
    form = ConfirmForm()
    if form.validate_on_submit():
        return True
    flash(_("Tick the box to confirm, then press the button again."), "error")
    return False


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html", counts=services.overview_counts(db.session))


# ---------------------------------------------------------------- users

@bp.get("/users")
@admin_required
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
@admin_required
def user_detail(user_id: int):
    return _render_user(_load_user(user_id))


@bp.post("/users/<int:user_id>/roles")
@admin_required
def grant_role(user_id: int):
    user = _load_user(user_id)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            services.grant_role(db.session, current_user, user, form.role.data,
                                form.space_slug.data)
        except services.AdminError as error:
            if error.field and hasattr(form, error.field):
                getattr(form, error.field).errors.append(_message(error))
            else:
                flash(_message(error), "error")
        else:
            flash(_("Role granted."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, form)


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/revoke")
@admin_required
def revoke_role(user_id: int, assignment_id: int):
    user = _load_user(user_id)
    if _confirmed():
        try:
            services.revoke_role(db.session, current_user, user, assignment_id)
        except services.AdminError as error:
            flash(_message(error), "error")
        else:
            flash(_("Role revoked."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _set_active(user_id: int, active: bool):
    user = _load_user(user_id)
    if _confirmed():
        try:
            changed = services.set_active(db.session, current_user, user, active)
        except services.AdminError as error:
            flash(_message(error), "error")
        else:
            if changed:
                flash(_("The account was reactivated.") if active
                      else _("The account was deactivated; the person can no longer log in."),
                      "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


# ---------------------------------------------------------------- areas and regions

@bp.get("/areas")
@admin_required
def areas():
    form = AreaSearchForm(request.args)
    valid = form.validate()
    page = regions.search_areas(db.session, form.q.data if valid else "",
                                form.kind.data if valid else "",
                                parse_page(request.args.get("page")), _per_page())
    return render_template("admin/areas.html", form=form, page=page,
                           regions=regions.list_regions(db.session),
                           kind_labels=KIND_LABELS)


def _region_errors_to_form(form, errors: dict[str, list[services.AdminError]]) -> None:
    """Add the domain's messages to fields WTForms found nothing wrong with."""
    for field, field_errors in errors.items():
        target = getattr(form, field, None) or form.members
        if not target.errors:
            target.errors = [_message(e) for e in field_errors]


@bp.route("/areas/regions/new", methods=["GET", "POST"])
@admin_required
def new_region():
    form = RegionForm()
    if form.validate_on_submit():
        try:
            region = regions.create_region(db.session, current_user, form.code.data,
                                           form.name_ja.data, form.name_en.data,
                                           form.members.data)
        except regions.RegionFormError as error:
            _region_errors_to_form(form, error.errors)
        else:
            flash(_("Region %(code)s created.", code=region.code), "success")
            return redirect(url_for("admin.areas"))
    elif form.is_submitted():  # report the code and members too, not only the empty fields
        _region_errors_to_form(form, regions.check_region(db.session, form.members.data,
                                                          form.code.data))
    return render_template("admin/region_form.html", form=form, region=None)


def _load_region(code: str):
    region = regions.get_region(db.session, code)
    if region is None:
        abort(404)
    return region


@bp.route("/areas/regions/<code>/edit", methods=["GET", "POST"])
@admin_required
def edit_region(code: str):
    region = _load_region(code)
    form = RegionEditForm()
    if request.method == "GET":
        form.name_ja.data, form.name_en.data = region.name_ja, region.name_en
        form.members.data = "\n".join(a.code for a in region.members)
    elif form.validate_on_submit():
        try:
            regions.update_region(db.session, current_user, region, form.name_ja.data,
                                  form.name_en.data, form.members.data)
        except regions.RegionFormError as error:
            _region_errors_to_form(form, error.errors)
        else:
            flash(_("Region %(code)s saved.", code=region.code), "success")
            return redirect(url_for("admin.areas"))
    else:
        _region_errors_to_form(form, regions.check_region(db.session, form.members.data))
    return render_template("admin/region_form.html", form=form, region=region)


@bp.post("/areas/regions/<code>/delete")
@admin_required
def delete_region(code: str):
    region = _load_region(code)
    code = region.code
    if not _confirmed():
        return redirect(url_for("admin.edit_region", code=code))
    try:
        regions.delete_region(db.session, current_user, region)
    except services.AdminError as error:
        flash(_message(error), "error")
        return redirect(url_for("admin.edit_region", code=code))
    flash(_("Region %(code)s deleted.", code=code), "success")
    return redirect(url_for("admin.areas"))


# ---------------------------------------------------------------- audit log

@bp.get("/audit")
@admin_required
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
