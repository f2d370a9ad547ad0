"""The national overview: every municipality's need and money, and the what-if scenarios.

Used by ``notebooks/national_overview.ipynb``. Inputs are the municipality profile
(:func:`npo_analysis.report.profile.municipality_profile`) and the national tables.
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.formatting import format_count, format_eur, format_pct
from npo_analysis.report.key_figures import format_value
from npo_analysis.report.profile import safe_ratio
from npo_analysis.report.text import label

#: Columns of :func:`ranking_table`: (profile column, kind of value).
RANKING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pupils", "count"), ("target_children", "group_count"), ("target_share", "share"),
    ("score", "score"), ("goab_eur", "eur"), ("goab_per_target_child", "eur"),
    ("npo_schools_eur", "eur"),
)


def with_money_per_child(profile: pd.DataFrame) -> pd.DataFrame:
    """The profile with ``goab_per_target_child`` (GOAB budget / target-group children).

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.

    Returns
    -------
    pandas.DataFrame
    """
    return profile.assign(goab_per_target_child=safe_ratio(profile["goab_eur"],
                                                           profile["target_children"]))


def ranking_table(profile: pd.DataFrame, by: str, n: int = 15, language: str = "nl"
                  ) -> pd.DataFrame:
    """The ``n`` municipalities with the highest ``by``, as text with the reader's headers.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.
    by : str
        Column to rank on (descending; ties by code), one of :data:`RANKING_COLUMNS`.
    n : int
        Rows shown.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    frame = with_money_per_child(profile)
    kinds = dict(RANKING_COLUMNS)
    if by not in kinds:
        raise ValueError(f"by={by!r}: expected one of {list(kinds)}")
    top = frame.sort_values([by, "municipality_code"], ascending=[False, True],
                            kind="stable").head(n)
    gemeente = "Gemeente" if language == "nl" else "Municipality"
    table = {"#": [str(i) for i in range(1, len(top) + 1)], gemeente: top["name"].tolist()}
    for column, kind in RANKING_COLUMNS:
        table[label(f"figure.{column}", language)] = [format_value(v, kind, language)
                                                      for v in top[column]]
    return pd.DataFrame(table)


def scenario_summary_table(national, language: str = "nl") -> pd.DataFrame:
    """One row per what-if scenario: what it changes for municipalities (GOAB) and schools.

    Parameters
    ----------
    national : npo_analysis.national.tables.NationalTables
        The national tables.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Scenario, description, municipalities gaining / losing, GOAB moved, schools gaining /
        losing, change of the schools' NPO total.
    """
    nl = language == "nl"
    rows = []
    for name in national.scenarios:
        scenario = national.scenario(name)
        goab, schools = scenario.summary["goab"], scenario.summary["schools"]
        change = schools["alternative_total_eur"] - schools["base_total_eur"]
        rows.append({
            "Scenario": name,
            ("Omschrijving" if nl else "Description"): scenario.description,
            ("Gemeenten erop vooruit" if nl else "Municipalities gaining"):
                format_count(goab["winners"], language),
            ("Gemeenten erop achteruit" if nl else "Municipalities losing"):
                format_count(goab["losers"], language),
            ("GOAB verschoven" if nl else "GOAB moved"):
                format_eur(goab["total_moved_eur"], 0, language),
            ("Scholen erop vooruit" if nl else "Schools gaining"):
                format_count(schools["winners"], language),
            ("Scholen erop achteruit" if nl else "Schools losing"):
                format_count(schools["losers"], language),
            ("Verandering NPO scholen" if nl else "Change in school NPO"):
                format_eur(change, 0, language),
        })
    return pd.DataFrame(rows)


