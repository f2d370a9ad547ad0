"""Maps of a municipality's neighbourhoods and of the whole country (matplotlib + geopandas).

Data preparation (tables in, a GeoDataFrame out, in RD New):

- :func:`neighbourhood_map_data`: a municipality's neighbourhoods with the share of target pupils,
  the VE reach, the coverage of supply per development domain and the white-spot flags;
- :func:`school_map_data`: the municipality's schools as points with their pupils;
- :func:`municipality_map_data`: every municipality with the columns of a national table.

Drawing, in the seaborn convention (a frame and column names in, optional ``ax=``, the Axes out):
:func:`choropleth` (a sequential, colour-blind safe scale with a Dutch-formatted colour bar;
areas with too few children hatched "te weinig kinderen" and uncoloured), :func:`white_spot_map`,
:func:`school_points` (to draw over a map), :func:`locator_map`. :func:`map_text` is the text
alternative of a map: the highest and lowest areas in a Dutch or English sentence.

Geometry is simplified for drawing with :func:`simplify_for_drawing`, which keeps every polygon
valid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.geometry import DRAWING_CRS, areas
from npo_analysis.data.schema import DEVELOPMENT_DOMAINS
from npo_analysis.formatting import DISCLOSURE_LIMIT, check_language, format_eur, format_pct

#: Sequential, colour-blind safe colour map of every choropleth (matplotlib's cividis).
CMAP = "cividis"
#: Colours of the white-spot classes: white spot, partly covered, covered (cividis ends + middle).
WHITE_SPOT_COLOURS = ("#fde737", "#7c7b78", "#00204c")
#: Fill of areas without a value, and the hatch of areas with too few children.
MISSING_COLOUR = "#e6e6e6"
HATCH = "////"
#: Default simplification tolerance (m) for a municipality's neighbourhoods and for the country.
LOCAL_TOLERANCE = 10.0
NATIONAL_TOLERANCE = 250.0
#: Simplification tolerance (m) of the small locator map.
LOCATOR_TOLERANCE = 2000.0
#: A share scale narrower than this (5 percentage points) gets ticks with one decimal.
SHARE_SPAN_FOR_DECIMAL = 0.05
#: Source line of Demoland maps (real geometry: ``npo_analysis.data.sources.geometry.SOURCE_LINE``).
DEMOLAND_SOURCE = "Bron: Demoland (synthetisch)"

_TEXT = {
    "small": ("te weinig kinderen", "too few children"),
    "missing": ("geen gegevens", "no data"),
    "white_spot": ("witte vlek (< 50% gedekt)", "white spot (< 50% covered)"),
    "partly": ("50-100% gedekt", "50-100% covered"),
    "covered": ("volledig gedekt", "fully covered"),
    "highest": ("Hoogste {what}: {high} ({high_value}); laagste: {low} ({low_value}).",
                "Highest {what}: {high} ({high_value}); lowest: {low} ({low_value})."),
    "one": ("Alleen {high} heeft een {what} om te tonen ({high_value}).",
            "Only {high} has a {what} to show ({high_value})."),
    "value": ("waarde", "value"),
    "none": ("Geen gebied heeft een waarde om te tonen.", "No area has a value to show."),
    "hidden": (" Niet gekleurd wegens te weinig kinderen: {n}.",
               " Not coloured for too few children: {n}."),
    "spots_none": ("Geen wijk is een witte vlek.", "No neighbourhood is a white spot."),
    "spots": ("Witte vlekken (aanbod dekt minder dan de helft van de behoefte): {names}.",
              "White spots (supply covers less than half of the need): {names}."),
    "pupils": ("leerlingen", "pupils"),
}


def _t(key: str, language: str) -> str:
    return _TEXT[key][check_language(language) == "en"]


# --- Data preparation --------------------------------------------------------------------------


def neighbourhood_map_data(geometry, neighbourhoods: pd.DataFrame, coverage: pd.DataFrame,
                           *, min_need: float = 10, max_coverage: float = 0.5):
    """A municipality's neighbourhoods with everything its maps show.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame
        :func:`npo_analysis.data.geometry.read_geometry` (RD New).
    neighbourhoods : pandas.DataFrame
        :func:`npo_analysis.report.spread.neighbourhood_table` (``ReportAnalyses.neighbourhoods``).
    coverage : pandas.DataFrame
        :func:`npo_analysis.domain.supply.coverage_table` of the municipality
        (``ReportAnalyses.coverage``).
    min_need, max_coverage : float
        The white-spot rule of :func:`npo_analysis.domain.supply.white_spots` (the report's defaults).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per neighbourhood with a polygon: ``neighbourhood_code, name, pupils,
        target_pupils, target_share, small_pupils, ve_indicated, ve_reach, small_reach``, per
        domain ``coverage_<domain>`` and ``white_spot_<domain>``, ``worst_domain``,
        ``worst_coverage``, ``white_spot`` (any domain) and ``geometry``. ``target_share`` is
        target pupils / pupils of the schools in the neighbourhood; ``small_pupils`` and
        ``small_reach`` mark fewer than 10 pupils or indicated toddlers.
    """
    from npo_analysis.domain import supply

    table = neighbourhoods[["neighbourhood_code", "name", "pupils", "target_pupils",
                            "ve_indicated", "ve_reach"]].copy()
    table["target_share"] = table["target_pupils"] / table["pupils"].where(table["pupils"] > 0)
    table["small_pupils"] = table["pupils"] < DISCLOSURE_LIMIT
    table["small_reach"] = table["ve_indicated"] < DISCLOSURE_LIMIT
    domains = supply.by_domain(coverage)
    judged = domains.assign(spot=(domains["need"] >= min_need)
                            & (domains["coverage"] < max_coverage))
    wide = judged.pivot(index="neighbourhood_code", columns="domain", values="coverage")
    spots = judged.pivot(index="neighbourhood_code", columns="domain", values="spot")
    for domain in DEVELOPMENT_DOMAINS:
        codes = table["neighbourhood_code"]
        table[f"coverage_{domain}"] = codes.map(wide.get(domain, pd.Series(dtype=float)))
        table[f"white_spot_{domain}"] = codes.map(
            spots.get(domain, pd.Series(dtype=bool))).fillna(False).astype(bool)
    covered = table[[f"coverage_{d}" for d in DEVELOPMENT_DOMAINS]].to_numpy(float)
    known = ~np.isnan(covered).all(axis=1)
    lowest = np.argmin(np.where(np.isnan(covered), np.inf, covered), axis=1)
    table["worst_coverage"] = np.where(known, covered[np.arange(len(table)), lowest], np.nan)
    table["worst_domain"] = pd.Series(np.asarray(DEVELOPMENT_DOMAINS, dtype=object)[lowest],
                                      index=table.index).where(known)
    table["white_spot"] = table[[f"white_spot_{d}" for d in DEVELOPMENT_DOMAINS]].any(axis=1)
    shapes = areas(geometry, "neighbourhood")[["code", "geometry"]]
    merged = shapes.merge(table, left_on="code", right_on="neighbourhood_code", how="inner")
    return merged.drop(columns="code").reset_index(drop=True)


def school_map_data(geometry, schools: pd.DataFrame):
    """The schools that have a point in ``geometry``, with their pupils.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame
        :func:`npo_analysis.data.geometry.read_geometry`.
    schools : pandas.DataFrame
        The municipality's ``schools`` (``school_id, name, pupils``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``school_id, name, pupils, geometry``; empty when no school has coordinates.
    """
    points = areas(geometry, "school")[["code", "geometry"]]
    merged = points.merge(schools[["school_id", "name", "pupils"]], left_on="code",
                          right_on="school_id", how="inner")
    return merged.drop(columns="code").reset_index(drop=True)


def municipality_map_data(geometry, table: pd.DataFrame, code_column: str = "municipality_code"):
    """Every municipality's polygon with the columns of a national ``table``.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame
        :func:`npo_analysis.data.geometry.read_geometry`.
    table : pandas.DataFrame
        One row per municipality, e.g. ``municipality_code, name, target_share,
        goab_per_target``.
    code_column : str
        Column of ``table`` with the municipality code.

    Returns
    -------
    geopandas.GeoDataFrame
        The polygons left-joined with ``table`` (municipalities without a row have missing
        values).
    """
    shapes = areas(geometry, "municipality")[["code", "geometry"]]
    merged = shapes.merge(table, left_on="code", right_on=code_column, how="left")
    return merged.assign(**{code_column: merged["code"]}).drop(columns="code")


def simplify_for_drawing(frame, tolerance: float):
    """Simplify polygons for drawing, keeping every one valid and non-empty.

    Neighbouring areas are simplified together (:meth:`geopandas.GeoSeries.simplify_coverage`),
    so that shared borders stay shared; where that fails or leaves a shape invalid or empty
    (input that is not an exact coverage), the shape is simplified on its own
    (:meth:`geopandas.GeoSeries.simplify` with ``preserve_topology=True``) or, failing that,
    keeps its original outline.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons in a metric CRS (RD New).
    tolerance : float
        Degree of simplification (m): about the largest distance an outline may move.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with simplified geometry.
    """
    from shapely.errors import GEOSException

    original = frame.geometry
    try:
        simple = original.simplify_coverage(tolerance)
    except GEOSException:
        simple = original.simplify(tolerance, preserve_topology=True)
    for fallback in (original.simplify(tolerance, preserve_topology=True), original):
        broken = ~simple.is_valid | simple.is_empty
        simple = simple.where(~broken, fallback)
    return frame.set_geometry(simple)


# --- Drawing -----------------------------------------------------------------------------------


#: Size (inches) of a new map: 4 inches wide keeps 10-point text 13 px high at 390 px.
FIGSIZE = (4.0, 4.6)
#: Size (inches) of a new locator map.
LOCATOR_FIGSIZE = (1.6, 1.9)


def _axes(ax, figsize=FIGSIZE):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def value_formatter(kind: str, language: str = "nl", decimals: int = 0):
    """A tick formatter for a colour bar: ``"share"`` as ``12%`` (``decimals`` of a percent),
    ``"eur"`` as ``€ 1.234``."""
    from matplotlib.ticker import FuncFormatter

    if kind == "share":
        return FuncFormatter(lambda v, _: format_pct(v, decimals, language))
    if kind == "eur":
        return FuncFormatter(lambda v, _: format_eur(v, 0, language))
    raise ValueError(f"kind={kind!r}: expected 'share' or 'eur'")


def format_value(value, kind: str, language: str = "nl") -> str:
    """A map value as text (``12,3%`` or ``€ 1.234``)."""
    return format_pct(value, 1, language) if kind == "share" else format_eur(value, 0, language)


def choropleth(data, column: str, *, kind: str = "share", small: str | None = None,
               label: str = "", source: str = "", language: str = "nl", ax=None,
               cmap: str = CMAP, vmin: float | None = None, vmax: float | None = None,
               edgecolor: str = "white", linewidth: float = 0.4):
    """Areas coloured by ``column`` on a sequential colour-blind safe scale.

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        One row per area (e.g. :func:`neighbourhood_map_data`).
    column : str
        The value to colour by.
    kind : {"share", "eur"}
        Format of the colour bar's ticks (``12%`` or ``€ 1.234``).
    small : str, optional
        Boolean column: areas with too few children, hatched and uncoloured.
    label : str
        Title of the colour bar.
    source : str
        Source line under the map (e.g. ``"Bron: CBS, Kadaster"``).
    language : {"nl", "en"}
        Language of the legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default a new figure).
    cmap, vmin, vmax, edgecolor, linewidth
        Colour map, colour range (default the data's) and area outlines.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Patch

    ax = _axes(ax)
    hidden = data[small].astype(bool) if small else pd.Series(False, index=data.index)
    values = data[column].where(~hidden)
    shown = data[values.notna()]
    empty = data[values.isna() & ~hidden]
    if len(empty):
        empty.plot(ax=ax, color=MISSING_COLOUR, edgecolor=edgecolor, linewidth=linewidth)
    if hidden.any():
        data[hidden].plot(ax=ax, facecolor="white", edgecolor="#595959", hatch=HATCH,
                          linewidth=linewidth)
    if len(shown):
        shown.plot(ax=ax, column=column, cmap=cmap, vmin=vmin, vmax=vmax, edgecolor=edgecolor,
                   linewidth=linewidth)
        _colour_bar(ax, ax.collections[-1], kind, label, language)
    handles = []
    if hidden.any():
        handles.append(Patch(facecolor="white", edgecolor="#595959", hatch=HATCH,
                             label=_t("small", language)))
    if len(empty):
        handles.append(Patch(facecolor=MISSING_COLOUR, label=_t("missing", language)))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False,
                  fontsize="small")
    _source(ax, source)
    return ax


