"""Helpers for the accounts tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def sapporo(make):
    return make.area("01100", "札幌市", "Sapporo")


def register_data(**overrides) -> dict:
    """A complete, valid registration; override or drop (value None) any field."""
    data = {
        "email": "hanako@example.jp",
        "password": "a sentence to remember",
        "display_name": "花子",
        "home_area": "01100",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
