"""``npo-analysis demo``: generate the synthetic demo country Demoland and write it to disk."""

from __future__ import annotations

import time

import click

from npo_analysis.cli.errors import user_errors

_PROFILE_CHOICES = ("tiny", "small", "national")


@click.command("demo")
@click.option("--profile", type=click.Choice(_PROFILE_CHOICES), default="small",
              show_default=True,
              help="Size: tiny (6 municipalities, for tests), small (40, quick demos) or "
                   "national (342 municipalities, 1.35 million pupils, under a minute).")
@click.option("--seed", type=click.IntRange(min=0), default=20261127, show_default=True,
              help="Random seed; the same profile, seed and version give identical files.")
@click.option("--out", "out", type=click.Path(file_okay=False, writable=True), required=True,
              help="Dataset directory to write (replaced atomically when it exists).")
@click.option("--quiet", is_flag=True, help="Do not show progress on stderr.")
@user_errors
def command(profile: str, seed: int, out: str, quiet: bool) -> None:
    """Generate the synthetic demo country Demoland and write it as a dataset directory.

    Every table of the data model is written as Parquet, with dataset.json (marked synthetic)
    and truth.json (the true parameters and every planted effect: end-score model, learning
    delays, white spots, VE reach). Example:

        npo-analysis demo --profile small --out outputs/data/small
    """
    from npo_analysis.data.dataset import write_dataset
    from npo_analysis.data.demoland import STEPS, generate

    start = time.perf_counter()

    def progress(step: str) -> None:
        if not quiet:
            number = STEPS.index(step) + 1
            click.echo(f"[{number}/{len(STEPS) + 1}] {step} ...", err=True)

    dataset = generate(profile, seed, progress=progress)
    if not quiet:
        click.echo(f"[{len(STEPS) + 1}/{len(STEPS) + 1}] writing {out} ...", err=True)
    write_dataset(dataset, out)
    click.echo(summary(dataset, out, time.perf_counter() - start))


def summary(dataset, out: str, seconds: float) -> str:
    """One paragraph describing what was generated and where it went."""
    t = dataset.tables
    return (
        f"Demoland ({dataset.info.name}, seed {dataset.info.generator['seed']}): "
        f"{len(t['municipalities']):,} municipalities, {len(t['schools']):,} schools, "
        f"{len(t['pupils']):,} pupils and {len(t['toddlers']):,} toddlers, with "
        f"{len(t['test_results']):,} test results for school years "
        f"{dataset.info.years[0]}-{dataset.info.years[-1]}; written to {out} "
        f"in {seconds:.1f} s. The data are synthetic; truth.json holds the planted effects."
    )
