"""``npo-analysis validate``: check a dataset directory against the data model."""

from __future__ import annotations

from pathlib import Path

import click
import pyarrow.parquet as pq

from npo_analysis.cli.errors import user_errors
from npo_analysis.data.dataset import INFO_FILE, DatasetInfo


@click.command(name="validate")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Dataset directory: dataset.json plus one <table>.parquet per table.",
)
@user_errors
def command(data_dir: Path) -> None:
    """Check a dataset directory against the data model (docs/data-model.md).

    Checks dataset.json and every table: required tables and columns, value types, missing
    values, categories, code formats (GM0363, WK036301, BRIN6), value ranges, unique keys,
    references between tables, and that schools.pupils matches the pupils table.

    Prints `OK: <name>, <n> tables, <rows> rows` and exits 0 when the dataset is valid.
    Otherwise prints every problem, one per line, as `table.column: what is wrong in which rows
    (row numbers from 0, values); expected ...`, and exits 1.

    \b
    Example:
      npo-analysis validate --data outputs/data/small
    """
    from npo_analysis.data.validation import ValidationError, validate_dataset

    problems = validate_dataset(data_dir)
    for note in _text_notes(data_dir):
        click.echo(f"note: {note}")
    if problems:
        click.echo(str(ValidationError(problems, source=str(data_dir))))
        raise click.exceptions.Exit(1)
    click.echo(_summary(data_dir))


def _text_notes(data_dir: Path) -> list[str]:
    """Names whose control or bidi-override characters are removed on load
    (:func:`npo_analysis.data.dataset.clean_names`)."""
    from npo_analysis.data.dataset import clean_names, read_raw_tables
    from npo_analysis.errors import DatasetError

    try:
        return clean_names(read_raw_tables(data_dir))[1]
    except DatasetError:  # validate_dataset names the unreadable table
        return []


def _summary(data_dir: Path) -> str:
    """The `OK` line: dataset name, number of tables and rows (from Parquet metadata)."""
    info = DatasetInfo.from_file(data_dir / INFO_FILE)
    from npo_analysis.data.dataset import GEOMETRY_FILE

    paths = sorted(p for p in data_dir.glob("*.parquet") if p.name != GEOMETRY_FILE)
    rows = sum(pq.read_metadata(path).num_rows for path in paths)
    shapes = data_dir / GEOMETRY_FILE
    geometry = (f", {GEOMETRY_FILE} with {pq.read_metadata(shapes).num_rows} shapes"
                if shapes.is_file() else "")
    return f"OK: {info.name}, {len(paths)} tables, {rows} rows{geometry}"
