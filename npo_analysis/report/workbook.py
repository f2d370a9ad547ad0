"""The municipality's Excel workbook: the table behind every chart and table of its report.

One sheet per report section (named ``<4D step> - <section>``), Dutch headers, written
atomically and reproducibly by :func:`npo_analysis.report.workbook.write_workbook` next to the HTML report
(``<export_dir>/<code>.xlsx``). The first sheet, *Toelichting*, names the dataset, its count
date, the budget year and the disclosure rules.

Disclosure, as in the report: a count of a background-defined group (target-group pupils,
children or toddlers, toddlers with a VE indication or place) below 10, and a total of 1-9
children, is written as the text ``<10``; a count hidden so that such a small count cannot be
worked out from the rest (:mod:`npo_analysis.report.suppression`) as ``x``; every figure derived from a
hidden count (its share, reach, need, coverage) is left empty, and shares and means are stored
rounded as the report shows them.
School scores based on 40 pupils or fewer carry the CBS flag (column *CBS-vlag*).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from npo_analysis import __version__
from npo_analysis.atomic import write_bytes_atomic
from npo_analysis.formatting import DISCLOSURE_LIMIT, format_date, is_suppressed
from npo_analysis.report.analyses import ReportAnalyses
from npo_analysis.report.delays_view import domain_name as test_domain
from npo_analysis.report.delays_view import time_point
from npo_analysis.report.goals import goals_table
from npo_analysis.report.key_figures import GROUPS
from npo_analysis.report.supply_view import domain_name as development_domain
from npo_analysis.report.suppression import TableRule, hidden_cells, rounded, workbook_counts
from npo_analysis.report.text import label
from npo_analysis.report.view import group_names

#: Text written instead of a count below the disclosure limit.
SUPPRESSED = f"<{DISCLOSURE_LIMIT}"


def suppressed_counts(values) -> list:
    """Counts as whole numbers, those below 10 as the text ``<10`` (missing stays empty).

    Parameters
    ----------
    values : array-like
        Counts of a background-defined group.

    Returns
    -------
    list
        ``int``, ``"<10"`` or ``None`` per value.

    Examples
    --------
    >>> suppressed_counts([3, 12, None])
    ['<10', 12, None]
    """
    out = []
    for value in values:
        if value is None or pd.isna(value):
            out.append(None)
        else:
            out.append(SUPPRESSED if is_suppressed(value) else int(round(float(value))))
    return out


def unless_suppressed(values, counts) -> list:
    """``values`` with ``None`` wherever the matching count is suppressed.

    Parameters
    ----------
    values : array-like
        Figures derived from ``counts`` (shares, reach, need).
    counts : array-like
        The counts they depend on.

    Returns
    -------
    list
    """
    return [None if (pd.isna(c) or is_suppressed(c)) or pd.isna(v) else float(v)
            for v, c in zip(values, counts, strict=True)]


def about_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """The *Toelichting* sheet: what the workbook holds and where it comes from.

    Parameters
    ----------
    results : ReportAnalyses
        The report's analyses.

    Returns
    -------
    pandas.DataFrame
        Two columns, *Onderdeel* and *Waarde*.
    """
    data = results.data
    rows = [
        ("Gemeente", f"{data.municipality['name']} ({data.code})"),
        ("Begrotingsjaar", str(data.params.year)),
        ("Dataset", data.info.name + (" (synthetisch: geen echte gegevens)"
                                      if data.info.synthetic else "")),
        ("Teldatum", format_date(data.info.count_date, "nl")),
        ("Berekend met", f"npo-analysis {__version__}"),
        ("Kleine aantallen", label("suppression.note", "nl")),
        ("CBS-vlag", label("flag.note", "nl")),
        ("Bladen", "Eén blad per onderdeel van het rapport, in de volgorde van het rapport."),
    ]
    return pd.DataFrame(rows, columns=["Onderdeel", "Waarde"])


def key_figures_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Data: the key figures beside province, peers and the Netherlands."""
    figures = results.key_figures
    names = group_names(results.data)
    table = {"Kengetal": [label(f"figure.{f}", "nl") for f in figures["figure"]]}
    for group in GROUPS:
        table[names[group]] = [SUPPRESSED if kind == "group_count" and is_suppressed(v)
                               else float(v)
                               for v, kind in zip(figures[group], figures["kind"], strict=True)]
    return pd.DataFrame(table)


