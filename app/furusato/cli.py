"""`flask furusato renew-reminders`: the daily renewal job (app/furusato/renewals.py)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.furusato.renewals import run_renewals

cli = AppGroup("furusato", help="Furusato resident registration.")


@cli.command("renew-reminders")
def renew_reminders() -> None:
    """Remind registrants before their registration ends; mark ended ones lapsed."""
    run = run_renewals(db.session)
    db.session.commit()
    click.echo(f"Reminded {run.reminded}, marked {run.lapsed} lapsed, "
               f"premium ended for {run.premium_ended}.")
