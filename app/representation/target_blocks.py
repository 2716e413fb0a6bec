"""The atoms of the target tables (residency type, kinds of relationship, furusato tier, sector)
that app/representation/page.py protects together. Pure: no Flask, no SQLAlchemy.

The kinds of relationship refine the residency type (their sum is its "relationship" row), so
the two are one block of (residency type, kind category) atoms: protected apart, one table's
hidden cell could be read off the other's totals. Sector and the furusato tier are partitions of
their own, one atom per category.
"""
from __future__ import annotations

from app.areas.residency import RELATIONSHIP_KINDS, RESIDENT, TIE_CATEGORY

RESIDENCY_TYPES = (RESIDENT, *sorted(set(TIE_CATEGORY.values())))

# block -> the target dimensions audited in it
TARGET_BLOCKS = (("residency", ("residency", "relationship_kind")), ("sector", ("sector",)),
                 ("furusato", ("furusato",)))
NOT_RELATIONSHIP = "~not_relationship"


def block_columns(block: str, dimensions) -> tuple[str, ...]:
    """The ledger columns a block's atoms are grouped by, given the dimensions it shows."""
    if block == "residency":
        return ("residency", "tie_kind") if "relationship_kind" in dimensions else ("residency",)
    return {"sector": ("sector",), "furusato": ("furusato_tier",)}[block]


def relationship_category(residency, tie_kind):
    """The relationship_kind category of a ledger row: the kind for the relationship population
    (None where the kind is unknown, and where the residency type is), NOT_RELATIONSHIP for
    everyone else (residents, dual-region residents, commuters, other)."""
    if residency is None:
        return None
    if residency != "relationship":
        return NOT_RELATIONSHIP
    return tie_kind if tie_kind in RELATIONSHIP_KINDS else None


def category_of(dimension: str, shown_here: list):
    """atom -> the dimension's category, for the atoms of the dimension's block: the atom itself,
    or in the (residency type, kind category) block one of its two parts."""
    if "relationship_kind" not in shown_here:
        return lambda a: a
    return (lambda a: a[0]) if dimension == "residency" else (lambda a: a[1])


def target_atoms(name: str, shown_here: list, counts: dict, targets: dict) -> tuple[list, dict]:
    """(atom keys, {atom: count}) of one target block from its grouped `counts` ({column value
    or (residency, tie kind): n}): every category the targets name (zero or not), every category
    counted, and "no answer" (None) last. With the kinds of relationship, atoms are (residency
    type, kind category) pairs (relationship_category), every possible pair among them."""
    if name != "residency" or "relationship_kind" not in shown_here:
        categories = {c for d in shown_here for c in targets[d]}
        keys = sorted({*categories, *(c for c in counts if c is not None)}) + [None]
        return keys, dict(counts)
    types = sorted({*targets.get("residency", {}), *RESIDENCY_TYPES,
                    *(r for r, _kind in counts if r is not None)})
    pairs = {(r, relationship_category(r, None)) for r in types}
    pairs |= {("relationship", kind) for kind in RELATIONSHIP_KINDS}
    pairs |= {(r, relationship_category(r, kind)) for r, kind in counts}
    keys = sorted(pairs - {(None, None)}, key=repr) + [(None, None)]
    values: dict = {}
    for (r, kind), n in counts.items():
        atom = (r, relationship_category(r, kind))
        values[atom] = values.get(atom, 0) + n
    return keys, values
