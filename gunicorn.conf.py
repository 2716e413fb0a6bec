"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment. Threads serve the waits (database, mail, Redis),
processes the CPU; each process keeps its own database pool of GUNICORN_THREADS connections
(config.py), so PostgreSQL needs max_connections >= app servers x workers x (threads + overflow).
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 x cores + 1, the usual rule for a mostly waiting Python app, capped so a large machine does
# not open more database connections than it can use
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 12))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# A request that takes longer than this is stuck (the slowest page, a cold dashboard audit,
# takes about 2 s); a graceful restart lets requests in flight finish first.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that slow leaks (a library's cache) cannot grow for ever.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
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
