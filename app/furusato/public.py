"""The one furusato figure the public sees: registrants per municipality on the prefecture's
view (issue #13), under the rule written in docs/furusato.md and docs/privacy.md. No Flask.

The figure is never live. It counts the people whose registration with the municipality (or one
of its wards; the prefecture's own derived rows never) was active at the end of the previous
calendar month in Japan, so a registration, a renewal or a leaving today moves nothing on the
page before the 1st of next month; it is then rounded down to a multiple of the public minimum k,
and hidden below k. Between two monthly figures a single person therefore changes the figure
only when the count crosses a multiple of k, and then by k, never by one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area
from app.common.errors import N_
from app.common.time import JST, today_jst
from app.furusato.models import FurusatoRegistration

COLUMN_KEY = "furusato_registrants"


def as_of(today: date) -> date:
    """The day the public figure describes: the last day of the previous calendar month."""
    return today.replace(day=1) - timedelta(days=1)


def rounded(count: int, k: int) -> int | None:
    """Down to a multiple of k; None (hidden) below k."""
    return None if count < k else count - count % k


def active_on(day: date):
    """Rows whose registration was active on `day` (JST), as far as the rows still tell: begun by
    then, not yet expired, not left before the day ended."""
    end_of_day = (datetime.combine(day + timedelta(days=1), time(0), JST)
                  .astimezone(timezone.utc).replace(tzinfo=None))
    reg = FurusatoRegistration
    return and_(reg.derived.is_(False), reg.registered_on <= day, reg.valid_from <= day,
                reg.valid_until >= day, or_(reg.left_at.is_(None), reg.left_at >= end_of_day))


def registrants_by_municipality(session: Session, member_ids: Sequence[int], *, k: int,
                                today: date) -> dict[int, int | None]:
    """{member id: rounded count or None} for every member, in one statement. A person
    registered with a city and one of its wards counts once for the city."""
    ids = list(member_ids)
    place = aliased(Area)
    member = case((place.id.in_(ids), place.id), else_=place.parent_id)
    stmt = (select(member, func.count(func.distinct(FurusatoRegistration.user_id)))
            .join(place, place.id == FurusatoRegistration.area_id)
            .where(active_on(as_of(today)),
                   or_(place.id.in_(ids), place.parent_id.in_(ids)))
            .group_by(member))
    counts = dict(session.execute(stmt).all())
    return {area_id: rounded(counts.get(area_id, 0), k) for area_id in ids}


def register_column(app) -> None:
    """Put the figure on the prefecture's page, its CSV and its JSON."""
    from app.representation.prefecture import ExtraColumn
    from app.representation.prefecture import register_column as add

    def fetch(session: Session, member_ids: Sequence[int]) -> dict[int, int | None]:
        return registrants_by_municipality(session, member_ids,
                                           k=int(app.config["MIN_CELL_PUBLIC"]),
                                           today=today_jst())

    add(ExtraColumn(COLUMN_KEY, N_("Furusato registrants (end of last month)"),
                    "ふるさと住民登録者数_前月末", fetch))
