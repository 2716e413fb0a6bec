"""Spaces: listing, detail, create/edit, phases, copy as template, team. Views parse, authorise
(app.accounts.permissions), call a service and render; the request boundary commits."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.routing import BuildError

from app.accounts.permissions import (can_change_locked_age_settings, can_copy_space,
                                      can_create_space, can_facilitate, require)
from app.common import fragments
from app.common.errors import DomainError
from app.common.pagination import parse_page
from app.common.unit_of_work import refuse
from app.extensions import db, limiter
from app.spaces import bp, services, team
from app.spaces.history import age_setting_changes
from app.spaces.page_parts import page_parts
from app.spaces.forms import ConfirmForm, CopySpaceForm, PhaseForm, SpaceForm, TeamMemberForm
from app.spaces.scoping import scope_to_space

# Each module's page in a space.
MODULE_ENDPOINTS = {"forum": "forum.index", "proposals": "proposals.index",
                    "surveys": "surveys.index"}

scope_to_space(bp, slug_in_view=True)  # the views here take the slug themselves


@bp.context_processor
def _template_helpers():
    return {"module_url": module_url, "module_label": module_label,
            "can_facilitate": can_facilitate, "can_copy_space": can_copy_space}


def module_url(module: str, space) -> str | None:
    """The link to a module's page in `space`, or None when the app has no such page (a module
    left out of app.MODULES): the page names the module without a dead link."""
    endpoint = MODULE_ENDPOINTS.get(module)
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, slug=space.slug)
    except BuildError:
        return None


def module_label(module: str) -> str:
    return {"forum": _("Forum"), "proposals": _("Proposals"), "surveys": _("Surveys")}[module]


# --- listing and detail ---------------------------------------------------------------------

@bp.get("/")
def index():
    page = services.list_spaces_for(db.session, current_user, parse_page(request.args.get("page")),
                                    current_app.config["PER_PAGE"])
    return render_template("spaces/index.html", page=page,
                           may_create=can_create_space(current_user))


@bp.get("/<slug>/")
def detail(slug: str):
    space = g.space
    body = fragments.cached("space", [("space", space.id)], lambda: fragments.drawn(
        "spaces/_detail_body.html", space=space, parts=page_parts(space, current_user)))
    return render_template("spaces/detail.html", space=space, body=body)


# --- create and edit ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@require(can_create_space)
def new():
    form = SpaceForm()
    if form.validate_on_submit():
        try:
            space = services.create_space(db.session, actor=current_user, title=form.title.data,
                                          slug=form.slug.data, area=form.area_obj,
                                          **form.settings())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The space was created. Add its phases next."), "success")
            return redirect(url_for(".phases", slug=space.slug))
    return render_template("spaces/form.html", form=form, space=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@require(can_facilitate)
def edit(slug: str):
    space = g.space
    # The stored values fill the form only on GET: a POST is judged on what was sent alone.
    form = SpaceForm(obj=space if request.method == "GET" else None)
    form.editing_id = space.id
    if request.method == "GET":
        form.area.data = space.area.code
    ages_locked = services.age_settings_locked(db.session, space)
    may_change_ages = not ages_locked or can_change_locked_age_settings(current_user)
    if not may_change_ages:
        form.make_ages_read_only(space, "age-settings-locked")
    if form.validate_on_submit():
        try:
            services.update_space(db.session, space, actor=current_user,
                                  may_change_locked_ages=may_change_ages, title=form.title.data,
                                  slug=form.slug.data, area=form.area_obj, **form.settings())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The space was saved."), "success")
            return redirect(url_for(".detail", slug=space.slug))
    return render_template("spaces/form.html", form=form, space=space, ages_locked=ages_locked,
                           may_change_ages=may_change_ages,
                           age_changes=age_setting_changes(db.session, space))


# --- phases ---------------------------------------------------------------------------------

def _phase_or_404(phase_id: int):
    phase = services.get_phase(db.session, g.space, phase_id)
    if phase is None:
        abort(404)
    return phase


@bp.route("/<slug>/phases", methods=["GET", "POST"])
@require(can_facilitate)
def phases(slug: str):
    space = g.space
    form = PhaseForm()
    if request.method == "GET":
        form.position.data = services.next_phase_position(space)
    if form.validate_on_submit():
        try:
            services.add_phase(db.session, space, actor=current_user, **form.values())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The phase was added."), "success")
            return redirect(url_for(".phases", slug=space.slug))
    return render_template("spaces/phases.html", space=space, form=form)


@bp.route("/<slug>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@require(can_facilitate)
def edit_phase(slug: str, phase_id: int):
    phase = _phase_or_404(phase_id)
    form = PhaseForm(obj=phase if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_phase(db.session, phase, actor=current_user, **form.values())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The phase was saved."), "success")
            return redirect(url_for(".phases", slug=slug))
    return render_template("spaces/phase_edit.html", space=g.space, phase=phase, form=form)


@bp.post("/<slug>/phases/<int:phase_id>/delete")
@require(can_facilitate)
def delete_phase(slug: str, phase_id: int):
    phase = _phase_or_404(phase_id)
    if ConfirmForm().validate_on_submit():
        services.delete_phase(db.session, phase, actor=current_user)
        flash(_("The phase was deleted."), "success")
    else:
        flash(_("Tick the box to confirm the deletion."), "error")
    return redirect(url_for(".phases", slug=slug))


# --- copy as template -----------------------------------------------------------------------

@bp.route("/<slug>/copy", methods=["GET", "POST"])
@require(can_copy_space)
def copy(slug: str):
    source = g.space
    form = CopySpaceForm()
    if request.method == "GET":
        form.title.data = source.title
        form.start_on.data = min((p.starts_on for p in source.phases), default=None)
    if form.validate_on_submit():
        try:
            space = services.copy_space(db.session, source, slug=form.slug.data,
                                        title=form.title.data, area=form.area_obj,
                                        start_on=form.start_on.data, actor=current_user)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The copy was created. Check its description and phases."), "success")
            return redirect(url_for(".detail", slug=space.slug))
    return render_template("spaces/copy.html", source=source, form=form)


# --- team -----------------------------------------------------------------------------------

def _team_add_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.route("/<slug>/team", methods=["GET", "POST"])
@require(can_facilitate)
# Adding a member tells the facilitator whether an address has an account. They are adding a
# person they know, so the answer stays ("no account uses this address" is what they need to
# hear), but a facilitator account must not become a tool to test addresses by the thousand.
@limiter.limit(lambda: current_app.config["TEAM_ADD_RATE_LIMIT"], key_func=_team_add_key,
               methods=["POST"])
def team_page(slug: str):
    space = g.space
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            assignment = team.add_team_member(db.session, space, form.email.data, form.role.data,
                                              actor=current_user)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("%(name)s was added to the team.", name=assignment.user.display_name),
                  "success")
            return redirect(url_for(".team_page", slug=slug))
    return render_template("spaces/team.html", space=space, form=form,
                           members=team.list_team(db.session, space))


@bp.post("/<slug>/team/<int:assignment_id>/remove")
@require(can_facilitate)
def remove_member(slug: str, assignment_id: int):
    assignment = team.get_team_assignment(db.session, g.space, assignment_id)
    if assignment is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        flash(_("Tick the box to confirm the removal."), "error")
    else:
        try:
            team.remove_team_member(db.session, g.space, assignment, actor=current_user)
        except DomainError as error:
            refuse()
            flash(error.translated(_), "error")
        else:
            flash(_("The role was removed."), "success")
    return redirect(url_for(".team_page", slug=slug))
