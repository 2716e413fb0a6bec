"""What other packages show on a space's page (the representation banner and its links).

A package registers, from its register(app), a function (space, user) -> PagePart | None; the
space page's view computes every part before it renders, so the template only reads them and
runs no query of its own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PagePart:
    template: str  # included by spaces/detail.html with `part` in its context
    data: dict = field(default_factory=dict)


_PARTS: dict[str, Callable[[object, object], PagePart | None]] = {}


def register_page_part(name: str, compute: Callable[[object, object], PagePart | None]) -> None:
    _PARTS[name] = compute


def page_parts(space, user) -> list[PagePart]:
    """The parts of `space`'s page for `user`, in registration order."""
    return [part for part in (compute(space, user) for compute in _PARTS.values())
            if part is not None]
