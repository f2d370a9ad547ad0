"""Validation of a dataset against the data model of :mod:`npo_analysis.data.schema`.

Validation happens once, where data enters (:func:`npo_analysis.data.dataset.load_dataset` and
``npo-analysis validate``); the computing code trusts its inputs. Every check runs and every problem
is reported: a problem in one column does not stop the other checks on that column, and a problem in
one table does not stop the other tables. A :class:`Problem` names the table, the column, the first
offending rows (positions counted from 0, in file order) with their values, and what was expected::

    schools.pupils: negative count in 2 rows (rows 3, 17: -1, -5); expected >= 0

Problem kinds (:data:`PROBLEM_KINDS`):

- ``missing_table``, ``missing_column``: a required table or column is absent;
- ``wrong_type``: a value of the wrong type (text in a number column, fractions in an integer
  column, a non-boolean in a boolean column, a number in a text column);
- ``null``: a missing value in a column that does not allow them;
- ``unknown_category``: a value outside the column's vocabulary;
- ``bad_format``: a code that does not match its pattern (``GM0363``, ``WK036301``, BRIN6);
- ``out_of_range``: a number outside the column's minimum and maximum;
- ``duplicate_key``: rows sharing their key;
- ``unknown_reference``: a foreign-key value absent from the referenced table (checked only when
  both tables are present);
- ``pupil_count_mismatch``: ``schools.pupils`` differs from the number of ``pupils`` rows of the
  school (when the ``pupils`` table is present);
- ``inconsistent_range``: ``activities.age_min`` greater than ``age_max``;
- ``code_mismatch``: a neighbourhood code whose digits 3-6 differ from the digits of the
  municipality code in the same row;
- ``bad_metadata``: ``dataset.json`` (or ``truth.json``) is missing or holds wrong values.

Unknown tables and extra columns are allowed and ignored. The checks are vectorised: a national
dataset (1.4 million pupils) validates in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Hashable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.data import schema
from npo_analysis.data.metadata import INFO_FILE, TRUTH_FILE, DatasetInfo, read_raw_tables
from npo_analysis.data.problems import Problem  # noqa: F401  (part of this API)
from npo_analysis.errors import DatasetError

PROBLEM_KINDS: tuple[str, ...] = (
    "missing_table",
    "missing_column",
    "wrong_type",
    "null",
    "unknown_category",
    "bad_format",
    "out_of_range",
    "duplicate_key",
    "unknown_reference",
    "pupil_count_mismatch",
    "inconsistent_range",
    "code_mismatch",
    "bad_metadata",
    "invalid_geometry",
)
#: How many offending rows a problem shows (it always says how many there are in total).
MAX_SHOWN_ROWS = 5
#: Units of columns that count things: a value below 0 is reported as a "negative count".
_COUNT_UNITS = frozenset({"persons", "pupils", "children", "places"})
_TEXT_KINDS = frozenset({"string", "category"})


class ValidationError(DatasetError):
    """A dataset does not match the data model; ``str()`` lists every problem, one per line.

    Parameters
    ----------
    problems : list of Problem
        Everything that is wrong (at least one).
    source : str, optional
        The dataset directory (default: the source recorded in the problems).
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source or next((p.source for p in self.problems if p.source), None)
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = len(self.problems)
        where = f"dataset {self.source}" if self.source else "dataset"
        header = f"{where} does not match the data model ({_plural(count, 'problem')}):"
        return "\n".join([header, *(str(problem) for problem in self.problems)])


# --- Entry points ------------------------------------------------------------------------------


def validate_tables(
    tables: dict[str, pd.DataFrame], *, source: str | None = None, require_all: bool = True
) -> list[Problem]:
    """Check tables against :data:`npo_analysis.data.schema.TABLES` and return every problem.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Table name -> table, as stored or in memory. Unknown tables are ignored.
    source : str, optional
        The dataset directory, recorded in each problem.
    require_all : bool
        Report required tables that are absent (``False`` when only some tables were read).

    Returns
    -------
    list of Problem
        Empty when the tables are valid; ordered by table (schema order), then check.

    Examples
    --------
    >>> frame = pd.DataFrame({"municipality_code": ["GM0363", "GM36"]})
    >>> problems = validate_tables({"municipalities": frame}, require_all=False)
    >>> problems[0].kind, problems[0].rows
    ('bad_format', ((1, 'GM36'),))
    >>> problems[1].kind
    'missing_column'
    """
    problems: list[Problem] = []
    for name, spec in schema.TABLES.items():
        frame = tables.get(name)
        if frame is None:
            if spec.required and require_all:
                problems.append(_missing_table(spec))
            continue
        problems += _table_problems(spec, frame)
        problems += _foreign_key_problems(spec, frame, tables)
    problems += _cross_table_problems(tables)
    return [replace(problem, source=source) for problem in problems]


