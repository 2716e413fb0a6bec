"""Panel pages under /spaces/<slug>/panels/: the call and volunteering for participants, the
facilitators' pages (call, quotas, pool, selection, pick, members), and the public result with
the published lottery. Thin: parse, call the services, render."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import (can_manage_panel_call, can_manage_panels,
                                      can_view_panel_call, can_volunteer, require)
from app.common.errors import DomainError
from app.common.jobs import enqueue
from app.extensions import db
from app.panels import bp, explain, selection, services, tasks
from app.panels.models import MEMBER_STATUSES
from app.panels.forms import (ALGORITHM_LABELS, MEMBER_STATUS_LABELS, STATUS_LABELS, CallForm,
                              ConfirmForm, PickForm, RunForm, VolunteerForm, feature_label,
                              quota_form_class, value_label)
from app.spaces.scoping import scope_to_space

scope_to_space(bp)


@bp.context_processor
def _helpers():
    space = g.get("space")
    return {"feature_label": feature_label, "value_label": value_label,
            "STATUS_LABELS": STATUS_LABELS, "ALGORITHM_LABELS": ALGORITHM_LABELS,
            "MEMBER_STATUS_LABELS": MEMBER_STATUS_LABELS, "render_line": _render_line,
            "can_manage": space is not None and can_manage_panels(current_user, space)}


def _render_line(line: explain.Line) -> str:
    def label(feature, value=None):
        return feature_label(feature) if value is None else \
            f"{feature_label(feature)}: {value_label(feature, value)}"
    return explain.render(line, _, label)


def call_from_url(call_id: int):
    return services.get_call(db.session, g.space, call_id)


def _values(call) -> dict[str, list[str]]:
    return {f: services.feature_values(call.space, f) for f in call.features}


def _back(call, endpoint=".manage"):
    return redirect(url_for(endpoint, call_id=call.id))


# --- participants ----------------------------------------------------------------------------

@bp.get("/")
def index():
    calls = services.list_calls(db.session, g.space,
                                drafts=can_manage_panels(current_user, g.space))
    return render_template("panels/index.html", space=g.space, calls=calls)


@bp.get("/<int:call_id>")
@require(can_view_panel_call, call=call_from_url)
def detail(call):
    mine = services.find_volunteer(db.session, call, current_user)
    seat = None
    if mine is not None and call.status == "drawn":
        seat = next((m for m in selection.members(db.session, call, MEMBER_STATUSES)
                     if m.volunteer_id == mine.id), None)
    return render_template("panels/detail.html", space=g.space, call=call, mine=mine, seat=seat,
                           pool=services.pool_size(db.session, call), withdraw_form=ConfirmForm())


@bp.route("/<int:call_id>/volunteer", methods=["GET", "POST"])
@require(can_volunteer, call=call_from_url)
def volunteer(call):
    if services.find_volunteer(db.session, call, current_user) is not None:
        return redirect(url_for(".detail", call_id=call.id))
    form = VolunteerForm(values=_values(call))
    if form.validate_on_submit():
        try:
            services.volunteer(db.session, call, current_user,
                               consent_contact=form.consent_contact.data, answers=form.answers())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Thank you: you are in the pool of volunteers."), "success")
            return redirect(url_for(".detail", call_id=call.id))
    returning = services.find_volunteer(db.session, call, current_user, withdrawn=True)
    known = returning.features if returning else services.profile_features(call.space,
                                                                             current_user)
    return render_template("panels/volunteer.html", space=g.space, call=call, form=form,
                           missing=[] if returning else services.missing_features(call, current_user),
                           known={f: known[f] for f in call.features if f in known})


@bp.post("/<int:call_id>/withdraw")
@require(can_volunteer, call=call_from_url)
def withdraw(call):
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for(".detail", call_id=call.id))
    try:
        services.withdraw(db.session, call, current_user)
    except DomainError as error:
        flash(error.translated(_), "error")
        return redirect(url_for(".detail", call_id=call.id))
    flash(_("You have left the pool."), "success")
    return redirect(url_for(".detail", call_id=call.id))


def _draw_from_url(call_id: int):
    call = call_from_url(call_id)
    return call if call is not None and call.draw is not None else None


@bp.get("/<int:call_id>/result")
@require(can_view_panel_call, call=_draw_from_url)
def result(call):
    """The public page: the published lottery and, once picked, the panel's composition against
    the population and the quotas. Never a name, never the pool's composition."""
    draw = call.draw
    seated = selection.members(db.session, call, "selected") if draw.picked else []
    panel_counts = {}
    for feature in call.features:
        counts = dict.fromkeys(services.feature_values(call.space, feature), 0)
        for member in seated:
            value = member.volunteer.features.get(feature)
            if value in counts:
                counts[value] += 1
        panel_counts[feature] = counts
    shares = {f: services.population_shares(db.session, call.space, f) for f in call.features}
    quotas = {(f, v): (lo, hi) for f, v, lo, hi in draw.quotas}
    return render_template("panels/result.html", space=g.space, call=call, draw=draw,
                           panel_counts=panel_counts, shares=shares, quotas=quotas,
                           seated=len(seated))