def schools_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: the schools (score, band, CBS flag, target share, NPO budget)."""
    t = results.schools
    return pd.DataFrame({
        "School": t["name"], "Vestiging (BRIN6)": t["school_id"],
        "Leerlingen": workbook_counts(t["pupils"], t["hidden_pupils"]),
        "Doelgroepleerlingen": workbook_counts(t["target_pupils"], t["hidden_target_pupils"]),
        "Aandeel doelgroep": rounded(t["target_share"], t["hidden_target_share"], 3),
        "Achterstandsscore": t["score"], "CBS-vlag": t["flag"],
        "Onzekerheid laag": t["score_low"], "Onzekerheid hoog": t["score_high"],
        "NPO-budget (€)": t["npo_budget_eur"]})


def neighbourhoods_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: the neighbourhoods (children, target groups, VE reach, activity places)."""
    t = results.neighbourhoods
    return pd.DataFrame({
        "Wijk": t["name"], "Wijkcode": t["neighbourhood_code"],
        "Kinderen 0-3": workbook_counts(t["children_0_3"], t["hidden_children_0_3"]),
        "Kinderen 4-11": workbook_counts(t["children_4_11"], t["hidden_children_4_11"]),
        "Lage inkomens": rounded(t["low_income_share"], decimals=3), "Scholen": t["schools"],
        "Doelgroepleerlingen": workbook_counts(t["target_pupils"], t["hidden_target_pupils"]),
        "Doelgroeppeuters": workbook_counts(t["target_toddlers"], t["hidden_target_toddlers"]),
        "Peuters met VVE-indicatie": workbook_counts(t["ve_indicated"], t["hidden_ve_indicated"]),
        "VVE-bereik": rounded(t["ve_reach"], t["hidden_ve_reach"], 2),
        "Plaatsen activiteiten": t["activity_places"]})


def distribution_sheet(results: ReportAnalyses, bins: int = 10) -> pd.DataFrame:
    """Duiden: the histogram of target shares per school (share of each group's schools)."""
    frame = results.distribution
    values = frame["target_share"].to_numpy(dtype=float)
    edges = np.histogram_bin_edges(values[np.isfinite(values)], bins=bins)
    table = {"Van (aandeel doelgroep)": edges[:-1], "Tot en met": edges[1:]}
    for group in pd.unique(frame["group"]):
        own = values[(frame["group"] == group).to_numpy()]
        counts, _ = np.histogram(own[np.isfinite(own)], bins=edges)
        table[f"Aandeel scholen {group}"] = counts / max(counts.sum(), 1)
    return pd.DataFrame(table)


def delays_sheet(results: ReportAnalyses) -> pd.DataFrame | None:
    """Duiden: every delay estimate of the municipality and the country (months, 95% CI)."""
    t = results.delays
    if t is None:
        return None
    name = str(results.data.municipality["name"])
    return pd.DataFrame({
        "Domein": [test_domain(d) for d in t["domain"]],
        "Meting": [time_point(y, m) for y, m in zip(t["school_year"], t["moment"], strict=True)],
        "Gebied": t["area"].map({"municipality": name, "national": "Nederland"}),
        "Achterstand (maanden)": t["delay_months"], "95%-interval laag": t["ci_low"],
        "95%-interval hoog": t["ci_high"], "Scholen": t["n_schools"]})


