"""Forms of the representation tracker: the dashboard filter, target shares and deliberation
bodies. The target and body forms have one field per category, and categories depend on the
space (its age bands), so their classes are built per request from (key, label) pairs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, SelectField,
                     StringField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.common.forms import Form
from app.representation.batches import EARLIEST_DAY, LATEST_DAY
from app.representation.bodies import COUNT_MAX, NAME_MAX
from app.representation.labels import MODULE_LABELS
from app.representation.queries import MODULE_FILTERS


MODULE_CHOICES = [SelectChoice(module, MODULE_LABELS[module]) for module in MODULE_FILTERS]
SHARE_TOLERANCE = Decimal("0.5")  # percentage points either side of 100


class FilterForm(Form):
    """The dashboard's GET filter; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    module = SelectField(_l("Who to count"), choices=MODULE_CHOICES, default="all",
                         validators=[Optional()], validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, *args, offered: Sequence[str] = MODULE_FILTERS, k: int = 5, **kwargs):
        super().__init__(*args, **kwargs)
        self.k = k
        self.offer(offered)

    def offer(self, offered: Sequence[str]) -> None:
        """Show only the module filters the dashboard offers (dashboard.offered_from)."""
        self.offered = list(offered)
        self.module.choices = [c for c in MODULE_CHOICES if c.value in self.offered]

    def module_not_offered(self) -> None:
        self.module.errors.append(_l(
            "This filter is not offered: fewer than %(k)s people took part this way, or "
            "fewer than %(k)s did not, so their figures would single people out.", k=self.k))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.module.data and self.module.data not in self.offered:
            self.module_not_offered()
            ok = False
        for day in (self.since, self.until):
            if day.data and not EARLIEST_DAY <= day.data <= LATEST_DAY:
                day.errors.append(_l("Enter a date between %(first)s and %(last)s.",
                                     first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()))
                ok = False
        if ok and self.since.data and self.until.data and self.since.data > self.until.data:
            self.until.errors.append(_l("The end date cannot be before the start date."))
            ok = False
        return ok


class ReleaseForm(Form):
    """Publishing a release: a POST with CSRF and an explicit confirmation."""
    confirm = BooleanField(_l("I have checked these figures and they may be published"),
                           validators=[InputRequired()])


def field_name(dimension: str, category: str) -> str:
    return f"{dimension}__{category}"


class _CategoryForm(Form):
    """Base of the per-category forms: knows its categories and reads them back by dimension."""

    categories: Mapping[str, Sequence[tuple[str, str]]] = {}

    def category_fields(self, dimension: str) -> list:
        return [self[field_name(dimension, key)] for key, _label in self.categories[dimension]]

    def values(self, dimension: str) -> dict[str, object]:
        return {key: self[field_name(dimension, key)].data
                for key, _label in self.categories[dimension]}


class TargetsForm(_CategoryForm):
    """Target shares in percent per category. A dimension left wholly blank has no targets; one
    with any figure must add up to 100 (± 0.5, for rounding)."""

    dimension_errors: dict[str, str]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.dimension_errors = {}
        for dimension in self.categories:
            entered = [v for v in self.values(dimension).values() if v is not None]
            if not entered:
                continue
            total = sum(entered, Decimal(0))
            if abs(total - 100) > SHARE_TOLERANCE:
                shown = format(total, ".1f")
                self.dimension_errors[dimension] = _l(
                    "The shares add up to %(total)s%%; they must add up to 100%%.", total=shown)
                ok = False
        return ok

    def shares(self, dimension: str) -> dict[str, float]:
        """Fractions per category (blank = 0), or {} when the dimension was left blank. A total
        just over 100 (rounding, within the tolerance) is scaled down to exactly 100."""
        values = self.values(dimension)
        if all(v is None for v in values.values()):
            return {}
        total = max(Decimal(100), sum((v or Decimal(0) for v in values.values()), Decimal(0)))
        return {key: float((v or 0) / total) for key, v in values.items()}


def targets_form_class(categories: Mapping[str, Sequence[tuple[str, str]]]) -> type[TargetsForm]:
    attrs: dict[str, object] = {"categories": categories}
    for dimension, pairs in categories.items():
        for key, label in pairs:
            attrs[field_name(dimension, key)] = DecimalField(
                label, places=1, validators=[Optional(), NumberRange(min=0, max=100, message=_l(
                    "Enter a percentage between 0 and 100."))])
    return type("SpaceTargetsForm", (TargetsForm,), attrs)


class BodyForm(_CategoryForm):
    name = StringField(_l("Name of the body"), validators=[
        InputRequired(message=_l("Enter a name.")), Length(max=NAME_MAX)])

    def counts(self, dimension: str) -> dict[str, int]:
        return {key: int(v or 0) for key, v in self.values(dimension).items()}


def body_form_class(categories: Mapping[str, Sequence[tuple[str, str]]]) -> type[BodyForm]:
    attrs: dict[str, object] = {"categories": categories}
    for dimension, pairs in categories.items():
        for key, label in pairs:
            attrs[field_name(dimension, key)] = IntegerField(
                label, validators=[Optional(), NumberRange(min=0, max=COUNT_MAX, message=_l(
                    "Enter a whole number between 0 and %(max)s.", max=COUNT_MAX))])
    return type("SpaceBodyForm", (BodyForm,), attrs)
