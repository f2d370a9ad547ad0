"""Duiden: white spots, where enriching activities fall short of the target-group children
(:mod:`npo_analysis.domain.supply`).

- :func:`coverage`: need, places and coverage per neighbourhood x domain x age band;
- :func:`heat_map_data`: coverage per neighbourhood x domain, tidy for the heat map, with the
  text each cell shows (a small group of fewer than 10 target children shows ``<10`` and no
  coverage: need and places would reveal the count);
- :func:`white_spots_display`: the list of white spots.

A white spot is a neighbourhood x domain with a need of at least :data:`MIN_NEED` places and a
coverage below :data:`MAX_COVERAGE` (the defaults of :func:`npo_analysis.domain.supply.white_spots`).
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.domain import supply
from npo_analysis.formatting import MISSING, format_number, format_pct, suppress_small
from npo_analysis.report.text import label
from npo_analysis.safe_text import markdown_names

#: Least need (places) of a white spot.
MIN_NEED = 10
#: Coverage below which supply falls short.
MAX_COVERAGE = 0.5


def domain_name(domain: str, language: str = "nl") -> str:
    """The reader's name of a development domain (``cognitief`` ...), capitalised."""
    return supply.DOMAIN_LABELS[domain][0 if language == "nl" else 1].capitalize()


def coverage(pupil_scores: pd.DataFrame, schools: pd.DataFrame, activities: pd.DataFrame,
             neighbourhoods: pd.DataFrame) -> pd.DataFrame:
    """:func:`npo_analysis.domain.supply.coverage_table` of the municipality with the default norm.

    Parameters
    ----------
    pupil_scores : pandas.DataFrame
        The municipality's child scores (``ReportData.children``).
    schools, activities, neighbourhoods : pandas.DataFrame
        The municipality's rows of the dataset's tables.

    Returns
    -------
    pandas.DataFrame
    """
    return supply.coverage_table(pupil_scores, schools, activities, neighbourhoods)


def white_spots(table: pd.DataFrame) -> pd.DataFrame:
    """The white spots of :func:`coverage` (neighbourhood x domain).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        :func:`npo_analysis.domain.supply.white_spots` with :data:`MIN_NEED` and :data:`MAX_COVERAGE`.
    """
    return supply.white_spots(table, min_need=MIN_NEED, max_coverage=MAX_COVERAGE)


def _cell_text(row, language: str) -> str:
    if row.small_group and row.target_children > 0:
        return suppress_small(row.target_children, language=language)
    if pd.isna(row.coverage):
        return MISSING
    return format_pct(row.coverage, 0, language)


def heat_map_data(table: pd.DataFrame, spots: pd.DataFrame, language: str = "nl"
                  ) -> pd.DataFrame:
    """Coverage per neighbourhood x domain, tidy, for :func:`npo_analysis.report.plots.heat_map_chart`.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`coverage`.
    spots : pandas.DataFrame
        :func:`white_spots`.
    language : {"nl", "en"}
        Language of the domain names and cell texts.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, neighbourhood, domain_key, domain, target_children, need,
        activity_places, coverage, shown`` (coverage capped at 1 for the colour; missing for
        small groups and where there is no need), ``text`` and ``white_spot``; neighbourhoods
        by code, domains in schema order.
    """
    wide = supply.by_domain(table)
    keys = set(zip(spots["neighbourhood_code"], spots["domain"], strict=True))
    hidden = wide["small_group"] & (wide["target_children"] > 0)
    return pd.DataFrame({
        "neighbourhood_code": wide["neighbourhood_code"].to_numpy(),
        "neighbourhood": wide["name"].to_numpy(),
        "domain_key": wide["domain"].to_numpy(),
        "domain": [domain_name(d, language) for d in wide["domain"]],
        "target_children": wide["target_children"].to_numpy(),
        "need": wide["need"].to_numpy(),
        "activity_places": wide["activity_places"].to_numpy(),
        "coverage": wide["coverage"].to_numpy(),
        "shown": wide["coverage"].clip(upper=1.0).where(~hidden).to_numpy(),
        "text": [_cell_text(r, language) for r in wide.itertuples(index=False)],
        "white_spot": [(c, d) in keys for c, d in zip(wide["neighbourhood_code"], wide["domain"],
                                                      strict=True)],
    })


def white_spots_display(spots: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """The white spots as text: neighbourhood, domain, target children, need, places, coverage.

    Parameters
    ----------
    spots : pandas.DataFrame
        :func:`white_spots`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Target children below 10 as ``<10`` with need, coverage and shortfall left out (``–``).
    """
    rows = list(spots.itertuples(index=False))

    def unless_small(row, text: str) -> str:
        return MISSING if row.small_group else text

    return pd.DataFrame({
        label("col.neighbourhood", language): [r.name for r in rows],
        label("col.domain", language): [domain_name(r.domain, language) for r in rows],
        label("col.target_children", language): [suppress_small(r.target_children,
                                                                language=language) for r in rows],
        label("col.need", language): [unless_small(r, format_number(r.need, 0, language))
                                      for r in rows],
        label("col.activity_places", language): [format_number(r.activity_places, 0, language)
                                                 for r in rows],
        label("col.coverage", language): [unless_small(r, format_pct(r.coverage, 0, language))
                                          for r in rows],
        label("col.shortfall", language): [unless_small(r, format_number(r.shortfall, 0,
                                                                         language))
                                           for r in rows],
    })


def white_spots_markdown(spots: pd.DataFrame, table: pd.DataFrame, language: str = "nl") -> str:
    """The plain reading (:func:`npo_analysis.domain.supply.describe_white_spots`) and the norm used.

    Parameters
    ----------
    spots : pandas.DataFrame
        :func:`white_spots`.
    table : pandas.DataFrame
        :func:`coverage`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    text = supply.describe_white_spots(markdown_names(spots, "name"), table, MAX_COVERAGE,
                                       language)
    norms = supply.DEFAULT_PLACES_PER_TARGET_CHILD
    listed = ", ".join(f"{domain_name(d, language).lower()} {format_number(v, 1, language)}"
                       for d, v in norms.items())
    if language == "nl":
        rule = (f"Behoefte = doelgroepleerlingen van de scholen in de wijk × een norm aan "
                f"plaatsen per doelgroepkind per jaar ({listed}; een aanname, geen officiële "
                f"norm). Een witte vlek: een behoefte van minstens {MIN_NEED} plaatsen waarvan "
                f"het aanbod minder dan {format_pct(MAX_COVERAGE, 0, language)} dekt (zwart "
                "omrand in de kaart).")
    else:
        rule = (f"Need = target-group pupils of the neighbourhood's schools × a norm of places "
                f"per target child per year ({listed}; an assumption, not an official norm). A "
                f"white spot: a need of at least {MIN_NEED} places of which supply covers less "
                f"than {format_pct(MAX_COVERAGE, 0, language)} (black border in the map).")
    return f"{text}\n\n{rule}"