def challenge_sheet(results: ReportAnalyses) -> pd.DataFrame | None:
    """Duiden: the schools' own delays; extra challenges flagged."""
    t = results.challenge_schools
    if t is None:
        return None
    return pd.DataFrame({
        "School": t["name"], "Vestiging (BRIN6)": t["school_id"],
        "Eigen achterstand (maanden)": t["delay_months"], "Achterstandsscore": t["score"],
        "CBS-vlag": t["flag"],
        "Doelgroepleerlingen": workbook_counts(t["target_pupils"], t["hidden_target_pupils"]),
        "Aandeel doelgroep": rounded(t["target_share"], t["hidden_target_share"], 3),
        "Extra uitdagingen": np.where(t["extra_challenge"], "ja", "nee")})


def white_spots_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: the heat map behind the white spots (every neighbourhood x domain)."""
    t = results.heat_map
    counts = t["target_children"]
    return pd.DataFrame({
        "Wijk": t["neighbourhood"], "Wijkcode": t["neighbourhood_code"],
        "Domein": [development_domain(d) for d in t["domain_key"]],
        "Doelgroepkinderen": suppressed_counts(counts),
        "Behoefte (plaatsen)": unless_suppressed(t["need"], counts),
        "Plaatsen activiteiten": t["activity_places"],
        "Dekking": unless_suppressed(t["coverage"], counts),
        "Witte vlek": np.where(t["white_spot"], "ja", "nee")})


def vve_reach_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: VE reach per neighbourhood with its 95% interval and the 80% flag."""
    t = results.vve_reach
    n, hidden = t["ve_indicated"], t["hidden_ve_reach"] | t["small_group"]
    return pd.DataFrame({
        "Wijk": t["name"], "Wijkcode": t["neighbourhood_code"],
        "Doelgroeppeuters": workbook_counts(t["target_toddlers"], t["hidden_target_toddlers"]),
        "Peuters met VVE-indicatie": workbook_counts(n, t["hidden_ve_indicated"]),
        "Met VVE-plaats": workbook_counts(t["ve_placed"], t["hidden_ve_placed"]),
        "VVE-bereik": rounded(t["ve_reach"], hidden, 2),
        "95%-interval laag": rounded(t["reach_low"], hidden, 2),
        "95%-interval hoog": rounded(t["reach_high"], hidden, 2),
        "Onder 80%": [None if h else ("ja" if b else "nee")
                      for b, h in zip(t["below_norm"], hidden, strict=True)]})


def vve_hours_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: VE hours per location against 960 hours in 18 months."""
    t = results.vve_hours
    return pd.DataFrame({
        "Locatie": t["location_id"], "Aanbieder": t["provider"], "Wijkcode":
        t["neighbourhood_code"], "VVE-plaatsen": t["ve_places"],
        "Uren per week": t["hours_per_week"], "Uren in 18 maanden": t["hours_18_months"],
        "Norm (uren)": t["hours_norm"], "Haalt de norm": np.where(t["meets_norm"], "ja", "nee"),
        "Tekort (uren)": t["shortfall_hours"]})


def vve_quality_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: quality domain scores per location, then per provider."""
    from npo_analysis.report.vve_view import QUALITY_NAMES

    parts = []
    for level, frame, key in (("Locatie", results.vve_quality, "location_id"),
                              ("Aanbieder", results.vve_providers, "provider")):
        table = {"Niveau": level, "Naam": frame[key].to_numpy(),
                 "VVE-plaatsen": frame["ve_places"].to_numpy()}
        for domain, names in QUALITY_NAMES.items():
            table[names[0]] = rounded(frame[f"quality_{domain}"], decimals=1)
        table["Gemiddeld"] = rounded(frame["quality_mean"], decimals=1)  # as the page shows
        parts.append(pd.DataFrame(table))
    return pd.concat(parts, ignore_index=True)


