"""How the furusato notifications read (registered in app.furusato.register)."""
from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from app.areas.models import Area
from app.extensions import db
from app.notifications.kinds import RenderedNotification
from app.proposals.pages import locale


def _area_name(area_id) -> str:
    area = db.session.get(Area, int(area_id))
    if area is None:
        raise ValueError("the area is gone")
    return area.name(locale())


def render_renewal(payload: dict) -> RenderedNotification:
    return RenderedNotification(
        _("Your furusato registration with %(area)s ends on %(date)s: renew it from your card.",
          area=_area_name(payload["area_id"]),
          date=format_date(date.fromisoformat(payload["valid_until"]))),
        url_for("furusato.card", registration_id=int(payload["registration_id"])))


def render_announcement(payload: dict) -> RenderedNotification:
    link = str(payload.get("link") or "")
    return RenderedNotification(
        _("%(area)s: %(title)s. %(text)s", area=_area_name(payload["area_id"]),
          title=str(payload["title"]), text=str(payload["text"])),
        link or url_for("furusato.mine"))