def validate_info(info: DatasetInfo, *, source: str | None = None) -> list[Problem]:
    """Check the values of a dataset's metadata (``dataset.json``).

    Parameters
    ----------
    info : DatasetInfo
        The metadata, as read by :meth:`DatasetInfo.from_file` (which checks the keys).
    source : str, optional
        The dataset directory, recorded in each problem.

    Returns
    -------
    list of Problem
        One ``bad_metadata`` problem per wrong value.
    """
    checks: tuple[tuple[str, Callable[[object], bool], str], ...] = (
        ("name", lambda v: isinstance(v, str) and v.strip() != "", "a non-empty text"),
        ("synthetic", lambda v: isinstance(v, bool), "true or false"),
        ("count_date", _is_iso_date, "an ISO date YYYY-MM-DD"),
        ("years", _is_year_list, "a list of whole years"),
        ("sources", _is_source_list, 'a list of objects, each with a "name" text'),
        ("generator", lambda v: v is None or isinstance(v, dict), "an object or null"),
    )
    problems = []
    for key, is_valid, expected in checks:
        value = getattr(info, key)
        if not is_valid(value):
            message = f"{value!r} is not valid; expected {expected}"
            problems.append(Problem(INFO_FILE, key, "bad_metadata", message, source=source))
    return problems


def validate_dataset(directory: str | Path) -> list[Problem]:
    """Check a dataset directory: ``dataset.json``, ``truth.json``, every Parquet table and the
    geometry file when present (:func:`npo_analysis.data.geometry.geometry_problems`).

    Parameters
    ----------
    directory : path-like
        The dataset directory.

    Returns
    -------
    list of Problem
        Every problem found (empty when the dataset is valid).

    Raises
    ------
    DatasetError
        When the directory does not exist or a table is not readable Parquet (names the file).
    """
    directory = Path(directory)
    tables = read_raw_tables(directory)
    source = str(directory)
    problems = _info_problems(directory, source) + _truth_problems(directory, source)
    return problems + validate_tables(tables, source=source) + _geometry_problems(directory,
                                                                                   tables, source)


def _geometry_problems(directory: Path, tables: dict[str, pd.DataFrame], source: str
                       ) -> list[Problem]:
    """Problems of the optional geometry file (:mod:`npo_analysis.data.geometry`)."""
    from npo_analysis.data import geometry

    if not geometry.has_geometry(directory):
        return []
    try:
        frame = geometry.read_geometry_file(directory / geometry.GEOMETRY_FILE)
    except geometry.GeometryError as exc:
        return [Problem(geometry.GEOMETRY_TABLE, None, "invalid_geometry", str(exc),
                        source=source)]
    return [replace(p, source=source) for p in geometry.geometry_problems(frame, tables)]


def _info_problems(directory: Path, source: str) -> list[Problem]:
    path = directory / INFO_FILE
    try:
        info = DatasetInfo.from_file(path)
    except (DatasetError, TypeError) as exc:
        message = str(exc).removeprefix(f"{path}: ")
        return [Problem(INFO_FILE, None, "bad_metadata", message, source=source)]
    return validate_info(info, source=source)


def _truth_problems(directory: Path, source: str) -> list[Problem]:
    path = directory / TRUTH_FILE
    if not path.exists():
        return []
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        message = f"not valid JSON ({exc}); expected a JSON object"
        return [Problem(TRUTH_FILE, None, "bad_metadata", message, source=source)]
    if not isinstance(truth, dict):
        message = f"holds a {type(truth).__name__}; expected a JSON object"
        return [Problem(TRUTH_FILE, None, "bad_metadata", message, source=source)]
    return []


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_year_list(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(y, int) and not isinstance(y, bool) for y in value
    )


def _is_source_list(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in value
    )


# --- One table ---------------------------------------------------------------------------------


def _missing_table(spec: schema.Table) -> Problem:
    message = (f"required table is missing; expected {spec.name}.parquet "
               f"({spec.description.rstrip('.')})")
    return Problem(spec.name, None, "missing_table", message)


