"""`flask panel select`: choose a citizens' panel offline from CSV files, for organisers and audits.

Exit codes: 0 selected, 2 malformed files or quotas no panel can meet (the message says why).
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.panels import explain, files, lottery as lotteries
from app.representation import sortition

cli = AppGroup("panel", help="Citizens' panels: stratified selection by lottery.")

_IN = click.Path(exists=True, dir_okay=False)
_OUT = click.Path(dir_okay=False, writable=True)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


def describe_infeasible(error: sortition.InfeasibleQuotas, k: int) -> str:
    """The conflicts and the nearest quotas that can be met, one line each."""
    return explain.as_text(explain.explain_infeasible(error, k))


@cli.command("select")
@click.option("--categories", "categories_path", required=True, type=_IN,
              help="CSV: category,name,min,max (or feature,value,min,max).")
@click.option("--people", "people_path", required=True, type=_IN,
              help="CSV: an id column (or the first column) and one column per category.")
@click.option("--size", "k", required=True, type=click.IntRange(min=1), help="Panel size k.")
@click.option("--algorithm", type=click.Choice(sortition.ALGORITHMS), default="leximin", show_default=True,
              help="legacy (the old greedy method) is for comparison only.")
@click.option("--seed", required=True, type=int,
              help="Fixes every random choice: the lottery's seating and the legacy draws.")
@click.option("--out", "out_path", required=True, type=_OUT, help="CSV of the selected people (their rows).")
@click.option("--probabilities", "probabilities_path", type=_OUT,
              help="CSV id,probability: each volunteer's chance of selection in this draw.")
@click.option("--lottery-size", "m", type=click.IntRange(min=1), default=lotteries.DEFAULT_LOTTERY_SIZE,
              show_default=True, help="Number of equally likely panels the distribution is rounded to.")
@click.option("--lottery", "lottery_path", type=_OUT,
              help="CSV of the numbered panels, to publish before the public number is known.")
@click.option("--public-number", help="A number made public after volunteering closed (default: the seed);"
                                      " it picks panel 1 + SHA-256(number) mod m.")
@click.option("--samples", type=click.IntRange(min=1), default=2000, show_default=True,
              help="legacy only: draws used to estimate the probabilities.")
def select(categories_path, people_path, k, algorithm, seed, out_path, probabilities_path, m,
           lottery_path, public_number, samples):
    """Select a panel of K from PEOPLE meeting the quotas of CATEGORIES, as fairly as possible.

    leximin and maximin compute the selection probabilities, round them to a lottery of m panels
    and pick one by the public number, so anyone holding the files can re-run the pick. The
    probabilities written are those of that lottery; the largest change from the exact ones is
    printed."""
    try:
        quotas = files.read_categories(categories_path)
        people = files.read_people(people_path, quotas)
        distribution = sortition.find_distribution(people.pool, quotas, k, algorithm, seed=seed, samples=samples)
        if algorithm == "legacy":
            chosen = tuple(distribution.ids[i] for i in distribution.drawn)
            probabilities = distribution.probabilities
            summary = [f"Probabilities estimated from {samples} draws of the legacy method."]
        else:
            lottery = lotteries.to_lottery(distribution, m, seed=seed)
            number, chosen = lottery.pick(str(seed) if public_number is None else public_number)
            probabilities = lottery.probabilities
            summary = [
                f"Exact smallest probability {distribution.min_probability:.6f}, and optimal: no"
                f" distribution over panels gives everyone more than {distribution.dual_bound:.6f} (dual bound).",
                f"Lottery of {m} panels: each volunteer's probability moves by at most {lottery.max_loss:.6f}.",
                f"Public number {public_number if public_number is not None else seed} picks panel {number} of {m}.",
            ]
            if lottery_path:
                files.write_lottery(lottery_path, lottery)
    except (files.PanelFileError, lotteries.LotteryInputError, sortition.InvalidSelectionInput,
            sortition.SelectionFailed) as exc:
        _fail(str(exc))
    except sortition.InfeasibleQuotas as exc:
        _fail(describe_infeasible(exc, k))
    files.write_selected(out_path, people, chosen)
    if probabilities_path:
        files.write_probabilities(probabilities_path, distribution.ids, probabilities)
    click.echo(f"Pool {len(people.pool)}, panel {k}, algorithm {algorithm}: smallest selection probability"
               f" {float(probabilities.min()):.6f}.")
    for line in summary:
        click.echo(line)
    click.echo(f"Wrote {len(chosen)} selected people to {out_path}.")
