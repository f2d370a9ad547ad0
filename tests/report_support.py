"""Shared setup of the report tests: a tiny Demoland and its national tables on disk."""

from __future__ import annotations

from pathlib import Path

from npo_analysis.dataset import write_dataset
from npo_analysis.demoland import generate
from npo_analysis.national import build_national_tables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PARAMS_DIR = PROJECT_ROOT / "params"
SEED = 20261127


def build_tiny(directory: Path, rounds: int = 2) -> tuple[Path, Path]:
    """Write tiny Demoland to ``directory/data`` and its national tables to ``.../results``.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The data directory and the results directory.
    """
    data_dir, results_dir = directory / "data", directory / "results"
    write_dataset(generate("tiny", SEED), data_dir)
    build_national_tables(data_dir, results_dir, params_dir=PARAMS_DIR, rounds=rounds)
    return data_dir, results_dir
