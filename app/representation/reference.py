"""The reference population of a space: which source, which areas, and figures per age band/sex.

Shares are computed over the eligible population (age >= the space's minimum age, age known).
Sources give counts per inclusive age range; a band that cuts a range (18+ inside the register's
15-19) splits the range by the single-year shape of the same area in the census where one is
shipped (the area itself, else the city of a ward or the prefecture of a municipality), else in
proportion to its years; the reference is then marked estimated, and so is every figure the cut
touches. People of unknown age are left out of the comparison (the shipped census table has no
imputed figures, 不詳補完値); the reference says how many they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.representation.models import PopulationCount, PopulationSource
from app.representation.population import record_range

# Width assumed for an open-ended range (110+, 100+) in the rare case a band ends inside it.
OPEN_RANGE_WIDTH = 5
DECADE_EDGES = (30, 40, 50, 60, 70, 80)
# Which source kinds serve each reference choice, in order of preference.
CHOICE_KINDS = {"census": (("census",),), "register": (("register", "csv"),),
                "auto": (("census",), ("register", "csv"))}


@dataclass(frozen=True)
class AgeBand:
    key: str  # '18-29', '80+'
    low: int
    high: int | None  # inclusive; None = open-ended


class PopulationRange(NamedTuple):
    sex: str
    age_from: int | None  # None = age unknown
    age_to: int | None  # None = open-ended (or unknown)
    count: int


@dataclass(frozen=True)
class Reference:
    """Where a space's population figures come from. source_key None = no figures available."""
    area_codes: tuple[str, ...]
    source: str | None  # the source's title
    source_key: str | None
    reference_date: date | None
    base_min_age: int
    kind: str | None  # 'census' | 'register' | 'csv' | 'target'
    estimated: bool = False  # a band or the eligible base cut a published age range
    attribution: str = ""
    licence: str = ""
    ranges: tuple[PopulationRange, ...] = field(default=(), repr=False, compare=False)
    # Single-year census counts that split a cut range by its real shape, and the areas they
    # are of (empty: a cut range is split evenly by years).
    shape: tuple[PopulationRange, ...] = field(default=(), repr=False, compare=False)
    shape_areas: tuple[str, ...] = ()
    unknown_age_share: float | None = None  # of the source's people in these areas

    @property
    def split_method(self) -> str | None:
        """How a cut age range is split: 'census_shape', 'even', or None (nothing is cut)."""
        if not self.estimated:
            return None
        return "census_shape" if self.shape_areas else "even"

    @property
    def available(self) -> bool:
        return self.source_key is not None or self.kind == "target"

    @property
    def api_kind(self) -> str:
        """What the API says the figures are: 'census' (census or municipal CSV figures),
        'register' (the resident register, 住民基本台帳) or 'target' (facilitator-set shares)."""
        if self.kind in ("target", "register"):
            return self.kind
        return "census"

    def population(self, low: int, high: int | None, sex: str | None = None) -> float:
        """People aged low..high (None = no upper limit) of `sex` (None = both), known age only.
        A range the band cuts counts in proportion to its years; an open range (110+) is taken
        as OPEN_RANGE_WIDTH years wide when a band ends inside it."""
        if sex is None:
            return sum(self.population(low, high, s) for s in sorted(self._tables))
        if sex not in self._tables:
            return 0.0
        cumulative, interior = self._tables[sex]
        top = len(cumulative) - 1
        start = min(max(low, 0), top)
        end = top if high is None else min(max(high + 1, 0), top)
        value = max(0.0, cumulative[end] - cumulative[start])
        if start not in interior and end not in interior:
            return float(round(value))  # whole ranges only: an exact integer sum
        return value

    def splits(self, low: int, high: int | None) -> bool:
        """Whether the band low..high cuts a published age range (its figure is an estimate)."""
        return any(low in interior or (high is not None and high + 1 in interior)
                   for _cumulative, interior in self._tables.values())

    @cached_property
    def _shape(self) -> dict[tuple[str, int], float]:
        return {(r.sex, r.age_from): float(r.count) for r in self.shape}

    def _spread(self, r: PopulationRange, last: int) -> list[float]:
        """The range's people per year of age: by the census shape when it covers every year of
        the range with someone in it, else evenly."""
        years = range(r.age_from, last + 1)
        shape = [self._shape.get((r.sex, age)) for age in years]
        if len(shape) > 1 and None not in shape and sum(shape) > 0:
            total = sum(shape)
            return [r.count * value / total for value in shape]
        return [r.count / len(years)] * len(years)

    @cached_property
    def _tables(self) -> dict[str, tuple[list[float], set[int]]]:
        """Per sex: people younger than each age (every range spread over its years, see
        `_spread`) and the ages at which a band boundary would fall inside a range. Any band is
        two look-ups."""
        known = [r for r in self.ranges if r.age_from is not None]
        if not known:
            return {}
        last = {r: (r.age_to if r.age_to is not None else r.age_from + OPEN_RANGE_WIDTH - 1)
                for r in known}
        size = max(last.values()) + 2
        per_year = {r.sex: [0.0] * size for r in known}
        interior: dict[str, set[int]] = {sex: set() for sex in per_year}
        for r in known:
            for age, value in zip(range(r.age_from, last[r] + 1), self._spread(r, last[r])):
                per_year[r.sex][age] += value
            interior[r.sex].update(range(r.age_from + 1, last[r] + 1))
        tables = {}
        for sex, years in per_year.items():
            running, sums = 0.0, [0.0]
            for value in years:
                running += value
                sums.append(running)
            tables[sex] = (sums, interior[sex])
        return tables


