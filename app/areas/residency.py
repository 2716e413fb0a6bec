"""A person's residency type for one space's area, from their home and their recorded ties.

Pure: no Flask, no SQLAlchemy. Areas are given as *chains*: an area's id first, then its
parent's, up to the nation (a ward: ward, city, prefecture, nation). A space's area is given with
its *cover*: the area itself and, for a wide-area region, its member areas.

The rule (derive_residency):

1. **Resident** when the home lies in the space's area: the home's chain contains the area or
   one of its members (a ward in the space's city, a municipality in its prefecture, a member of
   its region). A home recorded more coarsely than the space (the city, for a ward's space) does
   not say which ward, so it does not make the person a resident there.
2. Otherwise the **tie** recorded to the space's area or to an area inside it; when several apply,
   the most specific wins:
   a. a tie to the space's own area (it answers exactly "how are you connected to this area?");
   b. else the tie to the smallest area inside it (a ward before its city, a city before its
      prefecture), because it names the most concrete connection;
   c. among areas equally small, the strongest category (dual-region resident, commuter,
      relationship population, other), then the lower area id, so the answer is always the same.
   A tie to an area *containing* the space's area (a tie to Hokkaido, for an Otaru space) says
   nothing sure about that space and is not used.
3. Otherwise **None**: unknown (the person may be asked once, see app.representation.ledger).

Ties are kept with their kind (works or studies there, grew up there, ...); the ledger and the
tracker count their category (TIE_CATEGORY), the residency types the tracker has always had, and
the ledger also keeps the kind of the tie that gave it (derive_residency_tie).

A person's **furusato tier** for a space (furusato_tier) follows the same area rule as ties: a
registration with the space's area or an area inside it counts (an Otaru registration counts for
an Otaru space and a Hokkaido one, not for a Sapporo space; the prefecture's derived row counts for
a Hokkaido space only), and for a ward's space also a registration with its city, which keeps the
register (registration_applies; the same rule decides who may take part in a space limited to its
area's people, app/spaces/eligibility.py), when it is in force at the moment: valid that day (Japan time) and not
lapsed or left before that moment. Among several, the highest tier; a premium row counts as basic
before its premium_since day.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

RELATIONSHIP_KINDS = ("works_or_studies", "grew_up", "family", "furusato_donor", "visits",
                      "buys_products", "volunteers", "side_job")
# "relationship" is the relationship population without a kind: only the migration of the old
# per-account answer writes it (people choose a kind).
TIE_KINDS = (*RELATIONSHIP_KINDS, "relationship", "dual_region", "commuter", "other")
CHOOSABLE_TIE_KINDS = tuple(k for k in TIE_KINDS if k != "relationship")
TIE_CATEGORY = {**{kind: "relationship" for kind in RELATIONSHIP_KINDS},
                "relationship": "relationship", "dual_region": "dual_region",
                "commuter": "commuter", "other": "other"}
RESIDENT = "resident"
# Rule 2c: among equally specific ties, the stronger connection wins.
_CATEGORY_RANK = {"dual_region": 0, "commuter": 1, "relationship": 2, "other": 3}


@dataclass(frozen=True)
class Tie:
    chain: tuple[int, ...]  # the tied area's id first, then its ancestors'
    kind: str

    @property
    def area_id(self) -> int:
        return self.chain[0]


def lies_within(chain: Sequence[int], cover: Iterable[int]) -> bool:
    """True when the area of `chain` is, or lies inside, one of the areas of `cover`."""
    wanted = set(cover)
    return any(area_id in wanted for area_id in chain)


def tie_contains_home(tie_area_id: int, home_chain: Sequence[int] | None) -> bool:
    """True when a tie to `tie_area_id` would be a tie to the person's own home (the home
    municipality itself or an area containing it): such a tie is refused, the person is a
    resident there."""
    return bool(home_chain) and tie_area_id in home_chain


def tie_category(kind: str) -> str:
    """The tracker's residency type for a tie kind."""
    return TIE_CATEGORY[kind]


def applicable_tie(space_area_id: int, cover: Iterable[int], ties: Iterable[Tie]) -> Tie | None:
    """The tie that speaks for the space's area (rule 2 of the module docstring), or None."""
    cover = frozenset(cover) | {space_area_id}
    candidates = [tie for tie in ties if lies_within(tie.chain, cover)]
    if not candidates:
        return None
    return min(candidates, key=lambda tie: (
        tie.area_id != space_area_id, -len(tie.chain),
        _CATEGORY_RANK[tie_category(tie.kind)], tie.area_id))


def derive_residency_tie(home_chain: Sequence[int] | None, space_area_id: int,
                         cover: Iterable[int], ties: Iterable[Tie]) -> tuple[str | None, str | None]:
    """(residency type, kind of the tie that gave it): derive_residency with the tie's kind,
    which is None for residents and when the residency is unknown."""
    cover = frozenset(cover) | {space_area_id}
    if home_chain and lies_within(home_chain, cover):
        return RESIDENT, None
    tie = applicable_tie(space_area_id, cover, ties)
    return (tie_category(tie.kind), tie.kind) if tie is not None else (None, None)


def derive_residency(home_chain: Sequence[int] | None, space_area_id: int,
                     cover: Iterable[int], ties: Iterable[Tie]) -> str | None:
    """'resident', a tie's category ('relationship', 'dual_region', 'commuter', 'other'), or
    None when neither the home nor a tie says (the rule is in the module docstring).
    `cover` is the space's area and, for a region, its members."""
    return derive_residency_tie(home_chain, space_area_id, cover, ties)[0]


# --- furusato registration tier ----------------------------------------------------------------

FURUSATO_TIERS = ("none", "basic", "premium")  # what the ledger keeps (NULL: not known)


@dataclass(frozen=True)
class Registration:
    chain: tuple[int, ...]  # the registered area's id first, then its ancestors'
    tier: str  # 'basic' | 'premium'
    valid_from: date
    valid_until: date
    ended_at: datetime | None = None  # lapsed or left at (None: still active)
    premium_since: date | None = None


def registration_tier(registration: Registration, at: datetime, day: date) -> str | None:
    """'basic' or 'premium' when the registration is in force at `at` (on `day`, its Japan-time
    date), else None."""
    if not registration.valid_from <= day <= registration.valid_until:
        return None
    if registration.ended_at is not None and registration.ended_at <= at:
        return None
    if registration.tier == "premium" and (registration.premium_since is None
                                           or registration.premium_since <= day):
        return "premium"
    return "basic"


def registration_applies(chain: Sequence[int], cover: Iterable[int],
                         city: int | None = None) -> bool:
    """Whether a registration with the area of `chain` counts for a space of `cover`: with the
    space's area (or a member of its region) or an area inside it, or, for a ward's space, with
    the ward's `city`. Never with the prefecture's derived row for a municipality's space: every
    registrant of any of its municipalities holds that row. The one rule for the tracker's tier
    and for who may take part in a space limited to its area's people."""
    return lies_within(chain, cover) or (city is not None and bool(chain) and chain[0] == city)


def furusato_tier(space_area_id: int, cover: Iterable[int], registrations: Iterable[Registration],
                  at: datetime, day: date, *, city: int | None = None) -> str:
    """'none', 'basic' or 'premium': the highest tier among the registrations in force at `at`
    that apply to the space (registration_applies; `city`: the city of a ward's space)."""
    cover = frozenset(cover) | {space_area_id}
    tiers = {registration_tier(r, at, day) for r in registrations
             if registration_applies(r.chain, cover, city)}
    return "premium" if "premium" in tiers else "basic" if "basic" in tiers else "none"
