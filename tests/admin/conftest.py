"""Shared data for the admin tests: one person per role, a space, two areas and a region."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.areas.services import create_region


@pytest.fixture
def world(make, db):
    sapporo = make.area("01100", "札幌市", "Sapporo")
    otaru = make.area("01203", "小樽市", "Otaru")
    space = make.space("sapporo-review", area=sapporo)
    region = create_region(db.session, "R-SAPPORO-OTARU", "札幌小樽", "Sapporo-Otaru",
                           ["01100", "01203"])
    db.session.commit()
    return SimpleNamespace(
        sapporo=sapporo, otaru=otaru, space=space, region=region,
        admin=make.user("admin@example.jp", display_name="管理 太郎", roles=("admin",)),
        facilitator=make.user("fac@example.jp", roles=(f"facilitator:{space.id}",)),
        moderator=make.user("mod@example.jp", roles=("moderator",)),
        participant=make.user("part@example.jp", display_name="参加 花子",
                              birth_year=1990, gender="female", sector="academia"),
    )
