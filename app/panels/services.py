"""Panel calls: creating and editing them, quotas proposed from the reference population, and
volunteering. The selection, the pick and the members are in app/panels/selection.py.

Domain code: no Flask; takes the session, only flushes. Refusals are DomainErrors naming the
form field they concern."""
from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from app.accounts.models import BIRTH_YEAR_MIN, RESIDENCY_TYPES, SECTORS
from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.common.time import today_jst, utcnow
from app.panels.models import (DEFAULT_FEATURES, DESCRIPTION_MAX, LOTTERY_MAX, OUTSIDE,
                               PANEL_FEATURES, SIZE_MAX, SLACK_MAX, TITLE_MAX, PanelCall,
                               PanelQuota, PanelVolunteer)
from app.representation.ledger import age_at, record_participation

PANEL_GENDERS = ("female", "male", "other")  # a volunteer on a gender-stratified call answers
LEDGER_MODULE = "panel"
NUMBER_LOW, NUMBER_HIGH = 100_000, 999_999  # six-digit pseudonymous volunteer numbers


def sub_areas(space) -> list:
    """The areas a space is divided into: a region's members, else the area's own subdivisions
    (a city's wards), by code."""
    from app.areas.models import Area
    from app.representation.reference import reference_areas

    session = object_session(space)
    if space.area.is_region:
        return reference_areas(space.area)
    return list(session.scalars(select(Area).where(Area.parent_id == space.area_id)
                                .order_by(Area.code)))


def feature_values(space, feature: str) -> list[str]:
    """The categories a feature takes in `space`, in display order."""
    if feature == "age_band":
        from app.representation.reference import age_bands

        return [band.key for band in age_bands(space)]
    if feature == "sub_area":
        return [area.code for area in sub_areas(space)] + [OUTSIDE]
    return list({"gender": PANEL_GENDERS, "residency": RESIDENCY_TYPES,
                 "sector": SECTORS}[feature])


# --- calls ---------------------------------------------------------------------------------

def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(N_("Enter a whole number between %(low)s and %(high)s."), field,
                          low=low, high=high)
    return value


def _validated(title: str, description_md: str, size, features: Sequence[str], lottery_size,
               slack) -> dict:
    title = normalize(title)
    if not title or len(title) > TITLE_MAX:
        raise DomainError(N_("Enter a title of at most %(max)s characters."), "title",
                          max=TITLE_MAX)
    description_md = (description_md or "").strip()
    if not description_md or len(description_md) > DESCRIPTION_MAX:
        raise DomainError(N_("Explain the panel in at most %(max)s characters."),
                          "description_md", max=DESCRIPTION_MAX)
    features = [f for f in PANEL_FEATURES if f in set(features)]
    if not features or set(features) - set(PANEL_FEATURES):
        raise DomainError(N_("Choose at least one feature to stratify on."), "features")
    return {"title": title, "description_md": description_md,
            "size": _whole(size, "size", 1, SIZE_MAX), "features": features,
            "lottery_size": _whole(lottery_size, "lottery_size", 1, LOTTERY_MAX),
            "slack": _whole(slack, "slack", 0, SLACK_MAX)}


def create_call(session: Session, space, *, title: str, description_md: str, size: int,
                features: Sequence[str] = DEFAULT_FEATURES, lottery_size: int = 1000,
                slack: int = 1) -> PanelCall:
    """A draft call with quotas proposed from the reference population."""
    call = PanelCall(space_id=space.id, space=space, **_validated(
        title, description_md, size, features, lottery_size, slack))
    session.add(call)
    session.flush()
    propose_quotas(session, call)
    return call


def update_call(session: Session, call: PanelCall, **fields) -> PanelCall:
    """Change a call before its draw. New size, features or slack propose the quotas afresh;
    once volunteering has opened the features are fixed (volunteers answered for them)."""
    _not_drawn(call)
    clean = _validated(**fields)
    if call.status != "draft" and clean["features"] != list(call.features):
        raise DomainError(N_("The features cannot change once volunteering has opened."),
                          "features")
    again = any(clean[k] != getattr(call, k) for k in ("size", "features", "slack"))
    for key, value in clean.items():
        setattr(call, key, value)
    session.flush()
    if again:
        propose_quotas(session, call)
    return call


