"""Validators for public data: a strong ETag and `If-None-Match` → 304 with no body.

- Responses a view marks `Cache-Control: public` (the public JSON API) get an ETag from their
  body; a client that sends it back gets 304. Never for a response that writes the session: a
  cookie must not be handed to the next reader of a shared cache.
- HTML pages cannot be public: every page carries the visitor's own CSRF token (the language
  switch is a POST form) and the first visit sets the session cookie that holds it. A page of
  published, frozen data (the transparency page) therefore uses `page_etag`: a tag of what the
  page shows (the release's id, the space's title, the reader's language) and of the reader's
  CSRF token, checked before drawing the page, with `private, no-cache` and `Vary: Cookie`. A
  reader coming back gets 304 without the page being drawn; a reader with another session or
  language gets the page. Logged-in readers (their header counts their notifications) and pages
  that show a flashed message get no tag."""
from __future__ import annotations

import hashlib

from flask import Flask, Response, request, session
from flask_login import current_user

VERSION_KEY = "hiroba.code_version"


def _hash(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


def page_etag(app: Flask, *what) -> str | None:
    """The tag of an anonymous reader's page showing `what`, or None when it gets none."""
    if current_user.is_authenticated or "_flashes" in session:
        return None
    return _hash(app.extensions.get(VERSION_KEY, ""), request.path, request.query_string,
                 session.get("locale", ""), _hash(session.get("csrf_token", "")), *what)


def not_modified(etag: str | None) -> Response | None:
    """304 when the reader already holds this version of the page."""
    if etag is None or not request.if_none_match.contains(etag):
        return None
    response = Response(status=304)
    _tag(response, etag)
    return response


def tag_page(response: Response, etag: str | None) -> Response:
    if etag is not None and response.status_code == 200:
        _tag(response, etag)
    return response


def _tag(response: Response, etag: str) -> None:
    response.set_etag(etag)  # strong: the same bytes for the same tag
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")


def install(app: Flask) -> None:
    # The code's version: a deployment that changes code, a template or a translation changes
    # every page's tag (from the files' contents, so every app server agrees).
    from pathlib import Path

    digest = hashlib.sha256()
    for root in (Path(app.root_path), Path(app.root_path).parent / "translations"):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".mo"):
                digest.update(path.read_bytes())
    app.extensions[VERSION_KEY] = digest.hexdigest()[:16]

    @app.after_request
    def tag_public_data(response):
        if (request.method in ("GET", "HEAD") and response.status_code == 200
                and "public" in (response.headers.get("Cache-Control") or "")
                and not session.modified and "Set-Cookie" not in response.headers
                and not response.is_streamed):
            response.add_etag()
            return response.make_conditional(request)
        return response