def scenario_changes(scenario, profile: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The municipalities whose GOAB budget changes most in a scenario (gains and losses).

    Parameters
    ----------
    scenario : npo_analysis.national.tables.Scenario
        A scenario of the national tables.
    profile : pandas.DataFrame
        Profile of every municipality (for the names).
    n : int
        How many of the largest gains and of the largest losses.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, name, base_eur, alternative_eur, difference_eur,
        difference_pct``: the largest gains first, then the largest losses (no unit twice).
    """
    units = scenario.goab_comparison.assign(name=scenario.goab_comparison[
        "municipality_code"].map(profile.set_index("municipality_code")["name"]))
    ordered = units.sort_values(["difference_eur", "municipality_code"],
                                ascending=[False, True], kind="stable")
    gains = ordered[ordered["difference_eur"] > 0].head(n)
    losses = ordered[ordered["difference_eur"] < 0].tail(n)
    columns = ["municipality_code", "name", "base_eur", "alternative_eur", "difference_eur",
               "difference_pct"]
    return pd.concat([gains, losses])[columns].reset_index(drop=True)


def scenario_changes_display(changes: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`scenario_changes` as text.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`scenario_changes`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    return pd.DataFrame({
        "Gemeente" if language == "nl" else "Municipality": changes["name"].tolist(),
        label("col.base", language): [format_eur(v, 0, language) for v in changes["base_eur"]],
        label("col.alternative", language): [format_eur(v, 0, language)
                                             for v in changes["alternative_eur"]],
        label("col.difference", language): [format_eur(v, 0, language)
                                            for v in changes["difference_eur"]],
        label("col.difference_pct", language): [format_pct(v / 100, 1, language)
                                                for v in changes["difference_pct"]],
    })


def white_spots_by_municipality(coverage: pd.DataFrame, spots: pd.DataFrame,
                                profile: pd.DataFrame) -> pd.DataFrame:
    """White spots per municipality, the most places short first.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`npo_analysis.domain.supply.coverage_table` of every municipality.
    spots : pandas.DataFrame
        :func:`npo_analysis.domain.supply.white_spots` of it (neighbourhood x domain).
    profile : pandas.DataFrame
        Profile of every municipality (names).

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, name, neighbourhoods, white_spots, neighbourhoods_with_spot,
        shortfall, need, activity_places, coverage`` (places / need over the municipality);
        sorted by shortfall (descending), then code. Every municipality appears.
    """
    totals = coverage.groupby("municipality_code").agg(
        neighbourhoods=("neighbourhood_code", "nunique"), need=("need", "sum"),
        activity_places=("activity_places", "sum"))
    found = spots.groupby("municipality_code").agg(
        white_spots=("domain", "size"), neighbourhoods_with_spot=("neighbourhood_code", "nunique"),
        shortfall=("shortfall", "sum"))
    frame = profile[["municipality_code", "name"]].set_index("municipality_code")
    frame = frame.join(totals).join(found).fillna(
        {"white_spots": 0, "neighbourhoods_with_spot": 0, "shortfall": 0.0, "neighbourhoods": 0,
         "need": 0.0, "activity_places": 0.0}).reset_index()
    frame["coverage"] = safe_ratio(frame["activity_places"], frame["need"])
    frame = frame.sort_values(["shortfall", "municipality_code"], ascending=[False, True],
                              kind="stable")
    return frame.reset_index(drop=True)


def white_spots_ranking_display(table: pd.DataFrame, n: int = 15, language: str = "nl"
                                ) -> pd.DataFrame:
    """The first ``n`` rows of :func:`white_spots_by_municipality` as text.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`white_spots_by_municipality`.
    n : int
        Rows shown.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    top = table.head(n)
    nl = language == "nl"
    return pd.DataFrame({
        "#": [str(i) for i in range(1, len(top) + 1)],
        "Gemeente" if nl else "Municipality": top["name"].tolist(),
        label("heading.white_spots", language): [format_count(v, language)
                                                 for v in top["white_spots"]],
        "Wijken met een witte vlek" if nl else "Neighbourhoods with a white spot": [
            f"{format_count(a, language)} / {format_count(b, language)}"
            for a, b in zip(top["neighbourhoods_with_spot"], top["neighbourhoods"], strict=True)],
        label("col.shortfall", language): [format_count(round(v), language)
                                           for v in top["shortfall"]],
        label("col.coverage", language) + (" (hele gemeente)" if nl else " (municipality)"): [
            format_pct(v, 0, language) for v in top["coverage"]],
    })


def vve_by_municipality(reach: pd.DataFrame, hours: pd.DataFrame, providers: pd.DataFrame,
                        locations: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """VE reach, short hours and weak providers per municipality, the lowest reach first.

    Parameters
    ----------
    reach : pandas.DataFrame
        :func:`npo_analysis.domain.vve.reach_by_municipality` of every municipality.
    hours : pandas.DataFrame
        :func:`npo_analysis.domain.vve.hours_check` of every location.
    providers : pandas.DataFrame
        :func:`npo_analysis.domain.vve.quality_scores` at location level (``municipality_code``,
        ``weak``).
    locations : pandas.DataFrame
        The ``vve_locations`` table joined with its municipality (``location_id``,
        ``municipality_code``).
    profile : pandas.DataFrame
        Profile of every municipality (names).

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, name, ve_indicated, ve_placed, ve_reach, below_norm, small_group,
        neighbourhoods_below_norm, locations, locations_short, locations_weak``; sorted by
        reach (ascending; small groups last), then code.
    """
    where = locations.set_index("location_id")["municipality_code"]
    short = hours.assign(municipality_code=hours["location_id"].map(where)).groupby(
        "municipality_code").agg(locations=("location_id", "size"),
                                 locations_short=("meets_norm", lambda s: int((~s).sum())))
    weak = providers.groupby("municipality_code")["weak"].sum().rename("locations_weak")
    columns = ["municipality_code", "ve_indicated", "ve_placed", "ve_reach", "below_norm",
               "small_group", "neighbourhoods_below_norm"]
    frame = profile[["municipality_code", "name"]].merge(reach[columns], on="municipality_code",
                                                         how="left")
    frame = frame.join(short, on="municipality_code").join(weak, on="municipality_code")
    frame[["locations", "locations_short", "locations_weak"]] = frame[
        ["locations", "locations_short", "locations_weak"]].fillna(0).astype(int)
    order = frame["ve_reach"].where(~frame["small_group"].fillna(True).astype(bool))
    frame = frame.assign(_order=order).sort_values(["_order", "municipality_code"],
                                                   na_position="last", kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def vve_ranking_display(table: pd.DataFrame, n: int = 15, language: str = "nl"
                        ) -> pd.DataFrame:
    """The first ``n`` rows of :func:`vve_by_municipality` as text (``<10`` for small counts).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`vve_by_municipality`.
    n : int
        Rows shown.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    from npo_analysis.formatting import MISSING, suppress_small

    top = table.head(n)
    nl = language == "nl"
    rows = list(top.itertuples(index=False))
    return pd.DataFrame({
        "#": [str(i) for i in range(1, len(top) + 1)],
        "Gemeente" if nl else "Municipality": [r.name for r in rows],
        label("col.ve_indicated", language): [suppress_small(r.ve_indicated, language=language)
                                              for r in rows],
        label("col.ve_reach", language): [MISSING if r.small_group else
                                          format_pct(r.ve_reach, 1, language) for r in rows],
        "Wijken onder 80%" if nl else "Neighbourhoods below 80%": [
            format_count(r.neighbourhoods_below_norm, language) for r in rows],
        "Locaties onder 960 uur" if nl else "Locations below 960 hours": [
            f"{format_count(r.locations_short, language)} / {format_count(r.locations, language)}"
            for r in rows],
        "Locaties met zwakke kwaliteit" if nl else "Locations of weak quality": [
            format_count(r.locations_weak, language) for r in rows],
    })


def _dataset_table(data_dir, name: str) -> pd.DataFrame:
    from pathlib import Path

    from npo_analysis.data.dataset import coerce_table

    return coerce_table(name, pd.read_parquet(Path(data_dir) / f"{name}.parquet"))


def national_white_spots(data_dir, national, profile: pd.DataFrame) -> pd.DataFrame:
    """:func:`white_spots_by_municipality` computed from the dataset and the national tables.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory (``schools``, ``activities``, ``neighbourhoods``).
    national : npo_analysis.national.tables.NationalTables
        The national tables (every child's score).
    profile : pandas.DataFrame
        Profile of every municipality.

    Returns
    -------
    pandas.DataFrame
    """
    from npo_analysis.report import supply_view

    coverage = supply_view.coverage(national.pupil_scores(), _dataset_table(data_dir, "schools"),
                                    _dataset_table(data_dir, "activities"),
                                    _dataset_table(data_dir, "neighbourhoods"))
    return white_spots_by_municipality(coverage, supply_view.white_spots(coverage), profile)


def national_vve(data_dir, reach: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """:func:`vve_by_municipality` computed from the dataset.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory (``vve_locations``, ``neighbourhoods``).
    reach : pandas.DataFrame
        VE reach per municipality (``NationalAnalyses.vve_reach``).
    profile : pandas.DataFrame
        Profile of every municipality.

    Returns
    -------
    pandas.DataFrame
    """
    from npo_analysis.domain import vve

    locations = _dataset_table(data_dir, "vve_locations")
    neighbourhoods = _dataset_table(data_dir, "neighbourhoods")
    quality = vve.quality_scores(locations, neighbourhoods, "location")
    located = locations[["location_id", "neighbourhood_code"]].merge(
        neighbourhoods[["neighbourhood_code", "municipality_code"]], on="neighbourhood_code")
    return vve_by_municipality(reach, vve.hours_check(locations), quality, located, profile)
