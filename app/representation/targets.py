"""Facilitator-set target shares for the categories a census does not have (residency type, the
kinds of relationship, furusato registration and sector): read and replaced here, used by the page
as the comparison base for those dimensions. Kinds of relationship are shares of the relationship
population whose kind is known; furusato tiers are shares of everyone whose tier is known."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.accounts.models import RESIDENCY_TYPES, SECTORS
from app.areas.residency import FURUSATO_TIERS, RELATIONSHIP_KINDS
from app.common.errors import N_, DomainError
from app.common.invalidation import touch
from app.representation.models import Target
from app.representation.population import TARGET_DIMENSIONS

TARGET_CATEGORIES = {"residency": RESIDENCY_TYPES, "relationship_kind": RELATIONSHIP_KINDS,
                     "furusato": FURUSATO_TIERS, "sector": SECTORS}
TARGET_SUM_SLACK = 0.005  # shares typed as rounded percentages may sum to 99.5%


class TargetError(DomainError):
    """Targets could not be set (a DomainError: the view puts it next to the form)."""


def get_targets(session: Session, space, dimension: str) -> dict[str, float]:
    """Target shares of a target dimension (TARGET_CATEGORIES), in the categories' canonical
    order."""
    if dimension not in TARGET_DIMENSIONS:
        raise TargetError(N_("Targets cannot be set for this dimension."))
    rows = dict(session.execute(select(Target.category, Target.share)
                                .where(Target.space_id == space.id, Target.dimension == dimension)).all())
    return _in_order(dimension, rows)


def all_targets(session: Session, space) -> dict[str, dict[str, float]]:
    """Every dimension's target shares (as get_targets gives them), in one statement."""
    found: dict[str, dict[str, float]] = {dimension: {} for dimension in TARGET_DIMENSIONS}
    for dimension, category, share in session.execute(
            select(Target.dimension, Target.category, Target.share)
            .where(Target.space_id == space.id)):
        if dimension in found:
            found[dimension][category] = share
    return {dimension: _in_order(dimension, rows) for dimension, rows in found.items()}


def _in_order(dimension: str, shares: Mapping[str, float]) -> dict[str, float]:
    return {c: shares[c] for c in TARGET_CATEGORIES[dimension] if c in shares}


def set_targets(session: Session, space, dimension: str, shares: Mapping[str, float]) -> None:
    """Replace the target shares of `dimension`. Shares are fractions (0..1) adding up to 1 (within
    half a percentage point, for rounded entries); an empty mapping removes the targets. Targets
    that sum below that are refused rather than renormalised: a facilitator who leaves 30% out
    has not said where those people belong. Only flushes."""
    if dimension not in TARGET_DIMENSIONS:
        raise TargetError(N_("Targets cannot be set for this dimension."))
    allowed = TARGET_CATEGORIES[dimension]
    unknown = sorted(set(shares) - set(allowed))
    if unknown:
        raise TargetError(N_("Unknown categories: %(categories)s."), categories=", ".join(unknown))
    clean = {}
    for category, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise TargetError(N_("Each target share must be between 0% and 100%."))
        clean[category] = float(share)
    total = sum(clean.values())
    if clean and total <= 0:
        raise TargetError(N_("At least one target share must be above 0%."))
    if total > 1 + 1e-9:
        raise TargetError(N_("Target shares add up to %(total)s%%; they may not exceed 100%%."),
                          total=round(total * 100, 1))
    if clean and total < 1 - TARGET_SUM_SLACK:
        raise TargetError(N_("Target shares add up to %(total)s%%; they must add up to 100%%."),
                          total=round(total * 100, 1))
    session.execute(delete(Target).where(Target.space_id == space.id, Target.dimension == dimension))
    touch(session, "space", space.id)  # the cached dashboard compares with them; bulk writes
    if clean:
        session.execute(insert(Target), [
            {"space_id": space.id, "dimension": dimension, "category": c, "share": s}
            for c, s in clean.items()])
    session.flush()
