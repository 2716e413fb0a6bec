"""How each kind of notification reads: a registry from kind to a renderer that turns the stored
payload into a translated message and a link. Modules register their kinds from their package's
register(app) (`register_kind("forum_reply", render_reply)`); renderers run at display time, in
the reader's language, inside a request."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.routing import BuildError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedNotification:
    message: str
    url: str | None = None


Renderer = Callable[[dict[str, Any]], RenderedNotification]
_RENDERERS: dict[str, Renderer] = {}


def register_kind(kind: str, renderer: Renderer) -> None:
    """Register (or replace, e.g. on app re-creation in tests) the renderer of `kind`."""
    _RENDERERS[kind] = renderer


def registered_kinds() -> tuple[str, ...]:
    return tuple(_RENDERERS)


def render(kind: str, payload: dict[str, Any] | None) -> RenderedNotification:
    """The message and link for a stored notification. An unknown kind or a payload its renderer
    cannot read (an old format, a deleted target) still shows a neutral message, never an error
    page."""
    renderer = _RENDERERS.get(kind)
    if renderer is not None:
        try:
            return renderer(dict(payload or {}))
        except (KeyError, TypeError, ValueError, BuildError):
            log.warning("notification of kind %s could not be rendered", kind, exc_info=True)
    return RenderedNotification(_("You have a new notification."))