def _colour_bar(ax, mappable, kind: str, label: str, language: str) -> None:
    bar = ax.figure.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.05,
                             pad=0.02, shrink=0.8)
    low, high = mappable.get_clim()
    decimals = 1 if kind == "share" and high - low < SHARE_SPAN_FOR_DECIMAL else 0
    bar.ax.xaxis.set_major_formatter(value_formatter(kind, language, decimals))
    bar.ax.tick_params(labelsize="small")
    bar.outline.set_visible(False)
    if label:
        bar.set_label(label, fontsize="small")


def _source(ax, source: str) -> None:
    if source:
        ax.annotate(source, xy=(1.0, 1.0), xycoords="axes fraction", ha="right",
                    va="bottom", fontsize="x-small", color="#595959")


def white_spot_map(data, *, domain: str | None = None, source: str = "", language: str = "nl",
                   ax=None, edgecolor: str = "white", linewidth: float = 0.4):
    """Neighbourhoods by how far supply covers the need: white spot, partly, fully covered.

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        :func:`neighbourhood_map_data`.
    domain : str, optional
        A development domain (:data:`npo_analysis.data.schema.DEVELOPMENT_DOMAINS`); default the
        worst domain of each neighbourhood.
    source, language, ax, edgecolor, linewidth
        As :func:`choropleth`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Patch

    if domain is not None and domain not in DEVELOPMENT_DOMAINS:
        raise ValueError(f"domain={domain!r}: expected one of {', '.join(DEVELOPMENT_DOMAINS)}")
    ax = _axes(ax)
    coverage = data["worst_coverage" if domain is None else f"coverage_{domain}"]
    spot = data["white_spot" if domain is None else f"white_spot_{domain}"].astype(bool)
    classes = {
        "white_spot": spot,
        "partly": ~spot & (coverage < 1.0),
        "covered": ~spot & (coverage >= 1.0),
    }
    handles = []
    for (key, mask), colour in zip(classes.items(), WHITE_SPOT_COLOURS, strict=True):
        if mask.any():
            data[mask].plot(ax=ax, color=colour, edgecolor=edgecolor, linewidth=linewidth)
        handles.append(Patch(facecolor=colour, label=_t(key, language)))
    rest = ~(classes["white_spot"] | classes["partly"] | classes["covered"])
    if rest.any():
        data[rest].plot(ax=ax, facecolor="white", edgecolor="#595959", hatch=HATCH,
                        linewidth=linewidth)
        handles.append(Patch(facecolor="white", edgecolor="#595959", hatch=HATCH,
                             label=_t("small", language)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False,
              fontsize="small", ncols=2)
    _source(ax, source)
    return ax


def school_points(schools, size: str = "pupils", *, ax=None, language: str = "nl",
                  colour: str = "#d62728", max_area: float = 120.0):
    """Schools as points with an area proportional to ``size``, with a size legend.

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        :func:`school_map_data` (points).
    size : str
        Column of the points' size (pupils).
    ax : matplotlib.axes.Axes, optional
        Usually the Axes of a neighbourhood map to draw over.
    language : {"nl", "en"}
        Language of the size legend.
    colour : str
        Fill of the points (outlined white so that they stand out on any area colour).
    max_area : float
        Marker area (points²) of the largest school.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax) if ax is None else ax
    if len(schools) == 0:
        return ax
    largest = float(schools[size].max()) or 1.0
    areas_pt = max_area * schools[size].to_numpy(float) / largest
    xy = np.column_stack([schools.geometry.x, schools.geometry.y])
    points = ax.scatter(xy[:, 0], xy[:, 1], s=areas_pt, c=colour, edgecolors="white",
                        linewidths=0.5, zorder=3)
    handles, labels = points.legend_elements(
        prop="sizes", num=3, func=lambda s: s * largest / max_area, color=colour)
    previous = ax.get_legend()  # the map's own legend (classes, "too few children"): kept
    ax.legend(handles, labels, title=_t("pupils", language), loc="lower right",
              frameon=True, framealpha=0.8, fontsize="x-small", title_fontsize="x-small",
              ncols=3)
    if previous is not None:
        ax.add_artist(previous)
    return ax


