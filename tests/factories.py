"""Small factories for tests: real rows through the real models, committed."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from werkzeug.security import generate_password_hash

from app.accounts.models import Demographics, ResidencyTie, RoleAssignment, User
from app.areas.models import Area
from app.common.time import today_jst
from app.spaces.models import Phase, Space

TEST_PASSWORD = "correct horse battery 7"
# Hashing is deliberately slow; tests share one hash of the common password.
_HASH = generate_password_hash(TEST_PASSWORD)
_seq = count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def area(self, code: str = "01100", name_ja: str = "札幌市", name_en: str = "Sapporo",
             kind: str = "municipality", parent=None) -> Area:
        area = self.session.query(Area).filter_by(code=code).one_or_none()
        if area is None:
            area = Area(code=code, name_ja=name_ja, name_en=name_en, kind=kind, parent=parent)
            self.session.add(area)
            self.session.commit()
        return area

    def user(self, email: str | None = None, *, display_name: str | None = None,
             residency: str | None = "resident", roles: tuple = (),
             birth_year: int | None = None, gender: str | None = None, sector: str | None = None,
             home_area=None, tie_area=None, locale: str = "ja") -> User:
        """`residency` is how the person is connected to `tie_area` (default: the factory's
        area, 01100, every factory space's area unless told otherwise): "resident" without a
        `home_area` makes it their home; another type records a tie of that type to it; None
        neither (the ledger then counts them as unknown)."""
        n = next(_seq)
        if residency == "resident" and home_area is None:
            home_area = tie_area or self.area()
        user = User(email=email or f"user{n}@example.jp", password_hash=_HASH,
                    display_name=display_name or f"利用者{n}", home_area=home_area, locale=locale)
        if birth_year is not None or gender is not None or sector is not None:
            user.demographics = Demographics(birth_year=birth_year, gender=gender, sector=sector)
        for role in roles:
            role, _, space = role.partition(":") if isinstance(role, str) else (role[0], "", role[1])
            user.roles.append(RoleAssignment(role=role, space_id=int(space) if space else None))
        self.session.add(user)
        self.session.flush()
        if residency not in (None, "resident"):
            self.session.add(ResidencyTie(user_id=user.id, area_id=(tie_area or self.area()).id,
                                          kind=residency))
        self.session.commit()
        return user

    def space(self, slug: str | None = None, *, title: str = "テストの場", area=None,
              accepts_input: bool = True, visibility: str = "public", **fields) -> Space:
        area = area or self.area()
        today = today_jst()
        space = Space(slug=slug or f"space-{next(_seq)}", title=title, area=area,
                      visibility=visibility, description_md="説明", **fields)
        space.phases.append(Phase(name="意見募集", starts_on=today - timedelta(days=10),
                                  ends_on=today + timedelta(days=30), accepts_input=accepts_input,
                                  position=0))
        self.session.add(space)
        self.session.commit()
        return space


__all__ = ["Factory", "TEST_PASSWORD", "date"]