def age_bands(space) -> list[AgeBand]:
    """min_age-29, 30-39, ..., 70-79, 80+; a first band starting inside a decade runs to its end
    (min_age 35 -> 35-39, 40-49, ...); min_age >= 80 gives one open band."""
    start = space.min_age
    bands = []
    for edge in DECADE_EDGES:
        if start < edge:
            bands.append(AgeBand(f"{start}-{edge - 1}", start, edge - 1))
            start = edge
    bands.append(AgeBand(f"{start}+", start, None))
    return bands


def youth_band(space) -> AgeBand | None:
    """The space's youth band within the eligible population (None if it lies below min_age)."""
    low = max(space.youth_min, space.min_age)
    if space.youth_max < low:
        return None
    return AgeBand(f"{low}-{space.youth_max}", low, space.youth_max)


def reference_areas(area: Area) -> list[Area]:
    """A region's member areas (loaded with the space, see spaces.services.get_space_by_slug),
    or the area itself."""
    if area.kind != "region":
        return [area]
    return sorted(area.members, key=lambda member: member.code)


def _source_ranges(session: Session, area_ids: list[int],
                   choice: str) -> tuple[dict | None, tuple[PopulationRange, ...]]:
    """The preferred source among those with figures for every one of the areas (by the kinds
    of `choice`, then the newest), and its counts of the areas summed per sex and age range (a
    region is the sum of its areas): one statement. (None, ()) when no source covers them."""
    preference = CHOICE_KINDS.get(choice, CHOICE_KINDS["auto"])
    covering = (select(PopulationCount.source_id)
                .where(PopulationCount.area_id.in_(area_ids))
                .group_by(PopulationCount.source_id)
                .having(func.count(distinct(PopulationCount.area_id)) == len(area_ids)))
    rank = case(*[(PopulationSource.kind.in_(kinds), i) for i, kinds in enumerate(preference)])
    chosen = (select(PopulationSource.id)
              .where(PopulationSource.id.in_(covering),
                     PopulationSource.kind.in_([k for kinds in preference for k in kinds]))
              .order_by(rank, PopulationSource.reference_date.desc(), PopulationSource.id.desc())
              .limit(1).scalar_subquery())
    source = PopulationSource
    rows = session.execute(
        select(source.title, source.key, source.reference_date, source.kind, source.attribution,
               source.licence, PopulationCount.sex, PopulationCount.age_from,
               PopulationCount.age_to, func.sum(PopulationCount.count))
        .join(PopulationCount, PopulationCount.source_id == source.id)
        .where(source.id == chosen, PopulationCount.area_id.in_(area_ids))
        .group_by(source.id, source.title, source.key, source.reference_date, source.kind,
                  source.attribution, source.licence, PopulationCount.sex,
                  PopulationCount.age_from, PopulationCount.age_to)).all()
    if not rows:
        return None, ()
    title, key, reference_date, kind, attribution, licence = rows[0][:6]
    described = {"source": title, "source_key": key, "reference_date": reference_date,
                 "kind": kind, "attribution": attribution, "licence": licence}
    return described, tuple(PopulationRange(sex, *record_range(a, b), int(n))
                            for *_source, sex, a, b, n in rows)


