"""What every JSON API blueprint shares: the rate limit, the error body, the time format."""
from __future__ import annotations

from flask import current_app, jsonify

from app.common.time import to_jst


def api_rate_limit() -> str:
    """The limit of each API endpoint (API_RATE_LIMIT; stored in Redis in production)."""
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


def api_error(status: int, message: str):
    """The JSON answer of a refused API call: `{"error": message, "status": status}`."""
    return jsonify({"error": message, "status": status}), status


def api_time(moment) -> str | None:
    """A stored (naive UTC) datetime as ISO 8601 in Japan time, or None."""
    return to_jst(moment).isoformat() if moment is not None else None
