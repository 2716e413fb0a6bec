"""Work done after the response: enqueue(func, *args, **kwargs).

A request that sends mail must not make the visitor wait for the mail server, and must not take
longer when an address exists than when it does not (the delay would tell). In a request, the job
runs once the response has been sent (Werkzeug's call_on_close, which every WSGI server calls
after the last byte), in a fresh app context of its own, and only if the request succeeded: the
boundary rolled a failed request back, so its jobs would describe something that did not happen.
Outside a request (CLI, cron) and with JOBS_INLINE (the test config) the job runs at once.
A failing job is logged with its name; it never reaches the visitor.
The lead will put a real queue (RQ) behind this seam when REDIS_URL is set: callers only ever
call enqueue(), with arguments a worker could receive (ids and strings, no ORM objects)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, after_this_request, current_app, has_request_context

log = logging.getLogger("hiroba.jobs")


def _name(func: Callable) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def run_job(app: Flask, func: Callable, args: tuple, kwargs: dict) -> bool:
    """Run one job in its own app context (its own database session). True if it finished."""
    with app.app_context():
        try:
            func(*args, **kwargs)
        except Exception:  # noqa: BLE001  (a job's failure is logged, never raised at a visitor)
            log.exception("job %s failed", _name(func))
            return False
    return True


def enqueue(func: Callable, *args: Any, **kwargs: Any) -> None:
    """Run func(*args, **kwargs) after the current response has been sent, or now."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_INLINE") or not has_request_context():
        run_job(app, func, args, kwargs)
        return

    @after_this_request
    def _run_after_sending(response):
        if response.status_code >= 400:
            log.warning("job %s dropped: its request failed with %s", _name(func),
                        response.status_code)
        else:
            response.call_on_close(lambda: run_job(app, func, args, kwargs))
        return response