@bp.get("/<int:call_id>/lottery.csv")
@require(can_view_panel_call, call=_draw_from_url)
def lottery_csv(call):
    """The m published panels, one a line: lottery number, then volunteer numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["panel", *[f"member_{i}" for i in range(1, call.size + 1)]])
    for number, panel in enumerate(call.draw.panels, start=1):
        writer.writerow([number, *panel])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="panel-{call.id}-lottery.csv"'})


# --- facilitators ----------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_panels)
def new():
    form = CallForm(data=None if request.method == "POST" else {"features": ["age_band", "gender"]})
    if form.validate_on_submit():
        try:
            call = services.create_call(db.session, g.space, **form.values())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The call was created with proposed quotas: check them."), "success")
            return redirect(url_for(".quotas", call_id=call.id))
    return render_template("panels/call_form.html", space=g.space, form=form, call=None)


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@require(can_manage_panel_call, call=call_from_url)
def edit(call):
    data = None if request.method == "POST" else {
        "title": call.title, "description_md": call.description_md, "size": call.size,
        "features": list(call.features), "lottery_size": call.lottery_size, "slack": call.slack}
    form = CallForm(data=data)
    if form.validate_on_submit():
        try:
            services.update_call(db.session, call, **form.values())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The call was saved."), "success")
            return _back(call)
    return render_template("panels/call_form.html", space=g.space, form=form, call=call)


@bp.route("/<int:call_id>/quotas", methods=["GET", "POST"])
@require(can_manage_panel_call, call=call_from_url)
def quotas(call):
    values = _values(call)
    form_class = quota_form_class(call, values)
    data = None if request.method == "POST" else {
        services.quota_field(q.feature, q.value, bound): getattr(q, f"{bound}_count")
        for q in call.quotas for bound in ("min", "max")}
    form = form_class(data=data)
    if form.validate_on_submit():
        try:
            services.save_quotas(db.session, call, form.bounds())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The quotas were saved."), "success")
            return _back(call)
    shares = {f: services.population_shares(db.session, call.space, f) for f in call.features}
    return render_template("panels/quotas.html", space=g.space, call=call, form=form,
                           values=values, shares=shares, propose_form=ConfirmForm())


@bp.post("/<int:call_id>/quotas/propose")
@require(can_manage_panel_call, call=call_from_url)
def propose(call):
    if not ConfirmForm().validate_on_submit():
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for(".quotas", call_id=call.id))
    try:
        services.propose_quotas(db.session, call)
    except DomainError as error:
        flash(error.translated(_), "error")
    else:
        flash(_("The quotas were proposed again from the population."), "success")
    return redirect(url_for(".quotas", call_id=call.id))


def _manage_page(call, run_form=None, pick_form=None):
    cfg = current_app.config
    counted, tables = services.pool_counts(db.session, call, batch=cfg["MIN_CELL_FACILITATOR"],
                                           min_cell=cfg["MIN_CELL_FACILITATOR"])
    running = call.selection_state == "running" or (
        request.args.get("started") == "1" and call.selection_state == "idle")
    return render_template(
        "panels/manage.html", space=g.space, call=call, pool=services.pool_size(db.session, call),
        counted=counted, tables=tables, problem=selection.problem_lines(call),
        seated=selection.members(db.session, call, ("selected", "declined", "replaced")),
        reserve=selection.members(db.session, call, "reserve"), running=running,
        run_form=run_form or RunForm(), pick_form=pick_form or PickForm(),
        confirm_form=ConfirmForm())


@bp.get("/<int:call_id>/manage")
@require(can_manage_panel_call, call=call_from_url)
def manage(call):
    return _manage_page(call)


@bp.post("/<int:call_id>/status")
@require(can_manage_panel_call, call=call_from_url)
def change_status(call):
    if not ConfirmForm().validate_on_submit():
        flash(_("Tick the box to confirm."), "error")
        return _back(call)
    action = request.form.get("action")
    change = {"open": services.open_call, "close": services.close_call}.get(action)
    if change is None:
        abort(400)
    try:
        change(db.session, call)
    except DomainError as error:
        flash(error.translated(_), "error")
    else:
        flash(_("Volunteering is open.") if action == "open" else _("Volunteering is closed."),
              "success")
    return _back(call)


@bp.post("/<int:call_id>/run")
@require(can_manage_panel_call, call=call_from_url)
def run(call):
    form = RunForm()
    if form.validate_on_submit():
        try:
            selection.check_can_run(db.session, call, form.algorithm.data,
                                    form.number_source.data)
        except DomainError as error:
            form.refuse(error)
        else:
            # After the response, in its own session: this request writes nothing itself.
            enqueue(tasks.run_selection, call.id, form.algorithm.data, form.number_source.data)
            flash(_("The selection has started. This page refreshes until it is done."),
                  "success")
            return redirect(url_for(".manage", call_id=call.id, started=1))
    return _manage_page(call, run_form=form)


@bp.post("/<int:call_id>/pick")
@require(can_manage_panel_call, call=call_from_url)
def pick(call):
    form = PickForm()
    if form.validate_on_submit():
        try:
            draw = selection.pick(db.session, call, form.public_number.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Panel %(number)s of %(m)s was picked.", number=draw.picked,
                    m=draw.lottery_size), "success")
            return _back(call)
    return _manage_page(call, pick_form=form)


@bp.post("/<int:call_id>/members/<int:member_id>/decline")
@require(can_manage_panel_call, call=call_from_url)
def decline(call, member_id: int):
    if not ConfirmForm().validate_on_submit():
        flash(_("Tick the box to confirm."), "error")
        return _back(call)
    try:
        replacement = selection.decline(db.session, call, member_id)
    except DomainError as error:
        flash(error.translated(_), "error")
        return _back(call)
    if replacement is None:
        flash(_("Nobody in the reserve can take the seat without breaking a quota: it stays"
                " empty."), "error")
    else:
        flash(_("Reserve number %(number)s takes the seat.", number=replacement.volunteer.number),
              "success")
    return _back(call)
