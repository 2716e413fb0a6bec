"""The API's rate limit is one budget per client (app.api.common.api_client_key) for all of
/api/v1, and with Redis it is one budget across every worker: two processes, as two gunicorn
workers would be, draw on the same count."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from tests.people import client_as
from tests.rate_limited import rate_limited_app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MISSING = "/api/v1/spaces/nowhere/releases"


def test_one_budget_per_client_for_every_api_endpoint(app, make):
    with rate_limited_app(app, API_RATE_LIMIT="3 per minute") as limited:
        first = limited.test_client()
        codes = [first.get(MISSING).status_code, first.get("/api/v1/spaces/nowhere/proposals")
                 .status_code, first.get("/api/v1/spaces/nowhere/representation").status_code,
                 first.get(MISSING).status_code]
        assert codes == [404, 404, 404, 429]
        other = limited.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert other.get(MISSING).status_code == 404  # another address, its own budget


def test_a_logged_in_person_has_a_budget_of_their_own_behind_a_shared_address(app, make):
    person = make.user("taro@example.jp")
    with rate_limited_app(app, API_RATE_LIMIT="2 per minute") as limited:
        anonymous = limited.test_client()
        assert [anonymous.get(MISSING).status_code for _ in range(3)] == [404, 404, 429]
        signed_in = client_as(limited, person)  # same 127.0.0.1
        assert signed_in.get(MISSING).status_code == 404


def test_behind_the_trusted_proxy_each_forwarded_address_counts_apart(app):
    with rate_limited_app(app, API_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1) as limited:
        client = limited.test_client()
        one = {"X-Forwarded-For": "198.51.100.1"}
        two = {"X-Forwarded-For": "198.51.100.2"}
        assert client.get(MISSING, headers=one).status_code == 404
        assert client.get(MISSING, headers=one).status_code == 429
        assert client.get(MISSING, headers=two).status_code == 404


WORKER = textwrap.dedent("""
    import json, sys
    from app import create_app
    from app.extensions import db

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_ENABLED": True,
                              "RATELIMIT_STORAGE_URI": sys.argv[2],
                              "RATELIMIT_KEY_PREFIX": sys.argv[3],
                              "API_RATE_LIMIT": "3 per minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    print(json.dumps([client.get("%s").status_code for _ in range(2)]))
""" % MISSING)


def _worker(database: str, storage: str, prefix: str) -> list[int]:
    done = subprocess.run([sys.executable, "-c", WORKER, database, storage, prefix], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "REDIS_URL"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_two_workers_share_one_budget_in_redis(tmp_path):
    database = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    prefix = f"hiroba-test-{uuid.uuid4().hex[:8]}"
    redis_url = os.environ["TEST_REDIS_URL"]
    assert _worker(database, redis_url, prefix) == [404, 404]
    assert _worker(database, redis_url, prefix) == [404, 429]  # the first one spent two of three
    # In memory each worker grants its own budget: what the API had before.
    assert _worker(database, "memory://", prefix) == [404, 404]
    assert _worker(database, "memory://", prefix) == [404, 404]
    import redis

    store = redis.Redis.from_url(redis_url)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)
