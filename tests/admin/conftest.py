"""The admin tests' world: the one with a person per role (a moderator of every space, a
participant who answered the demographic questions), in Sapporo, with Otaru and a region."""
from __future__ import annotations

import pytest

from app.areas.services import create_region
from tests.people import role_world


@pytest.fixture
def world(make, db):
    sapporo = make.area("01100", "札幌市", "Sapporo")
    otaru = make.area("01203", "小樽市", "Otaru")
    region = create_region(db.session, "R-SAPPORO-OTARU", "札幌小樽", "Sapporo-Otaru",
                           ["01100", "01203"])
    db.session.commit()
    world = role_world(make, "sapporo-review", title=None, area=sapporo, moderator_everywhere=True,
                       participant_profile={"birth_year": 1990, "gender": "female",
                                            "sector": "academia"})
    world.sapporo, world.otaru, world.region = sapporo, otaru, region
    return world
