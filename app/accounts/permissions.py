"""Authorisation in one place. Each action names its rule here; views use the decorators, services
may call the predicates. Anonymous users are sent to log in, logged-in users without the right get
403."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, g
from flask_login import current_user

from app.extensions import login_manager


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


def can_facilitate(user, space) -> bool:
    """Facilitators of the space, global facilitators and admins."""
    return bool(user and user.is_authenticated and user.has_role("facilitator", space.id))


def can_moderate(user, space=None) -> bool:
    """Moderators of the space or site-wide, and admins."""
    return bool(user and user.is_authenticated
                and user.has_role("moderator", space.id if space is not None else None))


def can_create_space(user) -> bool:
    """Any facilitator (of some space or globally) may open a new space."""
    return bool(user and user.is_authenticated
                and (user.is_admin or any(r.role == "facilitator" for r in user.roles)))


def _deny():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    abort(403)


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin(current_user):
            return _deny()
        return view(*args, **kwargs)
    return wrapper


def require(rule: Callable[..., bool]) -> Callable:
    """Decorator for views that already loaded `g.space`: `@require(can_facilitate)`."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not rule(current_user, getattr(g, "space", None)):
                return _deny()
            return view(*args, **kwargs)
        return wrapper
    return decorator
