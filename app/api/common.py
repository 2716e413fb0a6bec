"""What every JSON API blueprint shares: the rate limit, the error body, the time format."""
from __future__ import annotations

from flask import current_app, jsonify
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.common.time import to_jst
from app.extensions import limiter


def api_rate_limit() -> str:
    """The API's budget per client (API_RATE_LIMIT), for all its endpoints together."""
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


def api_client_key() -> str:
    """Who spends the budget: a logged-in person by account (a town hall behind one address
    does not share one budget), anyone else by address, which ProxyFix takes from the
    TRUSTED_PROXIES' X-Forwarded-For entries. Hiroba has no API keys: the API is public."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


# One budget per client across every /api/v1 endpoint, counted in the limiter's storage:
# Redis (RATELIMIT_STORAGE_URI = REDIS_URL) in production, so every worker of every app server
# draws on the same budget instead of each granting its own.
api_limit = limiter.shared_limit(api_rate_limit, scope="api", key_func=api_client_key)


def api_error(status: int, message: str):
    """The JSON answer of a refused API call: `{"error": message, "status": status}`."""
    return jsonify({"error": message, "status": status}), status


def api_time(moment) -> str | None:
    """A stored (naive UTC) datetime as ISO 8601 in Japan time, or None."""
    return to_jst(moment).isoformat() if moment is not None else None
