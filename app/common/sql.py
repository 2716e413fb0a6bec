"""SQL helpers that depend on the database in use (PostgreSQL in production, SQLite embedded)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session):
    """The INSERT construct of the session's database, which offers ON CONFLICT DO NOTHING /
    DO UPDATE on both PostgreSQL and SQLite."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def escape_like(text: str) -> str:
    """Make LIKE wildcards in `text` literal (use with escape='\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
