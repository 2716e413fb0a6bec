"""Furusato forms. Only declared fields are read; the rules live in the services (so a form and
a direct call agree); the forms turn typed values into Python ones and keep what was typed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app.common.forms import Form, MaxLength
from app.furusato.models import (BASIC_TIES, CATEGORY_MAX, DESCRIPTION_MAX, NOTE_MAX,
                                 PREMIUM_TIES)
from app.furusato.roster import ANNOUNCEMENT_TEXT_MAX, ANNOUNCEMENT_TITLE_MAX, LINK_MAX

TIER_LABELS = {
    "basic": _l("Basic: I keep a tie with this place"),
    "premium": _l("Premium (担い手): I take part in its life, three activities a year or more"),
}
TIER_NAMES = {"basic": _l("Basic"), "premium": _l("Premium (担い手)")}
TIE_LABELS = {
    "visits": _l("I visit often"),
    "products": _l("I buy its products"),
    "donations": _l("I donate to it (ふるさと納税)"),
    "grew_up": _l("I grew up there"),
    "volunteering": _l("Volunteering"),
    "side_job": _l("A side job there"),
    "dual_region": _l("Living there part of the time (二地域居住)"),
    "unknown": _l("Not given"),
}
STATUS_LABELS = {"active": _l("Active"), "lapsed": _l("Lapsed"), "left": _l("Left")}
CATEGORIES_TEXT_MAX = CATEGORY_MAX * 20 + 20  # twenty lines
ACTIVITY_STATUS_LABELS = {"pending": _l("Awaiting confirmation"), "confirmed": _l("Confirmed"),
                          "rejected": _l("Not confirmed")}


class RegisterForm(Form):
    tier = RadioField(_l("Tier"), choices=[SelectChoice(k, v) for k, v in TIER_LABELS.items()], default="basic",
                      validators=[InputRequired(_l("Choose a tier."))])
    tie_kind = RadioField(
        _l("How are you connected?"),
        choices=[SelectChoice(key, TIE_LABELS[key]) for key in BASIC_TIES + PREMIUM_TIES],
        validators=[InputRequired(_l("Choose how you are connected."))])
    contact_consent = BooleanField(_l("The municipality may contact me (name and e-mail)"))


class ActivityForm(Form):
    on_date = DateField(_l("Date"), validators=[InputRequired(_l("Give the date of the activity."))])
    category = SelectField(_l("Category"), choices=[],
                           validators=[InputRequired(_l("Choose a category."))],
                           validate_choice=False)  # the service checks the category
    note = TextAreaField(_l("Short note"), validators=[Optional(), MaxLength(NOTE_MAX)])


class ProgrammeForm(Form):
    description_ja = TextAreaField(_l("Description (Japanese)"),
                                   validators=[InputRequired(_l("Describe the programme in Japanese.")),
                                               MaxLength(DESCRIPTION_MAX)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), MaxLength(DESCRIPTION_MAX)])
    categories = TextAreaField(_l("Categories of activity, one per line"),
                               validators=[InputRequired(_l("Name at least one category of activity.")),
                                           MaxLength(CATEGORIES_TEXT_MAX)])
    is_open = BooleanField(_l("Open for registration"), default=True)


class AnnouncementForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give a title.")),
                                                 MaxLength(ANNOUNCEMENT_TITLE_MAX)])
    text = TextAreaField(_l("Text"), validators=[InputRequired(_l("Write the announcement.")),
                                                 MaxLength(ANNOUNCEMENT_TEXT_MAX)])
    link = StringField(_l("Link (optional)"), validators=[Optional(), MaxLength(LINK_MAX)])
