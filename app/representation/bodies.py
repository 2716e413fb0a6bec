"""Deliberation bodies (議論の場): councils and committees of a space, recorded as aggregate
composition only (counts by age band, gender and sector; never names), compared with the same
reference population as the participants."""
from __future__ import annotations

from collections.abc import Mapping
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import SECTORS
from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.representation.models import Body, BodyComposition
from app.representation.queries import GENDERS
from app.representation.reports import CategoryLabel, CategoryRow, Report
from app.representation.targets import get_targets

BODY_DIMENSIONS = ("age_band", "gender", "sector")
# A body's members are known people: 'other' gender is recorded (and reported as having no
# population figure), 'no answer' is not a category here.
BODY_GENDERS = ("female", "male", "other")
NAME_MAX = 120
COUNT_MAX = 10_000


class BodyError(DomainError):
    """Bad input for a body (a DomainError: the view puts it next to its form field)."""


def body_categories(space) -> dict[str, list[str]]:
    """The category keys a body of `space` is counted in, per dimension."""
    from app.representation.reference import age_bands

    return {"age_band": [band.key for band in age_bands(space)], "gender": list(BODY_GENDERS),
            "sector": list(SECTORS)}


def list_bodies(session: Session, space) -> list[Body]:
    return list(session.scalars(
        select(Body).where(Body.space_id == space.id)
        .options(selectinload(Body.composition)).order_by(Body.name, Body.id)))


def get_body(session: Session, space, body_id: int) -> Body | None:
    """The body if it belongs to `space` (ids of other spaces' bodies give None)."""
    return session.scalar(select(Body).where(Body.id == body_id, Body.space_id == space.id)
                          .options(selectinload(Body.composition)))


def counts_of(body: Body, categories: Mapping[str, list[str]]) -> dict[str, dict[str, int]]:
    """Counts per dimension and category, zeros included, in the space's category order. Rows for
    categories the space no longer has (its bands changed) are kept apart under their own key."""
    counts = {dim: dict.fromkeys(keys, 0) for dim, keys in categories.items()}
    for row in body.composition:
        counts.setdefault(row.dimension, {})[row.category] = row.count
    return counts


def _validated(space, name: str, composition: Mapping[str, Mapping[str, int]]):
    name = normalize(name)
    if not name or len(name) > NAME_MAX:
        raise BodyError(N_("Enter a name of at most %(max)s characters."), "name", max=NAME_MAX)
    allowed = body_categories(space)
    clean: dict[tuple[str, str], int] = {}
    for dimension, counts in composition.items():
        if dimension not in allowed:
            raise BodyError(N_("Unknown dimension: %(name)s."), None, name=dimension)
        for category, count in counts.items():
            if category not in allowed[dimension]:
                raise BodyError(N_("Unknown category: %(name)s."), None, name=category)
            if isinstance(count, bool) or not isinstance(count, int) \
                    or not 0 <= count <= COUNT_MAX:
                raise BodyError(N_("Enter a whole number between 0 and %(max)s."),
                                f"{dimension}__{category}", max=COUNT_MAX)
            if count:
                clean[(dimension, category)] = count
    if not clean:
        raise BodyError(N_("Enter the number of members in at least one category."))
    return name, clean


def save_body(session: Session, space, name: str,
              composition: Mapping[str, Mapping[str, int]], body: Body | None = None) -> Body:
    """Create a body of `space` or replace an existing one's name and composition. Zero counts
    are not stored. Raises BodyError on bad input. Only flushes."""
    name, clean = _validated(space, name, composition)
    if body is None:
        body = Body(space_id=space.id, name=name)
        session.add(body)
    else:
        if body.space_id != space.id:
            raise BodyError(N_("This body belongs to another space."))
        body.name = name
        body.composition.clear()
        session.flush()  # the old rows go before the new ones meet the unique constraint
    for (dimension, category), count in clean.items():
        body.composition.append(BodyComposition(dimension=dimension, category=category,
                                                count=count))
    session.flush()
    return body


def delete_body(session: Session, body: Body) -> None:
    session.delete(body)
    session.flush()


def body_report(session: Session, space, body: Body, dimension: str):
    """The body's composition against the space's reference population (age band, gender) or
    its sector targets, as a Report so it is shown exactly like the participants'. No
    suppression: the counts were entered as aggregates and only facilitators see them."""
    from app.representation import stats
    from app.representation.reference import reference_for, target_reference

    if dimension not in BODY_DIMENSIONS:
        raise BodyError(N_("Unknown dimension: %(name)s."), None, name=dimension)
    counts = counts_of(body, body_categories(space)).get(dimension, {})
    members = sum(counts.values())

    def unavailable(reference, reason):
        return Report(space.slug, dimension, "body", reference, members, None, None,
                               None, 1, [], stats.ChiSquare(None, 0, None, False, "unavailable"),
                               None, None, False, reason)

    if dimension == "sector":
        reference = target_reference(space)
        population = get_targets(session, space, "sector")
        if not population:
            return unavailable(reference, "no_targets")
    else:
        reference = reference_for(session, space)
        if not reference.available:
            return unavailable(reference, "no_reference")
        if dimension == "age_band":
            from app.representation.reference import age_bands

            population = {b.key: reference.population(b.low, b.high) for b in age_bands(space)}
        else:
            population = {g: reference.population(space.min_age, None, g)
                          for g in GENDERS}
    if sum(population.values()) <= 0:
        return unavailable(reference, "no_population")
    comparison = stats.compare(counts, population)
    rows = [CategoryRow(
        cat.key, CategoryLabel(dimension, cat.key), cat.count, cat.share,
        None if dimension == "sector" else cat.population, cat.population_share, cat.ratio,
        cat.ci_low, cat.ci_high, cat.flag if comparison.answered else None,
        cat.parity_gap, False) for cat in comparison.categories]
    return Report(space.slug, dimension, "body", reference, comparison.participants,
                           comparison.answered, comparison.unknown, comparison.unreferenced, 1,
                           rows, comparison.chi_square, comparison.dissimilarity,
                           comparison.rate_ratio_min_max, True, None)
