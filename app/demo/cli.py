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


@cli.command("scale")
@click.option("--users", type=click.IntRange(1), default=100_000, show_default=True)
@click.option("--spaces", type=click.IntRange(1), default=None, help="Default: 50.")
@click.option("--ledger", type=click.IntRange(0), default=None,
              help="Participation ledger rows over all spaces. Default: 10 per user.")
@click.option("--posts", type=click.IntRange(0), default=None,
              help="Forum posts (openings and replies). Default: 2 per user.")
@click.option("--proposals", type=click.IntRange(0), default=None,
              help="Default: one per 2 users.")
@click.option("--supports", type=click.IntRange(0), default=None,
              help="Proposal supports. Default: 20 per user.")
@click.option("--survey-answers", type=click.IntRange(0), default=None,
              help="Survey answer rows. Default: 5 per user.")
@click.option("--seed", type=int, default=2026, show_default=True)
def scale(users, spaces, ledger, posts, proposals, supports, survey_answers, seed) -> None:
    """Fill the database with a national-scale data set in bulk (for load tests)."""
    import time

    from app.common.time import today_jst
    from app.demo import scale as generator

    sizes = generator.Sizes.for_users(users, spaces=spaces, ledger=ledger, posts=posts,
                                      proposals=proposals, supports=supports,
                                      survey_answers=survey_answers)
    click.echo(f"Generating: {sizes}")
    started = time.perf_counter()
    try:
        counts = generator.generate(db.session, sizes, seed=seed, today=today_jst(),
                                    progress=click.echo,
                                    public_k=current_app.config["MIN_CELL_PUBLIC"],
                                    batch=current_app.config["MIN_CELL_FACILITATOR"])
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    for table, count in counts.items():
        click.echo(f"  {table}: {count:,}")
    click.echo(f"{total:,} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s).")
    click.echo(f"Log in as {generator.FACILITATOR} (facilitator of every space) or "
               f"{generator.SUPPORTER}, password {generator.PASSWORD}.")