def _not_drawn(call: PanelCall) -> None:
    if call.draw is not None or call.selection_state == "running":
        raise DomainError(N_("The selection has been run: the call can no longer change."))


def open_call(session: Session, call: PanelCall) -> None:
    if call.status != "draft":
        raise DomainError(N_("Only a draft call can be opened."))
    call.status, call.opened_at = "open", utcnow()
    session.flush()


def close_call(session: Session, call: PanelCall) -> None:
    if call.status != "open":
        raise DomainError(N_("Only an open call can be closed."))
    call.status, call.closed_at = "closed", utcnow()
    session.flush()


def list_calls(session: Session, space, *, drafts: bool) -> list[PanelCall]:
    query = select(PanelCall).where(PanelCall.space_id == space.id)
    if not drafts:
        query = query.where(PanelCall.status != "draft")
    return list(session.scalars(query.order_by(PanelCall.created_at.desc(), PanelCall.id.desc())))


def get_call(session: Session, space, call_id: int) -> PanelCall | None:
    return session.scalar(select(PanelCall).where(PanelCall.id == call_id,
                                                  PanelCall.space_id == space.id))


# --- quotas --------------------------------------------------------------------------------

def population_shares(session: Session, space, feature: str) -> dict[str, float] | None:
    """Each value's share of the space's reference population (age band, gender) or of the
    facilitators' targets (residency, sector); None when there is no figure to go by."""
    if feature in ("residency", "sector"):
        from app.representation.targets import get_targets

        return get_targets(session, space, feature) or None
    from app.representation.reference import age_bands, reference_for

    reference = reference_for(session, space)
    if not reference.available:
        return None
    total = reference.population(space.min_age, None)
    if total <= 0:
        return None
    if feature == "sub_area":
        return _sub_area_shares(session, space, reference, total)
    if feature == "age_band":
        return {b.key: reference.population(b.low, b.high) / total for b in age_bands(space)}
    return {sex: reference.population(space.min_age, None, sex) / total
            for sex in ("female", "male")}


def _sub_area_shares(session: Session, space, reference, total: float) -> dict[str, float] | None:
    """Each sub-area's eligible people in the space's own source, over the space's."""
    from dataclasses import replace

    from app.representation.models import PopulationSource
    from app.representation.reference import population_ranges

    source_id = session.scalar(select(PopulationSource.id)
                               .where(PopulationSource.key == reference.source_key))
    shares = {}
    for area in sub_areas(space):
        ranges = population_ranges(session, source_id, [area.id]) if source_id else ()
        if ranges:
            part = replace(reference, ranges=ranges, shape=(), estimated=False)
            shares[area.code] = part.population(space.min_age, None) / total
    return shares or None


def proposed_bounds(shares: Mapping[str, float] | None, values: Sequence[str], k: int,
                    slack: int) -> dict[str, tuple[int, int]]:
    """round(share x k) +- slack within 0..k; a value without a share (no figures, or a gender
    the statistics do not count) is left free, 0..k."""
    bounds = {}
    for value in values:
        if shares is None or value not in shares:
            bounds[value] = (0, k)
        else:
            target = round(shares[value] * k)
            bounds[value] = (max(0, target - slack), min(k, target + slack))
    return bounds


def propose_quotas(session: Session, call: PanelCall) -> None:
    """Replace the call's quotas by the proposal from population shares."""
    _not_drawn(call)
    call.quotas.clear()
    session.flush()
    for feature in call.features:
        values = feature_values(call.space, feature)
        shares = population_shares(session, call.space, feature)
        for value, (low, high) in proposed_bounds(shares, values, call.size, call.slack).items():
            call.quotas.append(PanelQuota(feature=feature, value=value, min_count=low,
                                          max_count=high))
    session.flush()


def quota_field(feature: str, value: str, bound: str) -> str:
    return f"{feature}__{value}__{bound}"


