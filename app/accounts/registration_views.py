"""Registration pages on the accounts blueprint: the form, the one "check your e-mail" answer,
and the e-mailed confirmation link (app.accounts.registration explains the flow)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.accounts import bp, registration, services
from app.accounts.forms import RegisterForm
from app.accounts.mail import reset_link, reset_max_age, send_account_mail
from app.accounts.web_sessions import renew_session
from app.common.errors import DomainError
from app.common.jobs import enqueue
from app.common.mail import absolute_url, one_line
from app.common.urls import safe_next
from app.extensions import db, limiter


def _confirmation_mail(user, link: str) -> tuple[str, str]:
    hours = registration.CONFIRM_MAX_AGE // 3600
    return _("Confirm your Hiroba registration"), "\n\n".join([
        _("Hello %(name)s,", name=one_line(user.display_name)),
        _("Thank you for registering with Hiroba. To finish, open this link within %(hours)s "
          "hours and press the button on the page:", hours=hours),
        link,
        _("If you did not register, ignore this message: without the link no account is "
          "opened."),
        "-- \n" + _("Hiroba"),
    ]) + "\n"


def _someone_tried_mail(user) -> tuple[str, str]:
    return _("Someone tried to register with your e-mail address"), "\n\n".join([
        _("Hello %(name)s,", name=one_line(user.display_name)),
        _("Someone (perhaps you) tried to register a new Hiroba account with this e-mail "
          "address. It already has an account, so nothing was changed."),
        _("If it was you, log in here:"),
        absolute_url("accounts.login"),
        _("If you forgot your password, choose a new one with this link within %(minutes)s "
          "minutes:", minutes=reset_max_age() // 60),
        reset_link(user),
        _("If it was not you, ignore this message: your account stays as it is."),
        "-- \n" + _("Hiroba"),
    ]) + "\n"


def _mail_the_owner(result: registration.Registration, next_url: str) -> None:
    """Whatever the outcome, one message to the address, sent after the response."""
    user = result.user
    if result.outcome == registration.TAKEN and not user.may_recover:
        return  # a deactivated account: nothing to offer, and the page says the same anyway
    with force_locale(user.locale or "ja"):
        if result.outcome == registration.TAKEN:
            subject, body = _someone_tried_mail(user)
        else:
            token = registration.make_confirmation_token(user, current_app.config["SECRET_KEY"])
            # From HIROBA_BASE_URL, never the request's Host header (link poisoning).
            link = absolute_url("accounts.confirm_registration", token=token,
                                **({"next": next_url} if next_url != url_for("main.index") else {}))
            subject, body = _confirmation_mail(user, link)
    enqueue(send_account_mail, user.id, user.email, subject, body)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    next_url = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm()
    # The municipality is looked up by the form's validation, with every other field: all
    # messages at once.
    if form.validate_on_submit():
        try:
            result = registration.request_registration(
                db.session, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data,
                home_area=form.home_area_obj, locale=str(get_locale()),
                demographics=form.demographic_values() if form.consent_demographics.data else None)
        except DomainError as error:
            form.refuse(error)
        else:
            # The same redirect for a new, a waiting and a taken address: only the mailbox
            # learns which it was.
            _mail_the_owner(result, next_url)
            return redirect(url_for("accounts.registration_sent"))
    form.password.data = ""  # never echo a password back into the page
    area_names = services.area_suggestions(db.session)
    if area_names:
        form.home_area.render_kw = {"list": "home-area-options"}
    return render_template("accounts/register.html", form=form, area_names=area_names)


@bp.get("/register/sent")
def registration_sent():
    return render_template("accounts/registration_sent.html",
                           hours=registration.CONFIRM_MAX_AGE // 3600)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def confirm_registration(token: str):
    """A page with a button, not a GET that acts: mail scanners open links on their own."""
    next_url = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    user = registration.user_for_confirmation_token(db.session, token,
                                                    current_app.config["SECRET_KEY"])
    if user is None:
        return render_template("accounts/registration_invalid.html"), 410
    if request.method == "POST" and request.form.get("confirm") == "yes":
        registration.confirm_registration(db.session, user)
        renew_session()
        login_user(user)
        flash(_("Welcome to Hiroba, %(name)s.", name=user.display_name), "success")
        return redirect(next_url)
    return render_template("accounts/registration_confirm.html", user=user)