def comparison_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: every headline indicator beside NL, province and peers."""
    from npo_analysis.domain.peers import HEADLINE_INDICATORS
    from npo_analysis.report.peers_view import GROUP_COUNTS, VE_REACH

    t = results.comparison
    names = {i.name: i.label_nl for i in (*HEADLINE_INDICATORS, VE_REACH)}
    groups = group_names(results.data)
    table = {"Kengetal": [names[i] for i in t["indicator"]]}
    headers = {**groups, "peers_median": label("group.peers_median", "nl")}
    for group in ("municipality", "netherlands", "province", "peers", "peers_median"):
        table[headers[group]] = [SUPPRESSED if i in GROUP_COUNTS and is_suppressed(v)
                                 else float(v) for v, i in zip(t[group], t["indicator"],
                                                               strict=True)]
    return pd.DataFrame(table)


def trend_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: the share of the national GOAB budget per budget year, with method breaks."""
    t = results.goab_trend
    breaks = results.breaks.set_index("year")["description"]
    return pd.DataFrame({
        "Begrotingsjaar": t["year"], "GOAB gemeente (€)": t["goab_eur"],
        "GOAB landelijk (€)": t["national_goab_eur"], "Aandeel": t["share"],
        "Methodebreuk ervoor": [breaks.get(y, "") for y in t["year"]]})


def peers_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Duiden: the target share of the municipality and its peers (the peers chart)."""
    t = results.peer_position
    return pd.DataFrame({"Gemeente": t["name"], "Code": t["municipality_code"],
                         "Aandeel doelgroepkinderen": t["target_share"],
                         "Achterstandsscore": t["score"],
                         "Deze gemeente": np.where(t["is_self"], "ja", "nee")})


def goals_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Doelen: the goals derived from the figures."""
    return goals_table(results.goals, "nl")


def budgets_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Doen: the budgets per budget year (one column per component)."""
    wide = results.budgets.pivot(index="year", columns="component", values="eur")
    table = {"Begrotingsjaar": wide.index.to_numpy()}
    for component in ("goab_eur", "npo_grant_eur", "npo_schools_eur"):
        table[label(f"budget.{component}", "nl") + " (€)"] = wide[component].to_numpy()
    return pd.DataFrame(table)


def plans_sheet(results: ReportAnalyses) -> pd.DataFrame | None:
    """Doen: the schools' plans per menukaart intervention."""
    t = results.plans
    if t.empty:
        return None
    return pd.DataFrame({
        "Interventie (menukaart)": t["name_nl"], "Maanden extra vooruitgang": t["months"],
        "Kosten": t["cost_band"].astype(str), "Bewijskracht (1-5)": t["evidence"],
        "Scholen": t["schools"], "Gepland bedrag (€)": t["amount_eur"],
        "Aandeel van plannen": t["amount_share"], "Bereikte leerlingen": t["target_pupils"],
        "Per bereikte leerling (€)": t["eur_per_target_pupil"]})


def cost_effectiveness_sheet(results: ReportAnalyses) -> pd.DataFrame:
    """Doen: months per EUR 1,000 per pupil of every menukaart intervention, with its range."""
    t = results.cost_effectiveness
    return pd.DataFrame({
        "Interventie (menukaart)": t["name_nl"], "EEF-strand": t["eef_strand"],
        "Maanden extra vooruitgang": t["months"], "Bewijskracht (1-5)": t["evidence"],
        "Kosten": t["cost_band"].astype(str), "Kosten per leerling min (€)": t["cost_min_eur"],
        "Kosten per leerling max (€)": t["cost_max_eur"],
        "Kosten per leerling gebruikt (€)": t["cost_per_pupil_eur"],
        "Maanden per € 1.000 per leerling": t["months_per_1000_eur"],
        "Bandbreedte laag": t["months_per_1000_eur_low"],
        "Bandbreedte hoog": t["months_per_1000_eur_high"]})


