"""A problem found in a dataset: one way in which it departs from the data model.

:mod:`npo_analysis.data.validation` finds the problems of the tables and the metadata,
:mod:`npo_analysis.data.geometry` those of the polygons; both report them as :class:`Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One way in which a dataset departs from the data model.

    Parameters
    ----------
    table : str
        Table name (or ``"dataset.json"`` / ``"truth.json"`` for metadata problems).
    column : str or None
        Column name; ``None`` for problems of a whole table or of a composite key.
    kind : str
        One of :data:`npo_analysis.data.validation.PROBLEM_KINDS`.
    message : str
        What is wrong, where, and what was expected, e.g.
        ``"negative count in 2 rows (rows 3, 17: -1, -5); expected >= 0"``.
    rows : tuple of (int, object)
        The first offending rows (at most :data:`npo_analysis.data.validation.MAX_SHOWN_ROWS`): position in the table (from 0)
        and the offending value.
    n_rows : int
        Number of offending rows in total (0 for problems not tied to rows).
    source : str, optional
        The dataset directory, when known.
    """

    table: str
    column: str | None
    kind: str
    message: str
    rows: tuple[tuple[int, object], ...] = ()
    n_rows: int = 0
    source: str | None = None

    @property
    def location(self) -> str:
        """``table.column`` (or just ``table``)."""
        return self.table if self.column is None else f"{self.table}.{self.column}"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
