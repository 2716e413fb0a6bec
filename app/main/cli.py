"""`flask --app wsgi markdown rerender`: re-render stored Markdown after a renderer change."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.main.rerender import BATCH, rerender_all

cli = AppGroup("markdown", help="Stored Markdown renderings.")


@cli.command("rerender")
@click.option("--batch", type=click.IntRange(1), default=BATCH, show_default=True,
              help="Rows read and written per statement.")
def rerender(batch: int) -> None:
    """Render every post, proposal, answer and description again from its Markdown source."""
    def progress(table: str, seen: int, changed: int) -> None:
        click.echo(f"{table}: {seen} rows checked, {changed} re-rendered")

    connection = db.session.connection()
    changed = rerender_all(connection, db.metadata, batch=batch, progress=progress)
    db.session.commit()
    click.echo(f"Done: {sum(changed.values())} row(s) re-rendered.")
