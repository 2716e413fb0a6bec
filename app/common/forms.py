"""Form helpers shared by the modules: a length limit that does not send megabytes back.

A form that refuses input shows what was typed so it can be corrected. A browser already stops
people at a field's maxlength, so a value far beyond the limit comes from a script: echoing it
would turn every form into an amplifier. Beyond ECHO_FACTOR times the limit the value is cut to
the limit before the form is drawn again; up to that, it is kept whole to be shortened."""
from __future__ import annotations

from flask_babel import gettext as _
from wtforms.validators import ValidationError

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
