"""Pupils per municipality per year since 1996, on one indeling, and the series a report shows.

DUO's history file (``06 historisch overzicht aantal leerlingen per schoolvestiging``) counts
every school location's pupils on 1 October of each year since 1996, under the location's
*current* municipality. :func:`municipality_pupil_history` sums them per municipality, school
type (``BO``, ``SBO``) and year, counting every school for the municipality it belongs to in the
dataset's indeling in every year (earlier years are not recoded to older boundaries). A count DUO
suppressed as ``<5`` (1 to 4 pupils) is left out of the pupils and counted in
``suppressed_schools``. A school is *open* in a year when it has more than 0 pupils or ``<5``;
``opened`` and ``closed`` count the schools whose open status changed from the year before.

:func:`trend_series` turns the table into the tidy series a report charts: the municipality and
the country as an index (first year with data = 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: School types of the history table.
SCHOOL_TYPES = ("BO", "SBO")
#: Columns of :func:`municipality_pupil_history`.
HISTORY_COLUMNS = ("municipality_code", "school_type", "year", "pupils", "schools",
                   "suppressed_schools", "opened", "closed")


def municipality_pupil_history(counts: pd.DataFrame, municipality: pd.Series) -> pd.DataFrame:
    """Pupils, open schools, ``<5`` schools, openings and closures per municipality and year.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per school x year: ``school_id``, ``school_type``, ``year``, ``pupils``
        (missing where suppressed), ``suppressed`` (bool), as
        :func:`npo_analysis.data.sources.duo.read_pupil_counts` returns them. Types other than
        :data:`SCHOOL_TYPES` are left out.
    municipality : pandas.Series
        School id -> municipality code in the dataset's indeling. Schools without one are left
        out.

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`, one row per municipality x school type x year of the file
        (zeros where a municipality had no school of the type open), sorted.

    Examples
    --------
    >>> counts = pd.DataFrame({"school_id": ["A", "A", "B", "B"], "school_type": "BO",
    ...                        "year": [2000, 2001, 2000, 2001],
    ...                        "pupils": pd.array([10, 0, None, 7], dtype="Int64"),
    ...                        "suppressed": [False, False, True, False]})
    >>> history = municipality_pupil_history(counts, pd.Series({"A": "GM0001", "B": "GM0001"}))
    >>> regular = history[history["school_type"] == "BO"]
    >>> regular[["year", "pupils", "schools", "suppressed_schools", "closed"]].values.tolist()
    [[2000, 10, 2, 1, 0], [2001, 7, 1, 0, 1]]
    """
    kept = counts[counts["school_type"].isin(SCHOOL_TYPES).to_numpy()]
    kept = kept.assign(municipality_code=kept["school_id"].map(municipality))
    kept = kept[kept["municipality_code"].notna().to_numpy()]
    kept = kept.sort_values(["school_id", "year"], kind="stable")
    is_open = kept["suppressed"].to_numpy(bool) | (kept["pupils"].fillna(0).to_numpy() > 0)
    before = pd.Series(is_open, index=kept.index).groupby(kept["school_id"]).shift(1)
    first_year = kept["year"] == kept["year"].min()
    was_open = before.fillna(False).astype(bool).to_numpy()
    frame = kept.assign(
        known=kept["pupils"].fillna(0).astype("int64"),
        open=is_open.astype("int64"),
        suppressed_n=kept["suppressed"].astype("int64"),
        opened_n=(is_open & ~was_open & ~first_year.to_numpy()).astype("int64"),
        closed_n=(~is_open & was_open).astype("int64"))
    sums = (frame.groupby(["municipality_code", "school_type", "year"], sort=True)
            [["known", "open", "suppressed_n", "opened_n", "closed_n"]].sum())
    full = pd.MultiIndex.from_product(
        [sorted(frame["municipality_code"].unique()), list(SCHOOL_TYPES),
         sorted(counts["year"].unique())], names=["municipality_code", "school_type", "year"])
    sums = sums.reindex(full, fill_value=0).reset_index()
    return pd.DataFrame({
        "municipality_code": sums["municipality_code"].astype("str"),
        "school_type": sums["school_type"].astype("str"),
        "year": sums["year"].astype("int64"),
        "pupils": sums["known"].astype("int64"),
        "schools": sums["open"].astype("int64"),
        "suppressed_schools": sums["suppressed_n"].astype("int64"),
        "opened": sums["opened_n"].astype("int64"),
        "closed": sums["closed_n"].astype("int64"),
    })[list(HISTORY_COLUMNS)]


def trend_series(history: pd.DataFrame, code: str, school_type: str = "BO") -> pd.DataFrame:
    """The municipality's and the country's pupils per year, and each as an index.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`municipality_pupil_history` of every municipality (the country is their sum).
    code : str
        The municipality.
    school_type : {"BO", "SBO"}
        Which schools.

    Returns
    -------
    pandas.DataFrame
        One row per area x year from the municipality's first year with pupils on:
        ``area`` (``"municipality"`` or ``"country"``), ``year``, ``pupils``, ``schools``,
        ``suppressed_schools``, ``opened``, ``closed``, ``index`` (pupils / pupils of the first
        year x 100). Empty when the municipality never had pupils of the type.
    """
    rows = history[(history["school_type"] == school_type).to_numpy()]
    measures = ["pupils", "schools", "suppressed_schools", "opened", "closed"]
    own = rows[(rows["municipality_code"] == code).to_numpy()].groupby("year")[measures].sum()
    country = rows.groupby("year")[measures].sum()
    has_pupils = own.index[own["pupils"].to_numpy() > 0]
    if not len(has_pupils):
        return pd.DataFrame(columns=["area", "year", *measures, "index"])
    start = int(has_pupils.min())
    parts = []
    for area, frame in (("municipality", own), ("country", country)):
        frame = frame.loc[frame.index >= start]
        base = float(frame["pupils"].iloc[0])
        parts.append(frame.reset_index().assign(
            area=area, index=frame["pupils"].to_numpy(dtype=float) / base * 100
            if base else np.nan))
    return pd.concat(parts, ignore_index=True)[["area", "year", *measures, "index"]]
