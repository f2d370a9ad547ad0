"""``npo-analysis reports``: the report notebook for every municipality, as HTML, with an index."""

from __future__ import annotations

from pathlib import Path

import click

from npo_analysis.cli.errors import require_directory, require_output_directory, user_errors

#: Dataset used when ``--data`` is not given (made by ``make demo``).
DEFAULT_DATA = Path("outputs/data/small")
DEFAULT_OUT = Path("outputs/reports")
#: Seconds per notebook: npo_analysis.batch.runner.DEFAULT_TIMEOUT (not imported here, so that
#: ``--help`` does not load nbformat; a test checks that the two agree).
DEFAULT_TIMEOUT = 600.0


def default_data_dir() -> Path:
    """``outputs/data/small`` when it exists; otherwise an error saying what to do."""
    if not DEFAULT_DATA.is_dir():
        raise click.UsageError(f"no --data given and {DEFAULT_DATA} does not exist: run "
                               "`make demo` to build the demo data there, or pass --data DIR")
    return DEFAULT_DATA


def default_year(params_dir: Path) -> int:
    """The latest budget year in ``params_dir`` whose NPO school amounts are not zero.

    Years after the NPO programme (2025 on) carry EUR 0 per pupil and per score unit: a report
    about them has no NPO money to show. Without any such year, the latest year.

    Parameters
    ----------
    params_dir : pathlib.Path
        The parameter directory (``<year>.yaml`` files).

    Returns
    -------
    int
        The budget year.
    """
    from npo_analysis.domain.params import load_params, params_years

    years = params_years(params_dir)
    if not years:
        raise click.UsageError(f"{params_dir}: no budget-year parameter files (<year>.yaml); "
                               "pass --params DIR")
    for year in reversed(years):
        npo = load_params(year, params_dir).npo_schools
        if npo.per_pupil_eur > 0 or npo.per_score_unit_eur > 0:
            return year
    return years[-1]


def _incomplete_runs(out_dir: Path, clean: bool, resume: bool) -> None:
    """List the interrupted run folders of ``out_dir``, or remove them (``clean``)."""
    from npo_analysis.batch.resume import incomplete_runs, remove_runs

    found = incomplete_runs(out_dir.resolve())
    if not found:
        return
    names = ", ".join(p.name for p in found)
    if clean:
        remove_runs(found)
        click.echo(f"removed {len(found)} interrupted run folder(s): {names}")
        return
    hint = "" if resume else "--resume reuses their finished reports; "
    click.echo(f"interrupted run folder(s) in {out_dir}: {names} ({hint}--clean-incomplete "
               "removes them)")


@click.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help=f"Dataset directory [default: {DEFAULT_DATA} when it exists].")
@click.option("--municipality", "municipalities", multiple=True, metavar="CODE",
              help="Municipality code (GM + 4 digits); repeat for several. Default: --all.")
@click.option("--all", "all_municipalities", is_flag=True,
              help="Every municipality of the dataset (the default without --municipality).")
@click.option("--year", type=int, default=None,
              help="Budget year of the reports [default: the latest year in --params whose NPO "
                   "school amounts are not zero (2024 with the shipped params; 2025 has none)].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Notebooks run at the same time (worker processes, each with its own warm "
                   "Jupyter kernel) [default: the number of cores].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT,
              show_default=True,
              help="Output folder: runs go to OUT/<run>/, OUT/latest points at the newest.")
@click.option("--resume", is_flag=True,
              help="Reuse the finished reports of the newest interrupted run, then of the latest "
                   "run, whose inputs (data, parameters, notebook) are unchanged.")
@click.option("--executor", type=click.Choice(["local", "serial", "dask"]), default="local",
              show_default=True,
              help="local: a pool of worker processes with warm Jupyter kernels; serial: one "
                   "kernel, one notebook after the other; dask: the workers "
                   "of a Dask cluster (--scheduler, or a local one).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask; "
                   "workers need npo-analysis installed and the same paths for data and "
                   "output). Default: a local cluster of --workers processes on 127.0.0.1.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True,
              help="Seconds one notebook may run; then its kernel (or worker) is stopped and "
                   "that report is marked failed (the others go on).")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Report language (a municipality's params file may set its own).")
@click.option("--params", "params_dir", type=click.Path(path_type=Path), default="params",
              show_default=True, help="Parameter directory.")
@click.option("--notebook", type=click.Path(path_type=Path),
              default="notebooks/municipality_report.ipynb", show_default=True,
              help="The report notebook (run by Papermill).")
@click.option("--overviews/--no-overviews", default=True, show_default=True,
              help="Also run the national notebooks next to the report notebook "
                   "(national_overview, explore_indicator) once per batch.")
@click.option("--workbooks/--no-workbooks", default=True, show_default=True,
              help="Also write each report's Excel workbook next to its HTML page.")
@click.option("--clean-incomplete", is_flag=True,
              help="First remove the run folders of interrupted runs (killed, crashed, full "
                   "disk) from OUT; without it they are listed.")
@click.option("--quiet", is_flag=True, help="No progress bar or status lines.")
@user_errors
def command(data_dir, municipalities, all_municipalities, year, workers, out_dir, resume,
            executor, scheduler, timeout, language, params_dir, notebook, overviews,
            workbooks, clean_incomplete, quiet) -> None:
    """Make the municipality reports: national tables once, then one notebook per municipality.

    Computes (or reuses) the indicator, the budgets and the scenarios, runs the report notebook
    for every municipality with Papermill, exports self-contained HTML and writes
    OUT/<run>/index.html and manifest.json. Exit code 1 when any report failed; the index lists
    the failures with a link to the failing notebook. Example:

    \b
        npo-analysis reports --data outputs/data/small --municipality GM0412 --year 2024
    """
    from npo_analysis.batch import run_reports

    if municipalities and all_municipalities:
        raise click.UsageError("give either --municipality CODE ... or --all, not both")
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    require_directory("--data", data_dir)
    require_output_directory("--out", out_dir)
    data_dir = data_dir if data_dir is not None else default_data_dir()
    year = year if year is not None else default_year(params_dir)
    _incomplete_runs(out_dir, clean_incomplete, resume)
    summary = run_reports(data_dir, out_dir, year=year,
                          municipalities=list(municipalities) or None, workers=workers,
                          resume=resume, notebook=notebook, language=language,
                          executor=executor, scheduler=scheduler, timeout=timeout,
                          params_dir=params_dir, overview_notebooks=None if overviews else [],
                          workbooks=workbooks, verbose=not quiet)
    ok = sum(r.status == "ok" for r in summary.results)
    reused = sum(r.reused_from is not None for r in summary.results)
    click.echo(f"{ok} of {len(summary.results)} reports made ({reused} reused), "
               f"{len(summary.failed)} failed; budget year {year}")
    for result in summary.failed:
        click.echo(f"failed: {result.code} {result.name}: {result.error} "
                   f"(see {summary.run_dir / result.notebook})")
    click.echo(f"index: {summary.index}")
    if summary.exit_code:
        raise SystemExit(summary.exit_code)
