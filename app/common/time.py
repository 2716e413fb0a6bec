"""Time helpers: the database stores naive UTC; Japan's dates are computed in Asia/Tokyo."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Naive UTC now, the form every DateTime column holds (same on SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_jst() -> date:
    return datetime.now(JST).date()


def to_jst(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(JST)
