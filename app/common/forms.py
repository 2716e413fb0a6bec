"""The base form of every module, and a length limit that does not send megabytes back.

`Form` is the one way a refusal reaches a person: a submission that fails validation, or a
service's DomainError put to `form.refuse(error)`, shows the message next to its field (or at
the top of the page when it concerns the whole form), and the request is refused (rolled back,
answered 422; see app/common/unit_of_work.py).

A form that refuses input shows what was typed so it can be corrected. A browser already stops
people at a field's maxlength, so a value far beyond the limit comes from a script: echoing it
would turn every form into an amplifier. Beyond ECHO_FACTOR times the limit the value is cut to
the limit before the form is drawn again; up to that, it is kept whole to be shortened."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from app.common.errors import DomainError
from app.common.unit_of_work import note_page_error, refuse

ECHO_FACTOR = 2


def bound_echo(field, limit: int) -> None:
    """Cut `field`'s value (and its raw text, where a field keeps one) for re-display when it is
    far longer than `limit`."""
    data = field.data
    if isinstance(data, str) and len(data) > limit * ECHO_FACTOR:
        field.data = data[:limit]
    raw = getattr(field, "raw", None)
    if isinstance(raw, str) and len(raw) > limit * ECHO_FACTOR:
        field.raw = raw[:limit]


class MaxLength:
    """At most `limit` characters, with the message next to the field; see the module notes."""

    def __init__(self, limit: int, message: str | None = None):
        self.limit = limit
        self.message = message

    def __call__(self, form, field):
        data = field.data if isinstance(field.data, str) else ""
        if len(data.strip()) > self.limit:  # the services store the text trimmed
            bound_echo(field, self.limit)
            raise ValidationError(str(self.message) if self.message
                                  else _("Use at most %(max)s characters.", max=self.limit))


class Form(FlaskForm):
    """Every Hiroba form (see the module notes)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_errors: list[str] = []

    def validate_on_submit(self, extra_validators=None) -> bool:
        valid = super().validate_on_submit(extra_validators)
        if not valid and self.is_submitted():
            refuse()
        return valid

    def refuse(self, error: DomainError) -> None:
        """Show `error` next to its field (or at the top of the page) and refuse the request."""
        message = error.translated(_)
        field = self._fields.get(error.field) if error.field else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            self.page_errors.append(message)
            note_page_error(message)
        refuse()
