"""The pure derivation of a person's residency type for a space's area."""
from __future__ import annotations

import pytest

from app.accounts.models import RESIDENCY_TYPES
from app.areas.residency import (TIE_CATEGORY, TIE_KINDS, Tie, applicable_tie, derive_residency,
                                 tie_contains_home)

# nation 1 > Hokkaido 10 > Sapporo 100 > Chuo-ku 101, Kita-ku 102; Hokkaido > Otaru 200;
# nation > Tokyo 20 > Setagaya 300. Region 900 = Sapporo + Otaru.
CHUO = (101, 100, 10, 1)
KITA = (102, 100, 10, 1)
SAPPORO = (100, 10, 1)
OTARU = (200, 10, 1)
HOKKAIDO = (10, 1)
SETAGAYA = (300, 20, 1)
REGION, REGION_COVER = 900, {100, 200}


def test_every_tie_kind_maps_to_a_tracker_category():
    assert set(TIE_CATEGORY) == set(TIE_KINDS)
    assert set(TIE_CATEGORY.values()) <= set(RESIDENCY_TYPES) - {"resident"}


@pytest.mark.parametrize(("home", "space", "cover", "expected"), [
    (CHUO, 101, (), "resident"),        # the ward itself
    (CHUO, 100, (), "resident"),        # a ward in the space's city
    (CHUO, 10, (), "resident"),         # ... in its prefecture
    (OTARU, 10, (), "resident"),        # a municipality in its prefecture
    (OTARU, REGION, REGION_COVER, "resident"),   # a member of its region
    (CHUO, REGION, REGION_COVER, "resident"),    # a ward of a member
    (KITA, 101, (), None),              # another ward of the same city
    (SAPPORO, 101, (), None),           # home known only as the city: which ward is not said
    (SETAGAYA, 10, (), None),
    (None, 100, (), None),              # no home recorded
])
def test_resident_when_the_home_lies_in_the_space_area(home, space, cover, expected):
    assert derive_residency(home, space, cover, []) == expected


def test_a_tie_to_the_area_or_to_an_area_inside_it_counts():
    ties = [Tie(OTARU, "furusato_donor")]
    assert derive_residency(SETAGAYA, 200, (), ties) == "relationship"       # the area itself
    assert derive_residency(SETAGAYA, 10, (), ties) == "relationship"        # inside Hokkaido
    assert derive_residency(SETAGAYA, REGION, REGION_COVER, ties) == "relationship"  # a member
    assert derive_residency(SETAGAYA, 100, (), ties) is None                 # not Sapporo


def test_a_tie_to_an_area_containing_the_space_area_does_not_count():
    assert derive_residency(SETAGAYA, 200, (), [Tie(HOKKAIDO, "family")]) is None


def test_residence_wins_over_any_tie():
    # A stale tie (recorded before the person moved into the area) does not outrank the home.
    assert derive_residency(OTARU, 200, (), [Tie(OTARU, "commuter")]) == "resident"


def test_most_specific_tie_wins():
    to_hokkaido = Tie(HOKKAIDO, "family")
    to_sapporo = Tie(SAPPORO, "commuter")
    to_chuo = Tie(CHUO, "dual_region")
    to_otaru = Tie(OTARU, "visits")
    # The space's own area first ...
    assert applicable_tie(10, (), [to_chuo, to_sapporo, to_hokkaido]) == to_hokkaido
    # ... else the smallest area inside it ...
    assert applicable_tie(10, (), [to_otaru, to_chuo, to_sapporo]) == to_chuo
    assert derive_residency(SETAGAYA, 10, (), [to_otaru, to_sapporo]) == "commuter"
    # ... equally small: the stronger category, whatever the order given.
    assert derive_residency(SETAGAYA, REGION, REGION_COVER, [to_otaru, to_sapporo]) == "commuter"
    assert derive_residency(SETAGAYA, REGION, REGION_COVER, [to_sapporo, to_otaru]) == "commuter"
    assert derive_residency(SETAGAYA, REGION, REGION_COVER, [Tie(SAPPORO, "other"),
                                                            to_otaru]) == "relationship"


def test_a_moved_home():
    ties = [Tie(SAPPORO, "grew_up")]
    # Living in Setagaya, grew up in Sapporo: relationship population in Sapporo and Hokkaido.
    assert derive_residency(SETAGAYA, 100, (), ties) == "relationship"
    assert derive_residency(SETAGAYA, 10, (), ties) == "relationship"
    # Moved back to Kita-ku: a resident of Sapporo and Hokkaido again, the tie notwithstanding;
    # and in Tokyo's spaces now unknown.
    assert derive_residency(KITA, 100, (), ties) == "resident"
    assert derive_residency(KITA, 10, (), ties) == "resident"
    assert derive_residency(KITA, 20, (), ties) is None


def test_a_tie_to_the_home_or_an_area_containing_it_is_flagged():
    assert tie_contains_home(100, CHUO)          # the city of the home ward
    assert tie_contains_home(10, CHUO)           # its prefecture
    assert tie_contains_home(101, CHUO)          # the home itself
    assert not tie_contains_home(102, CHUO)      # another ward
    assert not tie_contains_home(101, SAPPORO)   # a ward inside a home known as the city
    assert not tie_contains_home(100, None)
