"""Background exports: ask, start, report progress, finish, fail, find, purge. No Flask; services
only flush (the job commits, like a command)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.common.time import utcnow
from app.exports.models import ExportFile


def ask(session: Session, user_id: int, kind: str, target_id: int, *, title: str,
        ttl: timedelta, params: dict[str, Any] | None = None) -> ExportFile:
    """A queued export for `user_id`; the old files that have expired go at the same time."""
    purge_expired(session)
    now = utcnow()
    export = ExportFile(user_id=user_id, kind=kind, target_id=target_id, params=dict(params or {}),
                        title=title[:300], status="queued", created_at=now, expires_at=now + ttl)
    session.add(export)
    session.flush()
    return export


def start(session: Session, export: ExportFile) -> None:
    export.status = "running"
    export.done = export.total = 0
    session.flush()


def progress_writer(engine: Engine, export_id: int):
    """progress(done, total), written and committed on a connection of its own: the status page
    sees it while the job's own transaction is still reading."""
    def progress(done: int, total: int) -> None:
        with engine.begin() as conn:
            conn.execute(update(ExportFile).where(ExportFile.id == export_id)
                         .values(done=done, total=total))
    return progress


def finish(session: Session, export: ExportFile, filename: str, content: bytes, rows: int,
           ttl: timedelta) -> None:
    now = utcnow()
    export.status, export.filename, export.content, export.rows = "done", filename, content, rows
    export.finished_at, export.expires_at = now, now + ttl
    export.done = export.total = max(export.total, 1)
    session.flush()


def fail(session: Session, export_id: int) -> None:
    session.execute(update(ExportFile).where(ExportFile.id == export_id)
                    .values(status="failed", finished_at=utcnow(), content=None))
    session.flush()


def unexpired(session: Session, export_id: int) -> ExportFile | None:
    """The export unless it has expired (whose it is, the permission rule decides)."""
    return session.scalar(select(ExportFile).where(ExportFile.id == export_id,
                                                   ExportFile.expires_at > utcnow()))


def content_of(session: Session, export: ExportFile) -> bytes:
    return session.scalar(select(ExportFile.content).where(ExportFile.id == export.id)) or b""


def purge_expired(session: Session, now: datetime | None = None) -> int:
    result = session.execute(delete(ExportFile).where(ExportFile.expires_at <= (now or utcnow()))
                             .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount or 0
