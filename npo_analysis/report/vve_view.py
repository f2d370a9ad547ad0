"""Duiden: VE reach per neighbourhood, hours against the norm and quality per location and
provider (:mod:`npo_analysis.domain.vve`).

- :func:`reach` / :func:`reach_chart_data` / :func:`reach_display`: toddlers with a VE
  indication who have a VE place, per neighbourhood, flagged below :data:`npo_analysis.domain.vve.
  REACH_NORM` (80%); neighbourhoods with fewer than 10 indicated toddlers show ``<10`` and no
  reach (and are left out of the chart);
- :func:`hours_display`: hours each location offers in 18 months against 960;
- :func:`quality_heat_map_data` / :func:`quality_display`: the quality domain scores (1-4).
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.domain import vve
from npo_analysis.formatting import MISSING, format_count, format_number, format_pct
from npo_analysis.report.suppression import is_hidden, shown_count
from npo_analysis.report.text import label
from npo_analysis.safe_text import markdown_names, markdown_text

#: Quality domains as the reader sees them (Dutch, English), in schema order.
QUALITY_NAMES = {
    "conditions": ("Voorwaarden", "Conditions"),
    "parental_involvement": ("Ouderbetrokkenheid", "Parental involvement"),
    "educational_process": ("Educatief proces", "Educational process"),
    "development_guidance_care": ("Ontwikkeling en zorg", "Development and care"),
    "continuous_line": ("Doorgaande lijn", "Continuous line"),
    "quality_assurance": ("Kwaliteitszorg", "Quality assurance"),
    "results": ("Resultaten", "Results"),
}


def reach(toddlers: pd.DataFrame, neighbourhoods: pd.DataFrame, children: pd.DataFrame
          ) -> pd.DataFrame:
    """:func:`npo_analysis.domain.vve.reach_by_neighbourhood` of the municipality (norm 80%).

    Parameters
    ----------
    toddlers, neighbourhoods : pandas.DataFrame
        The municipality's rows of the dataset's tables.
    children : pandas.DataFrame
        The municipality's child scores (adds the target-group toddlers).

    Returns
    -------
    pandas.DataFrame
    """
    return vve.reach_by_neighbourhood(toddlers, neighbourhoods, children)


def reach_chart_data(table: pd.DataFrame) -> pd.DataFrame:
    """The neighbourhoods whose reach may be shown (10 or more indicated toddlers), lowest first.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`reach`.

    Returns
    -------
    pandas.DataFrame
        ``name, ve_reach, below_norm``.
    """
    shown = table[~table["small_group"]]
    shown = shown.sort_values(["ve_reach", "neighbourhood_code"], kind="stable")
    return shown[["name", "ve_reach", "below_norm"]].reset_index(drop=True)


def reach_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`reach` as text: counts of toddler groups below 10 as ``<10``, reach then ``–``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`reach`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(table.itertuples(index=False))

    def shown(row, text: str) -> str:
        return MISSING if row.small_group else text

    yes, no = label("yes", language), label("no", language)
    return pd.DataFrame({
        label("col.neighbourhood", language): [r.name for r in rows],
        label("col.target_toddlers", language): [
            MISSING if pd.isna(r.target_toddlers)
            else shown_count(r.target_toddlers, is_hidden(r, "target_toddlers"), language)
            for r in rows],
        label("col.ve_indicated", language): [
            shown_count(r.ve_indicated, is_hidden(r, "ve_indicated"), language) for r in rows],
        label("col.ve_placed", language): [
            shown_count(r.ve_placed, is_hidden(r, "ve_placed"), language) for r in rows],
        label("col.ve_reach", language): [shown(r, format_pct(r.ve_reach, 0, language))
                                          for r in rows],
        label("col.reach_interval", language): [
            shown(r, f"{format_pct(r.reach_low, 0, language)} – "
                     f"{format_pct(r.reach_high, 0, language)}") for r in rows],
        label("col.below_norm", language): [shown(r, yes if r.below_norm else no)
                                            for r in rows],
    })


def hours_display(hours: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`npo_analysis.domain.vve.hours_check` as text, the shortest offer first.

    Parameters
    ----------
    hours : pandas.DataFrame
        :func:`npo_analysis.domain.vve.hours_check` of the municipality's locations.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    ordered = hours.sort_values(["hours_18_months", "location_id"], kind="stable")
    rows = list(ordered.itertuples(index=False))
    yes, no = label("yes", language), label("no", language)
    return pd.DataFrame({
        label("col.location", language): [r.location_id for r in rows],
        label("col.provider", language): [r.provider for r in rows],
        label("col.ve_places", language): [format_count(r.ve_places, language) for r in rows],
        label("col.hours_week", language): [format_number(r.hours_per_week, 1, language)
                                            for r in rows],
        label("col.hours_18", language): [format_number(r.hours_18_months, 0, language)
                                          for r in rows],
        label("col.meets_norm", language): [yes if r.meets_norm else no for r in rows],
    })


def quality_heat_map_data(quality: pd.DataFrame, key: str, language: str = "nl"
                          ) -> pd.DataFrame:
    """Quality scores tidy for the heat map: one row per unit x domain.

    Parameters
    ----------
    quality : pandas.DataFrame
        :func:`npo_analysis.domain.vve.quality_scores` at any level.
    key : str
        The column naming a row of the map (``location_id`` or ``provider``).
    language : {"nl", "en"}
        Language of the domain names.

    Returns
    -------
    pandas.DataFrame
        ``unit, domain, score, text, weak`` (``weak``: the unit's mean is below 2.5).
    """
    rows = []
    for record in quality.itertuples(index=False):
        for domain, names in QUALITY_NAMES.items():
            score = getattr(record, f"quality_{domain}")
            rows.append({"unit": getattr(record, key),
                         "domain": names[0 if language == "nl" else 1], "score": float(score),
                         "text": format_number(score, 1, language), "weak": bool(record.weak)})
    return pd.DataFrame(rows, columns=["unit", "domain", "score", "text", "weak"])


def quality_display(quality: pd.DataFrame, key: str, language: str = "nl") -> pd.DataFrame:
    """Quality scores as text: the unit, its places, each domain and the mean (1 decimal).

    Parameters
    ----------
    quality : pandas.DataFrame
        :func:`npo_analysis.domain.vve.quality_scores`.
    key : str
        ``location_id`` or ``provider``.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    heading = label("col.location" if key == "location_id" else "col.provider", language)
    table = {heading: quality[key].tolist(),
             label("col.ve_places", language): [format_count(v, language)
                                                for v in quality["ve_places"]]}
    for domain, names in QUALITY_NAMES.items():
        table[names[0 if language == "nl" else 1]] = [
            format_number(v, 1, language) for v in quality[f"quality_{domain}"]]
    table[label("col.quality_mean", language)] = [format_number(v, 1, language)
                                                  for v in quality["quality_mean"]]
    return pd.DataFrame(table)


def vve_markdown(table: pd.DataFrame, hours: pd.DataFrame, providers: pd.DataFrame, code: str,
                 language: str = "nl") -> str:
    """The plain reading: :func:`npo_analysis.domain.vve.describe_vve` plus the weak providers.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`reach`.
    hours : pandas.DataFrame
        :func:`npo_analysis.domain.vve.hours_check` of the municipality's locations.
    providers : pandas.DataFrame
        :func:`npo_analysis.domain.vve.quality_scores` at provider level.
    code : str
        The municipality.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    text = vve.describe_vve(markdown_names(table, "name"),
                            markdown_names(hours, "name", "location_id", "provider"), code,
                            language=language)
    weak = [markdown_text(p) for p in providers.loc[providers["weak"], "provider"]]
    if language == "nl":
        quality = (f" Aanbieders met een gemiddelde kwaliteitsscore onder 2,5 (op 1-4): "
                   f"{', '.join(weak)}." if weak else
                   " Geen aanbieder heeft een gemiddelde kwaliteitsscore onder 2,5 (op 1-4).")
    else:
        quality = (f" Providers with a mean quality score below 2.5 (of 1-4): {', '.join(weak)}."
                   if weak else " No provider has a mean quality score below 2.5 (of 1-4).")
    return text + quality
