"""``npo-analysis indicator``: CBS disadvantage scores for pupils, schools and municipalities."""

from __future__ import annotations

import time
from pathlib import Path

import click

from npo_analysis.cli.errors import user_errors
from npo_analysis.domain.indicator.pipeline import load_indicator_dataset

#: Tables the indicator reads; ``toddlers`` is optional.


def status(message: str) -> None:
    """Print a progress line to stderr."""
    click.echo(message, err=True)


@click.command()
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Dataset directory with pupil microdata (e.g. from `npo-analysis demo`).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Directory for pupil_scores, school_scores, municipality_scores and model.json.")
@click.option("--rounds", default=10, show_default=True, type=click.IntRange(min=1),
              help="Imputation rounds averaged per child (CBS uses 10).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed of the imputation draws (same seed, same output).")
@click.option("--target-share", default=0.15, show_default=True, type=float,
              help="Share of pupils nationally in the target group.")
@click.option("--threshold-fraction", default=0.12, show_default=True, type=float,
              help="F of the school threshold B = pupils x F x (C - G).")
@click.option("--municipal-threshold-fraction", default=0.12, show_default=True, type=float,
              help="F of the municipal threshold (unconfirmed constant).")
@user_errors
def command(data_dir: Path, out_dir: Path, rounds: int, seed: int, target_share: float,
            threshold_fraction: float, municipal_threshold_fraction: float) -> None:
    """Compute CBS education-disadvantage scores from pupil and toddler microdata.

    Fits the end-score model on grade-8 pupils, imputes missing parental education (ROUNDS
    rounds, averaged per child), and writes every child's onderwijsscore, school scores
    (with and without threshold, onderbouw/bovenbouw, CBS flags) and municipal scores.

    Example: `npo-analysis indicator --data outputs/data/small --out outputs/indicator/small`
    """
    from npo_analysis.domain.indicator import compute_indicator, write_indicator

    start = time.perf_counter()
    status(f"reading {data_dir}")
    dataset = load_indicator_dataset(data_dir)
    result = compute_indicator(dataset, rounds=rounds, seed=seed, target_share=target_share,
                               threshold_fraction=threshold_fraction,
                               municipal_threshold_fraction=municipal_threshold_fraction,
                               progress=status)
    write_indicator(result, out_dir)
    model = result.model
    click.echo(
        f"{model['n_pupils']} pupils, {model['n_toddlers']} toddlers, "
        f"{len(result.school_scores)} schools, {len(result.municipality_scores)} municipalities; "
        f"C = {model['C']:.2f}, G = {model['G']:.2f}; written to {out_dir} "
        f"in {time.perf_counter() - start:.1f} s"
    )
