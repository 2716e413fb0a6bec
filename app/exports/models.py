"""A CSV prepared in the background for the person who asked (app.exports)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.common.time import utcnow
from app.extensions import db

STATUSES = ("queued", "running", "done", "failed")


class ExportFile(db.Model):
    """Stored in the database, not on one server's disk: any app server can hand it out and any
    worker can write it. Only its owner downloads it, until `expires_at`."""
    __tablename__ = "export_files"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_export_files_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The registered kind that builds it (app.exports.kinds), and what it is about.
    kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int | None]
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
