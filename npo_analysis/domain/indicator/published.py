"""Working with published CBS school scores when no pupil microdata are available.

Summed over all schools, A = n_target x (C - G) with n_target = target_share x the pupils, so
C - G can be recovered from the published gross scores and pupil counts:
C - G = sum(A) / (target_share x sum(E)). With it the threshold can be (re)applied to gross
scores, e.g. with another fraction F. For 2019 this reproduces every published thresholded score.

:func:`read_cbs_school_scores` is a minimal reader of the CBS workbook "Achterstandsscores
basisscholen" (Tabel 1 and Tabel 2 joined on the school).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.data.sources.cbs import (  # noqa: F401  (estimate_c_minus_g: part of this API)
    _checked_pair,
    estimate_c_minus_g,
)
from npo_analysis.domain.indicator.scores import round_half_up, thresholded_scores

SCHOOL_PATTERN = re.compile(r"^[0-9A-Z]{4}[0-9]{2}$")


def apply_threshold(score_gross, pupils, c_minus_g: float, fraction: float = 0.12) -> np.ndarray:
    """Thresholded scores max(0, A - fraction x E x (C - G)), rounded to 2 decimals.

    Parameters
    ----------
    score_gross : array-like of float
        A of each school.
    pupils : array-like of int
        E of each school.
    c_minus_g : float
        C - G (e.g. from :func:`estimate_c_minus_g`).
    fraction : float
        F of the threshold (0.12).

    Returns
    -------
    numpy.ndarray of float

    Examples
    --------
    >>> apply_threshold([100.0, 5.0], [100, 100], c_minus_g=5.8).tolist()
    [30.4, 0.0]
    """
    gross, counts = _checked_pair(score_gross, pupils)
    if not np.isfinite(c_minus_g) or c_minus_g < 0:
        raise ValueError(f"c_minus_g={c_minus_g}: expected a finite number >= 0")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction={fraction}: expected a fraction in [0, 1]")
    return thresholded_scores(gross, counts, c_minus_g, fraction)


def _table_rows(sheet: pd.DataFrame, columns: list[str], path: Path, name: str) -> pd.DataFrame:
    """The school rows of a raw CBS sheet (first cell a BRIN6), named ``columns``."""
    first = sheet.iloc[:, 0].astype(str).str.strip()
    rows = sheet[first.str.match(SCHOOL_PATTERN).to_numpy()]
    if rows.empty or rows.shape[1] < len(columns):
        raise ValueError(f"{path}, sheet {name!r}: no school rows with {len(columns)} columns; "
                         f"expected a CBS 'Achterstandsscores basisscholen' table")
    rows = rows.iloc[:, : len(columns)].set_axis(columns, axis=1)
    return rows.assign(school_id=rows["school_id"].astype(str).str.strip())


def read_cbs_school_scores(path: str | Path) -> pd.DataFrame:
    """Read a CBS "Achterstandsscores basisscholen" workbook (Tabel 1 joined with Tabel 2).

    Parameters
    ----------
    path : path-like
        The ``.xlsx`` workbook (read with the ``calamine`` engine; openpyxl cannot open it).

    Returns
    -------
    pandas.DataFrame
        One row per school: ``school_id, pupils, score, flag, score_gross,
        score_gross_onderbouw, score_gross_bovenbouw, flag_detail`` (flags ``""`` when none).
    """
    path = Path(path)
    sheets = pd.read_excel(path, sheet_name=["Tabel 1", "Tabel 2"], engine="calamine",
                           header=None)
    first = _table_rows(sheets["Tabel 1"], ["school_id", "pupils", "score", "flag"], path,
                        "Tabel 1")
    second = _table_rows(sheets["Tabel 2"], ["school_id", "score_gross", "score_gross_onderbouw",
                                             "score_gross_bovenbouw", "flag_detail"], path,
                         "Tabel 2")
    joined = first.merge(second, on="school_id", how="inner", validate="one_to_one")
    if len(joined) != len(first) or len(joined) != len(second):
        raise ValueError(f"{path}: Tabel 1 has {len(first)} schools, Tabel 2 {len(second)}, "
                         f"{len(joined)} in both; expected the same schools")
    numeric = ["score", "score_gross", "score_gross_onderbouw", "score_gross_bovenbouw"]
    return joined.assign(
        pupils=pd.to_numeric(joined["pupils"]).astype(np.int64),
        **{column: pd.to_numeric(joined[column]).astype(float) for column in numeric},
        **{column: joined[column].fillna("").astype(str).str.strip()
           for column in ("flag", "flag_detail")},
    ).reset_index(drop=True)


#: Columns averaged over count dates by :func:`combine_count_dates`.
AVERAGED_COLUMNS = ("pupils", "score_gross", "score_gross_onderbouw", "score_gross_bovenbouw",
                    "score")


def count_dates_of(scores: pd.DataFrame) -> list[str]:
    """The distinct count dates (ISO text) of a ``published_school_scores`` table, sorted
    (empty when it has no ``count_date`` column)."""
    if "count_date" not in scores.columns:
        return []
    return sorted(str(d) for d in scores["count_date"].dropna().unique())


def combine_count_dates(scores: pd.DataFrame, weights: dict) -> pd.DataFrame:
    """Average the published scores of several count dates per school, by a count-date rule.

    CBS funds a budget year with the average of the scores of two count dates (budget year
    2024: 1 February 2022 and 1 February 2023, CBS maatwerk 2024/27); the rule is
    ``count_dates`` of ``params/<year>.yaml``.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``published_school_scores`` with a ``count_date`` column (ISO text).
    weights : dict
        Count date (``datetime.date`` or ISO text) -> weight, adding up to 1.

    Returns
    -------
    pandas.DataFrame
        One row per school: :data:`AVERAGED_COLUMNS` averaged with the weights (``score``
        rounded to 2 decimals, ``pupils`` to a whole number, half up), the CBS flags of the
        school's latest count date and ``count_date`` that date. A school missing from one of
        the count dates (opened or closed in between) is averaged over the dates it has, with
        their weights rescaled to add up to 1.

    Raises
    ------
    ValueError
        When a count date of the rule is not in the table (names the dates it has).

    Examples
    --------
    >>> scores = pd.DataFrame({"school_id": ["A", "A"], "count_date": ["2022-02-01",
    ...     "2023-02-01"], "pupils": [100, 110], "score_gross": [50.0, 60.0],
    ...     "score_gross_onderbouw": [20.0, 25.0], "score_gross_bovenbouw": [30.0, 35.0],
    ...     "score": [10.0, 20.01], "flag": ["", ""], "flag_parts": ["", "b"]})
    >>> combined = combine_count_dates(scores, {"2022-02-01": 0.5, "2023-02-01": 0.5})
    >>> combined[["pupils", "score_gross", "score", "flag_parts"]].values.tolist()
    [[105, 55.0, 15.01, 'b']]
    """
    rule = {str(date): float(weight) for date, weight in weights.items()}
    present = count_dates_of(scores)
    missing = sorted(set(rule) - set(present))
    if missing:
        raise ValueError(f"count dates {missing} of the count-date rule are not in the scores "
                         f"(count dates present: {present})")
    rows = scores[scores["count_date"].astype(str).isin(rule).to_numpy()]
    rows = rows.assign(weight=rows["count_date"].astype(str).map(rule))
    rows = rows.assign(weight=rows["weight"] / rows.groupby("school_id")["weight"]
                       .transform("sum"))
    averaged = pd.DataFrame({column: rows[column].astype(float) * rows["weight"]
                             for column in AVERAGED_COLUMNS}).groupby(rows["school_id"]).sum()
    latest = (rows.sort_values(["school_id", "count_date"], kind="stable")
              .drop_duplicates("school_id", keep="last").set_index("school_id"))
    return pd.DataFrame({
        "school_id": averaged.index.astype("str"),
        "pupils": round_half_up(averaged["pupils"].to_numpy(), 0).astype(np.int64),
        "score_gross": averaged["score_gross"].to_numpy(),
        "score_gross_onderbouw": averaged["score_gross_onderbouw"].to_numpy(),
        "score_gross_bovenbouw": averaged["score_gross_bovenbouw"].to_numpy(),
        "score": round_half_up(averaged["score"].to_numpy(), 2),
        "flag": latest.loc[averaged.index, "flag"].to_numpy(),
        "flag_parts": latest.loc[averaged.index, "flag_parts"].to_numpy(),
        "count_date": latest.loc[averaged.index, "count_date"].astype(str).to_numpy(),
    }).reset_index(drop=True)
