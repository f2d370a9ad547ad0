"""Parquet tables read once per process and sliced in memory: the report kernels' data cache.

A warm report kernel (:mod:`npo_analysis.batch.engine`) builds one municipality's report after
another from the same national files. Reading a municipality's slice with a Parquet filter
decodes the whole file every time (``test_results`` of the national Demoland: two million rows,
about 70 ms per report); here a table is read once, its rows are indexed by the column the
reports filter on, and every later slice is an in-memory selection (well under a millisecond).

The results are exactly what :func:`pandas.read_parquet` returns for the same request: the same
columns, dtypes and row order (file order), with a fresh ``RangeIndex``. The cache is a pure
function of the file's content:

* an entry is keyed by the resolved path and checked against the file's inode, size and
  modification time on every call, so a rewritten file (our writers replace files atomically:
  a new inode) is read again;
* callers get new frames (a selection, or a shallow copy under pandas' copy-on-write), never the
  cached frame itself, so a notebook that changes its data cannot change the next report's;
* the cache holds at most :data:`LIMIT_VARIABLE` megabytes (default :data:`DEFAULT_LIMIT_MB`),
  least recently used tables leave first; a table larger than the limit is not kept, and
  ``NPO_TABLE_CACHE_MB=0`` turns the cache off (every call reads the file).

This is a cache of the kind the warm kernel may keep between notebooks (see
:mod:`npo_analysis.batch.kernel_state`: a pure function of its inputs), and the engine's
isolation test covers it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Environment variable with the cache's size limit in megabytes (0: no cache).
LIMIT_VARIABLE = "NPO_TABLE_CACHE_MB"
#: Size limit per process when :data:`LIMIT_VARIABLE` is not set.
DEFAULT_LIMIT_MB = 2048


@dataclass
class _Entry:
    """One cached table: the frame, the file signature it was read with, its row indexes."""

    signature: tuple[int, int, int]
    frame: pd.DataFrame
    nbytes: int
    indexes: dict[str, dict] = field(default_factory=dict)

    def positions(self, column: str, values: Iterable) -> np.ndarray:
        """Row positions whose ``column`` is one of ``values``, in file order."""
        if column not in self.indexes:
            self.indexes[column] = self.frame.groupby(column, sort=False, observed=True,
                                                      dropna=True).indices
        index = self.indexes[column]
        found = [index[v] for v in dict.fromkeys(values) if v in index]
        if not found:
            return np.empty(0, dtype=np.intp)
        return found[0] if len(found) == 1 else np.sort(np.concatenate(found))


_entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
_lock = threading.RLock()


def limit_bytes() -> int:
    """The cache's size limit in bytes (:data:`LIMIT_VARIABLE`, default
    :data:`DEFAULT_LIMIT_MB`)."""
    value = os.environ.get(LIMIT_VARIABLE, "")
    try:
        megabytes = float(value) if value.strip() else DEFAULT_LIMIT_MB
    except ValueError:
        raise ValueError(f"{LIMIT_VARIABLE}={value!r}: expected a number of megabytes "
                         "(0 turns the table cache off)") from None
    return int(max(megabytes, 0) * 2**20)


def _signature(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _entry(path: Path, kind: str, load: Callable[[Path], pd.DataFrame]) -> _Entry | None:
    """The cached table of ``path`` (read with ``load`` when absent or stale), or ``None``
    when it does not fit in the cache."""
    key = (str(path.resolve()), kind)
    signature = _signature(path)
    limit = limit_bytes()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry.signature == signature:
            _entries.move_to_end(key)
            return entry
        _entries.pop(key, None)
        if limit == 0:
            return None
        frame = load(path)
        entry = _Entry(signature, frame, int(frame.memory_usage(index=True, deep=True).sum()))
        if entry.nbytes > limit:
            return None
        _entries[key] = entry
        while sum(e.nbytes for e in _entries.values()) > limit:
            _entries.popitem(last=False)
        return entry


def _select(frame: pd.DataFrame, columns: list[str] | None,
            positions: np.ndarray | None) -> pd.DataFrame:
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise KeyError(f"columns {missing} are not in the table (it has {list(frame.columns)})")
        frame = frame[list(columns)]
    if positions is None:
        return frame.copy(deep=False)
    return frame.take(positions).reset_index(drop=True)


def cached_table(path: str | Path, load: Callable[[Path], pd.DataFrame], *, kind: str,
                 columns: list[str] | None = None,
                 where: tuple[str, Iterable] | None = None) -> pd.DataFrame:
    """A table read by ``load(path)`` once per process, then selected in memory.

    Parameters
    ----------
    path : path-like
        The file.
    load : callable
        Reads the whole file into a frame (e.g. with canonical dtypes); called again when the
        file changed, or on every call when the table does not fit in the cache.
    kind : str
        Names what ``load`` makes of the file: a file read by two loaders is cached twice.
    columns : list of str, optional
        Only these columns, in this order.
    where : (str, iterable), optional
        ``(column, values)``: only the rows whose ``column`` is one of ``values``, in file order.

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex`` when ``where`` is given.
    """
    path = Path(path)
    entry = _entry(path, kind, load)
    frame = load(path) if entry is None else entry.frame
    if where is None:
        return _select(frame, columns, None)
    column, values = where
    values = list(values)
    if entry is None:
        mask = frame[column].isin(values).to_numpy()
        return _select(frame, columns, np.flatnonzero(mask))
    return _select(frame, columns, entry.positions(column, values))


def _read_whole(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def read_parquet(path: str | Path, columns: list[str] | None = None,
                 where: tuple[str, Iterable] | None = None) -> pd.DataFrame:
    """:func:`pandas.read_parquet` of ``path``, from the cache (see the module docstring).

    Parameters
    ----------
    path : path-like
        A Parquet file.
    columns : list of str, optional
        Only these columns.
    where : (str, iterable), optional
        ``(column, values)``: the rows whose ``column`` is one of ``values``, as
        ``pandas.read_parquet(path, filters=[(column, "in", values)])`` returns them.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> read_parquet("outputs/data/small/schools.parquet",
    ...              where=("municipality_code", ["GM0032"]))  # doctest: +SKIP
    """
    return cached_table(path, _read_whole, kind="parquet", columns=columns, where=where)


def clear() -> None:
    """Forget every cached table (e.g. to measure a cold start)."""
    with _lock:
        _entries.clear()


def cached_megabytes() -> float:
    """Megabytes the cached tables hold now."""
    with _lock:
        return sum(e.nbytes for e in _entries.values()) / 2**20
