"""A person's ties to areas (/auth/profile/ties) and the one-tap question "how are you connected
to <area>?" after a first contribution in a space whose area neither the home nor a tie covers
(/auth/connection/<slug>). Thin: parse, call the services, render."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, services, ties
from app.accounts.forms import TIE_KIND_LABELS, ConnectionForm, TieForm
from app.accounts.permissions import can_answer_connection, require
from app.areas.residency import CHOOSABLE_TIE_KINDS
from app.common.errors import DomainError
from app.common.unit_of_work import refuse, was_refused
from app.common.urls import safe_next
from app.extensions import db
from app.representation import ledger
from app.spaces.services import get_space_by_slug


def _ties_page(form: TieForm, user):
    area_names = services.area_suggestions(db.session)
    if area_names:
        form.area.render_kw = {"list": "tie-area-options"}
    return render_template("accounts/ties.html", form=form, ties=ties.ties_of(db.session, user),
                           kind_labels=TIE_KIND_LABELS, area_names=area_names, user=user)


@bp.route("/profile/ties", methods=["GET", "POST"])
@login_required
def residency_ties():
    user = current_user._get_current_object()
    form = TieForm()
    if form.validate_on_submit():
        try:
            tie = ties.add_tie(db.session, user, form.area_obj, form.kind.data,
                               locale=str(get_locale()))
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your connection to %(area)s has been saved.",
                    area=tie.area.name(str(get_locale()))), "success")
            return redirect(url_for("accounts.residency_ties"))
    return _ties_page(form, user)


@bp.post("/profile/ties/<int:tie_id>/delete")
@login_required
def delete_residency_tie(tie_id: int):
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Tick the box to confirm."), "error")
    elif ties.remove_tie(db.session, current_user._get_current_object(), tie_id):
        flash(_("The connection has been removed. Spaces you already took part in keep what "
                "was recorded then."), "success")
    return redirect(url_for("accounts.residency_ties"))


# --- the one-tap question --------------------------------------------------------------------

def space_from_slug(slug: str):
    return get_space_by_slug(db.session, slug)


@bp.route("/connection/<slug>", methods=["GET", "POST"])
@require(can_answer_connection, space=space_from_slug)
def connection(space):
    next_url = safe_next(request.values.get("next"), url_for("spaces.detail", slug=space.slug))
    user = current_user._get_current_object()
    if ledger.open_question(db.session, user, space) is None:
        return redirect(next_url)  # answered, skipped, or known from the home or a tie
    form = ConnectionForm()
    if form.validate_on_submit():
        kind = None if form.kind.data == "skip" else form.kind.data
        try:
            ledger.answer_connection(db.session, user, space, kind,
                                     k=current_app.config["MIN_CELL_FACILITATOR"],
                                     locale=str(get_locale()))
        except DomainError as error:
            form.refuse(error)
        else:
            if kind is not None:
                flash(_("Thank you. Your connection to %(area)s has been saved; you can change "
                        "it under your profile.", area=space.area.name(str(get_locale()))),
                      "success")
            return redirect(next_url)
    return render_template("accounts/connection.html", form=form, space=space,
                           next_url=next_url, kinds=CHOOSABLE_TIE_KINDS,
                           kind_labels=TIE_KIND_LABELS)


def install_connection_question(app) -> None:
    """After a contribution that wrote a person's first ledger row in a space with an unknown
    residency (ledger.UNKNOWN_RESIDENCY), its redirect goes to the one-tap question first, which
    then sends the person where the contribution meant to."""

    @app.before_request
    def forget_unknown_residency():
        db.session.info.pop(ledger.UNKNOWN_RESIDENCY, None)

    @app.after_request
    def ask_connection(response):
        space_ids = db.session.info.pop(ledger.UNKNOWN_RESIDENCY, None)
        if (not space_ids or was_refused() or not 300 <= response.status_code < 400
                or request.path.startswith("/api/") or not current_user.is_authenticated):
            return response
        from app.spaces.models import Space

        slug = db.session.get(Space, min(space_ids)).slug
        fallback = url_for("spaces.detail", slug=slug)
        target = safe_next(response.headers.get("Location"), fallback)
        response.headers["Location"] = url_for("accounts.connection", slug=slug, next=target)
        return response
