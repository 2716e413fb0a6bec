"""Forms of the survey builder, and the messages shown next to answers.

Answer pages are built from the survey's own questions, so they are parsed by
app.surveys.answering rather than by a WTForms class; their error codes map to MESSAGES here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectChoice,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.common.forms import Form
from app.surveys.answering import parse_number
from app.surveys.builder import (DESCRIPTION_MAX, END_LABEL_MAX, HELP_TEXT_MAX, QUESTION_TEXT_MAX,
                                 TITLE_MAX)
from app.surveys.models import LIKERT_POINTS, QUESTION_KINDS, RESULTS_VISIBILITIES

KIND_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "likert": _l("Scale (Likert)"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "number": _l("Number"),
    "ranking": _l("Ranking"),
}
VISIBILITY_LABELS = {
    "after_close": _l("Everyone, once the survey has closed"),
    "private": _l("Only the facilitators of this space"),
}
STATUS_LABELS = {
    "draft": _l("Draft (not published)"),
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}
# Messages for the codes of app.surveys.answering.check().
MESSAGES = {
    "required": _l("Please answer this question."),
    "invalid_choice": _l("Choose one of the options."),
    "choose_between": _l("Choose between %(min)s and %(max)s options."),
    "choose_exactly": _l("Choose exactly %(n)s options."),
    "choose_at_least": _l("Choose at least %(min)s options."),
    "choose_at_most": _l("Choose at most %(max)s options."),
    "other_missing": _l("Please say what “other” means for you."),
    "too_long": _l("Use at most %(max)s characters (you have %(length)s)."),
    "not_a_number": _l("Enter a number, e.g. 12."),
    "whole_number": _l("Enter a whole number."),
    "number_between": _l("Enter a number between %(min)s and %(max)s."),
    "number_at_least": _l("Enter a number of at least %(min)s."),
    "number_at_most": _l("Enter a number of at most %(max)s."),
    "rank_all": _l("Give every option a rank."),
    "rank_distinct": _l("Give each option a different rank."),
    "rank_range": _l("Use ranks from 1 to %(n)s."),
}
REFUSALS = {
    "not_published": _l("This survey is not published."),
    "module_off": _l("Surveys are switched off in this space."),
    "not_open_yet": _l("This survey is not open yet."),
    "closed": _l("This survey is closed. Thank you for your interest."),
    "space_closed": _l("This space is not accepting input in its current phase."),
    "area_people_only": _l("Only residents of this area and people registered with it as "
                           "furusato residents can take part in this space. You can still read "
                           "everything."),
}


def problem_message(problem) -> str:
    params = dict(problem.params)
    text = MESSAGES.get(problem.code, MESSAGES["invalid_choice"])
    return text % params if params else str(text)


class DecimalText(StringField):
    """A number typed as text, so full-width digits and 1,000 work; data is a float or None."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if self.raw:
            self.data = parse_number(self.raw)
            if self.data is None:
                raise ValueError(_l("Enter a number, e.g. 12."))

    def _value(self):
        if getattr(self, "raw", None):
            return self.raw
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else str(self.data)


class SurveyForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=TITLE_MAX)])
    description_md = TextAreaField(_l("Introduction (Markdown)"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    opens_at = DateTimeLocalField(_l("Opens at (Japan time, optional)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (Japan time, optional)"),
                                   format="%Y-%m-%dT%H:%M", validators=[Optional()])
    results_visibility = RadioField(
        _l("Who can see the results?"), default="after_close", validators=[InputRequired()],
        choices=[SelectChoice(v, VISIBILITY_LABELS[v]) for v in RESULTS_VISIBILITIES])


class SectionForm(Form):
    title = StringField(_l("Section title"), validators=[Optional(), Length(max=TITLE_MAX)])
    description_md = TextAreaField(_l("Text shown above the questions (Markdown, optional)"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX)])


class QuestionForm(Form):
    kind = SelectField(_l("Type of question"),
                       choices=[SelectChoice(k, KIND_LABELS[k]) for k in QUESTION_KINDS])
    text = StringField(_l("Question"), validators=[InputRequired(),
                                                   Length(max=QUESTION_TEXT_MAX)])
    help_text = StringField(_l("Help text (optional)"),
                            validators=[Optional(), Length(max=HELP_TEXT_MAX)])
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Options, one per line (choice and ranking questions)"))
    allow_other = BooleanField(_l("Offer “Other (please specify)”"))
    min_choices = IntegerField(_l("Fewest options to choose (multiple choice, optional)"),
                               validators=[Optional(), NumberRange(min=0, max=100)])
    max_choices = IntegerField(_l("Most options to choose (multiple choice, optional)"),
                               validators=[Optional(), NumberRange(min=1, max=100)])
    scale_points = SelectField(_l("Points on the scale"), coerce=int,
                               choices=[SelectChoice(p, str(p)) for p in LIKERT_POINTS], default=5)
    label_low = StringField(_l("Label of the lowest point, e.g. “Strongly disagree”"),
                            validators=[Optional(), Length(max=END_LABEL_MAX)])
    label_high = StringField(_l("Label of the highest point, e.g. “Strongly agree”"),
                             validators=[Optional(), Length(max=END_LABEL_MAX)])
    min_value = DecimalText(_l("Smallest allowed number (optional)"))
    max_value = DecimalText(_l("Largest allowed number (optional)"))
    integer_only = BooleanField(_l("Whole numbers only"), default=True)
    show_if_option_id = SelectField(_l("Show this question only when…"), coerce=str, choices=[],
                                    validate_choice=False)  # the builder explains a bad one

    def spec(self) -> dict:
        """The question's settings for app.surveys.builder."""
        condition = self.show_if_option_id.data
        return {
            "kind": self.kind.data, "text": self.text.data, "help_text": self.help_text.data,
            "required": self.required.data, "allow_other": self.allow_other.data,
            "options": (self.options.data or "").splitlines(),
            "min_choices": self.min_choices.data, "max_choices": self.max_choices.data,
            "scale_points": self.scale_points.data, "label_low": self.label_low.data,
            "label_high": self.label_high.data, "min_value": self.min_value.data,
            "max_value": self.max_value.data, "integer_only": self.integer_only.data,
            "show_if_option_id": int(condition) if condition and condition.isdigit() else None,
        }


class CopyForm(Form):
    target_space = SelectField(_l("Copy into this space"), coerce=str, choices=[],
                               validators=[InputRequired()])


class WeightCapForm(Form):
    cap = DecimalText(_l("Largest weight allowed, as a multiple of the average (optional)"))
