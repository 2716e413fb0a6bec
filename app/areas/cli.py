"""`flask --app wsgi areas load`: load the shipped list of Japan's local governments."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.areas.models import Area
from app.areas.services import load_shipped_areas
from app.common.errors import DomainError
from app.extensions import db

cli = AppGroup("areas", help="Areas: prefectures, municipalities, wards and regions.")


@cli.command("load")
@click.option("--path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A CSV with columns code,name_ja,name_en,kind,parent_code "
                   "(default: the shipped app/representation/data/areas.csv).")
def load(path: str | None) -> None:
    """Insert or update every area of the CSV, matched by code. Safe to run again."""
    before = db.session.scalar(select(func.count()).select_from(Area)) or 0
    try:
        rows = load_shipped_areas(db.session, path)
    except DomainError as error:
        # A command has no request boundary: it commits, or rolls back, its own work.
        db.session.rollback()
        # Operators read the English message (str(error)), untranslated.
        raise click.ClickException(str(error)) from error
    db.session.commit()
    after = db.session.scalar(select(func.count()).select_from(Area)) or 0
    click.echo(f"Loaded {rows} areas ({after - before} new).")
