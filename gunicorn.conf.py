"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment. By default every worker is a process that serves
one request at a time (gunicorn's sync worker) behind a buffering reverse proxy (nginx, the load
balancer), and there are four per core so that some wait on the database while others compute.
A sync worker takes a connection only when it is free, so requests queue in the kernel, first
come first served. Threads (GUNICORN_THREADS > 1, gunicorn's gthread worker) keep keep-alive
connections bound to the worker that accepted them: under load one worker ends up with more
connections than the others and their requests wait behind each other (README: p99 at 16
connections fell from 562 ms to 262 ms on the dashboard, from 516 ms to 281 ms on the support
POST, at the same throughput). Each process keeps its own database pool of GUNICORN_THREADS
connections plus overflow (config.py), so PostgreSQL needs
max_connections >= app servers x workers x (threads + overflow).
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 4 x cores one-request processes (a request waits on PostgreSQL or Redis for about half its
# time), capped so a large machine does not open more database connections than it can use
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 4, 16))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "sync" if threads == 1 else "gthread"
# A request that takes longer than this is stuck (the slowest page, a cold dashboard audit,
# takes about 2 s); a graceful restart lets requests in flight finish first.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # threaded workers only: a sync worker closes
# Recycle workers now and then so that slow leaks (a library's cache) cannot grow for ever,
# at different moments (the jitter is half the count: workers serve about as many requests
# each, so a small jitter restarts them all at once).
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 2)
# The application is imported once, in the master, and each worker is a fork of it: a worker
# that is recycled is running again at once, where importing the application again costs
# about 2 s of CPU (README: recycled workers at the end of a load run had cut the support POST
# from 186 to 70-114 requests a second). A new release therefore needs a restart of the
# master, not a HUP. GUNICORN_PRELOAD=0 imports it in every worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# The heartbeat file on a memory file system: a busy disk cannot make workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr for the platform to collect; one JSON object per request.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"ts": "%(t)s", "kind": "access", "remote": "%(h)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s", "agent": "%(a)s"}'
)


# --- hooks -----------------------------------------------------------------------------------

def when_ready(server):
    """In the master, before the first fork: what every worker would do on its first requests
    (app/common/warm.py), done once for all of them."""
    if not server.cfg.preload_app:
        return
    from app.common.warm import warm

    server.log.info("warmed: %d templates compiled before forking", warm(server.app.wsgi()))


def post_fork(server, worker):
    """A forked worker must not use the database connections of the master (none are opened
    while the application is imported, but a pool that holds one would be shared): each
    worker starts with empty pools of its own. Without preloading there is nothing to do."""
    if not server.cfg.preload_app:
        return
    from app.extensions import db

    with server.app.wsgi().app_context():  # the application the master loaded
        for engine in db.engines.values():
            engine.dispose(close=False)
