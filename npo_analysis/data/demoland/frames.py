"""Building tables with exactly the columns and dtypes of :mod:`npo_analysis.data.schema`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data import schema
from npo_analysis.data.dataset import coerce_table


def typed_frame(table: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Return a DataFrame of ``table`` with schema dtypes, in the schema's column order.

    Parameters
    ----------
    table : str
        Name of a table in :data:`npo_analysis.data.schema.TABLES`.
    columns : dict of str to numpy.ndarray
        Values per column. A category column may be given as integer codes (index into its
        vocabulary, -1 = missing) or as strings.

    Returns
    -------
    pandas.DataFrame
        The canonical dtypes of :func:`npo_analysis.data.dataset.coerce_table`: "string" -> ``str``,
        "int" -> int64 (``Int64`` when nullable), "float" -> float64, "bool" -> bool,
        "category" -> ``pd.Categorical`` with the schema vocabulary (education levels ordered).

    Raises
    ------
    ValueError
        When a column of the schema is not given, or an unknown column is.
    """
    spec = schema.TABLES[table]
    missing = [c for c in spec.column_names if c not in columns]
    unknown = [c for c in columns if c not in spec.column_names]
    if missing or unknown:
        raise ValueError(f"table {table!r}: columns missing {missing}, unknown {unknown}")
    frame = pd.DataFrame({col.name: _typed(col, columns[col.name]) for col in spec.columns})
    return coerce_table(table, frame)  # the loader's canonical dtypes (nullable ints as Int64)


def _typed(col: schema.Column, values) -> pd.Series | pd.Categorical | np.ndarray:
    if col.kind == "category":
        return _categorical(col, values)
    if col.kind == "string":
        return pd.Series(np.asarray(values, dtype=object), dtype="str")
    dtype = {"int": np.int64, "float": np.float64, "bool": np.bool_}[col.kind]
    return np.asarray(values).astype(dtype)


def _categorical(col: schema.Column, values) -> pd.Categorical:
    ordered = col.categories == schema.EDUCATION_LEVELS
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.integer):
        return pd.Categorical.from_codes(values, categories=list(col.categories),
                                         ordered=ordered)
    return pd.Categorical(values, categories=list(col.categories), ordered=ordered)
