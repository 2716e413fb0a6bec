"""Revocable sessions. Flask's session and Flask-Login's remember-me cookie are signed, not
stored: a copy keeps working after logout unless the server can tell it is stale. Each user has
a session version, written into both cookies (User.get_id() is "<id>:<version>"); raising it
disowns every cookie issued before. Logout, a new password (changed or reset), losing a role,
deactivation, deletion and "log out everywhere" raise it.

No Flask here: functions take the SQLAlchemy session and only flush."""
from __future__ import annotations

from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User


def user_for_session_id(session: Session, value: str | None) -> User | None:
    """The active user a session or remember-me cookie names, if it carries their current
    session version. A bare "<id>" (cookies from before versions) counts as version 0, which
    is stale as soon as anything has ended the user's sessions once."""
    id_part, separator, version_part = (value or "").partition(":")
    if not id_part.isdigit() or len(id_part) > 10 or \
            (separator and not (version_part.isdigit() and len(version_part) <= 10)):
        return None
    # roles with the user: nearly every page asks a permission rule about them
    user = session.get(User, int(id_part), options=[joinedload(User.roles)])
    if user is None or not user.is_active:
        return None
    version = int(version_part) if separator else 0
    return user if (user.session_version or 0) == version else None


def end_all_sessions(session: Session, user: User) -> None:
    """Make every session and remember-me cookie of `user` anonymous. Incremented in SQL so two
    revocations at the same moment cannot cancel out; the attribute reloads on next access."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])
