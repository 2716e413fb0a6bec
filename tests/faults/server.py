"""Helpers of the fault tests: a real gunicorn on loopback (stopped by the context manager, even
when the test fails), a tiny HTTP client with its own cookies, and a forum to write into."""
from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select

from app import create_app
from app.extensions import db as _db
from app.forum.models import Post, Thread
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SLUG = "fault-forum"
REQUEST_TIMEOUT = 20  # seconds; a request that hangs longer is a failure, not a wait


@dataclass
class Answer:
    status: int
    headers: dict
    body: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we check, not a page to fetch


class Browser:
    """One person's client: keeps its session cookie, never follows redirects."""

    def __init__(self, base: str):
        self.base = base
        self._open = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()).open

    def request(self, path: str, form: dict | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self._open(self.base + path, data=data, timeout=REQUEST_TIMEOUT) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx: still answers
            return Answer(error.code, dict(error.headers), error.read().decode())

    def log_in(self, email: str) -> None:
        answer = self.request("/auth/login", {"email": email, "password": factories.TEST_PASSWORD})
        assert answer.status == 302, (answer.status, answer.body[:300])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log_dir: Path, *, workers: int, threads: int = 1,
             environment: dict | None = None):
    """Serve tests/faults/serve.py; yields the base URL once /healthz answers."""
    port = _free_port()
    # The developer's own REDIS_URL is not this server's: Redis only when the test says so.
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env.update({"SECRET_KEY": "fault-tests-" + "k" * 32, "DATABASE_URL": database_url,
                "HIROBA_BASE_URL": "http://127.0.0.1",
                "LOG_LEVEL": "WARNING",
                # the app sizes its database pool by it (config.DB_POOL_SIZE)
                "GUNICORN_THREADS": str(threads), **(environment or {})})
    log_path = log_dir / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
             str(threads), "--bind", f"127.0.0.1:{port}", "--preload", "--timeout", "30",
             "--graceful-timeout", "5", "tests.faults.serve:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "gunicorn exited:\n" + log_path.read_text()[-3000:]
            try:
                if Browser(base).request("/healthz").status == 200:
                    break
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + log_path.read_text()
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def seed_forum(database_url: str, people: int) -> list[str]:
    """Tables, a space whose forum takes contributions, and `people` accounts; their e-mails."""
    seeding = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    with seeding.app_context():
        _db.create_all()
        make = factories.Factory(_db.session)
        make.space(SLUG)
        emails = [make.user(f"writer{n}@example.jp").email for n in range(people)]
        _db.session.remove()
        _db.engine.dispose()
    return emails


def new_thread_form(title: str) -> dict:
    return {"title": title, "body": f"{title} の本文"}


def threads_as_written(database_url: str) -> dict[str, list[str]]:
    """Every thread's title with the bodies of its posts, read straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Thread.title, Post.body, Post.is_opening)
                                .join(Post, Post.thread_id == Thread.id, isouter=True)).all()
            assert conn.scalar(select(func.count()).select_from(Post)
                               .where(Post.thread_id.not_in(select(Thread.id)))) == 0
    finally:
        engine.dispose()
    written: dict[str, list[str]] = {}
    for title, body, is_opening in rows:
        written.setdefault(title, [])
        if body is not None:
            written[title].append(body if is_opening else "(reply) " + body)
    return written
