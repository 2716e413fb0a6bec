"""The person's panel volunteering in their data export ('download all my data'): each call,
the categories given, the number, the consent, the probabilities and where they stand."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.export import iso_utc
from app.panels.models import PanelCall, PanelMember, PanelVolunteer
from app.spaces.models import Space


def export_panel_volunteering(session: Session, user) -> list[dict]:
    rows = session.execute(
        select(PanelVolunteer, PanelCall.title, Space.slug, PanelMember.status)
        .join(PanelCall, PanelCall.id == PanelVolunteer.call_id)
        .join(Space, Space.id == PanelCall.space_id)
        .outerjoin(PanelMember, PanelMember.volunteer_id == PanelVolunteer.id)
        .where(PanelVolunteer.user_id == user.id).order_by(PanelVolunteer.created_at)).all()
    return [{"space": slug, "call": title, "volunteered_at": iso_utc(v.created_at),
             "volunteer_number": v.number, "consent_to_be_contacted": v.consent_contact,
             "categories": v.features, "selection_probability": v.selection_probability,
             "lottery_probability": v.lottery_probability, "outcome": status,
             "withdrawn_at": iso_utc(v.withdrawn_at)}
            for v, title, slug, status in rows]