def _table_problems(spec: schema.Table, frame: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    for col in spec.columns:
        if col.name in frame.columns:
            problems += _column_problems(spec.name, col, frame[col.name])
        elif col.required:
            expected = f"{_article(col.kind)} {col.kind} column"
            message = (f"required column is missing; expected {expected} "
                       f"({col.description.rstrip('.')})")
            problems.append(Problem(spec.name, col.name, "missing_column", message))
    problems += _optional(_key_problem(spec, frame))
    return problems


def _column_problems(table: str, col: schema.Column, series: pd.Series) -> list[Problem]:
    if isinstance(series, pd.DataFrame):  # duplicated column name: check the first one
        series = series.iloc[:, 0]
    found = []
    if not col.nullable:
        found.append(_row_problem(table, col.name, "null", "missing value", series.isna(),
                                  series, "a value in every row"))
    if col.kind in _TEXT_KINDS:
        found += _text_problems(table, col, series)
    elif col.kind == "bool":
        found.append(_bool_problem(table, col, series))
    else:
        found += _number_problems(table, col, series)
    return _optional(*found)


def _optional(*problems: Problem | None) -> list[Problem]:
    return [p for p in problems if p is not None]


# --- Text and category columns -----------------------------------------------------------------


def _text_problems(table: str, col: schema.Column, series: pd.Series) -> list[Problem | None]:
    wrong, found_text = _not_text(series)
    problems = [_row_problem(table, col.name, "wrong_type", found_text, wrong, series, "text")]
    if col.categories is not None:
        allowed = set(col.categories)
        problems.append(_value_problem(table, col, series, wrong, lambda u: u in allowed,
                                       "unknown_category", "unknown category",
                                       "one of " + ", ".join(col.categories)))
    if col.pattern is not None:
        matches = _pattern_matcher(col.pattern)
        problems.append(_value_problem(table, col, series, wrong, matches, "bad_format",
                                       "bad code format", f"text matching {col.pattern}"))
    return problems


def _not_text(series: pd.Series) -> tuple[np.ndarray, str]:
    """Mask of non-missing values that are not text, and how to describe them."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        odd = [c for c in dtype.categories if not isinstance(c, str)]
        return series.isin(odd).to_numpy(), "non-text values"
    if pd.api.types.is_object_dtype(dtype):
        if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            return np.zeros(len(series), dtype=bool), ""
        is_text = series.map(lambda v: isinstance(v, str), na_action="ignore")
        return (series.notna() & ~is_text.astype(bool)).to_numpy(), "non-text values"
    if pd.api.types.is_string_dtype(dtype):
        return np.zeros(len(series), dtype=bool), ""
    return series.notna().to_numpy(), f"{dtype} values"


def _value_problem(table, col, series, wrong, is_valid, kind, what, expected) -> Problem | None:
    """Check each distinct text value once, then mark the rows holding a bad one."""
    candidates = series[~wrong].dropna()
    bad = [value for value in pd.unique(candidates) if not is_valid(value)]
    if not bad:
        return None
    return _row_problem(table, col.name, kind, what, series.isin(bad), series, expected)


def _pattern_matcher(pattern: str) -> Callable[[object], bool]:
    compiled = re.compile(pattern)
    return lambda value: compiled.fullmatch(value) is not None


# --- Boolean and numeric columns ---------------------------------------------------------------


def _bool_problem(table: str, col: schema.Column, series: pd.Series) -> Problem | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return None
    if pd.api.types.is_object_dtype(dtype):
        is_bool = series.map(lambda v: isinstance(v, (bool, np.bool_)), na_action="ignore")
        wrong = series.notna() & ~is_bool.astype(bool)
    else:
        wrong = series.notna()
    return _row_problem(table, col.name, "wrong_type", "non-boolean values", wrong, series,
                        "true or false")


def _number_problems(table: str, col: schema.Column, series: pd.Series) -> list[Problem | None]:
    numbers, wrong, found = _as_numbers(series)
    expected = "whole numbers" if col.kind == "int" else "numbers"
    problems = [_row_problem(table, col.name, "wrong_type", found, wrong, series, expected)]
    values = numbers.to_numpy()
    with np.errstate(invalid="ignore"):
        if col.kind == "int":
            odd = ~np.isnan(values) & ((~np.isfinite(values)) | (values != np.round(values)))
            problems.append(_row_problem(table, col.name, "wrong_type", "fractional numbers",
                                         odd, series, "whole numbers"))
        else:
            problems.append(_row_problem(table, col.name, "wrong_type", "infinite numbers",
                                         np.isinf(values), series, "finite numbers"))
    problems.append(_range_problem(table, col, values, series))
    return problems


def _as_numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray, str]:
    """The values as float64 (NaN where missing or not a number), the mask of non-numbers, and
    how to describe them."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return series.astype("float64"), np.zeros(len(series), dtype=bool), ""
    if pd.api.types.is_object_dtype(dtype):
        is_number = series.map(_is_number, na_action="ignore").fillna(False).astype(bool)
        numbers = pd.to_numeric(series.where(is_number), errors="coerce").astype("float64")
        return numbers, (series.notna() & ~is_number).to_numpy(), "non-numeric values"
    found = "text values" if pd.api.types.is_string_dtype(dtype) else f"{dtype} values"
    nan = pd.Series(np.nan, index=series.index, dtype="float64")
    return nan, series.notna().to_numpy(), found


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _range_problem(table, col: schema.Column, values: np.ndarray, series) -> Problem | None:
    low, high = col.minimum, col.maximum
    if low is None and high is None:
        return None
    with np.errstate(invalid="ignore"):
        outside = np.zeros(len(values), dtype=bool)
        if low is not None:
            outside |= values < low
        if high is not None:
            outside |= values > high
    if low == 0 and high is None:
        what = "negative count" if col.unit in _COUNT_UNITS else "negative value"
    else:
        what = "value out of range"
    return _row_problem(table, col.name, "out_of_range", what, outside, series,
                        describe_range(low, high))


def describe_range(minimum: float | None, maximum: float | None) -> str:
    """Describe an inclusive value range in words, e.g. ``">= 0"`` or ``"between 1 and 5"``.

    Parameters
    ----------
    minimum, maximum : float or None
        The bounds (``None`` when open).

    Returns
    -------
    str
        The description; ``""`` when both bounds are ``None``.
    """
    if minimum is None and maximum is None:
        return ""
    if maximum is None:
        return f">= {_number_text(minimum)}"
    if minimum is None:
        return f"<= {_number_text(maximum)}"
    return f"between {_number_text(minimum)} and {_number_text(maximum)}"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- Keys --------------------------------------------------------------------------------------


def _key_problem(spec: schema.Table, frame: pd.DataFrame) -> Problem | None:
    key = list(spec.key)
    if not set(key) <= set(frame.columns):
        return None
    keys = pd.DataFrame({name: _comparable(frame[name]) for name in key})
    duplicated = keys.duplicated(keep=False).to_numpy()
    single = len(key) == 1
    what = "duplicate key" if single else f"duplicate key ({', '.join(key)})"
    values = frame[key[0]] if single else frame[key]
    return _row_problem(spec.name, key[0] if single else None, "duplicate_key", what,
                        duplicated, values, f"each {' + '.join(key)} only once")


def _foreign_key_problems(spec: schema.Table, frame: pd.DataFrame,
                          tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for fk in spec.foreign_keys:
        ref = tables.get(fk.ref_table)
        if ref is None or fk.column not in frame.columns or fk.ref_column not in ref.columns:
            continue
        values = _comparable(frame[fk.column])
        distinct = pd.Index(pd.unique(values.dropna()))
        unknown = distinct[~distinct.isin(pd.unique(_comparable(ref[fk.ref_column]).dropna()))]
        if len(unknown) == 0:
            continue
        target = f"{fk.ref_table}.{fk.ref_column}"
        problems.append(_row_problem(spec.name, fk.column, "unknown_reference",
                                     f"unknown {fk.column}", values.isin(list(unknown)), values,
                                     f"a value present in {target}"))
    return problems


def _comparable(series: pd.Series) -> pd.Series:
    """The values, with unhashable ones (lists, arrays) replaced by their text, so that keys and
    references can be compared; such values are already reported as of the wrong type."""
    if not pd.api.types.is_object_dtype(series.dtype):
        return series
    return series.map(lambda v: v if isinstance(v, Hashable) else repr(v))


# --- Rules across columns and tables -----------------------------------------------------------


def _cross_table_problems(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    found = [
        _pupil_count_problem(tables.get("schools"), tables.get("pupils")),
        _age_order_problem(tables.get("activities")),
    ]
    for name in ("neighbourhoods", "schools"):
        found.append(_code_mismatch_problem(name, tables.get(name)))
    return _optional(*found)


def _pupil_count_problem(schools: pd.DataFrame | None,
                         pupils: pd.DataFrame | None) -> Problem | None:
    if schools is None or pupils is None:
        return None
    if not {"school_id", "pupils"} <= set(schools.columns) or "school_id" not in pupils.columns:
        return None
    counts = _comparable(pupils["school_id"]).value_counts()
    counted = _comparable(schools["school_id"]).map(counts).fillna(0)
    stated, _, _ = _as_numbers(schools["pupils"])
    mismatch = (stated.notna() & (stated != counted.astype("float64"))).to_numpy()
    values = pd.Series([
        _Literal(f"{_shown(school)} says {_number_text(n)}, pupils table has {int(c)}")
        for school, n, c in zip(schools["school_id"][mismatch], stated[mismatch],
                                counted[mismatch], strict=True)
    ], dtype=object)
    return _row_problem("schools", "pupils", "pupil_count_mismatch",
                        "pupil count differs from the pupils table", mismatch, values,
                        "the number of pupils rows with that school_id", compact=True)


def _age_order_problem(activities: pd.DataFrame | None) -> Problem | None:
    if activities is None or not {"age_min", "age_max"} <= set(activities.columns):
        return None
    low, _, _ = _as_numbers(activities["age_min"])
    high, _, _ = _as_numbers(activities["age_max"])
    reversed_ = (low > high).to_numpy()
    values = pd.Series([_Literal(f"{_number_text(a)} > {_number_text(b)}")
                        for a, b in zip(low[reversed_], high[reversed_], strict=True)],
                       dtype=object)
    return _row_problem("activities", "age_min", "inconsistent_range",
                        "age_min greater than age_max", reversed_, values,
                        "age_min <= age_max", compact=True)


def _code_mismatch_problem(name: str, frame: pd.DataFrame | None) -> Problem | None:
    if frame is None or not {"neighbourhood_code", "municipality_code"} <= set(frame.columns):
        return None
    wijk = frame["neighbourhood_code"].astype("str")
    gemeente = frame["municipality_code"].astype("str")
    well_formed = (wijk.str.fullmatch(schema.NEIGHBOURHOOD_CODE).fillna(False).astype(bool)
                   & gemeente.str.fullmatch(schema.MUNICIPALITY_CODE).fillna(False).astype(bool))
    mismatch = (well_formed & (wijk.str[2:6] != gemeente.str[2:6])).to_numpy()
    values = pd.Series([_Literal(f"{_shown(w)} in {_shown(g)}")
                        for w, g in zip(wijk[mismatch], gemeente[mismatch], strict=True)],
                       dtype=object)
    return _row_problem(name, "neighbourhood_code", "code_mismatch",
                        "neighbourhood code does not belong to the municipality", mismatch,
                        values, "WK + the municipality's 4 digits + 2 digits", compact=True)


# --- Building problems -------------------------------------------------------------------------


class _Literal(str):
    """A value shown as it is (already formatted), not quoted."""


def _row_problem(table: str, column: str | None, kind: str, what: str, mask, values,
                 expected: str, compact: bool = False) -> Problem | None:
    """A problem for the rows where ``mask`` is true, or ``None`` when there are none.

    ``values`` holds the value to show per row (a Series or, for composite keys, a DataFrame),
    aligned with ``mask`` by position; with ``compact`` it holds only the offending rows.
    """
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    if positions.size == 0:
        return None
    shown = positions[:MAX_SHOWN_ROWS]
    lookup = range(len(shown)) if compact else shown
    rows = tuple((int(p), _value_at(values, int(i))) for p, i in zip(shown, lookup, strict=True))
    message = (f"{what} in {_plural(positions.size, 'row')} "
               f"({_rows_text(rows, positions.size)}); expected {expected}")
    return Problem(table, column, kind, message, rows, int(positions.size))


def _value_at(values, position: int) -> object:
    if isinstance(values, pd.DataFrame):
        return tuple(_plain(v) for v in values.iloc[position])
    return _plain(values.iloc[position])


def _plain(value: object) -> object:
    """A Python value for display: numpy scalars unwrapped, every kind of missing as ``None``."""
    if isinstance(value, _Literal):
        return value
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value.item() if isinstance(value, np.generic) else value


def _rows_text(rows: tuple[tuple[int, object], ...], total: int) -> str:
    positions = ", ".join(str(p) for p, _ in rows)
    values = ", ".join(_value_text(v) for _, v in rows)
    more = ", ..." if total > len(rows) else ""
    label = "row" if total == 1 else ("first rows" if more else "rows")
    return f"{label} {positions}{more}: {values}{more}"


def _value_text(value: object) -> str:
    if isinstance(value, _Literal):
        return str(value)
    if value is None:
        return "missing"
    if isinstance(value, tuple):
        return "(" + ", ".join(_value_text(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value) if isinstance(value, str) else str(value)


def _shown(value: object) -> str:
    return _value_text(_plain(value))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _article(word: str) -> str:
    """'a' or 'an' before ``word`` (for messages such as 'expected an int column')."""
    return "an" if word[:1] in "aeiou" else "a"