def population_ranges(session: Session, source_id: int, area_ids: list[int]) -> tuple[PopulationRange, ...]:
    """One source's counts of the areas summed per sex and age range (a panel's sub-areas)."""
    rows = session.execute(
        select(PopulationCount.sex, PopulationCount.age_from, PopulationCount.age_to,
               func.sum(PopulationCount.count))
        .where(PopulationCount.source_id == source_id, PopulationCount.area_id.in_(area_ids))
        .group_by(PopulationCount.sex, PopulationCount.age_from, PopulationCount.age_to)
    ).all()
    return tuple(PopulationRange(sex, *record_range(a, b), int(n)) for sex, a, b, n in rows)


def reference_for(session: Session, space) -> Reference:
    """The population statistics a space compares against, following space.reference_choice:
    'census', 'register' (the register or a municipality's own CSV) or 'auto' (census when every
    area of the space has census figures, else the newest register/CSV). A source must cover all
    the space's areas; if none does, the Reference has source_key None (available False). One
    statement, and one more for the census shape when a band cuts a register's age range."""
    areas = reference_areas(space.area)
    codes = tuple(a.code for a in areas)
    base = {"area_codes": codes, "base_min_age": space.min_age}
    described, ranges = (_source_ranges(session, [a.id for a in areas], space.reference_choice)
                         if areas else (None, ()))
    if described is None:
        return Reference(source=None, source_key=None, reference_date=None, kind=None, **base)
    reference = Reference(**described, ranges=ranges, **base)
    known = sum(r.count for r in reference.ranges if r.age_from is not None)
    unknown = sum(r.count for r in reference.ranges if r.age_from is None)
    if known + unknown:
        reference = replace(reference, unknown_age_share=unknown / (known + unknown))
    cuts = [(b.low, b.high) for b in age_bands(space)] + [(space.min_age, None)]
    youth = youth_band(space)
    if youth:
        cuts.append((youth.low, youth.high))
    if not any(reference.splits(low, high) for low, high in cuts):
        return reference
    cut = _cut_ranges(reference, cuts)
    shape_areas, shape = (), ()
    if reference.kind != "census" and cut:
        shape_areas, shape = census_shape(session, areas, min(r.age_from for r in cut),
                                          max(r.age_to for r in cut))
    return replace(reference, estimated=True, shape=shape, shape_areas=shape_areas)


def _cut_ranges(reference: Reference, cuts) -> list[PopulationRange]:
    """The source's closed age ranges that one of the (low, high) bands cuts."""
    edges = {edge for low, high in cuts for edge in (low, None if high is None else high + 1)}
    return [r for r in reference.ranges
            if r.age_from is not None and r.age_to is not None
            and any(edge is not None and r.age_from < edge <= r.age_to for edge in edges)]


def census_shape(session: Session, areas: list[Area], low: int,
                 high: int) -> tuple[tuple[str, ...], tuple[PopulationRange, ...]]:
    """Single-year counts of ages low..high in the newest census, summed over the nearest
    census area of each of `areas` (itself, else its parent: a ward's city, a municipality's
    prefecture); ((), ()) when some area has none. One query."""
    newest = (select(PopulationSource.id).where(PopulationSource.kind == "census")
              .order_by(PopulationSource.reference_date.desc(), PopulationSource.id.desc())
              .limit(1).scalar_subquery())
    candidates = {a.id for a in areas} | {a.parent_id for a in areas if a.parent_id}
    rows = session.execute(
        select(PopulationCount.area_id, Area.code, PopulationCount.sex, PopulationCount.age_from,
               func.sum(PopulationCount.count))
        .join(Area, Area.id == PopulationCount.area_id)
        .where(PopulationCount.source_id == newest, PopulationCount.area_id.in_(candidates),
               PopulationCount.age_from == PopulationCount.age_to,
               PopulationCount.age_from.between(low, high))
        .group_by(PopulationCount.area_id, Area.code, PopulationCount.sex,
                  PopulationCount.age_from)).all()
    found = {row[0]: row[1] for row in rows}
    chosen = set()
    for area in areas:
        pick = area.id if area.id in found else area.parent_id
        if pick not in found:
            return (), ()
        chosen.add(pick)
    summed: dict[tuple[str, int], int] = {}
    for area_id, _code, sex, age, count in rows:
        if area_id in chosen:
            summed[(sex, age)] = summed.get((sex, age), 0) + int(count)
    shape = tuple(PopulationRange(sex, age, age, n) for (sex, age), n in sorted(summed.items()))
    return tuple(sorted(found[a] for a in chosen)), shape


def target_reference(space) -> Reference:
    """Reference descriptor for facilitator-set targets (residency, sector)."""
    codes = tuple(a.code for a in reference_areas(space.area))
    return Reference(area_codes=codes, source=None, source_key=None, reference_date=None,
                     base_min_age=space.min_age, kind="target")
