"""Work done after the response: enqueue(func, *args, **kwargs).

A request that sends mail must not make the visitor wait for the mail server, and must not take
longer when an address exists than when it does not (the delay would tell). In a request, the job
leaves once the response has been sent (Werkzeug's call_on_close, which every WSGI server calls
after the last byte), and only if the request succeeded: the boundary rolled a failed request
back, so its jobs would describe something that did not happen. By then the request's unit of
work has committed, so the job sees what the request wrote.

Where it runs:
- With JOBS_REDIS_URL (REDIS_URL by default) the job goes to the RQ queue JOBS_QUEUE on that
  Redis, and an RQ worker (`flask --app wsgi jobs worker`, app.common.job_worker) runs it in an
  app context of its own. If Redis refuses the job, it runs here instead (logged).
- Without it, it runs in this process, in a fresh app context of its own.
- With JOBS_INLINE (the test config) it runs in the same request, once the unit of work has
  committed (teardown), so a test sees its effect when the request returns; outside a request
  (CLI, cron, a job that enqueues another) it runs at once.
A failing job is logged with its name; it never reaches the visitor.
Callers only ever pass arguments a worker can receive: ids and strings, no ORM objects."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, after_this_request, current_app, g, has_request_context

from app.common.unit_of_work import was_refused

log = logging.getLogger("hiroba.jobs")
_REDIS = "hiroba.jobs.redis"


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


def queue_url(app: Flask) -> str | None:
    """The Redis that holds the job queue, or None: jobs run in the app's own processes."""
    if app.config.get("JOBS_INLINE"):
        return None
    return app.config.get("JOBS_REDIS_URL") or None


def redis_connection(app: Flask):
    """One Redis client per app (it pools its own connections)."""
    import redis

    connection = app.extensions.get(_REDIS)
    if connection is None:
        connection = redis.Redis.from_url(app.config["JOBS_REDIS_URL"],
                                          socket_connect_timeout=2, socket_timeout=5)
        app.extensions[_REDIS] = connection
    return connection


def job_queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("JOBS_QUEUE", "hiroba"), connection=redis_connection(app),
                 default_timeout=int(app.config.get("JOBS_TIMEOUT", 1800)))


def _importable(func: Callable) -> bool:
    # A worker finds the job by its dotted name: module-level functions only.
    qualname = getattr(func, "__qualname__", "")
    return bool(getattr(func, "__module__", None)) and qualname.isidentifier()


def _dispatch(app: Flask, func: Callable, args: tuple, kwargs: dict) -> None:
    """Hand the job to the queue when there is one, else run it here."""
    if queue_url(app) and _importable(func):
        try:
            job_queue(app).enqueue(func, *args, **kwargs, description=_name(func),
                                   failure_ttl=7 * 24 * 3600)
            return
        except Exception:  # noqa: BLE001  (Redis down: do the work here rather than lose it)
            log.exception("job %s could not be queued; running it in this process",
                          _name(func))
    run_job(app, func, args, kwargs)


def submit(func: Callable, *args: Any, **kwargs: Any) -> None:
    """Queue (or run) func now, outside the request cycle: for commands that have committed
    what the job reads, e.g. `flask representation check --queue`."""
    _dispatch(current_app._get_current_object(), func, args, kwargs)


def enqueue(func: Callable, *args: Any, **kwargs: Any) -> None:
    """Run func(*args, **kwargs) after the current response has been sent, or now."""
    app = current_app._get_current_object()
    if not has_request_context():
        run_job(app, func, args, kwargs)
        return
    if app.config.get("JOBS_INLINE"):
        if app.extensions.get("hiroba.jobs.installed"):
            g.setdefault("hiroba_inline_jobs", []).append((func, args, kwargs))
        else:
            run_job(app, func, args, kwargs)
        return

    @after_this_request
    def _after_sending(response):
        if response.status_code >= 400 or was_refused():
            log.warning("job %s dropped: its request failed with %s", _name(func),
                        response.status_code)
        else:
            response.call_on_close(lambda: _dispatch(app, func, args, kwargs))
        return response


def install(app: Flask) -> None:
    """JOBS_INLINE jobs of a request run at its teardown: after the unit of work committed (the
    job's own session sees the request's rows), and not at all for a failed request."""
    app.extensions["hiroba.jobs.installed"] = True

    @app.after_request
    def _note_status(response):
        g.hiroba_job_status = response.status_code
        return response

    @app.teardown_request
    def _run_inline_jobs(exc):
        pending = g.pop("hiroba_inline_jobs", [])
        status = g.pop("hiroba_job_status", 200)
        if exc is not None or status >= 400 or was_refused():
            for func, _args, _kwargs in pending:
                log.warning("job %s dropped: its request failed", _name(func))
            return
        for func, args, kwargs in pending:
            run_job(app, func, args, kwargs)
