"""Trends over the budget years, with markers where the method broke.

Three breaks make budget years incomparable without a marker (``../shared/domain.md`` section 7):
the 2019 method change (the CBS indicator replaced the weights scheme, *gewichtenregeling*), the
2021 recalibration of the indicator and the 2022 move of the count date from 1 October to
1 February; they are defined once, in :func:`npo_analysis.domain.peers.method_breaks`. A break
belongs to a *count year*; budget year ``Y`` is funded from the count date in its parameter file
(``count_date`` of ``params/<Y>.yaml``), so the marker is placed before the first budget year
whose count date lies in or after the break's count year.

:func:`pupil_trend` gives the report's pupil trend: the municipality's pupils per year since
1996 (DUO's history file, table ``pupil_history``) beside the country's, as an index.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from npo_analysis.domain import peers as benchmark
from npo_analysis.formatting import check_language
from npo_analysis.safe_text import markdown_text


def break_markers(count_dates: dict[int, object], language: str = "nl") -> pd.DataFrame:
    """Where each method break falls on an axis of budget years.

    The breaks and the rule that places them are those of :func:`npo_analysis.domain.peers.
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


# --- Pupils since 1996 (DUO history) -----------------------------------------------------------

#: Area labels of the pupil trend chart (the municipality gets its own name).
_COUNTRY = {"nl": "Nederland", "en": "the Netherlands"}
_TEXT = {
    "nl": {"title": "Leerlingen in het basisonderwijs (index, eerste jaar = 100)",
           "ylabel": "Index", "year": "Jaar", "pupils": "Leerlingen BO",
           "index": "Index BO", "country_index": "Index BO Nederland", "sbo": "Leerlingen SBO",
           "schools": "Scholen BO", "opened": "Geopend", "closed": "Gesloten",
           "suppressed": "Scholen met <5"},
    "en": {"title": "Pupils in regular primary schools (index, first year = 100)",
           "ylabel": "Index", "year": "Year", "pupils": "Pupils BO", "index": "Index BO",
           "country_index": "Index BO Netherlands", "sbo": "Pupils SBO", "schools": "Schools BO",
           "opened": "Opened", "closed": "Closed", "suppressed": "Schools with <5"},
}


@dataclass(frozen=True)
class PupilTrend:
    """The pupil trend section of a municipality report.

    Attributes
    ----------
    chart : pandas.DataFrame
        Tidy, for ``plots.line_chart(chart, "year", "index", hue="area", ...)``: ``year``,
        ``area`` (the municipality's name or the country), ``index`` (first year = 100),
        ``pupils``.
    table : pandas.DataFrame
        Display table (text), one row per shown year: pupils, index, the country's index,
        SBO pupils, open schools, openings, closures, schools with ``<5``.
    text : str
        Markdown: the latest year's pupils and schools, change since the first year beside the
        country's, openings and closures, how ``<5`` is counted.
    note : str
        Source line (DUO file, count date, indeling).
    title, ylabel : str
        Chart labels.
    """

    chart: pd.DataFrame
    table: pd.DataFrame
    text: str
    note: str
    title: str
    ylabel: str


def pupil_trend(data_dir, code: str, name: str, language: str = "nl",
                indeling: int | None = None, shown_every: int = 5) -> PupilTrend | None:
    """The municipality's pupils since 1996 beside the country's, as an index.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory (table ``pupil_history``, see
        :mod:`npo_analysis.data.pupil_trend`).
    code, name : str
        The municipality.
    language : {"nl", "en"}
        Language.
    indeling : int, optional
        The dataset's indeling, named in the source line.
    shown_every : int
        The table shows the first year, every ``shown_every``-th year and the last year.

    Returns
    -------
    PupilTrend or None
        ``None`` when the dataset has no ``pupil_history`` or the municipality never had
        regular-school pupils in it.
    """
    from pathlib import Path

    from npo_analysis.data.pupil_trend import trend_series

    language = check_language(language)
    path = Path(data_dir) / "pupil_history.parquet"
    if not path.is_file():
        return None
    history = pd.read_parquet(path)
    regular = trend_series(history, code, "BO")
    if regular.empty:
        return None
    special = trend_series(history, code, "SBO")
    country = _COUNTRY[language]
    chart = regular.assign(area=regular["area"].map({"municipality": name, "country": country}))
    own = regular[regular["area"] == "municipality"].set_index("year")
    national = regular[regular["area"] == "country"].set_index("year")
    sbo = (special[special["area"] == "municipality"].set_index("year")["pupils"]
           if not special.empty else pd.Series(dtype="int64"))
    return PupilTrend(
        chart=chart[["year", "area", "index", "pupils"]].reset_index(drop=True),
        table=_trend_table(own, national, sbo, language, shown_every),
        text=_trend_text(own, national, sbo, markdown_text(name), language),  # Markdown: escaped
        note=_trend_note(language, indeling),
        title=_TEXT[language]["title"], ylabel=_TEXT[language]["ylabel"])


def _shown_years(years: list[int], every: int) -> list[int]:
    first, last = years[0], years[-1]
    return sorted({first, last, *(y for y in years if (y - first) % every == 0)})


def _trend_table(own: pd.DataFrame, national: pd.DataFrame, sbo: pd.Series, language: str,
                 every: int) -> pd.DataFrame:
    from npo_analysis.formatting import format_count, format_number

    text = _TEXT[language]
    years = _shown_years(own.index.tolist(), every)
    rows = own.loc[years]
    return pd.DataFrame({
        text["year"]: [str(y) for y in years],
        text["pupils"]: [format_count(v, language) for v in rows["pupils"]],
        text["index"]: [format_number(v, 1, language) for v in rows["index"]],
        text["country_index"]: [format_number(national.loc[y, "index"], 1, language)
                                for y in years],
        text["sbo"]: [format_count(int(sbo.get(y, 0)), language) for y in years],
        text["schools"]: [format_count(v, language) for v in rows["schools"]],
        text["opened"]: [format_count(v, language) for v in rows["opened"]],
        text["closed"]: [format_count(v, language) for v in rows["closed"]],
        text["suppressed"]: [format_count(v, language) for v in rows["suppressed_schools"]],
    })


def _trend_text(own: pd.DataFrame, national: pd.DataFrame, sbo: pd.Series, name: str,
                language: str) -> str:
    from npo_analysis.formatting import format_count, format_number

    first, last = int(own.index.min()), int(own.index.max())
    latest = own.loc[last]
    pupils, schools = format_count(latest["pupils"], language), format_count(
        latest["schools"], language)
    index = format_number(latest["index"], 1, language)
    country = format_number(national.loc[last, "index"], 1, language)
    opened = format_count(own.loc[own.index > first, "opened"].sum(), language)
    closed = format_count(own.loc[own.index > first, "closed"].sum(), language)
    special = format_count(int(sbo.get(last, 0)), language)
    suppressed = format_count(latest["suppressed_schools"], language)
    if language == "nl":
        return (f"{name} telde op 1 oktober {last} {pupils} leerlingen in het reguliere "
                f"basisonderwijs (BO) op {schools} scholen, en {special} in het speciaal "
                f"basisonderwijs (SBO). Ten opzichte van {first} (index 100) is dat index "
                f"{index}; Nederland: {country}. Sinds {first} zijn {opened} scholen geopend en "
                f"{closed} gesloten. Een school met minder dan 5 leerlingen (DUO: <5; {suppressed}"
                f" in {last}) telt als school mee, maar niet in het aantal leerlingen. Elke "
                "school telt in elk jaar mee bij de gemeente waartoe zij in de indeling van de "
                "dataset hoort.")
    return (f"On 1 October {last}, {name} had {pupils} pupils in regular primary schools (BO) at "
            f"{schools} schools, and {special} in special primary schools (SBO). Against {first} "
            f"(index 100) that is index {index}; the Netherlands: {country}. Since {first}, "
            f"{opened} schools opened and {closed} closed. A school with fewer than 5 pupils "
            f"(DUO: <5; {suppressed} in {last}) counts as a school but not in the pupils. Every "
            "school counts in every year for the municipality it belongs to in the dataset's "
            "indeling.")


def _trend_note(language: str, indeling: int | None) -> str:
    if language == "nl":
        where = f"; gemeenten in de indeling van {indeling}" if indeling else ""
        return ("Bron: DUO, historisch overzicht aantal leerlingen per schoolvestiging "
                f"(teldatum 1 oktober){where}.")
    where = f"; municipalities in the {indeling} indeling" if indeling else ""
    return ("Source: DUO, historical pupil counts per school location (count date 1 October)"
            f"{where}.")
