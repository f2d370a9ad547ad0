"""Reading and writing datasets: a directory of Parquet tables plus ``dataset.json``.

``dataset.json`` holds :class:`DatasetInfo`: the dataset's name, whether it is synthetic, its count
date, the years it covers, its sources and (for generated data) the generator's name, version and
seed. The tables themselves are described in :mod:`npo_analysis.data.schema`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from npo_analysis.atomic import atomic_directory
from npo_analysis.data import schema
from npo_analysis.data.metadata import (  # noqa: F401  (part of this API)
    GEOMETRY_FILE,
    INFO_FILE,
    TRUTH_FILE,
    DatasetInfo,
    read_raw_tables,
)
from npo_analysis.errors import DatasetError  # noqa: F401  (defined there, part of this API)


@dataclass
class Dataset:
    """A dataset in memory: metadata, tables, (for synthetic data) the generator's truth and,
    when known, the polygons of its areas (:mod:`npo_analysis.data.geometry`; read them from a
    directory with :func:`npo_analysis.data.geometry.read_geometry`)."""

    info: DatasetInfo
    tables: dict[str, pd.DataFrame]
    truth: dict | None = None
    geometry: object | None = None

    def __getitem__(self, table: str) -> pd.DataFrame:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(
                f"dataset {self.info.name!r} has no table {table!r}; it has {sorted(self.tables)}"
            ) from None

    def __contains__(self, table: str) -> bool:
        return table in self.tables


def write_dataset(dataset: Dataset, directory: str | Path) -> Path:
    """Write ``dataset`` to ``directory`` atomically (the old content is replaced only on success).

    Tables are written in the canonical column order of :mod:`npo_analysis.data.schema` (extra columns
    follow), without the pandas index, so that the same tables give byte-identical files.

    Returns
    -------
    pathlib.Path
        The dataset directory.
    """
    directory = Path(directory)
    with atomic_directory(directory) as tmp:
        for name, frame in dataset.tables.items():
            _ordered(name, frame).to_parquet(tmp / f"{name}.parquet", index=False)
        if dataset.geometry is not None:
            from npo_analysis.data.geometry import write_geometry

            write_geometry(dataset.geometry, tmp)
        (tmp / INFO_FILE).write_text(dataset.info.to_json(), encoding="utf-8")
        if dataset.truth is not None:
            (tmp / TRUTH_FILE).write_text(
                json.dumps(dataset.truth, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
    return directory


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    spec = schema.TABLES.get(name)
    if spec is None:
        return frame.reset_index(drop=True)
    known = [c for c in spec.column_names if c in frame.columns]
    extra = [c for c in frame.columns if c not in known]
    return frame[known + extra].reset_index(drop=True)


def read_truth(directory: str | Path) -> dict | None:
    """Return the generator's truth (``truth.json``) of a synthetic dataset, or ``None``."""
    path = Path(directory) / TRUTH_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# --- Loading with validation and canonical dtypes ----------------------------------------------

#: In-memory dtype of each schema kind (see :func:`coerce_table`).
CANONICAL_DTYPES: dict[str, str] = {
    "string": "str",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
}
#: Nullable variants, used for ``nullable=True`` columns of these kinds.
NULLABLE_DTYPES: dict[str, str] = {"int": "Int64", "bool": "boolean"}
#: Category vocabularies whose order means something (low to high).
ORDERED_VOCABULARIES: tuple[tuple[str, ...], ...] = (schema.EDUCATION_LEVELS,)


def load_dataset(
    directory: str | Path, tables: list[str] | None = None, validate: bool = True
) -> Dataset:
    """Read a dataset directory, check it against the data model and give canonical dtypes.

    Parameters
    ----------
    directory : path-like
        The dataset directory (``dataset.json`` plus ``<table>.parquet`` files).
    tables : list of str, optional
        Only these tables (default: every table present). Required tables not asked for are not
        reported missing; cross-table checks run only between the tables read.
    validate : bool
        Check metadata and tables first (:mod:`npo_analysis.data.validation`). Without it, values the
        data model does not allow may fail the dtype conversion or become missing (an unknown
        category becomes missing).

    Returns
    -------
    Dataset
        Metadata, the tables converted by :func:`coerce_table`, and ``truth.json`` when present.

    Raises
    ------
    DatasetError
        When the directory, ``dataset.json`` or a requested table is missing or unreadable (the
        message names the file).
    npo_analysis.data.validation.ValidationError
        When the dataset breaks the data model; its message lists every problem, one per line.

    Examples
    --------
    >>> ds = load_dataset("outputs/data/small")  # doctest: +SKIP
    >>> ds["schools"]["pupils"].dtype  # doctest: +SKIP
    dtype('int64')
    """
    directory = Path(directory)
    frames = read_raw_tables(directory, tables)
    info = DatasetInfo.from_file(directory / INFO_FILE)
    if validate:
        _raise_on_problems(directory, info, frames, require_all=tables is None)
    for note in clean_names(frames)[1]:  # coerce_table removes the characters
        warnings.warn(f"{directory}: {note}", UnsafeTextWarning, stacklevel=2)
    coerced = {name: coerce_table(name, frame) for name, frame in frames.items()}
    return Dataset(info=info, tables=coerced, truth=_read_truth_checked(directory))


