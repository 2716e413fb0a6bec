"""Proposal forms. Field names are stable for scripts: a new proposal has `title`, `body` and
`category`. Only declared fields are ever read, so posting `status`, `author_id` or
`support_count` changes nothing. The text rules themselves live in the services (so a form and
a direct call agree); the forms turn typed values into Python ones and keep what was typed."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from app.common.forms import Form, MaxLength
from app.common.text import normalize
from app.forum.forms import ReplyForm
from app.proposals.models import ANSWER_MAX, BODY_MAX, CATEGORY_NAME_MAX, TITLE_MAX

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "under_review": _l("Under review"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "implemented": _l("Implemented"),
    "merged": _l("Merged"),
}
SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "answered": _l("Recently answered"),
    "random": _l("Random order"),
}


# Longer than any number a person types ("#12", "１２"); the rest is never read nor shown again.
NUMBER_TEXT_MAX = 20


class NumberText(StringField):
    """A whole number typed as text so full-width digits (１２) work; data is an int or None.
    Anything else keeps what was typed and fails with a message next to the field."""

    def process_formdata(self, valuelist):
        self.raw = normalize(valuelist[0][:NUMBER_TEXT_MAX]) if valuelist else ""
        self.data = None
        if self.raw:
            digits = self.raw.lstrip("#")
            if not digits.isdigit() or len(digits) > 9:
                raise ValueError(str(_l("Enter a whole number, e.g. 12.")))
            self.data = int(digits)

    def _value(self):
        return getattr(self, "raw", None) or (str(self.data) if self.data is not None else "")


class ProposalForm(Form):
    title = StringField(_l("Title"), validators=[MaxLength(TITLE_MAX)],
                        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = TextAreaField(_l("Your proposal"), validators=[MaxLength(BODY_MAX)],
                         render_kw={"rows": 12, "maxlength": BODY_MAX})
    category = SelectField(_l("Category"), coerce=str, validate_choice=False)
    area = SelectField(_l("Part of the area (optional)"), coerce=str, validate_choice=False)

    def set_choices(self, categories, areas, locale: str) -> None:
        self.category.choices = [SelectChoice("", _l("— choose a category —"))] + [
            SelectChoice(str(c.id), c.name(locale)) for c in categories]
        self.area.choices = [SelectChoice("", _l("The whole area"))] + [
            SelectChoice(str(a.id), a.name(locale)) for a in areas]

    def category_id(self) -> int | None:
        value = (self.category.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def area_id(self) -> int | None:
        """None for the whole area; garbage becomes an id no area has (the service refuses it
        with its message instead of silently widening the proposal to the whole area)."""
        value = (self.area.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() and len(value) < 10 else -1


class CommentForm(ReplyForm, Form):
    """A comment on a proposal is a forum reply: the forum's reply form (its text rules, `body`
    and `reply_to`) under the label of a comment. ReplyForm comes first in the bases, so the
    order holds whether or not the forum's form derives from Form itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.body.label.text = _("Your comment")


class StatusForm(Form):
    """A facilitator's step in the workflow. `status` offers the moves possible now and the
    current status (an official answer without a move)."""

    status = SelectField(_l("New status"), coerce=str, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose a status."))])
    answer = TextAreaField(_l("Official answer"), validators=[MaxLength(ANSWER_MAX)],
                           render_kw={"rows": 8, "maxlength": ANSWER_MAX})
    merge_into = NumberText(_l("Merge into proposal number"))


class SettingsForm(Form):
    support_threshold = NumberText(_l("Support threshold"))


CATEGORY_NAME_TOO_LONG = _l("Enter a name of at most %(max)s characters.", max=CATEGORY_NAME_MAX)


class CategoryForm(Form):
    name_ja = StringField(_l("Name (Japanese)"),
                          validators=[MaxLength(CATEGORY_NAME_MAX, CATEGORY_NAME_TOO_LONG)],
                          render_kw={"maxlength": CATEGORY_NAME_MAX})
    name_en = StringField(_l("Name (English, optional)"),
                          validators=[MaxLength(CATEGORY_NAME_MAX, CATEGORY_NAME_TOO_LONG)],
                          render_kw={"maxlength": CATEGORY_NAME_MAX})
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=0, max=1000)])


class FilterForm(Form):
    """The list's GET filters (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=str, validate_choice=False)
    status = SelectField(_l("Status"), coerce=str, validate_choice=False)
    sort = SelectField(_l("Sort by"), coerce=str, validate_choice=False,
                       choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()])