def save_quotas(session: Session, call: PanelCall,
                bounds: Mapping[tuple[str, str], tuple[int | None, int | None]]) -> None:
    """Set min/max per category. Refused, next to the field: a missing or negative number, a
    minimum above its maximum or above k, a feature whose minimums add up to more than k or
    whose maximums to less than k."""
    _not_drawn(call)
    k = call.size
    by_key = {(q.feature, q.value): q for q in call.quotas}
    for feature in call.features:
        values = feature_values(call.space, feature)
        total_min = total_max = 0
        for value in values:
            low, high = bounds.get((feature, value), (None, None))
            low = _whole(low, quota_field(feature, value, "min"), 0, k)
            high = _whole(high, quota_field(feature, value, "max"), 0, k)
            if low > high:
                raise DomainError(N_("The minimum is above the maximum."),
                                  quota_field(feature, value, "min"))
            total_min, total_max = total_min + low, total_max + high
            quota = by_key.get((feature, value))
            if quota is None:
                call.quotas.append(PanelQuota(feature=feature, value=value, min_count=low,
                                              max_count=high))
            else:
                quota.min_count, quota.max_count = low, high
        first = quota_field(feature, values[0], "min")
        if total_min > k:
            raise DomainError(N_("The minimums of this feature add up to %(total)s, more than"
                                 " the panel size %(k)s."), first, total=total_min, k=k)
        if total_max < k:
            raise DomainError(N_("The maximums of this feature add up to %(total)s, less than"
                                 " the panel size %(k)s."), first, total=total_max, k=k)
    session.flush()


# --- volunteering --------------------------------------------------------------------------

def profile_features(space, user) -> dict[str, str]:
    """What the person's profile already says, as panel categories (nothing invented)."""
    from app.representation.reference import age_bands

    from app.accounts.ties import residency_for_area

    demo = user.demographics
    known: dict[str, str] = {}
    # How the person relates to this space's area, from their home and ties (#13): unknown is
    # asked on the volunteer form, like any other missing answer.
    residency = residency_for_area(object_session(space), user, space.area_id)
    if residency is not None:
        known["residency"] = residency
    if demo is not None:
        age = age_at(demo.birth_year, today_jst())
        band = next((b.key for b in age_bands(space) if age is not None and age >= b.low
                     and (b.high is None or age <= b.high)), None)
        if band:
            known["age_band"] = band
        if demo.gender in PANEL_GENDERS:
            known["gender"] = demo.gender
        if demo.sector in SECTORS:
            known["sector"] = demo.sector
    home = user.home_area
    if home is not None and home.id != space.area_id:  # the city itself: which ward is unknown
        codes = {area.code for area in sub_areas(space)}
        inside = next((a.code for a in (home, home.parent) if a is not None and a.code in codes),
                      None)
        known["sub_area"] = inside or OUTSIDE
    return known


def missing_features(call: PanelCall, user) -> list[str]:
    """The stratifying features the volunteer form must ask about."""
    known = profile_features(call.space, user)
    return [f for f in call.features if f not in known]


def _answered(call: PanelCall, user, answers: Mapping[str, object]) -> dict[str, str]:
    """The volunteer's categories: the profile's, completed by the form's answers (which stay
    with this call only; the profile is not changed)."""
    from app.representation.reference import age_bands

    features = profile_features(call.space, user)
    for feature in missing_features(call, user):
        if feature == "age_band":
            year = answers.get("birth_year")
            if isinstance(year, bool) or not isinstance(year, int) \
                    or not BIRTH_YEAR_MIN <= year <= today_jst().year:
                raise DomainError(N_("Enter your year of birth."), "birth_year")
            age = age_at(year, today_jst())
            band = next((b.key for b in age_bands(call.space) if age >= b.low
                         and (b.high is None or age <= b.high)), None)
            if band is None:
                raise DomainError(N_("This panel is for people aged %(age)s and over."),
                                  "birth_year", age=call.space.min_age)
            features["age_band"] = band
        else:
            value = answers.get(feature)
            if value not in feature_values(call.space, feature):
                raise DomainError(N_("Choose an answer: the panel is chosen by it."), feature)
            features[feature] = value
    return features


