"""`flask representation check`: run the representation alerts for every open space (for cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.common.time import today_jst
from app.extensions import db

cli = AppGroup("representation", help="Representation tracker tasks.")


@cli.command("check")
def check() -> None:
    """Notify facilitators where young people or women are under-represented (once per ISO week
    per group; safe to run as often as cron likes)."""
    from sqlalchemy import select

    from app.admin.services import audit
    from app.representation.alerts import run_checks
    from app.representation.releases import auto_release
    from app.spaces.models import Space

    minimum = current_app.config["ALERT_MIN_PARTICIPANTS"]
    batch = current_app.config["MIN_CELL_FACILITATOR"]
    planned = current_app.config.get("ALERT_PLANNED_PARTICIPANTS", 300)
    results = run_checks(db.session, today_jst(), min_participants=minimum, batch=batch,
                         planned=planned)
    spaces = db.session.scalars(select(Space).where(Space.transparency_public.is_(True))
                                .order_by(Space.id))
    made = auto_release(db.session, spaces, public_k=current_app.config["MIN_CELL_PUBLIC"],
                        batch=batch)
    for release in made:
        audit(db.session, None, "representation.release", f"space:{release.space_id}",
              number=release.number, participants=release.participants, scheduled=True)
    db.session.commit()
    for release in made:
        click.echo(f"Release {release.number} made for space {release.space_id}: "
                   f"{release.participants} participants.")
    if not results:
        click.echo("No space accepts input today; nothing to check.")
        return
    click.echo(f"Checked {len(results)} open space(s); alerts need at least {minimum} participants.")
    for result in results:
        groups = ", ".join(result.flagged) if result.flagged else "none"
        click.echo(f"{result.space_slug}: {result.participants} participants; "
                   f"under-represented: {groups}; notifications sent: {result.notified}")
