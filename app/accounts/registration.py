"""Registration confirmed by e-mail, answering the same whether or not the address has an account.

Logging a new person in straight away cannot be made to look like the answer for a taken
address (one visitor would be logged in, the other not), so every registration ends on the same
"check your e-mail" page and the mailbox decides: a new address receives a link that confirms
the account and logs the person in; the owner of a taken address is told that someone tried to
register with it, with a reset link. An account waiting for its link cannot log in.

No Flask here: functions take the SQLAlchemy session first and only flush."""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.accounts.services import (checked_registration, find_user_by_email, new_demographics,
                                   password_fingerprint, save_demographics,
                                   user_for_signed_token, withdraw_demographics)
from app.areas.models import Area
from app.common.time import utcnow

CONFIRM_MAX_AGE = 24 * 3600  # seconds: a day to find the mail, on a phone, between other things
_CONFIRM_SALT = "hiroba-confirm-registration"

NEW = "new"          # a new account, waiting for its link
PENDING = "pending"  # an account that was already waiting: the new details replace the old
TAKEN = "taken"      # the address belongs to a confirmed account, which is left as it is


@dataclass(frozen=True)
class Registration:
    outcome: str
    user: User


def request_registration(session: Session, *, email: str, password: str, display_name: str,
                         home_area: Area | None, locale: str = "ja",
                         demographics: dict | None = None) -> Registration:
    """Record a registration to be confirmed by e-mail; the caller mails whoever owns the address
    according to the outcome, and shows the same page in every case. Raises DomainError only for
    problems with the input itself, never for a taken address."""
    address, name = checked_registration(email, password, display_name)
    # Hashed whatever happens next, so a taken address answers as slowly as a new one.
    password_hash = generate_password_hash(password)
    given = demographics if demographics and any(v is not None for v in demographics.values()) \
        else None
    existing = find_user_by_email(session, address)
    if existing is None:
        user = User(email=address, password_hash=password_hash, display_name=name,
                    home_area=home_area, locale=locale, active=True)
        if given:
            user.demographics = new_demographics(given)
        try:
            with session.begin_nested():
                session.add(user)
                session.flush()
                # The column's default confirms (operators' accounts); a NULL given at insert
                # would be replaced by it, so the waiting state is set just after.
                user.email_confirmed_at = None
                session.flush()
            return Registration(NEW, user)
        except IntegrityError:  # another registration of this address won the race
            existing = find_user_by_email(session, address)
            if existing is None:
                raise
    if existing.email_confirmed_at is None and existing.may_recover:
        # Nothing can have happened on an account nobody could log in to yet, so the newer
        # details win; the older link dies with the old password's fingerprint.
        existing.password_hash = password_hash
        existing.display_name = name
        existing.home_area = home_area
        existing.locale = locale
        if given:
            save_demographics(session, existing, given)
        else:
            withdraw_demographics(session, existing)
        session.flush()
        return Registration(PENDING, existing)
    return Registration(TAKEN, existing)


def make_confirmation_token(user: User, secret_key: str) -> str:
    """A signed token naming the waiting account and its password; a newer registration of the
    same address (a new password) makes it stale."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_CONFIRM_SALT)
    return serializer.dumps({"user": user.id, "pw": password_fingerprint(user)})


def user_for_confirmation_token(session: Session, token: str, secret_key: str,
                                max_age: int = CONFIRM_MAX_AGE) -> User | None:
    """The account still waiting for this token's confirmation, or None."""
    user = user_for_signed_token(session, token, secret_key, salt=_CONFIRM_SALT, max_age=max_age)
    if user is None or user.email_confirmed_at is not None:
        return None
    return user


def confirm_registration(session: Session, user: User) -> None:
    user.email_confirmed_at = utcnow()
    session.flush()
