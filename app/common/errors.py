"""One way for a service to refuse: `raise DomainError(msgid, field, **params)`.

Services speak English msgids (marked with N_ so Babel extracts them) and never translate; the
view layer translates at the boundary (`Form.refuse`, or the application's DomainError handler),
in the reader's language. `field` names the form field the refusal concerns (None: the whole
form). A refused request writes nothing: see app/common/unit_of_work.py."""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for extraction (Babel's N_ keyword); the view layer translates it."""
    return message


class DomainError(ValueError):
    """A rule of the domain was broken. `msgid` is an English msgid with %(name)s placeholders,
    `params` their values, `field` the form field it concerns (None: the whole form)."""

    def __init__(self, msgid: str, field: str | None = None, **params) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.field = field
        self.params = params

    def translated(self, gettext) -> str:
        """The message in the reader's language, through the given gettext (services stay free
        of Flask-Babel)."""
        return gettext(self.msgid, **self.params)
