"""Fixtures of the forum tests."""
from __future__ import annotations

import pytest

from tests.forum.helpers import build_world


@pytest.fixture
def world(make, db):
    return build_world(make, db)
