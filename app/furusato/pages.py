"""URL loaders and labels shared by the furusato views."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.models import Area
from app.extensions import db
from app.furusato import services
from app.furusato.models import FurusatoActivity, FurusatoRegistration

REGISTER_KINDS = ("prefecture", "municipality", "ward")


def programme_from_url(area_code: str):
    area = db.session.scalar(select(Area).where(Area.code == area_code))
    return services.programme_for(db.session, area) if area is not None else None


def area_from_url(area_code: str):
    """An area whose register staff may keep: a municipality, a ward or a prefecture."""
    return db.session.scalar(select(Area).where(Area.code == area_code,
                                                Area.kind.in_(REGISTER_KINDS)))


def registration_from_url(registration_id: int):
    return db.session.get(FurusatoRegistration, registration_id)


def activity_from_url(activity_id: int):
    return db.session.get(FurusatoActivity, activity_id)


def space_page_part(space, user):
    """On a space limited to its area's people (app/spaces/eligibility.py), the notice for those
    who may not take part, with where to register as a furusato resident."""
    from app.spaces.eligibility import is_limited, may_take_part
    from app.spaces.page_parts import PagePart

    if not is_limited(space):
        return None
    if getattr(user, "is_authenticated", False) and may_take_part(db.session, user, space):
        return None
    programme = services.programme_for(db.session, space.area)
    return PagePart("furusato/_space_limit.html",
                    {"register_code": space.area.code if programme is not None
                     and programme.is_open else None})
