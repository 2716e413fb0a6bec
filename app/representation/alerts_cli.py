"""`flask representation check`: run the representation alerts for every open space (for cron)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from app.common.jobs import queue_url, submit
from app.common.time import today_jst
from app.extensions import db

log = logging.getLogger("hiroba.representation")

cli = AppGroup("representation", help="Representation tracker tasks.")


def scheduled_check() -> list[str]:
    """The daily check, as a job (app.common.jobs) or from the command: alerts for the open
    spaces, then a public release wherever enough new people took part. Commits; returns what
    it did, line by line."""
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
    lines = [f"Release {release.number} made for space {release.space_id}: "
             f"{release.participants} participants." for release in made]
    if not results:
        lines.append("No space accepts input today; nothing to check.")
        return lines
    lines.append(f"Checked {len(results)} open space(s); alerts need at least {minimum} "
                 "participants.")
    for result in results:
        groups = ", ".join(result.flagged) if result.flagged else "none"
        lines.append(f"{result.space_slug}: {result.participants} participants; "
                     f"under-represented: {groups}; notifications sent: {result.notified}")
    log.info("representation check: %s", " | ".join(lines))
    return lines


@cli.command("check")
@click.option("--queue", "queued", is_flag=True,
              help="Put the check on the job queue (REDIS_URL) for a worker instead of running "
                   "it here.")
def check(queued: bool) -> None:
    """Notify facilitators where young people or women are under-represented (once per ISO week
    per group; safe to run as often as cron likes)."""
    if queued:
        if not queue_url(current_app):
            raise click.ClickException("No job queue: set REDIS_URL (or JOBS_REDIS_URL).")
        submit(scheduled_check)
        click.echo("The representation check is queued.")
        return
    for line in scheduled_check():
        click.echo(line)


@cli.command("tallies")
def build_tallies() -> None:
    """Store the ledger tallies that are due in every space, so no facilitator's first view
    after a migration or an import has to build them (a million rows take seconds)."""
    from sqlalchemy import select

    from app.representation import tallies
    from app.spaces.models import Space

    for space_id, slug in db.session.execute(select(Space.id, Space.slug).order_by(Space.id)).all():
        ranks = None
        while True:  # a request stores at most BUILD_LIMIT at a time; the command all of them
            heads = tallies.heads(db.session, space_id)
            db.session.commit()
            if ranks == (ranks := [h.rank for h in heads.values()]):
                break
        click.echo(f"{slug}: {heads['all'].rank // tallies.CHUNK} tallies of {heads['all'].members}"
                   " people")
