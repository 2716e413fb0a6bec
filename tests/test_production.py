"""The production setup (issue #15): gunicorn's settings, the database pool, fingerprinted
static files with long cache headers, JSON logs with a request id, and a real gunicorn started
from gunicorn.conf.py."""
from __future__ import annotations

import json
import logging
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.common.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


def _settings(monkeypatch, **env) -> dict:
    for name in [n for n in os.environ if n.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_settings_follow_the_cpu_count_and_the_environment(monkeypatch):
    defaults = _settings(monkeypatch)
    assert defaults["workers"] == min(os.cpu_count() * 4, 16)
    assert defaults["threads"] == 1 and defaults["worker_class"] == "sync"
    assert defaults["graceful_timeout"] < defaults["timeout"]
    assert defaults["accesslog"] == "-" and defaults["bind"] == "127.0.0.1:8000"
    chosen = _settings(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="8",
                       GUNICORN_BIND="0.0.0.0:9000")
    assert (chosen["workers"], chosen["threads"], chosen["bind"]) == (3, 8, "0.0.0.0:9000")
    assert chosen["worker_class"] == "gthread"  # threads need the threaded worker
    # workers are forks of a master that imported the app, recycled at different moments
    assert defaults["preload_app"] is True and callable(defaults["post_fork"])
    assert defaults["max_requests_jitter"] == defaults["max_requests"] // 2
    assert _settings(monkeypatch, GUNICORN_PRELOAD="0")["preload_app"] is False


def test_a_server_database_gets_a_pool_sized_to_the_threads():
    app = create_app("development", {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {}, "DB_POOL_SIZE": 6, "DB_MAX_OVERFLOW": 1})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "pool_size": 6, "max_overflow": 1,
                       "pool_recycle": 1800, "pool_timeout": 10}
    with app.app_context():
        from app.extensions import db

        assert db.engine.pool.size() == 6  # the engine really has it (nothing connects yet)
    sqlite = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    assert "pool_size" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_static_addresses_carry_a_fingerprint_and_are_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'/static/hiroba\.css\?v=([0-9a-f]{12})"', page)
    assert match, "the stylesheet's address has no fingerprint"
    fresh = client.get(f"/static/hiroba.css?v={match.group(1)}")
    assert fresh.status_code == 200
    assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    fresh.close()
    stale = client.get("/static/hiroba.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"
    stale.close()


def test_every_response_names_its_request_and_a_sane_given_id_is_kept(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert given.headers["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_json_log_lines_carry_the_request(app):
    record = logging.LogRecord("hiroba", logging.WARNING, __file__, 1, "参加者 %s", ("x",), None)
    with app.test_request_context("/spaces/demo", method="POST"):
        from flask import g

        g.request_id = "abc12345"
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "参加者 x" and line["level"] == "WARNING"
    assert (line["request_id"], line["method"], line["path"]) == ("abc12345", "POST", "/spaces/demo")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_from_its_config_file_with_json_access_logs(tmp_path):
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)},
           "HIROBA_CONFIG": "production", "SECRET_KEY": "production-test-" + "k" * 32,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'healthz.sqlite3'}",
           "HIROBA_BASE_URL": "http://127.0.0.1", "GUNICORN_BIND": f"127.0.0.1:{port}",
           # two sync workers (the default kind), each recycled after three requests
           "GUNICORN_WORKERS": "2", "GUNICORN_MAX_REQUESTS": "3",
           "GUNICORN_MAX_REQUESTS_JITTER": "0", "LOG_LEVEL": "INFO"}
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                    "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                                 headers={"X-Request-ID": "probe-0001"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.2)
        # Workers forked from the master again and again, each with its own database pool
        # (post_fork), keep answering: /healthz asks the database.
        for n in range(12):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
                assert answer.status == 200, n
    finally:
        process.terminate()
        process.wait(timeout=20)
    access = [json.loads(line) for line in log_path.read_text().splitlines()
              if line.startswith("{") and '"kind": "access"' in line]
    assert any(a["path"] == "/healthz" and a["status"] == 200 and a["request_id"] == "probe-0001"
               for a in access), log_path.read_text()[-3000:]
    log_text = log_path.read_text()
    assert log_text.count("Autorestarting worker") >= 3, log_text[-3000:]
    assert re.search(r"warmed: \d+ templates compiled before forking", log_text), log_text[-3000:]


def test_fingerprints_follow_the_file_only_when_watched(tmp_path):
    from app.common.assets import Fingerprints

    style = tmp_path / "a.css"
    style.write_text("a{}")
    watched, fixed = Fingerprints(str(tmp_path)), Fingerprints(str(tmp_path), watch=False)
    first = (watched.of("a.css"), fixed.of("a.css"))
    assert first[0] == first[1] and watched.of("../a.css") is None
    style.write_text("b{}")
    os.utime(style, (1, 1))  # a new mtime, whatever the file system's resolution
    assert watched.of("a.css") != first[0]
    assert fixed.of("a.css") == first[1]  # production: a deployment restarts the workers


def test_warming_compiles_every_template_and_reads_every_catalog(app):
    """What gunicorn's master does before forking (gunicorn.conf.py, when_ready): afterwards
    a worker finds every template compiled and the catalogs of both languages read."""
    from flask_babel import force_locale, get_translations

    from app.common.warm import page_templates, warm
    from app.extensions import babel

    catalogs = babel.domain_instance.cache  # one per process, kept by the forks
    app.jinja_env.cache.clear()
    catalogs.clear()
    compiled = warm(app)
    assert {locale for locale, _domain in catalogs} == {"ja", "en"}
    assert compiled == len(page_templates(app)) > 50
    assert len(app.jinja_env.cache) == compiled  # all kept: the cache holds 400
    for locale, word in (("ja", "ログイン"), ("en", "Log in")):
        with app.test_request_context(), force_locale(locale):
            assert get_translations().gettext("Log in") == word