class UnsafeTextWarning(UserWarning):
    """Control or bidirectional-override characters were removed from names on load."""


def clean_names(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Remove control and bidirectional-override characters from the free-text columns (names,
    providers ...: the ``string`` columns without a code pattern or categories) of every table.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables by name.

    Returns
    -------
    (dict, list of str)
        The cleaned tables and one note per changed column
        (:func:`npo_analysis.safe_text.clean_table_text`).
    """
    from npo_analysis.safe_text import clean_table_text

    cleaned, notes = {}, []
    for name, frame in tables.items():
        cleaned[name], found = clean_table_text(name, frame, _free_text_columns(name))
        notes += found
    return cleaned, notes


def _free_text_columns(table: str) -> list[str]:
    spec = schema.TABLES.get(table)
    return [] if spec is None else [c.name for c in spec.columns if c.kind == "string"
                                    and c.pattern is None and c.categories is None]


def _raise_on_problems(directory: Path, info: DatasetInfo, frames: dict[str, pd.DataFrame],
                       require_all: bool) -> None:
    from npo_analysis.data.validation import ValidationError, validate_info, validate_tables

    source = str(directory)
    problems = validate_info(info, source=source)
    problems += validate_tables(frames, source=source, require_all=require_all)
    if problems:
        raise ValidationError(problems, source=source)


def _read_truth_checked(directory: Path) -> dict | None:
    try:
        return read_truth(directory)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{directory / TRUTH_FILE}: not valid JSON ({exc})") from exc


def coerce_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of table ``name`` with the canonical in-memory dtypes of the data model.

    Conversions by the column's kind in :mod:`npo_analysis.data.schema`:

    - ``"string"`` -> pandas ``str`` (missing values stay ``NaN``);
    - ``"int"`` -> ``int64``; a nullable int column -> ``Int64`` (missing as ``pd.NA``), whether or
      not it holds missing values (today: ``interventions.evidence``);
    - ``"float"`` -> ``float64``;
    - ``"bool"`` -> ``bool`` (a nullable bool column -> ``boolean``);
    - ``"category"`` -> ``pandas.Categorical`` with the schema's vocabulary as categories, in the
      schema's order; education levels are ``ordered=True`` (low to high).

    Columns are put in the schema's order; extra columns follow unchanged. Tables unknown to the
    schema are returned unchanged (index reset). Control and bidirectional-override characters
    are removed from the free-text columns (names; :func:`clean_names`).

    Parameters
    ----------
    name : str
        Table name.
    frame : pandas.DataFrame
        The table, validated (values the schema forbids may fail to convert).

    Returns
    -------
    pandas.DataFrame
        The converted table with a fresh ``RangeIndex``.

    Raises
    ------
    DatasetError
        When a column cannot be converted (names the table and column).
    """
    frame = _ordered(name, frame)
    spec = schema.TABLES.get(name)
    if spec is None:
        return frame
    converted = {
        col.name: _coerce_column(name, col, frame[col.name])
        for col in spec.columns if col.name in frame.columns
    }
    from npo_analysis.safe_text import clean_table_text

    return clean_table_text(name, frame.assign(**converted), _free_text_columns(name))[0]


def canonical_dtype(column: schema.Column):
    """Return the in-memory dtype of a schema column (see :func:`coerce_table`).

    Parameters
    ----------
    column : npo_analysis.data.schema.Column
        The column specification.

    Returns
    -------
    str or pandas.CategoricalDtype
        A dtype accepted by :meth:`pandas.Series.astype`.
    """
    if column.kind == "category":
        ordered = column.categories in ORDERED_VOCABULARIES
        return pd.CategoricalDtype(list(column.categories), ordered=ordered)
    if column.nullable and column.kind in NULLABLE_DTYPES:
        return NULLABLE_DTYPES[column.kind]
    return CANONICAL_DTYPES[column.kind]


def _coerce_column(table: str, column: schema.Column, series: pd.Series) -> pd.Series:
    target = canonical_dtype(column)
    try:
        if isinstance(target, pd.CategoricalDtype):  # values outside the vocabulary -> missing
            series = series.where(series.isin(target.categories))
        return series.astype(target)
    except (ValueError, TypeError) as exc:
        raise DatasetError(
            f"{table}.{column.name}: cannot convert {series.dtype} values to {target} ({exc}); "
            "validate the dataset to see which rows are wrong"
        ) from exc