def country_outline(municipalities, grid_size: float = 10.0):
    """The union of every municipality: one shape to draw behind a locator map.

    A locator map over this outline instead of 342 municipalities is about a third of the SVG
    size; compute it once per batch (it costs 0.05-0.4 s). Exact coverages (Demoland) are
    merged along their shared edges (:func:`shapely.coverage_union_all`); others (generalised
    CBS polygons) with :func:`shapely.union_all` on a ``grid_size`` (m) precision grid.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
    """
    import shapely
    from shapely.errors import GEOSException

    shapes = municipalities.geometry.array
    try:
        return shapely.coverage_union_all(shapes)
    except GEOSException:
        return shapely.union_all(shapes, grid_size=grid_size)


def locator_map(municipalities, code: str, *, code_column: str = "municipality_code", ax=None,
                colour: str = "#00204c", country=None):
    """The country in light grey, the municipality with ``code`` filled and outlined.

    Parameters
    ----------
    municipalities : geopandas.GeoDataFrame
        Every municipality's polygon (:func:`municipality_map_data` or the geometry's
        municipality rows with a ``code_column``).
    code : str
        The municipality to show.
    code_column : str
        Column with the municipality code.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default a new, small figure).
    colour : str
        Fill and outline of the municipality.
    country : shapely geometry, optional
        :func:`country_outline`, drawn instead of every municipality (a smaller SVG).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``code`` is not among the municipalities.
    """
    own = municipalities[municipalities[code_column] == code]
    if own.empty:
        raise ValueError(f"code={code!r}: no polygon for this municipality in the geometry")
    ax = _axes(ax, figsize=LOCATOR_FIGSIZE)
    if country is not None:
        import geopandas as gpd

        background = gpd.GeoSeries([country], crs=municipalities.crs)
    else:
        background = municipalities
    background.plot(ax=ax, color=MISSING_COLOUR, edgecolor=MISSING_COLOUR, linewidth=0.3)
    own.plot(ax=ax, color=colour, edgecolor=colour, linewidth=1.2)
    return ax


