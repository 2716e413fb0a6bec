"""Forms for flagging a post and for the moderators' decisions."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, ValidationError

from app.common.forms import Form, MaxLength
from app.moderation.models import FLAG_REASONS
from app.moderation.services import NOTE_MAX

REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "harassment": _l("Harassment or insults"),
    "personal_information": _l("Personal information"),
    "off_topic": _l("Off-topic"),
    "other": _l("Other (please explain)"),
}
CHOOSE_REASON = _l("Choose a reason from the list.")
TOO_LONG = _l("Please keep this under %(max)d characters.", max=NOTE_MAX)


def reason_choices():
    return [SelectChoice(code, REASON_LABELS[code]) for code in FLAG_REASONS]


class FlagForm(Form):
    reason = RadioField(_l("Why should the moderators look at this post?"),
                        choices=reason_choices(), validate_choice=False,
                        validators=[InputRequired(message=CHOOSE_REASON)])
    note = TextAreaField(_l("Details (required for “Other”)"),
                         validators=[MaxLength(NOTE_MAX, TOO_LONG)],
                         render_kw={"rows": 3, "maxlength": NOTE_MAX})


class HideForm(Form):
    reason = SelectField(_l("Reason shown to the author"),
                         choices=[SelectChoice("", _l("Choose a reason"))] + reason_choices(),
                         validate_choice=False,
                         validators=[InputRequired(message=CHOOSE_REASON)])
    note = TextAreaField(_l("Explanation for the author (required for “Other”)"),
                         validators=[MaxLength(NOTE_MAX, TOO_LONG)],
                         render_kw={"rows": 3, "maxlength": NOTE_MAX})


class BlockForm(Form):
    scope = RadioField(_l("Block from"), default="space",
                       choices=[SelectChoice("space", _l("This space")),
                                SelectChoice("site", _l("The whole site"))],
                       validate_choice=False,
                       validators=[InputRequired(message=_l("Choose where the block applies."))])
    reason = TextAreaField(_l("Reason (kept in the audit log)"),
                           validators=[DataRequired(message=_l("Please explain in a few words.")),
                                       MaxLength(NOTE_MAX, TOO_LONG)],
                           render_kw={"rows": 2, "maxlength": NOTE_MAX})

    def __init__(self, *args, may_block_site: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # can_block_site_wide of the person deciding: only they may choose "The whole site".
        self.may_block_site = may_block_site

    @property
    def site_wide(self) -> bool:
        return self.scope.data == "site"

    def validate_scope(self, field):
        if field.data not in ("space", "site"):
            raise ValidationError(_("Choose where the block applies."))
        if field.data == "site" and not self.may_block_site:
            raise ValidationError(_("Only site-wide moderators can block someone from the whole "
                                    "site."))
