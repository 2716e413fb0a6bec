"""Redis down: when REDIS_URL points to a Redis nobody answers, the production app still starts
and serves; rate limits fall back to this process's memory (and still refuse the third login of
a "2 per minute" limit) with one logged warning; /healthz says "degraded" with 200.

Runs in a subprocess: the limiter is one object per process and remembers that its storage died,
which must not leak into the rest of the suite."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from tests.faults.server import ROOT

DEAD_REDIS = "redis://127.0.0.1:6390/6"
FALLBACK_WARNING = "falling back to in-memory storage"

PROBE = textwrap.dedent("""
    import json
    from app import create_app
    from app.extensions import db

    app = create_app("production", {"WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    logins = [client.post("/auth/login", data={"email": "nobody@example.jp",
                                               "password": "wrong"}).status_code
              for _ in range(3)]
    health = client.get("/healthz")
    print(json.dumps({"logins": logins, "home": client.get("/").status_code,
                      "healthz": [health.status_code, health.json]}))
""")


def _nothing_listens(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_site_serves_and_rate_limits_in_memory_when_redis_is_down(tmp_path):
    if not _nothing_listens(6390):
        pytest.skip("something listens on 127.0.0.1:6390, which this test needs dead")
    env = {**os.environ, "SECRET_KEY": "k" * 32, "REDIS_URL": DEAD_REDIS,
           "HIROBA_BASE_URL": "http://localhost",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'no-redis.sqlite3'}",
           "RATELIMIT_ENABLED": "1", "LOGIN_RATE_LIMIT": "2 per minute", "LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["logins"] == [422, 422, 429]  # refused logins, then the limit
    assert result["home"] == 200
    status, health = result["healthz"]
    assert status == 200 and health["status"] == "degraded"
    assert health["redis"] == {"ok": False, "configured": True}
    # production logs JSON lines on stdout (app.common.logs); the warning appears once there
    logs = done.stdout + done.stderr
    assert logs.count(FALLBACK_WARNING) == 1, logs[-3000:]
