"""Account forms. Labels and messages are lazy so they render in the reader's language; the rules
themselves live in services (password_problem, resolve_area, ...) and are applied by the views."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, Field, PasswordField, RadioField, SelectField,
                     StringField)
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from app.accounts.models import BIRTH_YEAR_MIN, GENDERS, RESIDENCY_TYPES, SECTORS
from app.accounts.services import (PASSWORD_MIN_LENGTH, AccountError, clean_display_name,
                                   email_problem, password_problem)
from app.common.text import normalize, normalize_email
from app.common.time import today_jst

# Every code services.AccountError may carry, and a few of the forms' own.
MESSAGES = {
    "invalid_email": _l("Enter an e-mail address such as taro@example.jp."),
    "email_taken": _l("This e-mail address is already registered. Log in, or reset your password if you forgot it."),
    "password_too_short": _l("Use at least %(n)s characters.", n=PASSWORD_MIN_LENGTH),
    "password_too_common": _l("This password is too easy to guess. Try a short sentence you will remember."),
    "password_is_email": _l("Do not use your e-mail address as your password."),
    "password_wrong": _l("This is not your current password."),
    "display_name_missing": _l("Enter the name others will see."),
    "display_name_too_long": _l("Use at most %(max)s characters."),
    "residency_missing": _l("Choose how you are connected to the area."),
    "area_missing": _l("Enter your municipality's name or its 5-digit code."),
    "area_unknown": _l("We do not know this municipality. Check the spelling, or enter its 5-digit local government code (e.g. 01100 for Sapporo)."),
    "area_ambiguous": _l("Several places have this name: %(choices)s. Enter the 5-digit code, or the prefecture before the name."),
    "birth_year_out_of_range": _l("Enter a year between %(min)s and %(max)s."),
    "birth_year_not_a_number": _l("Enter the year as digits, e.g. 1985."),
    "invalid_choice": _l("Choose one of the options."),
    "consent_missing": _l("To store these answers we need your consent: tick this box, or leave the answers empty."),
    "confirm_missing": _l("Tick this box to confirm."),
}


def message(code: str, **params) -> str:
    if code == "birth_year_out_of_range":
        params = {"min": BIRTH_YEAR_MIN, "max": today_jst().year, **params}
    text = MESSAGES.get(code, MESSAGES["invalid_choice"])
    return text % params if params else str(text)


RESIDENCY_LABELS = {
    "resident": _l("Resident — I live here"),
    "relationship": _l("Relationship population — I work or study here, grew up here, donate or visit often"),
    "dual_region": _l("Dual-region resident — I live here part of the time"),
    "commuter": _l("Commuter — I come here for work or school"),
    "other": _l("Other"),
}
GENDER_LABELS = {
    "female": _l("Female"), "male": _l("Male"), "other": _l("Another gender"),
    "no_answer": _l("Prefer not to say"),
}
SECTOR_LABELS = {
    "industry": _l("Industry and business"),
    "government": _l("Government and public administration"),
    "academia": _l("Academia, research and education"),
    "finance": _l("Finance"),
    "labour": _l("Labour unions"),
    "media": _l("Media"),
    "professions": _l("Licensed professions (lawyer, accountant, …)"),
    "civil_society": _l("NPO and civil society"),
    "none": _l("None of these"),
}
LOCALE_LABELS = {"ja": "日本語", "en": "English"}


def _choices(keys, labels: dict, blank=None) -> list[SelectChoice]:
    """Options in the order of the model's tuple of keys (a key without a label fails loudly)."""
    options = [SelectChoice(key, labels[key]) for key in keys]
    return [SelectChoice("", blank), *options] if blank is not None else options


class YearField(StringField):
    """A year typed as text so full-width digits (１９８５) work; data is an int or None."""

    typed = ""

    def process_formdata(self, valuelist):
        self.typed = valuelist[0].strip() if valuelist else ""
        digits = normalize(self.typed)
        self.data = None
        if digits:
            if not (digits.isascii() and digits.isdigit()):
                raise ValueError(message("birth_year_not_a_number"))
            self.data = int(digits)

    def _value(self):
        # Show back what the person typed, even when it was wrong.
        return self.typed or (str(self.data) if self.data is not None else "")


