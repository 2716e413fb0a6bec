"""How this module's notifications read (registered by app.proposals.register): renderers run
at display time, in the reader's language, inside a request."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.notifications.kinds import RenderedNotification
from app.proposals.pages import status_label


def render_status(payload: dict) -> RenderedNotification:
    """A step of the workflow (workflow.KIND_STATUS), to the author and the supporters."""
    url = url_for("proposals.detail", slug=payload["space_slug"],
                  proposal_id=payload["proposal_id"])
    title, to_status = payload["title"], payload["to_status"]
    if to_status == payload.get("from_status"):
        message = _("Your proposal “%(title)s” received an official answer.", title=title) \
            if payload.get("role") == "author" else \
            _("A proposal you support, “%(title)s”, received an official answer.", title=title)
    elif payload.get("role") == "author":
        message = _("Your proposal “%(title)s” is now: %(status)s.", title=title,
                    status=status_label(to_status))
    else:
        message = _("A proposal you support, “%(title)s”, is now: %(status)s.", title=title,
                    status=status_label(to_status))
    return RenderedNotification(message, url)


def render_threshold(payload: dict) -> RenderedNotification:
    """A proposal reached the support threshold (supports.KIND_THRESHOLD), to the facilitators."""
    url = url_for("proposals.detail", slug=payload["space_slug"],
                  proposal_id=payload["proposal_id"])
    return RenderedNotification(
        _("The proposal “%(title)s” has reached %(threshold)s supports and awaits an answer.",
          title=payload["title"], threshold=payload["threshold"]), url)
