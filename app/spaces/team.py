"""A space's team: the people holding the facilitator or moderator role in that space
(app.accounts.roles.TEAM_ROLES). No Flask here; refusals are DomainErrors with an N_-marked
English message, like the other space services. Every change is audited (team.add,
team.remove) with the acting user."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import RoleAssignment, User
from app.accounts.roles import TEAM_ROLES
from app.accounts.sessions import end_all_sessions
from app.admin.services import audit
from app.common.errors import N_, DomainError
from app.common.text import normalize_email
from app.spaces.models import Space


def list_team(session: Session, space: Space) -> list[RoleAssignment]:
    """The space's own role assignments (site-wide roles are not listed), facilitators first."""
    return list(session.scalars(
        select(RoleAssignment).join(RoleAssignment.user)
        .where(RoleAssignment.space_id == space.id, RoleAssignment.role.in_(TEAM_ROLES))
        .options(joinedload(RoleAssignment.user))
        .order_by(RoleAssignment.role, User.display_name, RoleAssignment.id)
    ))


def get_team_assignment(session: Session, space: Space, assignment_id: int) -> RoleAssignment | None:
    return session.scalar(select(RoleAssignment).where(
        RoleAssignment.id == assignment_id, RoleAssignment.space_id == space.id,
        RoleAssignment.role.in_(TEAM_ROLES)))


def add_team_member(session: Session, space: Space, email: str, role: str, *,
                    actor) -> RoleAssignment:
    """Give the account with `email` the `role` in `space`. Only flushes."""
    if role not in TEAM_ROLES:
        raise DomainError(N_("Choose facilitator or moderator."), "role")
    user = session.scalar(select(User).where(User.email == normalize_email(email),
                                             User.deleted_at.is_(None)))
    if user is None:
        raise DomainError(N_("No account uses this e-mail address. Ask the person to register "
                             "first, then add them."), "email")
    exists = select(RoleAssignment.id).where(RoleAssignment.user_id == user.id,
                                             RoleAssignment.role == role,
                                             RoleAssignment.space_id == space.id)
    duplicate = DomainError(N_("%(name)s already has this role in this space."), "email",
                            name=user.display_name)
    if session.scalar(exists) is not None:
        raise duplicate
    assignment = RoleAssignment(role=role, space_id=space.id)
    try:
        with session.begin_nested():
            user.roles.append(assignment)
            session.flush()
    except IntegrityError as error:  # the same person added twice at the same moment
        raise duplicate from error
    audit(session, actor, "team.add", f"user:{user.id}", space=space.slug, role=role)
    return assignment


def remove_team_member(session: Session, space: Space, assignment: RoleAssignment, *,
                       actor) -> None:
    """Remove a role in the space; the last facilitator of a space stays. Only flushes."""
    if assignment.space_id != space.id:
        raise DomainError(N_("This person is not in this space's team."))
    if assignment.role == "facilitator":
        facilitators = session.scalar(
            select(func.count()).select_from(RoleAssignment)
            .where(RoleAssignment.space_id == space.id, RoleAssignment.role == "facilitator")
        )
        if facilitators <= 1:
            raise DomainError(N_("A space keeps at least one facilitator. Add another facilitator "
                                 "before removing this one."))
    audit(session, actor, "team.remove", f"user:{assignment.user_id}", space=space.slug,
          role=assignment.role)
    user = assignment.user
    session.delete(assignment)
    session.flush()
    end_all_sessions(session, user)  # sessions opened with the role do not outlive it
