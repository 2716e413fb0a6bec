"""What each kind of background export builds: a registry from kind to a builder, filled by the
feature packages' register(app) (`register_export_kind("proposals", build)`).

A builder runs in the job, in the asker's language: builder(session, user, export, progress)
returns (filename, CSV bytes, rows). It checks again that the person may still export the
target (a role can be withdrawn while the job waits) and raises PermissionError if not; it calls
progress(done, total) as it goes."""
from __future__ import annotations

from collections.abc import Callable

Builder = Callable[..., tuple[str, bytes, int]]
_BUILDERS: dict[str, Builder] = {}


def register_export_kind(kind: str, builder: Builder) -> None:
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> Builder:
    return _BUILDERS[kind]
