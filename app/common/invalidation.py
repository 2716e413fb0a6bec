"""What a write made stale, told to the caches only once it is committed.

A cached fragment (app/common/fragments.py) depends on named things: ("space", 3),
("thread", 12), ("proposals", 3)… A write marks the things it changed as stale, in two ways:

- automatically: a model registered with `watch(Model, things)` marks `things(obj)` whenever an
  object of it is inserted, changed or deleted through the ORM (seen at flush);
- by hand: `touch(session, kind, id)` from a service that writes with a bulk UPDATE/DELETE the
  ORM does not see (a moderation hide, a reaction count).

The marks wait in the session. After a commit the listeners (`on_commit(listener)`, the fragment
cache) are called with them; a rollback drops them. So a reader never sees a fragment cleared
for a write that then failed, and a write is never missed because it was flushed early.

Plain SQLAlchemy, no Flask: services call `touch` with their session."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

Thing = tuple[str, int]
_INFO_KEY = "hiroba_stale"
_WATCHED: dict[type, Callable[[object], Iterable[Thing]]] = {}
_LISTENERS: list[Callable[[set[Thing]], None]] = []


def watch(model: type, things: Callable[[object], Iterable[Thing]]) -> None:
    """Whenever an object of `model` is written, `things(obj)` are stale."""
    _WATCHED[model] = things


def on_commit(listener: Callable[[set[Thing]], None]) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def touch(session: Session, kind: str, ident: int | None) -> None:
    """Mark (kind, ident) stale once this session commits."""
    if ident is not None:
        session.info.setdefault(_INFO_KEY, set()).add((kind, int(ident)))


def pending(session: Session) -> set[Thing]:
    return set(session.info.get(_INFO_KEY, ()))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    if not _WATCHED:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        things = _WATCHED.get(type(obj))
        if things is None:
            continue
        for kind, ident in things(obj):
            touch(session, kind, ident)


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    stale = session.info.pop(_INFO_KEY, None)
    if not stale:
        return
    for listener in _LISTENERS:
        listener(stale)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)