def _email_field(label=_l("E-mail")) -> Field:
    return EmailField(label, validators=[InputRequired(message=MESSAGES["invalid_email"]),
                                         Length(max=254)])


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class DemographicFields(FlaskForm):
    """The optional section: consent first, then the answers."""

    consent_demographics = BooleanField(_l("I agree"))
    birth_year = YearField(_l("Year of birth"))
    gender = SelectField(_l("Gender"), choices=_choices(GENDERS, GENDER_LABELS, blank=_l("— no answer —")), default="")
    sector = SelectField(_l("Sector you belong to"), choices=_choices(SECTORS, SECTOR_LABELS, blank=_l("— no answer —")), default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_demographics.label.text = _l(
            "I agree that Hiroba keeps these answers to check whether participation matches the "
            "population. They are shown only in aggregate, groups of fewer than %(n)s people are "
            "hidden, and I can change or withdraw them at any time.",
            n=current_app.config.get("MIN_CELL_FACILITATOR", 5))

    def demographics_given(self) -> bool:
        return bool(self.birth_year.data is not None or self.birth_year.typed
                    or self.gender.data or self.sector.data)

    def demographic_values(self) -> dict:
        return {"birth_year": self.birth_year.data, "gender": self.gender.data or None,
                "sector": self.sector.data or None}

    def validate_birth_year(self, field):
        year = field.data
        if year is not None and not BIRTH_YEAR_MIN <= year <= today_jst().year:
            raise ValidationError(message("birth_year_out_of_range"))

    def validate_consent_demographics(self, field):
        if self.demographics_given() and not field.data:
            raise ValidationError(message("consent_missing"))


def _residency_field() -> RadioField:
    return RadioField(
        _l("How are you connected to the area?"),
        choices=_choices(RESIDENCY_TYPES, RESIDENCY_LABELS),
        validate_choice=False,
        validators=[InputRequired(message=MESSAGES["residency_missing"]),
                    AnyOf(RESIDENCY_TYPES, message=MESSAGES["residency_missing"])],
    )


def _home_area_field() -> StringField:
    return StringField(_l("Home municipality"),
                       validators=[InputRequired(message=MESSAGES["area_missing"]),
                                   Length(max=100)])


def _check_display_name(form, field):
    try:
        clean_display_name(field.data)
    except AccountError as error:
        raise ValidationError(message(error.code, **error.params)) from None


class RegisterForm(DemographicFields):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    display_name = StringField(_l("Name shown to others"),
                               validators=[InputRequired(message=MESSAGES["display_name_missing"]),
                                           Length(max=200), _check_display_name])
    residency = _residency_field()
    home_area = _home_area_field()

    def validate_email(self, field):
        if (code := email_problem(normalize_email(field.data))) is not None:
            raise ValidationError(message(code))

    def validate_password(self, field):
        if (code := password_problem(field.data, self.email.data)) is not None:
            raise ValidationError(message(code))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name shown to others"),
                               validators=[InputRequired(message=MESSAGES["display_name_missing"]),
                                           Length(max=200), _check_display_name])
    residency = _residency_field()
    home_area = _home_area_field()
    locale = SelectField(_l("Language"), choices=_choices(tuple(LOCALE_LABELS), LOCALE_LABELS),
                         validators=[AnyOf(tuple(LOCALE_LABELS))])


class DemographicsForm(DemographicFields):
    pass


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=200)])

    def __init__(self, *args, email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new_password(self, field):
        if (code := password_problem(field.data, self._email)) is not None:
            raise ValidationError(message(code))


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(PasswordChangeForm):
    current_password = None  # the e-mailed link stands in for the current password


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[InputRequired()])
    confirm = BooleanField(_l("I understand that my account is deleted for good."),
                           validators=[InputRequired(message=MESSAGES["confirm_missing"])])


class LogoutEverywhereForm(FlaskForm):
    confirm = BooleanField(_l("Log me out on every device, this one included."),
                           validators=[InputRequired(message=MESSAGES["confirm_missing"])])
