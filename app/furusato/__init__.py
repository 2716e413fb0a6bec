"""Furusato resident registration (ふるさと住民登録): municipalities open registration, people
who live elsewhere register with them (basic or premium tier), get a registration card and
record activities; each municipality's staff keep its register (aggregates under disclosure
control, the contactable list, announcements). views.py holds the person's pages, manage.py
the staff's; `register(app)` adds the blueprint, the `flask furusato` commands and the
notification kinds; importing a module registers nothing."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("furusato", __name__, url_prefix="/furusato")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.furusato import export_user, notifications, pages, public, renewals, roster
    from app.furusato import manage, views  # noqa: F401  (their routes join bp)
    from app.forum.digest import include_in_digest
    from app.furusato.cli import cli
    from app.notifications.kinds import register_kind
    from app.spaces.page_parts import register_page_part
    from flask_babel import format_date

    app.register_blueprint(bp)
    app.add_template_filter(format_date, "furusato_date")
    app.cli.add_command(cli)
    register_kind(renewals.KIND_RENEWAL, notifications.render_renewal)
    register_kind(roster.KIND_ANNOUNCEMENT, notifications.render_announcement)
    include_in_digest(roster.KIND_ANNOUNCEMENT)  # announcements reach the e-mail digest too
    register_export_section("furusato", export_user.export_registrations)
    public.register_column(app)
    register_page_part("furusato_limit", pages.space_page_part)
