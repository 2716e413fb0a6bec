"""The person's furusato pages: municipalities open for registration, registering, the card
(登録証), recording an activity, renewing and leaving. Thin: parse, call, render."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import can_register_furusato, is_registrant, require
from app.common.errors import DomainError
from app.common.pagination import paginate
from app.common.time import today_jst
from app.extensions import db
from app.furusato import bp, services
from app.furusato.forms import ActivityForm, RegisterForm
from app.furusato.pages import programme_from_url, registration_from_url
from app.proposals.pages import locale


@bp.get("/")
def index():
    programmes = paginate(db.session, services.open_programmes_query(),
                          request.args.get("page", 1, type=int), 30)
    mine = managed = []
    if current_user.is_authenticated:
        mine = services.registrations_of(db.session, current_user.id)
        managed = services.managed_areas(db.session, current_user)
    registered = {r.area_id for r in mine if r.status == "active"}
    home = current_user.home_area if current_user.is_authenticated else None
    return render_template("furusato/index.html", programmes=programmes, mine=mine,
                           registered=registered, managed=managed, locale=locale(),
                           is_home=lambda area: services.is_home(home, area))


@bp.get("/mine")
@login_required
def mine():
    return render_template("furusato/mine.html", locale=locale(),
                           registrations=services.registrations_of(db.session, current_user.id))


def _render_register(programme, form):
    existing = services.registration_of(db.session, current_user.id, programme.area_id)
    return render_template("furusato/register.html", programme=programme, form=form,
                           locale=locale(),
                           existing=existing if existing and existing.status == "active" else None,
                           home=services.is_home(current_user.home_area, programme.area))


@bp.route("/<area_code>/register", methods=["GET", "POST"])
@require(can_register_furusato, programme=programme_from_url)
def register(programme):
    form = RegisterForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            registration = services.register(
                db.session, current_user, programme, tier=form.tier.data,
                tie_kind=form.tie_kind.data, contact_consent=form.contact_consent.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("You are registered. This is your registration card."), "success")
            return redirect(url_for(".card", registration_id=registration.id), 303)
    return _render_register(programme, form)


@bp.get("/card/<int:registration_id>")
@require(is_registrant, registration=registration_from_url)
def card(registration):
    confirmed = services.confirmed_recently(db.session, registration.id, today_jst())
    programme = services.programme_for(db.session, registration.area)
    days_left = (registration.valid_until - today_jst()).days
    return render_template("furusato/card.html", registration=registration, locale=locale(),
                           confirmed=confirmed, programme=programme, days_left=days_left,
                           renewable=registration.status == "lapsed" or (
                               registration.status == "active"
                               and days_left < services.RENEW_WINDOW_DAYS),
                           needed=services.PREMIUM_MIN_ACTIVITIES)


@bp.route("/card/<int:registration_id>/activity", methods=["GET", "POST"])
@require(is_registrant, registration=registration_from_url)
def record_activity(registration):
    programme = services.programme_for(db.session, registration.area)
    form = ActivityForm()
    form.category.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(c, c) for c in (programme.category_list if programme else [])]
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.record_activity(db.session, registration, on_date=form.on_date.data,
                                     category=form.category.data, note=form.note.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Recorded. The municipality's staff will confirm it."), "success")
            return redirect(url_for(".card", registration_id=registration.id), 303)
    return render_template("furusato/activity.html", registration=registration, form=form,
                           locale=locale())


@bp.post("/card/<int:registration_id>/renew")
@require(is_registrant, registration=registration_from_url)
def renew(registration):
    try:
        services.renew(db.session, registration)
    except DomainError as error:
        flash(error.translated(_), "error")
    else:
        flash(_("Renewed for another year."), "success")
    return redirect(url_for(".card", registration_id=registration.id), 303)


@bp.route("/card/<int:registration_id>/leave", methods=["GET", "POST"])
@require(is_registrant, registration=registration_from_url)
def leave(registration):
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_("Tick the box to confirm that you want to leave."), "error")
            return redirect(url_for(".leave", registration_id=registration.id), 303)
        services.leave(db.session, registration)
        flash(_("You left this registration. Its record is kept as left."), "success")
        return redirect(url_for(".mine"), 303)
    return render_template("furusato/leave.html", registration=registration, locale=locale())
