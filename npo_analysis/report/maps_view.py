"""The maps of a municipality report and of the national overview, ready to draw.

:func:`report_maps` gathers what one report's maps need (its neighbourhoods with the shares,
reach and white spots, its schools, every municipality for the locator map, the source line);
:func:`national_maps` the municipalities with the national profile. The drawing and the text
alternatives are in :mod:`npo_analysis.report.maps`; :data:`MAPS` names, per map, the column, the
colour-bar label and the format, so that a notebook only loops over them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from npo_analysis.data.geometry import missing_geometry_message, read_geometry
from npo_analysis.report import maps


@dataclass(frozen=True)
class MapSpec:
    """One choropleth: the column coloured, its small-area flag, label (nl, en) and format."""

    column: str
    small: str | None
    label: tuple[str, str]
    kind: str = "share"

    def title(self, language: str) -> str:
        """The label in ``language``."""
        return self.label[language == "en"]


#: The neighbourhood choropleths of a report, by name.
MAPS: dict[str, MapSpec] = {
    "target_share": MapSpec("target_share", "small_pupils",
                            ("Aandeel doelgroepleerlingen", "Share of target pupils")),
    "ve_reach": MapSpec("ve_reach", "small_reach", ("VVE-bereik", "ECE reach")),
}
#: The national choropleths, by name (columns of the national profile).
NATIONAL_MAPS: dict[str, MapSpec] = {
    "target_share": MapSpec("target_share", None,
                            ("Aandeel doelgroepkinderen", "Share of target children")),
    "goab_per_target_child": MapSpec("goab_per_target_child", None,
                                     ("GOAB per doelgroepkind", "GOAB per target child"),
                                     kind="eur"),
}


@dataclass
class ReportMaps:
    """What a municipality report's maps draw (all in RD New, simplified for drawing).

    Attributes
    ----------
    code : str
        The municipality.
    neighbourhoods : geopandas.GeoDataFrame
        :func:`npo_analysis.report.maps.neighbourhood_map_data` (empty when no wijk has a polygon).
    schools : geopandas.GeoDataFrame
        :func:`npo_analysis.report.maps.school_map_data` (empty when no school has coordinates).
    municipalities : geopandas.GeoDataFrame
        Every municipality (``municipality_code``), for :func:`npo_analysis.report.maps.locator_map`.
    source : str
        The source line under the maps.
    country : shapely geometry
        :func:`npo_analysis.report.maps.country_outline` of the municipalities (the locator map's
        background: 3-40 KB of SVG instead of 80).
    """

    code: str
    neighbourhoods: object
    schools: object
    municipalities: object
    source: str
    country: object = None


def source_line(synthetic: bool) -> str:
    """``"Bron: CBS, Kadaster"`` for real geometry, the Demoland line for synthetic data."""
    from npo_analysis.data.sources.geometry import SOURCE_LINE

    return maps.DEMOLAND_SOURCE if synthetic else SOURCE_LINE


def report_maps(analyses) -> ReportMaps | None:
    """The maps' data of one report, or ``None`` when the dataset has no geometry.

    Parameters
    ----------
    analyses : npo_analysis.report.analyses.ReportAnalyses
        The report's analyses (neighbourhood table, coverage, schools).

    Returns
    -------
    ReportMaps or None
        ``None``: show :func:`missing_text` instead of the maps.
    """
    data = analyses.data
    geometry = read_geometry(data.params.data_dir, municipality_code=data.code)
    if geometry is None:
        return None
    neighbourhoods = maps.neighbourhood_map_data(geometry, analyses.neighbourhoods,
                                                 analyses.coverage)
    municipalities = maps.simplify_for_drawing(maps.municipality_map_data(
        geometry, pd.DataFrame({"municipality_code": pd.Series(dtype="str")})),
        maps.LOCATOR_TOLERANCE)
    return ReportMaps(
        code=data.code,
        neighbourhoods=maps.simplify_for_drawing(neighbourhoods, maps.LOCAL_TOLERANCE),
        schools=maps.school_map_data(geometry, data.schools),
        municipalities=municipalities,
        source=source_line(data.info.synthetic),
        country=maps.country_outline(municipalities))


def draw_locator_map(report: ReportMaps, ax=None):
    """The small map of the country with the report's municipality filled; returns the Axes."""
    return maps.locator_map(report.municipalities, report.code, ax=ax, country=report.country)


def missing_text(analyses) -> str:
    """What to supply for the maps (:func:`npo_analysis.data.geometry.missing_geometry_message`)."""
    data = analyses.data
    return missing_geometry_message(data.params.data_dir, data.language)


def draw_neighbourhood_map(report: ReportMaps, name: str, language: str = "nl", ax=None):
    """One of :data:`MAPS` (or ``"white_spots"``) with the schools drawn over it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if name == "white_spots":
        ax = maps.white_spot_map(report.neighbourhoods, source=report.source, language=language,
                                 ax=ax)
    else:
        spec = MAPS[name]
        ax = maps.choropleth(report.neighbourhoods, spec.column, kind=spec.kind,
                             small=spec.small, label=spec.title(language),
                             source=report.source, language=language, ax=ax)
    return maps.school_points(report.schools, ax=ax, language=language)


def neighbourhood_map_text(report: ReportMaps, name: str, language: str = "nl") -> str:
    """The text alternative of :func:`draw_neighbourhood_map`."""
    if name == "white_spots":
        return maps.white_spot_text(report.neighbourhoods, language=language)
    spec = MAPS[name]
    return maps.map_text(report.neighbourhoods, spec.column, kind=spec.kind, small=spec.small,
                         what=spec.title(language).lower(), language=language)


def national_maps(data_dir, profile: pd.DataFrame):
    """Every municipality with the national profile, simplified for a national map.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    profile : pandas.DataFrame
        :func:`npo_analysis.report.overview.with_money_per_child` of the national profile
        (``municipality_code, name, target_share, goab_per_target_child``).

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``None`` when the dataset has no geometry.
    """
    geometry = read_geometry(data_dir)
    if geometry is None:
        return None
    frame = maps.municipality_map_data(geometry, profile)
    return maps.simplify_for_drawing(frame, maps.NATIONAL_TOLERANCE)


def draw_national_map(frame, name: str, source: str, language: str = "nl", ax=None):
    """One of :data:`NATIONAL_MAPS` of :func:`national_maps`; returns the Axes."""
    spec = NATIONAL_MAPS[name]
    return maps.choropleth(frame, spec.column, kind=spec.kind, label=spec.title(language),
                           source=source, language=language, ax=ax, linewidth=0.2)


def national_map_text(frame, name: str, language: str = "nl") -> str:
    """The text alternative of :func:`draw_national_map`."""
    spec = NATIONAL_MAPS[name]
    return maps.map_text(frame, spec.column, kind=spec.kind, what=spec.title(language).lower(),
                         language=language)
