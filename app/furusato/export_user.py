"""A person's furusato registrations and activities in their data export."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.export import iso_utc
from app.furusato.services import registrations_of


def export_registrations(session: Session, user) -> list[dict]:
    return [{"area_code": r.area.code, "area": r.area.name_ja, "number": r.number,
             "tier": r.tier, "tie_kind": r.tie_kind, "premium_requested": r.premium_requested,
             "prefecture_registration": r.derived, "status": r.status,
             "contact_consent": r.contact_consent, "registered_on": r.registered_on.isoformat(),
             "valid_from": r.valid_from.isoformat(), "valid_until": r.valid_until.isoformat(),
             "left_at": iso_utc(r.left_at), "lapsed_at": iso_utc(r.lapsed_at),
             "activities": [{"date": a.on_date.isoformat(), "category": a.category,
                             "note": a.note, "status": a.status} for a in r.activities]}
            for r in registrations_of(session, user.id)]
