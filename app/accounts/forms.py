"""Account forms. Labels and messages are lazy so they render in the reader's language; the rules
themselves live in services (password_problem, resolve_area, ...): the validators here put the
services' DomainErrors next to their fields."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, Field, PasswordField, RadioField, SelectField,
                     StringField)
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from app.accounts.models import GENDERS, SECTORS
from app.accounts.ties import tie_area
from app.areas.residency import CHOOSABLE_TIE_KINDS
from app.accounts.services import (birth_year_problem, clean_display_name, email_problem,
                                   password_problem, resolve_area)
from app.common.errors import N_, DomainError
from app.common.forms import Form
from app.common.text import normalize, normalize_email
from app.extensions import db

# The forms' own messages (the services' rules bring theirs as DomainErrors).
INVALID_EMAIL = _l("Enter an e-mail address such as taro@example.jp.")
DISPLAY_NAME_MISSING = _l("Enter the name others will see.")
AREA_MISSING = _l("Enter your municipality's name or its 5-digit code.")
CONSENT_MISSING = N_("To store these answers we need your consent: tick this box, or leave the "
                     "answers empty.")
CONFIRM_MISSING = _l("Tick this box to confirm.")


# How a person is connected to an area that is not their home (app.areas.residency.TIE_KINDS).
TIE_KIND_LABELS = {
    "works_or_studies": _l("I work or study there"),
    "grew_up": _l("I grew up there"),
    "family": _l("My family lives there"),
    "furusato_donor": _l("I give it furusato nozei (hometown tax donations)"),
    "visits": _l("I visit often"),
    "buys_products": _l("I buy its products"),
    "volunteers": _l("I volunteer there"),
    "side_job": _l("I have a side job there"),
    "relationship": _l("Relationship population (kind not said)"),
    "dual_region": _l("I live there part of the time (dual-region living)"),
    "commuter": _l("I commute there for work or school"),
    "other": _l("Another connection"),
}
# How a person answers for themselves (representation.labels names the groups: "Women").
GENDER_ANSWER_LABELS = {
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
                raise ValueError(_("Enter the year as digits, e.g. 1985."))
            self.data = int(digits)

    def _value(self):
        # Show back what the person typed, even when it was wrong.
        return self.typed or (str(self.data) if self.data is not None else "")


def _email_field() -> Field:
    return EmailField(_l("E-mail"), validators=[InputRequired(message=INVALID_EMAIL),
                                                Length(max=254)])


def _problem_next_to_field(problem: DomainError | None) -> None:
    """A service rule's complaint, said by a WTForms validator next to the field."""
    if problem is not None:
        raise ValidationError(problem.translated(_))


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class DemographicFields(Form):
    """The optional section: consent first, then the answers."""

    consent_demographics = BooleanField(_l("I agree"))
    birth_year = YearField(_l("Year of birth"))
    gender = SelectField(_l("Gender"), choices=_choices(GENDERS, GENDER_ANSWER_LABELS, blank=_l("— no answer —")), default="")
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
        _problem_next_to_field(birth_year_problem(field.data))

    def validate_consent_demographics(self, field):
        if self.demographics_given() and not field.data:
            raise ValidationError(_(CONSENT_MISSING))


class HomeAreaField:
    """A `home_area` text field resolved to an Area (services.resolve_area) while the form is
    validated, so its message comes with the other fields' in one round; the Area is then
    `home_area_obj`."""

    home_area = StringField(_l("Home municipality"),
                            validators=[InputRequired(message=AREA_MISSING), Length(max=100)])
    home_area_obj = None

    def validate_home_area(self, field):
        if field.errors:  # too long to look up: its own validator has said so
            return
        try:
            self.home_area_obj = resolve_area(db.session, field.data)
        except DomainError as error:
            raise ValidationError(error.translated(_)) from None


def _check_display_name(form, field):
    try:
        clean_display_name(field.data)
    except DomainError as error:
        raise ValidationError(error.translated(_)) from None


class RegisterForm(HomeAreaField, DemographicFields):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    display_name = StringField(_l("Name shown to others"),
                               validators=[InputRequired(message=DISPLAY_NAME_MISSING),
                                           Length(max=200), _check_display_name])

    def validate_email(self, field):
        _problem_next_to_field(email_problem(normalize_email(field.data)))

    def validate_password(self, field):
        _problem_next_to_field(password_problem(field.data, self.email.data))


class ProfileForm(HomeAreaField, Form):
    display_name = StringField(_l("Name shown to others"),
                               validators=[InputRequired(message=DISPLAY_NAME_MISSING),
                                           Length(max=200), _check_display_name])
    locale = SelectField(_l("Language"), choices=_choices(tuple(LOCALE_LABELS), LOCALE_LABELS),
                         validators=[AnyOf(tuple(LOCALE_LABELS))])


class DemographicsForm(DemographicFields):
    pass


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=200)])

    def __init__(self, *args, email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new_password(self, field):
        _problem_next_to_field(password_problem(field.data, self._email, field=field.name))


class ResetRequestForm(Form):
    email = _email_field()


class ResetPasswordForm(PasswordChangeForm):
    current_password = None  # the e-mailed link stands in for the current password


class DeleteAccountForm(Form):
    password = PasswordField(_l("Current password"), validators=[InputRequired()])
    confirm = BooleanField(_l("I understand that my account is deleted for good."),
                           validators=[InputRequired(message=CONFIRM_MISSING)])


class LogoutEverywhereForm(Form):
    confirm = BooleanField(_l("Log me out on every device, this one included."),
                           validators=[InputRequired(message=CONFIRM_MISSING)])


TIE_KIND_MISSING = _l("Choose how you are connected to this area.")


class TieForm(Form):
    """A tie to an area: the area typed like the home municipality (a name or a code, with the
    same suggestions), and how the person is connected to it."""

    area = StringField(_l("Area"), validators=[InputRequired(message=_l(
        "Enter the area's name or its 5-digit code.")), Length(max=100)])
    kind = RadioField(_l("How are you connected to it?"),
                      choices=_choices(CHOOSABLE_TIE_KINDS, TIE_KIND_LABELS),
                      validate_choice=False,
                      validators=[InputRequired(message=TIE_KIND_MISSING),
                                  AnyOf(CHOOSABLE_TIE_KINDS, message=TIE_KIND_MISSING)])
    area_obj = None

    def validate_area(self, field):
        if field.errors:
            return
        try:
            self.area_obj = tie_area(db.session, field.data)
        except DomainError as error:
            raise ValidationError(error.translated(_)) from None


class ConnectionForm(Form):
    """The one-tap question: each answer is a button named `kind`; `skip` says nothing."""

    kind = StringField(validators=[InputRequired(message=TIE_KIND_MISSING),
                                   AnyOf((*CHOOSABLE_TIE_KINDS, "skip"),
                                         message=TIE_KIND_MISSING)])
