"""The pure derivation of a person's residency type for a space's area."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.accounts.models import RESIDENCY_TYPES
from app.areas.residency import (TIE_CATEGORY, TIE_KINDS, Registration, Tie, applicable_tie,
                                 registration_applies,
                                 derive_residency, derive_residency_tie, furusato_tier,
                                 registration_tier, tie_contains_home)

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


# --- the tie kind behind the residency type, and the furusato tier -------------------------

def test_the_tie_kind_comes_with_its_category():
    family = Tie(OTARU, "family")
    assert derive_residency_tie(SETAGAYA, 200, {200}, [family]) == ("relationship", "family")
    assert derive_residency_tie(SETAGAYA, 10, {10}, [family, Tie(HOKKAIDO, "commuter")]) == \
        ("commuter", "commuter")  # a tie to the space's own area wins
    assert derive_residency_tie(OTARU, 200, {200}, [Tie(SAPPORO, "visits")]) == ("resident", None)
    assert derive_residency_tie(SETAGAYA, 100, {100}, [family]) == (None, None)


AT = datetime(2026, 8, 1, 3, 0)  # 12:00 in Japan
DAY = date(2026, 8, 1)


def _registration(chain, tier="basic", **fields):
    return Registration(chain, tier, fields.pop("valid_from", date(2026, 4, 1)),
                        fields.pop("valid_until", date(2027, 3, 31)), **fields)


def test_a_registration_counts_for_its_area_and_the_areas_containing_it():
    otaru = [_registration(OTARU)]
    assert furusato_tier(200, {200}, otaru, AT, DAY) == "basic"
    assert furusato_tier(10, {10}, otaru, AT, DAY) == "basic"  # Hokkaido contains Otaru
    assert furusato_tier(REGION, REGION_COVER, otaru, AT, DAY) == "basic"
    assert furusato_tier(100, {100}, otaru, AT, DAY) == "none"  # Sapporo does not
    # The prefecture's derived row says nothing about one of its municipalities.
    assert furusato_tier(200, {200}, [_registration(HOKKAIDO)], AT, DAY) == "none"
    assert furusato_tier(200, {200}, [], AT, DAY) == "none"


def test_only_a_registration_in_force_that_day_counts():
    assert furusato_tier(200, {200}, [_registration(OTARU, valid_from=date(2026, 8, 2))],
                         AT, DAY) == "none"
    assert furusato_tier(200, {200}, [_registration(OTARU, valid_until=date(2026, 7, 31))],
                         AT, DAY) == "none"
    left_before = _registration(OTARU, ended_at=datetime(2026, 8, 1, 2, 59))
    left_after = _registration(OTARU, ended_at=datetime(2026, 8, 1, 3, 1))
    assert furusato_tier(200, {200}, [left_before], AT, DAY) == "none"
    assert furusato_tier(200, {200}, [left_after], AT, DAY) == "basic"


def test_the_highest_tier_wins_and_premium_counts_from_its_day():
    premium_later = _registration(CHUO, "premium", premium_since=date(2026, 9, 1))
    premium_now = _registration(KITA, "premium", premium_since=date(2026, 8, 1))
    assert registration_tier(premium_later, AT, DAY) == "basic"
    assert registration_tier(premium_now, AT, DAY) == "premium"
    assert furusato_tier(100, {100}, [_registration(SAPPORO), premium_now], AT, DAY) == "premium"
    assert furusato_tier(101, {101}, [premium_now], AT, DAY) == "none"  # Kita is not in Chuo


def test_a_wards_space_counts_its_citys_registrants_and_no_space_the_derived_prefecture_row():
    sapporo, chuo = [_registration(SAPPORO)], [_registration(CHUO)]
    assert furusato_tier(101, {101}, sapporo, AT, DAY, city=100) == "basic"
    assert furusato_tier(101, {101}, chuo, AT, DAY, city=100) == "basic"
    assert furusato_tier(102, {102}, chuo, AT, DAY, city=100) == "none"  # Kita is another ward
    assert furusato_tier(101, {101}, [_registration(HOKKAIDO)], AT, DAY, city=100) == "none"
    assert registration_applies(OTARU, {10}) and not registration_applies(HOKKAIDO, {200})
