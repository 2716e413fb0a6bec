"""wsgi.py serves with a SECRET_KEY that is published in the source only when the development
config is asked for explicitly; production refuses to start without SECRET_KEY (issue #10)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import refuse_published_secret_key

ROOT = Path(__file__).resolve().parents[2]


def _import_wsgi(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "HIROBA_CONFIG", "DATABASE_URL", "HIROBA_BASE_URL")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_without_hiroba_config_the_development_key_is_refused():
    result = _import_wsgi()
    assert result.returncode != 0
    assert "Refusing to serve with a SECRET_KEY that is published" in result.stderr


def test_the_test_config_is_not_served_either():
    result = _import_wsgi(HIROBA_CONFIG="test")
    assert result.returncode != 0
    assert "published in the source" in result.stderr


def test_an_explicit_development_config_serves():
    result = _import_wsgi(HIROBA_CONFIG="development")
    assert result.returncode == 0, result.stderr


def test_a_real_key_serves_without_hiroba_config():
    assert _import_wsgi(SECRET_KEY="k" * 40).returncode == 0


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_wsgi(HIROBA_CONFIG="production", DATABASE_URL="sqlite://",
                          HIROBA_BASE_URL="https://hiroba.example.lg.jp")
    assert result.returncode != 0
    assert "Production refuses to start without: SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", ["dev-only-not-secret", "test-secret"])
def test_refusal_rule(key):
    refuse_published_secret_key(key, "development")
    refuse_published_secret_key("a real key from the environment", None)
    with pytest.raises(RuntimeError):
        refuse_published_secret_key(key, None)
    with pytest.raises(RuntimeError):
        refuse_published_secret_key(key, "production")
