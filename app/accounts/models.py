"""Users, their optional demographic answers (kept apart) and role assignments."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.residency import TIE_KINDS
from app.common.errors import N_
from app.common.time import utcnow
from app.extensions import db

# The tracker's residency types. A person's type is not stored on the account: it is derived
# per space (app.areas.residency) from the home area and the ties below, and kept in the ledger.
RESIDENCY_TYPES = ("resident", "relationship", "dual_region", "commuter", "other")
GENDERS = ("female", "male", "other", "no_answer")
SECTORS = (
    "industry", "government", "academia", "finance", "labour", "media",
    "professions", "civil_society", "none",
)
ROLES = ("facilitator", "moderator", "admin")  # "participant" is every registered user
BIRTH_YEAR_MIN = 1900
DELETED_USER_NAME = N_("Deleted user")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    # Says DELETED_USER_NAME in the reader's language. The model has no Babel of its own:
    # app.accounts.register() hands it the view layer's gettext (until then the msgid shows).
    name_translator: ClassVar[Callable[[str], str]] = staticmethod(str)

    id: Mapped[int] = mapped_column(primary_key=True)
    # NFKC + lower-cased; NULL once the account is deleted so the address can register again.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    # Opt-in: at most one e-mail a day summarising forum notifications (app.forum.digest).
    forum_email_digest: Mapped[bool] = mapped_column(default=False)
    # Part of every session and remember-me cookie (get_id); raising it ends them all
    # (app.accounts.sessions.end_all_sessions).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # NULL while a registration waits for its e-mailed link (app.accounts.registration).
    # Accounts made by an operator (CLI, demo) are confirmed when made.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)

    home_area = relationship("Area")
    demographics: Mapped[Demographics | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and self.deleted_at is None and self.email_confirmed_at is not None

    @property
    def may_recover(self) -> bool:
        """May receive a reset link: active and not deleted, confirmed or not (following a link
        proves the address as well as a confirmation does)."""
        return self.active and self.deleted_at is None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the id and the
        session version, so raising the version disowns every cookie issued before."""
        return f"{self.id}:{self.session_version or 0}"

    def has_role(self, role: str, space_id: int | None = None) -> bool:
        """Global roles count everywhere; a space role only in its space. Admins hold every role."""
        for assignment in self.roles:
            if assignment.role == "admin":
                return True
            if assignment.role == role and (
                assignment.space_id is None or assignment.space_id == space_id
            ):
                return True
        return False

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def public_name(self) -> str:
        """The name to show others: a neutral label once the account is deleted."""
        if self.deleted_at is not None or not self.display_name:
            return self.name_translator(DELETED_USER_NAME)
        return self.display_name

    @property
    def is_admin(self) -> bool:
        return any(a.role == "admin" for a in self.roles)


class Demographics(db.Model):
    """Optional answers, given with consent, used only in aggregate. Apart from the profile."""

    __tablename__ = "demographics"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    birth_year: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="demographics")


class RoleAssignment(db.Model):
    """A role held globally (space_id NULL) or in one space."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "space_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    space = relationship("Space")


class ResidencyTie(db.Model):
    """How a person is connected to an area that is not their home (relationship population and
    its kind, dual-region resident, commuter, other): one tie per person and area. A tie to the
    home or an area containing it is refused (app.accounts.ties)."""

    __tablename__ = "residency_ties"
    __table_args__ = (
        UniqueConstraint("user_id", "area_id"),
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in TIE_KINDS) + ")",
                        name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area = relationship("Area")
