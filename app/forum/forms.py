"""Forum forms. Field names are stable for scripts: new thread `title` and `body`, reply `body`.
Text rules (blank, invisible-only, too long) come from the service, so form and service agree."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.common.errors import DomainError
from app.common.forms import Form, bound_echo
from app.forum.services import BODY_MAX, TITLE_MAX, clean_text


def _text_rule(limit: int, field_name: str):
    def check(form, field):
        try:
            clean_text(field.data, limit, field_name)
        except DomainError as error:
            bound_echo(field, limit)  # never send megabytes back
            raise ValidationError(error.translated(_)) from None
    return check


class ThreadForm(Form):
    title = StringField(_l("Title"), validators=[_text_rule(TITLE_MAX, "title")],
                        render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField(_l("Your contribution"), validators=[_text_rule(BODY_MAX, "body")],
                         render_kw={"rows": 10})


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"), validators=[_text_rule(BODY_MAX, "body")],
                         render_kw={"rows": 6})
    reply_to = HiddenField()

    def reply_to_id(self) -> int | None:
        """The post answered; None for the thread itself. Garbage becomes an id no post has, so
        the service refuses it with its message instead of silently answering the thread."""
        value = (self.reply_to.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() and len(value) < 10 else -1  # ids are 32-bit


class EditPostForm(Form):
    # Only shown (and only checked) for the opening post of a thread.
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField(_l("Text"), validators=[_text_rule(BODY_MAX, "body")],
                         render_kw={"rows": 10})

    def __init__(self, *args, is_opening: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_opening = is_opening

    def validate_title(self, field):
        if self.is_opening:
            _text_rule(TITLE_MAX, "title")(self, field)


class DigestSettingsForm(Form):
    forum_email_digest = BooleanField(_l(
        "E-mail me a daily digest of my new notifications (replies to my posts, moderators' "
        "decisions on them, announcements of the places I registered with as a furusato "
        "resident)"))


class ConfirmForm(Form):
    # The box is drawn by the confirm_post macro of _macros.html; ticked, it sends confirm=yes.
    confirm = StringField()

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "yes"
