"""Areas: Japan's local governments by code, and wide-area regions made of several of them."""
from __future__ import annotations


def register(app) -> None:
    from app.areas.cli import cli

    app.cli.add_command(cli)
