"""Cached fragments of pages for anonymous readers (issue #15).

A fragment is HTML drawn from our own templates (user text in it is the stored, already
sanitised HTML of app/common/stored_html.py). It is cached under a key made of

- the cache prefix and the code's version (app/common/http_cache.py: a deployment that changes
  code, a template or a translation starts from an empty cache),
- the reader's language and Japan's date (a phase's "Now" changes at midnight),
- what it shows: a kind and the page's own arguments (a page number),
- the *generation* of every thing it depends on, e.g. ("space", 3) and ("thread", 12).

A generation is a random token kept in the cache. A committed write that touches a thing
(app/common/invalidation.py) gives it a new token, so every fragment drawn from the old state
is never asked for again and simply expires (CACHE_DEFAULT_TIMEOUT). With Redis, every worker
and every app server sees the new token at once. A token that is lost (evicted) is replaced by
a new random one, never by an old value, so a lost token cannot bring an old fragment back.

Only anonymous readers get cached fragments: a logged-in reader's page carries personal
controls, so theirs is drawn every time. The one exception is a fragment the view marks
`shared=True` after its access check: figures that are the same for everyone allowed to see
them (the facilitators' dashboard of a space) and hold nothing about the reader. A fragment
that would hold a CSRF token is never stored, whatever the view asked."""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable

from cachelib import NullCache
from flask import current_app, has_app_context, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from app.common import invalidation
from app.common.http_cache import VERSION_KEY
from app.common.time import today_jst
from app.extensions import cache, cache_config

log = logging.getLogger(__name__)
Thing = invalidation.Thing
# Every fragment shows people's public names (app/accounts/__init__.py touches this).
EVERY_PAGE: Thing = ("people", 0)


def _generation_key(thing: Thing) -> str:
    return f"gen:{thing[0]}:{thing[1]}"


def _enabled() -> bool:
    backend = current_app.extensions.get("cache", {}).get(cache)
    return backend is not None and not isinstance(backend, NullCache)


def _generations(things: Iterable[Thing]) -> list[str]:
    keys = [_generation_key(t) for t in things]
    found = cache.get_many(*keys) if keys else []
    tokens = []
    for key, token in zip(keys, found):
        if token is None:
            cache.add(key, secrets.token_hex(8), timeout=0)  # another worker may win: read back
            token = cache.get(key) or "none"
        tokens.append(str(token))
    return tokens


def fragment_key(kind: str, depends: Iterable[Thing], args: tuple = ()) -> str:
    version = current_app.extensions.get(VERSION_KEY, "")
    depends = [*depends, EVERY_PAGE]
    parts = [version, str(get_locale() or "ja"), today_jst().isoformat(), kind,
             *(str(a) for a in args), *(f"{k}{i}" for k, i in depends), *_generations(depends)]
    return "frag:" + ":".join(parts)


def for_anonymous() -> bool:
    """Whether this request may be answered from shared fragments."""
    return not current_user.is_authenticated


def cached_parts(kind: str, depends: Iterable[Thing], render: Callable[[], dict],
                 args: tuple = (), *, shared: bool = False) -> dict:
    """The parts ({name: Markup or plain value}) of a page, from the cache for an anonymous
    reader when they are there; else `render()`, stored for the next anonymous reader.
    `shared`: for every reader the view let in (it checked access first), logged in or not."""
    if not ((shared or for_anonymous()) and _enabled()):
        return render()
    try:
        key = fragment_key(kind, depends, args)
        stored = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache being down must not take the page down
        log.warning("fragment cache unavailable", exc_info=True)
        return render()
    if stored is not None:
        return {name: Markup(value) if is_html else value  # nosec B704: drawn() output
                for name, (is_html, value) in stored.items()}
    parts = render()
    if any(isinstance(v, Markup) and 'name="csrf_token"' in v for v in parts.values()):
        log.error("fragment %s holds a form with a CSRF token: not cached", kind)
        return parts
    try:
        cache.set(key, {name: (isinstance(v, Markup), str(v) if isinstance(v, Markup) else v)
                        for name, v in parts.items()})
    except Exception:  # noqa: BLE001
        log.warning("fragment cache unavailable", exc_info=True)
    return parts


def cached(kind: str, depends: Iterable[Thing], render: Callable[[], Markup],
           args: tuple = ()) -> Markup:
    """One fragment of HTML (see cached_parts); `render` returns drawn(...)."""
    return cached_parts(kind, depends, lambda: {"html": render()}, args)["html"]


def drawn(template: str, **context) -> Markup:
    """A partial template drawn for a fragment: HTML from our own templates, which escape
    whatever they interpolate (user text is the stored, nh3-sanitised HTML)."""
    return Markup(render_template(template, **context))  # nosec B704: autoescaped template


def plain_args(allowed: dict[str, Callable[[str], bool]]) -> tuple | None:
    """The query arguments as part of a key, or None (no caching) when the request carries any
    other argument or a value that is not of the expected form: links in a fragment are built
    from the request's arguments, and a cache must not fill with every address anyone types."""
    if any(name not in allowed for name in request.args):
        return None
    values = []
    for name, valid in allowed.items():
        value = request.args.get(name)
        if value is not None and (len(request.args.getlist(name)) > 1
                                  or (value != "" and not valid(value))):
            return None
        values.append("-" if value is None else value)  # links keep an empty argument
    return tuple(values)


def is_page_number(value: str) -> bool:
    return value.isdigit() and len(value) < 6


def is_row_id(value: str) -> bool:
    """A keyset cursor (`after=` / `before=`, app/common/pagination.py): a row's id."""
    return value.isdigit() and len(value) < 12


def bump(stale: set[Thing]) -> None:
    """New generations for `stale` things (called after a commit)."""
    if not has_app_context() or not _enabled():
        return
    try:
        cache.set_many({_generation_key(t): secrets.token_hex(8) for t in stale}, timeout=0)
    except Exception:  # noqa: BLE001
        log.warning("fragment cache: could not invalidate %s", sorted(stale), exc_info=True)


def install(app) -> None:
    """Bind the cache and invalidate it after every commit that touched something."""
    cache.init_app(app, config=cache_config(app.config))
    invalidation.on_commit(bump)