def find_volunteer(session: Session, call: PanelCall, user, *,
                   withdrawn: bool = False) -> PanelVolunteer | None:
    """The person's place in the pool (with `withdrawn`, also a place they left)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    row = session.scalar(select(PanelVolunteer).where(PanelVolunteer.call_id == call.id,
                                                      PanelVolunteer.user_id == user.id))
    return row if row is None or withdrawn or row.withdrawn_at is None else None


def volunteer(session: Session, call: PanelCall, user, *, consent_contact: bool,
              answers: Mapping[str, object] | None = None) -> PanelVolunteer:
    """Put `user` in the pool, with a random six-digit number; records participation in the
    ledger. Twice is refused by the (call, user) constraint, not by a check that could race."""
    if call.status != "open":
        raise DomainError(N_("This call is not taking volunteers now."))
    if not consent_contact:
        raise DomainError(N_("Agree to be contacted if you are selected: without it you cannot"
                             " take part."), "consent_contact")
    back = find_volunteer(session, call, user, withdrawn=True)
    if back is not None and back.withdrawn_at is not None:
        # Back in the same place, number and categories: the batches do not move.
        back.withdrawn_at, back.consent_contact = None, True
        record_participation(session, call.space_id, user, LEDGER_MODULE)
        session.flush()
        return back
    features = _answered(call, user, answers or {})
    for _attempt in range(20):
        row = PanelVolunteer(call_id=call.id, user_id=user.id, consent_contact=True,
                             features=features,
                             number=NUMBER_LOW + secrets.randbelow(NUMBER_HIGH - NUMBER_LOW + 1))
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            if find_volunteer(session, call, user, withdrawn=True) is not None:
                raise DomainError(N_("You have already volunteered for this panel.")) from None
            continue  # the number was taken: draw another
        record_participation(session, call.space_id, user, LEDGER_MODULE)
        return row
    raise DomainError(N_("No volunteer number could be given; try again."))


def withdraw(session: Session, call: PanelCall, user) -> None:
    """Leave the pool while the call is open (afterwards the pool is fixed for the draw)."""
    if call.status != "open":
        raise DomainError(N_("Volunteering has closed: ask the facilitators if you cannot take"
                             " part."))
    row = find_volunteer(session, call, user)
    if row is None:
        raise DomainError(N_("You have not volunteered for this panel."))
    row.withdrawn_at = utcnow()
    session.flush()


def pool_size(session: Session, call: PanelCall) -> int:
    return session.scalar(select(func.count()).select_from(PanelVolunteer).where(
        PanelVolunteer.call_id == call.id, PanelVolunteer.withdrawn_at.is_(None))) or 0


# --- what facilitators see of the pool -------------------------------------------------------

def suppress(counts: Mapping[str, int], min_cell: int) -> dict[str, int | None]:
    """Hide (None) every count below `min_cell`, zeros too, and then the smallest shown ones
    until what is hidden adds up to 0 cells or to at least `min_cell` people: with the total
    shown, no hidden count can be worked out nor narrowed to fewer than `min_cell`."""
    hidden = {v for v, n in counts.items() if n < min_cell}
    shown = sorted((n, v) for v, n in counts.items() if v not in hidden)
    while hidden and sum(counts[v] for v in hidden) < min_cell and shown:
        hidden.add(shown.pop(0)[1])
    return {v: (None if v in hidden else n) for v, n in counts.items()}


def pool_counts(session: Session, call: PanelCall, *, batch: int,
                min_cell: int) -> tuple[int, dict[str, dict[str, int | None]]]:
    """Who volunteered, per category, for facilitators: only the first whole batches (in the
    order people volunteered, those who withdrew included) are counted, so two looks at the page
    differ by a whole batch or not at all, and small counts are suppressed. Counted in SQL."""
    total = session.scalar(select(func.count()).select_from(PanelVolunteer)
                           .where(PanelVolunteer.call_id == call.id)) or 0
    counted = total - total % batch if batch > 1 else total
    first = (select(PanelVolunteer.id).where(PanelVolunteer.call_id == call.id)
             .order_by(PanelVolunteer.created_at, PanelVolunteer.id).limit(counted).subquery())
    tables = {}
    for feature in call.features:
        value = PanelVolunteer.features[feature].as_string()
        rows = dict(session.execute(select(value, func.count())
                                    .where(PanelVolunteer.id.in_(select(first.c.id)))
                                    .group_by(value)).all())
        counts = {v: int(rows.get(v, 0)) for v in feature_values(call.space, feature)}
        tables[feature] = suppress(counts, min_cell)
    return counted, tables
