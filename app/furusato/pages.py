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
