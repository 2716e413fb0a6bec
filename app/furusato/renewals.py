"""The yearly renewal job (`flask furusato renew-reminders`, daily): a reminder notification
REMINDER_DAYS before a registration with a municipality ends (a prefecture's row follows its
municipalities' and is renewed with them) (once per year of validity, by dedupe key), lapsed
marking of registrations past their end (never deleted), and the premium tier taken back where
fewer than PREMIUM_MIN_ACTIVITIES confirmed activities remain in the last year (it comes back
with the next confirmations). No Flask; only flushes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.common.time import today_jst, utcnow
from app.furusato.models import FurusatoRegistration
from app.furusato.services import (PREMIUM_MIN_ACTIVITIES, REMINDER_DAYS, confirmed_recently)
from app.notifications.services import notify

KIND_RENEWAL = "furusato_renewal"


@dataclass(frozen=True)
class RenewalRun:
    reminded: int
    lapsed: int
    premium_ended: int


def run_renewals(session: Session, today: date | None = None) -> RenewalRun:
    today = today or today_jst()
    lapsed = session.execute(
        update(FurusatoRegistration)
        .where(FurusatoRegistration.status == "active", FurusatoRegistration.valid_until < today)
        .values(status="lapsed", lapsed_at=utcnow(), tier="basic", premium_since=None)
        .execution_options(synchronize_session=False)).rowcount or 0
    for obj in list(session.identity_map.values()):  # the bulk UPDATE bypassed them
        if isinstance(obj, FurusatoRegistration):
            session.expire(obj)
    due = session.execute(select(FurusatoRegistration.id, FurusatoRegistration.user_id,
                                 FurusatoRegistration.area_id, FurusatoRegistration.valid_until)
                          .where(FurusatoRegistration.status == "active",
                                 FurusatoRegistration.derived.is_(False),
                                 FurusatoRegistration.valid_until
                                 <= today + timedelta(days=REMINDER_DAYS))).all()
    reminded = 0
    for registration_id, user_id, area_id, valid_until in due:
        reminded += notify(session, user_id, KIND_RENEWAL,
                           {"registration_id": registration_id, "area_id": area_id,
                            "valid_until": valid_until.isoformat()},
                           dedupe_key=f"furusato-renew:{registration_id}:{valid_until}")
    premium = session.scalars(select(FurusatoRegistration).where(
        FurusatoRegistration.status == "active", FurusatoRegistration.tier == "premium")).all()
    ended = 0
    for registration in premium:
        if confirmed_recently(session, registration.id, today) < PREMIUM_MIN_ACTIVITIES:
            registration.tier, registration.premium_since = "basic", None
            ended += 1
    session.flush()
    return RenewalRun(reminded, lapsed, ended)
