"""Queries about who holds which role where, written once (the rules that use them live in
app/accounts/permissions.py). Imports models only, so any module may use it."""
from __future__ import annotations

from sqlalchemy import Select, select

from app.accounts.models import RoleAssignment

TEAM_ROLES = ("facilitator", "moderator")


def space_ids_with_role(user_id: int, *roles: str) -> Select:
    """The ids of the spaces where the person holds one of `roles` as a space role (global
    roles name no space and are not among them), as a subquery for `Space.id.in_(...)`."""
    return select(RoleAssignment.space_id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role.in_(roles or TEAM_ROLES),
        RoleAssignment.space_id.is_not(None))


def team_space_ids(user_id: int) -> Select:
    """The spaces the person facilitates or moderates (space roles only)."""
    return space_ids_with_role(user_id, *TEAM_ROLES)


def holds_role_anywhere(user, *roles: str) -> bool:
    """Whether the (loaded) user holds one of `roles` in some space or site-wide, or is an
    admin."""
    return any(r.role == "admin" or r.role in roles for r in user.roles)
