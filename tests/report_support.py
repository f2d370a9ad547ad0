"""Shared setup of the report tests: a tiny Demoland, a tiny public dataset and their national
tables on disk."""

from __future__ import annotations

from pathlib import Path

from test_sources_cbs import write_score_workbook

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.data.sources.public_dataset import build_public_dataset
from npo_analysis.national.tables import build_national_tables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PARAMS_DIR = PROJECT_ROOT / "params"
REALFORMAT = Path(__file__).resolve().parent / "fixtures" / "realformat"
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


def build_public(directory: Path) -> tuple[Path, Path]:
    """A public, school-level dataset from the hand-made files in the published formats
    (``tests/fixtures/realformat`` and the CBS workbook of ``test_sources_cbs``), written to
    ``directory/data``, and its national tables to ``directory/results``.

    Three municipalities: GM0901 (schools 99AA00 and 99AB01), GM0902 (99AB00 and 99AF00) and
    GM0903 (no school with pupils in 2019). No pupils, toddlers, neighbourhoods with rows,
    test results, activities, VE locations or school plans.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The data directory and the results directory.
    """
    workbook = write_score_workbook(directory / "scores.xlsx")
    dataset, _ = build_public_dataset(
        REALFORMAT / "addresses_current.csv", REALFORMAT / "pupil_counts.csv", workbook,
        REALFORMAT / "municipalities.csv", end_scores=REALFORMAT / "end_scores.csv",
        allow_unplaced=True)
    data_dir, results_dir = directory / "data", directory / "results"
    write_dataset(dataset, data_dir)
    build_national_tables(data_dir, results_dir, params_dir=PARAMS_DIR)
    return data_dir, results_dir
