"""Data: the key figures of a municipality beside its province, its peers and the Netherlands.

Every figure of a comparison group is computed from the group's totals: counts and amounts are
sums over the group's municipalities; a share or an amount per child is the ratio of the group's
sums (``target_share = sum(target_children) / sum(pupils + toddlers)``), so a large municipality
weighs in proportion to its size. The province includes the municipality itself; the peer group
does not. A sum over a group is unknown (NaN) when one of its municipalities lacks the figure:
a public dataset knows no toddlers, and a partial sum would read as a count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.formatting import (
    format_count,
    format_eur,
    format_number,
    format_pct,
    is_missing,
    suppress_small,
)
from npo_analysis.report.text import label

#: (figure, kind) in report order; the kind decides how a value is aggregated and formatted.
FIGURES: tuple[tuple[str, str], ...] = (
    ("schools", "count"),
    ("pupils", "count"),
    ("toddlers", "count"),
    ("target_children", "group_count"),
    ("target_share", "share"),
    ("score_gross", "score"),
    ("score", "score"),
    ("goab_eur", "eur"),
    ("goab_per_target_child", "eur"),
    ("npo_grant_eur", "eur"),
    ("npo_schools_eur", "eur"),
    ("npo_schools_per_pupil", "eur"),
)
GROUPS = ("municipality", "province", "peers", "netherlands")
_SUMMED = ["schools", "pupils", "toddlers", "children", "target_children", "score_gross",
           "score", "goab_eur", "npo_grant_eur", "npo_schools_eur"]


def group_totals(profile: pd.DataFrame) -> dict[str, float]:
    """Sums and ratio figures of a group of municipalities.

    Parameters
    ----------
    profile : pandas.DataFrame
        Rows of :func:`npo_analysis.report.profile.municipality_profile` for the group.

    Returns
    -------
    dict
        Every figure of :data:`FIGURES` (NaN ratios for an empty group; NaN sums where a
        municipality's value is missing).
    """
    sums = {column: float(profile[column].sum(skipna=False)) for column in _SUMMED}

    def ratio(num: str, den: str) -> float:
        return sums[num] / sums[den] if sums[den] > 0 else np.nan

    return {**sums,
            "target_share": ratio("target_children", "children"),
            "goab_per_target_child": ratio("goab_eur", "target_children"),
            "npo_schools_per_pupil": ratio("npo_schools_eur", "pupils")}


def comparison_groups(profile: pd.DataFrame, code: str, peers: list[str]
                      ) -> dict[str, pd.DataFrame]:
    """The profile rows of the municipality, its province, its peers and the Netherlands.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.
    code : str
        The municipality.
    peers : list of str
        Its peer group.

    Returns
    -------
    dict
        ``{"municipality", "province", "peers", "netherlands"} -> rows``.
    """
    own = profile[profile["municipality_code"] == code]
    province = own["province"].iloc[0]
    return {
        "municipality": own,
        "province": profile[profile["province"] == province],
        "peers": profile[profile["municipality_code"].isin(peers)],
        "netherlands": profile,
    }


def key_figures(profile: pd.DataFrame, code: str, peers: list[str]) -> pd.DataFrame:
    """The key figures of one municipality beside its comparison groups.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality (:func:`~npo_analysis.report.profile.municipality_profile`).
    code : str
        The municipality.
    peers : list of str
        Its peer group.

    Returns
    -------
    pandas.DataFrame
        One row per figure of :data:`FIGURES`: ``figure``, ``kind``, and one float column per
        group of :data:`GROUPS`.
    """
    totals = {group: group_totals(rows)
              for group, rows in comparison_groups(profile, code, peers).items()}
    rows = [{"figure": figure, "kind": kind, **{g: totals[g][figure] for g in GROUPS}}
            for figure, kind in FIGURES]
    return pd.DataFrame(rows)


def format_value(value, kind: str, language: str = "nl") -> str:
    """Format one key figure by its kind (counts of background groups suppressed below 10).

    Parameters
    ----------
    value : float
        The figure.
    kind : {"count", "group_count", "share", "score", "eur"}
        How to show it.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
        A missing count reads ``onbekend`` / ``unknown``.
    """
    if kind == "count" and is_missing(value):
        return label("unknown", language)
    if kind == "group_count":
        return suppress_small(value, language=language)
    if kind == "share":
        return format_pct(value, 1, language)
    if kind == "eur":
        return format_eur(value, 0, language)
    if kind == "score":
        return format_number(value, 0, language)
    return format_count(value, language)


def key_figures_table(figures: pd.DataFrame, names: dict[str, str], language: str = "nl"
                      ) -> pd.DataFrame:
    """The key figures as text, with headers the reader sees.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`key_figures`.
    names : dict
        Column header per group (e.g. ``{"municipality": "Uizelwijk", "province":
        "Provincie Zuidermoer", ...}``).
    language : {"nl", "en"}
        Language of the labels and numbers.

    Returns
    -------
    pandas.DataFrame
        Column ``label("figure")`` with the figure's name, then one column per group.
    """
    table = {label("figure", language): [label(f"figure.{f}", language)
                                         for f in figures["figure"]]}
    for group in GROUPS:
        table[names[group]] = [format_value(v, k, language)
                               for v, k in zip(figures[group], figures["kind"], strict=True)]
    return pd.DataFrame(table)
