"""`flask --app wsgi demo load`: the demo data (idempotent; `make run` calls it)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.demo import services
from app.demo.plan import PARTICIPANTS
from app.extensions import db

cli = AppGroup("demo", help="Demo data.")

LABELS = {
    "areas": "areas created",
    "population_sources": "reference population sources loaded",
    "accounts": "named accounts created",
    "spaces": "spaces created",
    "roles": "roles granted",
    "participants": "demo participants created",
    "participations": "participation ledger rows written",
    "targets": "residency target sets written",
    "forum_threads": "forum threads opened",
    "forum_replies": "forum replies written",
    "forum_reactions": "forum reactions given",
    "proposals": "proposals published",
    "proposal_supports": "proposal supports given",
    "proposal_comments": "proposal comments written",
    "proposal_official_steps": "official steps on proposals (review, answer, merge)",
    "surveys": "surveys published",
    "survey_responses": "survey responses submitted",
    "town_spaces": "other Hokkaido spaces created (Otaru, Hakodate)",
    "town_participations": "ledger rows written in those spaces",
    "town_releases": "releases published in those spaces",
    "furusato_programmes": "furusato registration programmes opened",
    "furusato_registrations": "furusato registrations made",
}


@cli.command("load")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today in Japan.")
def load(today) -> None:
    """Load the demo space, accounts and participants. Running it again changes nothing."""
    counts = services.load_demo(db.session, today=today.date() if today else None,
                                public_k=current_app.config["MIN_CELL_PUBLIC"],
                                batch=current_app.config["MIN_CELL_FACILITATOR"],
                                note=lambda message: click.echo(f"note: {message}"))
    db.session.commit()
    for key, value in counts.items():
        click.echo(f"{LABELS.get(key, key)}: {value}")
    if not any(counts.values()):
        click.echo("The demo data was already loaded; nothing changed.")
    click.echo("Accounts:")
    for email, password, _name, *_rest in services.ACCOUNTS:
        click.echo(f"  {email} / {password}")
    click.echo(f"  demo-001@example.jp … demo-{PARTICIPANTS:03d}@example.jp / "
               f"{services.DEMO_PARTICIPANT_PASSWORD}")