def optimum_sheet(results: ReportAnalyses) -> pd.DataFrame | None:
    """Doen: per school and for the municipality, plans against the best package."""
    t = results.school_comparison
    if t is None:
        return None
    total = results.plans_vs_optimum.municipalities
    schools_hidden = t["school_id"].map(results.schools.set_index("school_id")["hidden_pupils"])
    hidden = hidden_cells(t, TableRule("school_id", totals=("pupils",)),
                          preset={"pupils": schools_hidden.fillna(False)})["pupils"]
    frame = pd.concat([t.assign(label=t["name"], hidden=hidden.to_numpy()),
                       total.assign(label="Gemeente totaal", school_id="", hidden=False)],
                      ignore_index=True)
    return pd.DataFrame({
        "School": frame["label"], "Vestiging (BRIN6)": frame["school_id"],
        "Leerlingen": workbook_counts(frame["pupils"], frame["hidden"]),
        "Zelfde geld (€)": frame["budget_eur"],
        "Leermaanden plannen": frame["plan_pupil_months"],
        "Leermaanden beste pakket": frame["optimum_pupil_months"],
        "Extra leermaanden": frame["extra_pupil_months"],
        "Per leerling: plannen": frame["plan_months_per_pupil"],
        "Per leerling: beste pakket": frame["optimum_months_per_pupil"],
        "Per leerling: extra": frame["extra_months_per_pupil"]})


def scenarios_sheet(results: ReportAnalyses) -> pd.DataFrame | None:
    """Doen: what each what-if scenario changes per school."""
    parts = [effect.schools.assign(scenario=effect.name) for effect in results.scenarios]
    if not parts:
        return None
    t = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({
        "Scenario": t["scenario"], "School": t["name"], "Vestiging (BRIN6)": t["school_id"],
        "Nu (€)": t["base_eur"], "Scenario (€)": t["alternative_eur"],
        "Verschil (€)": t["difference_eur"], "Verschil (%)": t["difference_pct"]})


#: Sheet name -> builder, in report order (at most 31 characters per name).
SHEETS: dict[str, Callable[[ReportAnalyses], pd.DataFrame | None]] = {
    "Toelichting": about_sheet,
    "Data - kerncijfers": key_figures_sheet,
    "Duiden - scholen": schools_sheet,
    "Duiden - wijken": neighbourhoods_sheet,
    "Duiden - spreiding": distribution_sheet,
    "Duiden - leerachterstanden": delays_sheet,
    "Duiden - extra uitdagingen": challenge_sheet,
    "Duiden - witte vlekken": white_spots_sheet,
    "Duiden - VVE-bereik": vve_reach_sheet,
    "Duiden - VVE-uren": vve_hours_sheet,
    "Duiden - VVE-kwaliteit": vve_quality_sheet,
    "Duiden - vergelijking": comparison_sheet,
    "Duiden - ontwikkeling": trend_sheet,
    "Duiden - vergelijkbare gem.": peers_sheet,
    "Doelen": goals_sheet,
    "Doen - budgetten": budgets_sheet,
    "Doen - plannen": plans_sheet,
    "Doen - wat werkt": cost_effectiveness_sheet,
    "Doen - plannen vs beste pakket": optimum_sheet,
    "Doen - scenario's": scenarios_sheet,
}


def report_sheets(results: ReportAnalyses) -> dict[str, pd.DataFrame]:
    """Every sheet of the workbook, in report order (sections without data are left out).

    Parameters
    ----------
    results : ReportAnalyses
        The report's analyses (already computed ones are reused).

    Returns
    -------
    dict of str to pandas.DataFrame
    """
    sheets = {name: build(results) for name, build in SHEETS.items()}
    return {name: frame for name, frame in sheets.items() if frame is not None}


def workbook_name(code: str) -> str:
    """The workbook's file name, ``<code>.xlsx`` (the report links to it relatively)."""
    return f"{code}.xlsx"


def write_report_workbook(results: ReportAnalyses, export_dir: str | Path) -> Path:
    """Write the municipality's workbook to ``<export_dir>/<code>.xlsx``, atomically.

    Parameters
    ----------
    results : ReportAnalyses
        The report's analyses.
    export_dir : path-like
        Where the report's HTML goes (the batch passes ``<run>/reports``).

    Returns
    -------
    pathlib.Path
        The workbook.
    """
    target = Path(export_dir) / workbook_name(results.data.code)
    return write_workbook(target, report_sheets(results))


