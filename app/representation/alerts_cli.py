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
    from app.representation.alerts import run_checks

    minimum = current_app.config["ALERT_MIN_PARTICIPANTS"]
    results = run_checks(db.session, today_jst(), min_participants=minimum)
    db.session.commit()
    if not results:
        click.echo("No space accepts input today; nothing to check.")
        return
    click.echo(f"Checked {len(results)} open space(s); alerts need at least {minimum} participants.")
    for result in results:
        groups = ", ".join(result.flagged) if result.flagged else "none"
        click.echo(f"{result.space_slug}: {result.participants} participants; "
                   f"under-represented: {groups}; notifications sent: {result.notified}")
