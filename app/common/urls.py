"""Redirect targets: only same-site relative paths are followed (no open redirects)."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter


def safe_next(target: str | None, fallback: str) -> str:
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    return target


def return_path(adapter: MapAdapter, method: str, path: str, query: str, referrer: str | None) -> str:
    """Where "come back here" links (the language switch) lead: the page itself when it answers
    a GET. A refused POST re-renders its form under the POST's URL, which may accept POST only
    (a 405 after switching language), so then the page the form was sent from, if same-site."""
    here = f"{path}?{query}" if query else path
    if method in ("GET", "HEAD") or _answers_get(adapter, path):
        return here
    if referrer:
        parts = urlsplit(referrer)
        origin = safe_next(parts.path or "/", "/")
        if origin != "/" and _answers_get(adapter, origin) and (not parts.netloc or parts.netloc == adapter.server_name):
            return f"{origin}?{parts.query}" if parts.query else origin
    return "/"


def _answers_get(adapter: MapAdapter, path: str) -> bool:
    try:
        adapter.match(path, method="GET")
    except HTTPException:
        return False
    return True