#: Number format of euro columns (columns whose header contains "(€)").
EURO_FORMAT = '"€" #,##0.00'
#: Number format of date cells.
DATE_FORMAT = "yyyy-mm-dd"
#: Date written into the document properties instead of the current time.
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)


def _cell_value(value):
    """A value to write: Python scalars, ``None`` for missing values and infinite numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, Decimal | Fraction):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _column_values(frame: pd.DataFrame) -> list[list]:
    """The frame's values column by column, as Python scalars (``None`` for missing)."""
    return [[_cell_value(v) for v in series.tolist()] for _, series in frame.items()]


def _width(header: str, values: list) -> float:
    """Column width: the widest of the header and the first 500 values, within 10..60."""
    widest = max([len(header)] + [len(str(v)) for v in values[:500]])
    return min(max(widest + 2, 10), 60)


class _Formats:
    """The workbook's cell formats (XlsxWriter formats belong to one workbook)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.header = workbook.add_format({"bold": True})
        self.euro = workbook.add_format({"num_format": EURO_FORMAT})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})


def _write_cell(sheet, row: int, column: int, value, number_format) -> None:
    """Write one value by its type (text stays text; dates get a date format)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, number_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, number_format)
    else:
        sheet.write_string(row, column, str(value))


def _write_column(sheet, column: int, values: list, formats: _Formats, euro) -> None:
    """Write a column's values from row 2 on: a column of text or of numbers in one loop, any
    other column value by value. Missing values and empty texts stay empty cells."""
    present = [(i, v) for i, v in enumerate(values, start=1) if v is not None and v != ""]
    if all(type(v) is str for _, v in present):
        for i, v in present:
            sheet.write_string(i, column, v)
    elif all(type(v) in (int, float) for _, v in present):
        for i, v in present:
            sheet.write_number(i, column, v, euro)
    else:
        for i, v in present:
            _write_cell(sheet, i, column, v, formats.date if isinstance(v, dt.date) else euro)


def _add_sheet(workbook: xlsxwriter.Workbook, formats: _Formats, title: str,
               frame: pd.DataFrame, headers: Mapping[str, str]) -> None:
    """Add ``frame`` as a sheet: bold frozen header row, euro format, fitted column widths."""
    sheet = workbook.add_worksheet(title)
    sheet.freeze_panes(1, 0)
    for j, (name, values) in enumerate(zip(frame.columns, _column_values(frame), strict=True)):
        header = str(headers.get(name, name))
        sheet.write_string(0, j, header, formats.header)
        sheet.set_column(j, j, _width(header, values))
        _write_column(sheet, j, values, formats, formats.euro if "(€)" in header else None)


def write_workbook(target: str | os.PathLike, sheets: Mapping[str, pd.DataFrame],
                   headers: Mapping[str, str] | None = None) -> Path:
    """Write DataFrames as the sheets of one ``.xlsx`` workbook, atomically.

    Parameters
    ----------
    target : path-like
        The workbook to write (parent directories are created).
    sheets : mapping of str to pandas.DataFrame
        Sheet name (at most 31 characters) -> table, in the order the sheets should appear.
    headers : mapping of str to str, optional
        Column name -> header shown in the workbook (e.g. ``"goab_eur"`` -> ``"GOAB-budget (€)"``).
        Columns without an entry keep their name. Columns whose header contains ``(€)`` get a
        euro number format.

    Returns
    -------
    pathlib.Path
        The workbook path.

    Raises
    ------
    ValueError
        When there are no sheets or a sheet name is empty or longer than 31 characters.
    """
    if not sheets:
        raise ValueError("sheets: a workbook needs at least one sheet")
    for name in sheets:
        if not name or len(name) > 31:
            raise ValueError(f"sheet name {name!r} must have 1 to 31 characters")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    workbook.set_properties({"author": "npo-analysis", "created": FIXED_TIMESTAMP})
    formats = _Formats(workbook)
    for name, frame in sheets.items():
        _add_sheet(workbook, formats, name, frame, headers or {})
    workbook.close()
    target = Path(target)
    write_bytes_atomic(target, buffer.getvalue())
    return target
