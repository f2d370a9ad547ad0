"""``npo-analysis national``: the national tables (indicator, budgets, scenarios), cached."""

from __future__ import annotations

import time
from pathlib import Path

import click

from npo_analysis.cli.errors import user_errors


@click.command()
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Dataset directory: pupil microdata, or a public dataset from import-public.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Directory of the national tables (replaced as a whole when inputs changed).")
@click.option("--params", "params_dir", default="params", show_default=True,
              type=click.Path(path_type=Path),
              help="Parameter directory: <year>.yaml files and scenarios/.")
@click.option("--year", "years", multiple=True, type=int,
              help="Budget year to compute; repeat for several [default: every year in --params].")
@click.option("--rounds", default=10, show_default=True, type=click.IntRange(min=1),
              help="Imputation rounds of the indicator.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed of the imputation draws.")
@user_errors
def command(data_dir: Path, out_dir: Path, params_dir: Path, years: tuple[int, ...],
            rounds: int, seed: int) -> None:
    """Compute the national tables once: indicator, budgets per year, what-if scenarios.

    A second call with unchanged data, parameter files and options returns at once (the
    content hashes are kept in OUT/national_tables.json). Reports read these tables.
    """
    from npo_analysis.national.tables import build_national_tables, load_national_tables

    start = time.perf_counter()
    build_national_tables(data_dir, out_dir, params_dir=params_dir, years=list(years) or None,
                          rounds=rounds, seed=seed,
                          progress=lambda message: click.echo(message, err=True))
    tables = load_national_tables(out_dir)
    click.echo(f"national tables in {out_dir}: {len(tables.municipality_scores)} municipalities, "
               f"{len(tables.school_scores)} schools, budget years {tables.years}, scenarios "
               f"{tables.scenarios or 'none'} ({time.perf_counter() - start:.1f} s)")
