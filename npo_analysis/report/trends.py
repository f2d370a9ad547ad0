"""Trends over the budget years, with markers where the method broke.

Three breaks make budget years incomparable without a marker (``../shared/domain.md`` section 7):
the 2019 method change (the CBS indicator replaced the weights scheme, *gewichtenregeling*), the
2021 recalibration of the indicator and the 2022 move of the count date from 1 October to
1 February; they are defined once, in :func:`npo_analysis.benchmark.method_breaks`. A break
belongs to a *count year*; budget year ``Y`` is funded from the count date in its parameter file
(``count_date`` of ``params/<Y>.yaml``), so the marker is placed before the first budget year
whose count date lies in or after the break's count year.
"""

from __future__ import annotations

import pandas as pd

from npo_analysis import benchmark
from npo_analysis.formatting import check_language


def break_markers(count_dates: dict[int, object], language: str = "nl") -> pd.DataFrame:
    """Where each method break falls on an axis of budget years.

    The breaks and the rule that places them are those of :func:`npo_analysis.benchmark.
    annotate_breaks` (one definition of the breaks for the whole package): a budget year gets a
    marker when a break's count year lies after the previous budget year's count year and at or
    before its own.

    Parameters
    ----------
    count_dates : dict
        Budget year -> its count date (``datetime.date``), from the parameter files.
    language : {"nl", "en"}
        Language of the texts.

    Returns
    -------
    pandas.DataFrame
        ``year`` (the first budget year after the break), ``position`` (``year - 0.5``, between
        two bars), ``text`` (short chart label, e.g. ``breuk 2021``) and ``description`` (the
        full text of every break at that position, e.g. ``2021: herijking van de
        CBS-indicator``). The first year never gets a marker.
    """
    word = "breuk" if check_language(language) == "nl" else "break"
    axis = pd.DataFrame({"year": sorted(count_dates)})
    count_years = {year: count_dates[year].year for year in axis["year"]}
    marked = benchmark.annotate_breaks(axis, "year", count_years, language)
    marked = marked[marked["break_before"]]
    years = [", ".join(part.split(":")[0] for part in text.split("; "))
             for text in marked["break_text"]]
    return pd.DataFrame({"year": marked["year"].to_numpy(dtype=int),
                         "position": marked["year"].to_numpy(dtype=float) - 0.5,
                         "text": [f"{word} {y}" for y in years],
                         "description": marked["break_text"].tolist()},
                        columns=["year", "position", "text", "description"])


def goab_share_trend(budgets_by_year: dict[int, pd.DataFrame], code: str) -> pd.DataFrame:
    """The municipality's share of the national GOAB budget per budget year.

    Parameters
    ----------
    budgets_by_year : dict
        Budget year -> municipality budgets of every municipality (``municipality_code``,
        ``goab_eur``).
    code : str
        The municipality.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``goab_eur``, ``national_goab_eur``, ``share`` (of the national total).
    """
    rows = []
    for year in sorted(budgets_by_year):
        frame = budgets_by_year[year]
        own = float(frame.loc[frame["municipality_code"] == code, "goab_eur"].sum())
        total = float(frame["goab_eur"].sum())
        rows.append({"year": year, "goab_eur": own, "national_goab_eur": total,
                     "share": own / total if total else float("nan")})
    return pd.DataFrame(rows, columns=["year", "goab_eur", "national_goab_eur", "share"])
