"""One row per municipality with every headline figure of the report, for comparisons.

The profile joins the dataset's ``municipalities`` table, the indicator's municipal scores and the
budgets of one budget year. Definitions:

- ``children`` = ``pupils + toddlers`` (pupils of the schools located in the municipality plus the
  resident children aged 2.5-4), the population of the municipal score. A public dataset has no
  toddlers: ``toddlers`` is then missing (unknown, never 0) and ``children`` counts the pupils
  only, as the approximate municipal score does;
- ``target_share`` = ``target_children / children``: the share of those children in the national
  target group (the 15% of pupils with the lowest onderwijsscore; toddlers at or below the same
  boundary);
- ``score_gross`` = the municipal score without threshold (A); ``score`` = with threshold, as
  used for the budget year's GOAB budget;
- ``goab_eur``, ``npo_grant_eur`` (NPO grant to the municipality) and ``npo_schools_eur`` (the NPO
  budgets of its schools together) of the budget year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of :func:`municipality_profile`, in order.
PROFILE_COLUMNS = [
    "municipality_code", "name", "province", "population", "urbanity", "low_income_share",
    "schools", "pupils",
    "toddlers", "children", "target_children", "target_share", "score_gross", "score",
    "goab_eur", "npo_grant_eur", "npo_schools_eur",
]


def municipality_profile(municipalities: pd.DataFrame, municipality_scores: pd.DataFrame,
                         budgets: pd.DataFrame) -> pd.DataFrame:
    """Headline figures of every municipality (see the module docstring for the definitions).

    Parameters
    ----------
    municipalities : pandas.DataFrame
        The dataset's ``municipalities`` table.
    municipality_scores : pandas.DataFrame
        The indicator's municipal scores (``municipality_code, pupils, toddlers,
        target_children, score_gross``).
    budgets : pandas.DataFrame
        One budget year's municipality budgets (``municipality_code, score, schools, goab_eur,
        npo_grant_eur, npo_schools_eur``).

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`, one row per municipality of ``municipalities``, sorted by code.
    """
    scores = municipality_scores.set_index("municipality_code")
    money = budgets.set_index("municipality_code")
    frame = municipalities.sort_values("municipality_code", kind="stable").reset_index(drop=True)
    if "population" not in frame.columns:
        frame["population"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    codes = frame["municipality_code"]
    for column in ("pupils", "target_children", "score_gross"):
        frame[column] = scores[column].reindex(codes).fillna(0).to_numpy()
    frame["toddlers"] = known_toddlers(scores["toddlers"], codes)
    for column in ("score", "schools", "goab_eur", "npo_grant_eur", "npo_schools_eur"):
        frame[column] = money[column].reindex(codes).fillna(0).to_numpy()
    frame["children"] = frame["pupils"] + frame["toddlers"].fillna(0)
    frame["target_share"] = safe_ratio(frame["target_children"], frame["children"])
    return frame[PROFILE_COLUMNS]


def known_toddlers(toddlers: pd.Series, codes: pd.Series) -> np.ndarray:
    """Toddlers per municipality of ``codes``: 0 for a municipality without scores, all NaN
    when the indicator knows no toddlers at all (a public dataset).

    Parameters
    ----------
    toddlers : pandas.Series
        The indicator's ``toddlers`` indexed by municipality code (missing when unknown).
    codes : pandas.Series
        The municipalities of the profile.

    Returns
    -------
    numpy.ndarray
    """
    if len(toddlers) and toddlers.isna().all():
        return np.full(len(codes), np.nan)
    return toddlers.reindex(codes).fillna(0).to_numpy()


def safe_ratio(numerator, denominator) -> np.ndarray:
    """Elementwise ratio, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)
