"""Fixtures of the proposals tests."""
from __future__ import annotations

import pytest

from tests.proposals.helpers import build_world


@pytest.fixture
def world(make, db):
    return build_world(make, db)
