"""Administration: the audit log, the overview counts, users and their roles.

Every change made here writes an audit entry through audit(), which other modules (moderation)
call too. Refusals are DomainErrors (app.common.errors) that the view translates; services never
import Flask. Only flush, never commit."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import ROLES, Demographics, RoleAssignment, User
from app.accounts.sessions import end_all_sessions
from app.admin.models import AuditEntry
from app.areas.models import Area
from app.common.errors import N_, DomainError
from app.common.pagination import Page, paginate
from app.common.sql import escape_like
from app.common.text import normalize, normalize_email
from app.representation.models import Participation
from app.spaces.models import Space


# ---------------------------------------------------------------- audit log

def audit(session: Session, actor, action: str, target: str, **detail) -> AuditEntry:
    """Record that `actor` (a User, or None for the system) did `action` to `target`
    (e.g. "role.grant", "user:12"). `detail` must be JSON-serialisable. Only adds."""
    entry = AuditEntry(actor_id=actor.id if actor is not None else None,
                       action=action[:50], target=target[:100], detail=detail)
    session.add(entry)
    return entry


def audit_actions(session: Session) -> list[str]:
    """The distinct actions present in the log, for the filter."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def list_audit(session: Session, *, action: str | None = None, actor: str | None = None,
               page: int = 1, per_page: int = 50) -> Page:
    """Newest first; `action` exact, `actor` a part of the actor's e-mail or display name."""
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    wanted = normalize(actor)
    if wanted:
        stmt = stmt.where(AuditEntry.actor_id.in_(select(User.id).where(_user_matches(wanted))))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(session, stmt, page, per_page)


# ---------------------------------------------------------------- overview

def overview_counts(session: Session) -> dict[str, int]:
    """All counts in one round trip, each a COUNT in SQL."""
    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    row = session.execute(select(
        count(User, User.deleted_at.is_(None)).label("users"),
        count(User, User.deleted_at.is_(None), User.active.is_(False)).label("inactive_users"),
        count(Space).label("spaces"),
        count(Participation).label("participations"),
        count(Area, Area.kind != "region").label("areas"),
        count(Area, Area.kind == "region").label("regions"),
        count(AuditEntry).label("audit_entries"),
    )).one()
    return dict(row._mapping)


# ---------------------------------------------------------------- users

def _user_matches(wanted: str):
    pattern = f"%{escape_like(normalize_email(wanted))}%"
    return or_(User.email.ilike(pattern, escape="\\"),
               User.display_name.ilike(f"%{escape_like(wanted)}%", escape="\\"))


def search_users(session: Session, query: str | None, page: int = 1, per_page: int = 20) -> Page:
    """Users whose e-mail or display name contains `query` (NFKC, case-insensitive), newest
    first, with their roles (and the roles' spaces) loaded in two extra queries."""
    stmt = select(User).options(
        selectinload(User.roles).selectinload(RoleAssignment.space)
    )
    wanted = normalize(query)
    if wanted:
        stmt = stmt.where(_user_matches(wanted))
    stmt = stmt.order_by(User.created_at.desc(), User.id.desc())
    return paginate(session, stmt, page, per_page)


def get_user(session: Session, user_id: int) -> User | None:
    return session.scalar(
        select(User).where(User.id == user_id)
        .options(selectinload(User.roles).selectinload(RoleAssignment.space))
    )


def user_summary(session: Session, user: User) -> dict:
    """What the admin page may show beyond the profile: whether demographics were given (never
    the answers) and in how many spaces the person took part."""
    consented = session.scalar(
        select(func.count()).select_from(Demographics).where(Demographics.user_id == user.id)
    )
    spaces = session.scalar(
        select(func.count()).select_from(Participation).where(Participation.user_id == user.id)
    )
    return {"consented": bool(consented), "spaces_participated": spaces or 0}


def grant_role(session: Session, actor: User, user: User, role: str,
               space_slug: str | None = None) -> RoleAssignment:
    """Give `user` a role, globally (no slug) or in the space with `space_slug`."""
    if role not in ROLES:
        raise DomainError(N_("Choose a role from the list."), field="role")
    if user.deleted_at is not None:
        raise DomainError(N_("This account was deleted; it cannot receive roles."))
    slug = normalize(space_slug).lower()
    space = None
    if slug:
        if role == "admin":
            raise DomainError(N_("The admin role is always site-wide: leave the space empty."),
                              field="space_slug")
        space = session.scalar(select(Space).where(Space.slug == slug))
        if space is None:
            raise DomainError(N_("No space has the address %(slug)s."), field="space_slug",
                              slug=slug)
    space_id = space.id if space else None
    # The unique constraint cannot catch a duplicate global role (NULLs differ), so check here.
    if any(a.role == role and a.space_id == space_id for a in user.roles):
        raise DomainError(N_("This person already holds that role there."), field="role")
    assignment = RoleAssignment(role=role, space_id=space_id, space=space)
    user.roles.append(assignment)
    session.flush()
    audit(session, actor, "role.grant", f"user:{user.id}", role=role,
          space=space.slug if space else None)
    return assignment


def revoke_role(session: Session, actor: User, user: User, assignment_id: int) -> RoleAssignment:
    """Take a role away. An admin cannot revoke their own last admin role (they would lock
    themselves out, possibly leaving nobody to administer the site)."""
    assignment = next((a for a in user.roles if a.id == assignment_id), None)
    if assignment is None:
        raise DomainError(N_("This role assignment does not exist (any more)."))
    if assignment.role == "admin" and user.id == actor.id \
            and sum(1 for a in user.roles if a.role == "admin") <= 1:
        raise DomainError(N_("You cannot revoke your own last admin role. Ask another "
                             "administrator to do it."))
    space_slug = assignment.space.slug if assignment.space else None
    user.roles.remove(assignment)
    session.flush()
    end_all_sessions(session, user)  # sessions opened with the role do not outlive it
    audit(session, actor, "role.revoke", f"user:{user.id}", role=assignment.role, space=space_slug)
    return assignment


def set_active(session: Session, actor: User, user: User, active: bool) -> bool:
    """Deactivate or reactivate an account; returns False when nothing changed."""
    if user.deleted_at is not None:
        raise DomainError(N_("This account was deleted by its owner; it cannot be changed."))
    if not active and user.id == actor.id:
        raise DomainError(N_("You cannot deactivate your own account."))
    if user.active == active:
        return False
    user.active = active
    if not active:
        # Otherwise a reactivation would bring every old session and cookie back to life.
        end_all_sessions(session, user)
    session.flush()
    audit(session, actor, "user.reactivate" if active else "user.deactivate", f"user:{user.id}")
    return True
