"""Accounts: login, logout, password reset, profile, data export, deletion (registration is in
registration_views.py, on the same blueprint). Thin: parse the form, call a service, put its
DomainError next to the field (form.refuse)."""
from __future__ import annotations

import json

from flask import (Response, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp, services
from app.accounts.export import export_user_data
from app.accounts.forms import (CONSENT_MISSING, DeleteAccountForm, DemographicsForm, LoginForm,
                                LogoutEverywhereForm, PasswordChangeForm, ProfileForm,
                                ResetPasswordForm, ResetRequestForm)
from app.accounts.mail import reset_link, reset_max_age, send_account_mail
from app.accounts.sessions import end_all_sessions
from app.accounts.web_sessions import keep_this_session, renew_session
from app.common.errors import N_, DomainError
from app.common.jobs import enqueue
from app.common.mail import one_line
from app.common.time import today_jst
from app.common.unit_of_work import refuse
from app.common.urls import safe_next
from app.extensions import db, limiter

WRONG_PASSWORD = N_("This is not your current password.")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    next_url = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    failed = request.method == "POST"
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            renew_session()
            login_user(user, remember=form.remember.data)
            return redirect(next_url)
        refuse()  # like a form that failed validation: the same page, the same status
    if failed:
        # One message for every failure: nobody learns which addresses are registered.
        form.email.errors = []
        form.password.errors = []
    return render_template("accounts/login.html", form=form, failed=failed)


@bp.post("/logout")
def logout():
    # A copy of the cookie (a shared computer, a stolen backup) must not outlive the logout:
    # only a new session version disowns it, and that ends the person's other sessions too.
    if current_user.is_authenticated:
        end_all_sessions(db.session, current_user._get_current_object())
    logout_user()
    renew_session()
    return redirect(url_for("main.index"))


def _password_check_user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def password_check_limits(view):
    """PASSWORD_CHECK_RATE_LIMIT on POSTs, per account and per client address, shared by every
    route that checks the current password, so guessing cannot move from one route to another."""
    def limit():
        return current_app.config["PASSWORD_CHECK_RATE_LIMIT"]

    view = limiter.shared_limit(limit, scope="password-check-address",
                                key_func=get_remote_address, methods=["POST"])(view)
    return limiter.shared_limit(limit, scope="password-check-user",
                                key_func=_password_check_user_key, methods=["POST"])(view)


# --- password reset ----------------------------------------------------------------------

def _reset_mail_body(name: str, link: str, minutes: int) -> str:
    # Plain text built here rather than in an (HTML-escaping) template.
    return "\n\n".join([
        _("Hello %(name)s,", name=one_line(name)),
        _("Someone (hopefully you) asked to reset the password of your Hiroba account. To choose "
          "a new password, open this link within %(minutes)s minutes:", minutes=minutes),
        link,
        _("The link works once. If you did not ask for this, ignore this message: your password "
          "stays as it is."),
        "-- \n" + _("Hiroba"),
    ]) + "\n"


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(db.session, form.email.data)
        if user is not None and user.may_recover:
            link = reset_link(user)
            with force_locale(user.locale or "ja"):  # the mail speaks the reader's language
                subject = _("Reset your Hiroba password")
                body = _reset_mail_body(user.display_name, link, reset_max_age() // 60)
            # Sent after the response, so a registered address answers as fast as any other.
            enqueue(send_account_mail, user.id, user.email, subject, body)
        # The same answer whether or not the address is registered.
        return render_template("accounts/reset_request.html", form=form, sent=True,
                               minutes=reset_max_age() // 60)
    return render_template("accounts/reset_request.html", form=form, sent=False)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(db.session, token, current_app.config["SECRET_KEY"],
                                         reset_max_age())
    if user is None:
        return render_template("accounts/reset_invalid.html"), 410
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, user, form.new_password.data)
        except DomainError as error:
            form.refuse(error)
        else:
            if current_user.is_authenticated:
                logout_user()
            renew_session()
            flash(_("Your password has been changed. Please log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


# --- profile -----------------------------------------------------------------------------

@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(data={
        "display_name": user.display_name, "locale": user.locale,
        "home_area": user.home_area.code if user.home_area else "",
    })
    if form.validate_on_submit():
        try:
            services.update_profile(db.session, user, display_name=form.display_name.data,
                                    home_area=form.home_area_obj, locale=form.locale.data)
        except DomainError as error:
            form.refuse(error)
        else:
            session["locale"] = user.locale
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user)


@bp.route("/profile/demographics", methods=["GET", "POST"])
@login_required
def demographics():
    user = current_user._get_current_object()
    demo = user.demographics
    if request.method == "POST":
        form = DemographicsForm()
    else:
        form = DemographicsForm(consent_demographics=demo is not None,
                                birth_year=demo.birth_year if demo else None,
                                gender=(demo.gender or "") if demo else "",
                                sector=(demo.sector or "") if demo else "")
    if form.validate_on_submit():
        if not form.consent_demographics.data:
            form.refuse(DomainError(CONSENT_MISSING, "consent_demographics"))
        else:
            try:
                saved = services.save_demographics(db.session, user, form.demographic_values())
            except DomainError as error:
                form.refuse(error)
            else:
                flash(_("Your answers have been saved.") if saved
                      else _("You gave no answers, so nothing is stored."), "success")
                return redirect(url_for("accounts.demographics"))
    return render_template("accounts/demographics.html", form=form, demo=demo,
                           this_year=today_jst().year)


@bp.post("/profile/demographics/withdraw")
@login_required
def withdraw_demographics():
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for("accounts.demographics"))
    if services.withdraw_demographics(db.session, current_user._get_current_object()):
        flash(_("Your answers have been deleted, and you now count as unknown in every "
                "space where you took part."), "success")
    return redirect(url_for("accounts.demographics"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@password_check_limits
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm(email=user.email)
    if form.validate_on_submit():
        if not services.check_password(user, form.current_password.data):
            form.refuse(DomainError(WRONG_PASSWORD, "current_password"))
        else:
            try:
                services.set_password(db.session, user, form.new_password.data)
            except DomainError as error:
                form.refuse(error)
            else:
                # Every other session is over; this one, where the person just proved the
                # password, goes on under the new session version.
                keep_this_session(user)
                flash(_("Your password has been changed. You have been logged out everywhere "
                        "else."), "success")
                return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.get("/profile/export")
@login_required
def export():
    user = current_user._get_current_object()
    data = export_user_data(db.session, user)
    services.record_personal_data_export(db.session, user)
    body = json.dumps(data, ensure_ascii=False, indent=2,
                      default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o))
    filename = f"hiroba-my-data-{today_jst().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@password_check_limits
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not services.check_password(user, form.password.data):
            form.refuse(DomainError(WRONG_PASSWORD, "password"))
        else:
            services.delete_account(db.session, user)
            logout_user()
            renew_session()
            flash(_("Your account has been deleted. Thank you for taking part."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/delete.html", form=form)


@bp.route("/profile/sessions", methods=["GET", "POST"])
@login_required
def logout_everywhere():
    """End every session and remember-me cookie of the account, this one included: for a lost
    phone, or a computer someone else used."""
    form = LogoutEverywhereForm()
    if form.validate_on_submit():
        end_all_sessions(db.session, current_user._get_current_object())
        logout_user()
        renew_session()
        flash(_("You have been logged out on every device. Log in again to go on."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/logout_everywhere.html", form=form)

