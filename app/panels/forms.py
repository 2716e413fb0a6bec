"""Forms of the panel pages. Labels of features and categories come from the representation
labels, so a panel speaks of the same groups as the tracker."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, IntegerField, RadioField, SelectChoice, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.forms import GENDER_ANSWER_LABELS
from app.common.forms import Form, MaxLength
from app.panels.models import (DESCRIPTION_MAX, LOTTERY_MAX, NUMBER_SOURCE_MAX, OUTSIDE,
                               PANEL_FEATURES, SIZE_MAX, SLACK_MAX, TITLE_MAX)
from app.panels.services import quota_field
from app.representation import labels

ALGORITHM_LABELS = {
    "leximin": _l("Leximin (recommended): the smallest chance as high as possible, then the next"
                  " smallest, and so on"),
    "maximin": _l("Maximin: only the smallest chance as high as possible"),
}
STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Taking volunteers"),
                 "closed": _l("Volunteering closed"), "drawn": _l("Panel drawn")}
MEMBER_STATUS_LABELS = {"selected": _l("Selected"), "reserve": _l("Reserve"),
                        "declined": _l("Declined (seat empty)"),
                        "replaced": _l("Declined (replaced)")}


def value_label(feature: str, value: str) -> str:
    if feature == "gender" and value == "other":
        return str(GENDER_ANSWER_LABELS["other"])
    if feature == "sub_area":
        return _area_name(value)
    return labels.category_label(feature, value)


def _area_name(code: str) -> str:
    if code == OUTSIDE:
        return str(_l("Outside these areas"))
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db

    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.name(str(get_locale())) if area is not None else code


def feature_label(feature: str) -> str:
    if feature == "sub_area":
        return str(_l("Sub-area"))
    return labels.dimension_label(feature)


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _whole(low: int, high: int) -> list:
    return [InputRequired(_l("Enter a whole number.")),
            NumberRange(min=low, max=high, message=_l(
                "Enter a whole number between %(min)s and %(max)s."))]


class CallForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title.")),
                                                 MaxLength(TITLE_MAX)])
    description_md = TextAreaField(
        _l("What the panel is, what is asked of its members, and how they are chosen"),
        validators=[InputRequired(_l("Explain the panel.")), MaxLength(DESCRIPTION_MAX)])
    size = IntegerField(_l("Panel size (members)"), validators=_whole(1, SIZE_MAX))
    features = _Checkboxes(_l("Stratify on"), choices=[])
    lottery_size = IntegerField(_l("Panels in the published lottery"),
                                validators=_whole(1, LOTTERY_MAX), default=1000)
    slack = IntegerField(_l("Slack of the proposed quotas (± members)"),
                         validators=_whole(0, SLACK_MAX), default=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.features.choices = [SelectChoice(f, feature_label(f)) for f in PANEL_FEATURES]

    def values(self) -> dict:
        return {"title": self.title.data or "", "description_md": self.description_md.data or "",
                "size": self.size.data, "features": self.features.data or [],
                "lottery_size": self.lottery_size.data, "slack": self.slack.data}


class QuotaFormBase(Form):
    quota_keys: list[tuple[str, str]] = []

    def bounds(self) -> dict[tuple[str, str], tuple[int | None, int | None]]:
        return {(f, v): (self[quota_field(f, v, "min")].data, self[quota_field(f, v, "max")].data)
                for f, v in self.quota_keys}


def quota_form_class(call, values_by_feature: dict[str, list[str]]) -> type[QuotaFormBase]:
    attrs: dict[str, object] = {"quota_keys": [(f, v) for f, vs in values_by_feature.items()
                                               for v in vs]}
    for feature, values in values_by_feature.items():
        for value in values:
            name = value_label(feature, value)
            for bound, label in (("min", _l("%(name)s: at least", name=name)),
                                 ("max", _l("%(name)s: at most", name=name))):
                attrs[quota_field(feature, value, bound)] = IntegerField(
                    label, validators=_whole(0, call.size))
    return type("PanelQuotaForm", (QuotaFormBase,), attrs)


class VolunteerForm(Form):
    consent_contact = BooleanField(_l(
        "I agree that the facilitators may contact me by e-mail if I am selected or called from"
        " the reserve."))
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])
    gender = SelectField(_l("Gender"), choices=[], default="")
    residency = SelectField(_l("How are you connected to the area?"), choices=[], default="")
    sector = SelectField(_l("Sector you belong to"), choices=[], default="")
    sub_area = SelectField(_l("Where do you live?"), choices=[], default="")

    def __init__(self, *args, values: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        blank = [SelectChoice("", _l("— choose —"))]
        for feature in ("gender", "residency", "sector", "sub_area"):
            self[feature].choices = blank + [SelectChoice(v, value_label(feature, v))
                                             for v in values.get(feature, [])]

    def answers(self) -> dict:
        return {"birth_year": self.birth_year.data, "gender": self.gender.data,
                "residency": self.residency.data, "sector": self.sector.data,
                "sub_area": self.sub_area.data}


class RunForm(Form):
    algorithm = RadioField(_l("Algorithm"), default="leximin",
                           choices=[SelectChoice(k, v) for k, v in ALGORITHM_LABELS.items()])
    number_source = StringField(
        _l("Where the public number will come from"),
        validators=[InputRequired(_l("Say where the public number will come from.")),
                    MaxLength(NUMBER_SOURCE_MAX)])
    confirm = BooleanField(_l("Publish the lottery: it cannot be run again afterwards."),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class PickForm(Form):
    public_number = StringField(_l("Public number"), validators=[
        InputRequired(_l("Enter the public number.")), MaxLength(40)])
    confirm = BooleanField(_l("Pick the panel with this number: it cannot be undone."),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class ConfirmForm(Form):
    confirm = BooleanField(_l("I am sure."), validators=[InputRequired(_l("Tick the box to confirm."))])
