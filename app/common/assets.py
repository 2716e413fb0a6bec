"""Static files with fingerprinted addresses: `url_for('static', filename=...)` adds `?v=` and
the first 12 hex digits of the file's SHA-256, and a request that names the current fingerprint
may be cached for a year (immutable); any other request for a static file must revalidate. A
changed file gets a new address, so no browser or proxy ever serves a stale stylesheet."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


class Fingerprints:
    def __init__(self, folder: str, *, watch: bool = True):
        self.folder = Path(folder)
        self.watch = watch
        self._known: dict[str, tuple[float, str]] = {}

    def of(self, filename: str) -> str | None:
        """The file's fingerprint (recomputed when it changes on disk); None if it is missing
        or outside the static folder. Without `watch` (production: files change only with a
        deployment, which restarts the workers) a known file is not looked at again: every
        page links a few, and resolving and stat-ing each cost a page about a millisecond."""
        known = self._known.get(filename)
        if known is not None and not self.watch:
            return known[1]
        path = (self.folder / filename).resolve()
        if self.folder.resolve() not in path.parents or not path.is_file():
            return None
        mtime = path.stat().st_mtime
        if known is None or known[0] != mtime:
            known = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def install(app: Flask) -> None:
    prints = Fingerprints(app.static_folder, watch=app.debug or app.testing)

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = prints.of(values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args.get("v") == prints.of(filename):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
        return response
