"""Schema comparison rules shared by Alembic's env.py and the migration test."""
from __future__ import annotations


def include_object_for(dialect_name: str):
    """Objects meant for one dialect only (e.g. PostgreSQL's trigram indexes, declared with
    ddl_if) are not expected on another, so autogenerate must not ask to add them there."""
    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        if ddl_if is not None and ddl_if.dialect and ddl_if.dialect != dialect_name:
            return False
        return True
    return include_object