# --- Text alternatives -------------------------------------------------------------------------


def map_text(data, column: str, *, name: str = "name", kind: str = "share",
             small: str | None = None, what: str | None = None, language: str = "nl") -> str:
    """The text alternative of a choropleth: the areas with the highest and lowest value.

    Parameters
    ----------
    data : pandas.DataFrame
        The map's rows.
    column : str
        The value coloured.
    name : str
        Column with the areas' names.
    kind : {"share", "eur"}
        Format of the values.
    small : str, optional
        Boolean column of areas left uncoloured (too few children): left out and counted.
    what : str, optional
        What the value is, in lower case (default "waarde"/"value").
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
        E.g. ``"Hoogste aandeel: Noord (23,5%); laagste: Zuid (4,0%)."``; ties are broken by
        name.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["Noord", "Zuid", "Oost"], "v": [0.235, 0.04, 0.1]})
    >>> map_text(frame, "v", what="aandeel doelgroepleerlingen")
    'Hoogste aandeel doelgroepleerlingen: Noord (23,5%); laagste: Zuid (4,0%).'
    """
    hidden = data[small].astype(bool) if small else pd.Series(False, index=data.index)
    rows = data.loc[~hidden & data[column].notna(), [name, column]]
    rows = rows.sort_values([column, name], ascending=[False, True], kind="stable")
    if rows.empty:
        text = _t("none", language)
    else:
        high, low = rows.iloc[0], rows.iloc[-1]
        template = _t("highest" if len(rows) > 1 else "one", language)
        text = template.format(
            what=what or _t("value", language),
            high=high[name], high_value=format_value(high[column], kind, language),
            low=low[name], low_value=format_value(low[column], kind, language))
    if hidden.any():
        text += _t("hidden", language).format(n=int(hidden.sum()))
    return text


def white_spot_text(data, *, name: str = "name", language: str = "nl") -> str:
    """The text alternative of :func:`white_spot_map`: the white spots, lowest coverage first."""
    spots = data[data["white_spot"].astype(bool)].sort_values(["worst_coverage", name],
                                                             kind="stable")
    if spots.empty:
        return _t("spots_none", language)
    names = ", ".join(f"{row[name]} ({format_pct(row['worst_coverage'], 0, language)})"
                      for _, row in spots.iterrows())
    return _t("spots", language).format(names=names)


__all__ = [
    "CMAP", "DRAWING_CRS", "choropleth", "country_outline", "format_value", "locator_map",
    "map_text", "municipality_map_data", "neighbourhood_map_data", "school_map_data",
    "school_points", "simplify_for_drawing", "value_formatter", "white_spot_map",
    "white_spot_text",
]
