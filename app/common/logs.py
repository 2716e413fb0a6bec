"""Structured logs: one JSON object per line on stdout, with the request's id, so a platform's
log collector can search them. `LOG_FORMAT=json` (the default in production) switches it on;
development keeps plain lines."""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

# A client or proxy may pass its own id (to follow a request across servers); only a sane one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if has_request_context():
            entry.update(request_id=getattr(g, "request_id", None), method=request.method,
                         path=request.path)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(app: Flask) -> None:
    """JSON lines on stdout when LOG_FORMAT is json; every response carries X-Request-ID."""
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]

    @app.before_request
    def start_request():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        # gunicorn's access log writes it beside the status and duration (gunicorn.conf.py)
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response
