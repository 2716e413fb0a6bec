"""`flask population ...`: import reference population figures (census, resident register, CSV)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db
from app.representation import population
from app.representation.population_files import PopulationFileError

cli = AppGroup("population", help="Import reference population figures.")


def _report(result: dict) -> None:
    click.echo(f"{result['key']}: {result['records']} counts for {result['areas']} areas"
               f" ({result['areas_created']} areas created).")
    if result["skipped_records"]:
        codes = result["skipped_areas"]
        shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
        click.echo(f"Skipped {result['skipped_records']} counts for {len(codes)} unknown area"
                   f" codes: {shown}. Load the areas first (flask areas load) or check the codes.")


def _run(action) -> None:
    try:
        result = action()
    except FileNotFoundError as exc:
        raise click.ClickException(f"file not found: {exc.filename}") from None
    except (PopulationFileError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    for item in result if isinstance(result, list) else [result]:
        _report(item)


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2024-01-01") from None


_FILE = click.Path(exists=True, dir_okay=False)


@cli.command("import-estat")
@click.argument("file", type=_FILE)
@click.option("--key", default=population.CENSUS_2020["key"], show_default=True)
@click.option("--title", default=None, help="Source title (default: the 2020 census table).")
@click.option("--reference-date", callback=_date, default=None, help="YYYY-MM-DD (default 2020-10-01).")
def import_estat(file, key, title, reference_date):
    """Import the e-Stat census table 第2-1表 (.xlsx): sex × single year of age."""
    overrides = {"key": key, **({"title": title} if title else {}),
                 **({"reference_date": reference_date} if reference_date else {})}
    _run(lambda: population.import_estat_file(db.session, file, **overrides))


@cli.command("import-register")
@click.argument("file", type=_FILE)
@click.option("--key", default=population.REGISTER_2022["key"], show_default=True)
@click.option("--title", default=None, help="Source title (default: the 2022 register table).")
@click.option("--reference-date", callback=_date, default=None, help="YYYY-MM-DD (default 2022-01-01).")
def import_register(file, key, title, reference_date):
    """Import the resident-register table 住民基本台帳年齢階級別人口（市区町村別）(.xlsx)."""
    overrides = {"key": key, **({"title": title} if title else {}),
                 **({"reference_date": reference_date} if reference_date else {})}
    _run(lambda: population.import_register_file(db.session, file, **overrides))


@cli.command("import-csv")
@click.argument("file", type=_FILE)
@click.option("--key", required=True, help="Short name; stored as csv:<key>.")
@click.option("--title", required=True, help="Title shown with the figures.")
@click.option("--reference-date", required=True, callback=_date, help="YYYY-MM-DD.")
@click.option("--licence", required=True, help="Licence or terms of use of the figures.")
@click.option("--attribution", default="", help="Attribution line (default: the title).")
def import_csv(file, key, title, reference_date, licence, attribution):
    """Import a plain CSV with columns area_code,sex,age,count (areas must exist)."""
    _run(lambda: population.import_csv_file(db.session, file, key=key, title=title,
                                            reference_date=reference_date, licence=licence,
                                            attribution=attribution))


@cli.command("load-shipped")
@click.option("--keep-existing", is_flag=True, help="Skip sources that are already loaded.")
def load_shipped(keep_existing):
    """Load the shipped areas, 2020 census and 2022 register figures (every area in Japan)."""
    def action():
        result = population.load_shipped_population(db.session, replace=not keep_existing)
        click.echo(f"{result['areas']} areas in the shipped list.")
        return [r for key, r in result.items() if key != "areas" and r is not None]
    _run(action)


@cli.command("list")
def list_sources():
    """List the imported sources."""
    for source in population.list_sources(db.session):
        click.echo(f"{source.key}\t{source.kind}\t{source.reference_date}\t{source.title}")
