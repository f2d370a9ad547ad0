"""The polygons of a dataset's municipalities and neighbourhoods (and its schools' points).

A dataset may hold one GeoParquet file beside its tables, :data:`GEOMETRY_FILE`, with one row per
area or school:

- ``code``: the municipality code (``GM0363``), neighbourhood code (``WK036301``) or BRIN6;
- ``level``: one of :data:`LEVELS`;
- ``geometry``: a valid (Multi)Polygon for an area, a Point for a school.

The file states its coordinate reference system (GeoParquet metadata); maps are drawn in RD New
(:data:`DRAWING_CRS`), so :func:`read_geometry` reprojects. Every code must be known in the
dataset's ``municipalities``, ``neighbourhoods`` or ``schools`` table. A dataset without the file
is valid: maps then say which file to supply (:func:`missing_geometry_message`).

The module imports geopandas only when geometry is used, so that datasets without it load as fast
as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from npo_analysis.data.metadata import GEOMETRY_FILE  # noqa: F401  (the geometry file; this API)
from npo_analysis.errors import DatasetError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from npo_analysis.data.problems import Problem

#: Name under which geometry problems are reported (like a table name).
GEOMETRY_TABLE = "geometry"
#: Levels of the rows, each with the table and key column its codes must appear in.
LEVELS: dict[str, tuple[str, str]] = {
    "municipality": ("municipalities", "municipality_code"),
    "neighbourhood": ("neighbourhoods", "neighbourhood_code"),
    "school": ("schools", "school_id"),
}
#: Geometry types allowed per level.
GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "municipality": ("Polygon", "MultiPolygon"),
    "neighbourhood": ("Polygon", "MultiPolygon"),
    "school": ("Point",),
}
#: Columns of the geometry file, in order.
COLUMNS: tuple[str, ...] = ("code", "level", "geometry")
#: Coordinate reference system maps are drawn in: RD New (Amersfoort / RD New).
DRAWING_CRS = "EPSG:28992"
#: How many offending rows a problem names.
MAX_SHOWN_ROWS = 5


class GeometryError(DatasetError):
    """The geometry file of a dataset breaks the rules of :mod:`npo_analysis.data.geometry`."""


def geometry_frame(codes, levels, geometries, crs: str = DRAWING_CRS) -> gpd.GeoDataFrame:
    """Build a geometry table (:data:`COLUMNS`) from sequences of codes, levels and shapes.

    Parameters
    ----------
    codes, levels : sequence of str
        Code and level (:data:`LEVELS`) of each row.
    geometries : sequence of shapely geometries
        The shapes, in ``crs``.
    crs : str
        Coordinate reference system of the shapes (default RD New).

    Returns
    -------
    geopandas.GeoDataFrame
        Sorted by level (:data:`LEVELS` order) and code.
    """
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"code": pd.Series(codes, dtype="str"),
                              "level": pd.Series(levels, dtype="str")},
                             geometry=list(geometries), crs=crs)
    return sort_geometry(frame)


def sort_geometry(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` in the canonical order: level (:data:`LEVELS` order), then code."""
    order = frame["level"].map({level: i for i, level in enumerate(LEVELS)})
    return (frame.assign(_order=order).sort_values(["_order", "code"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def write_geometry(frame: gpd.GeoDataFrame, directory: str | Path) -> Path:
    """Write ``frame`` as ``directory/geometry.parquet`` (GeoParquet, CRS in its metadata).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The geometry table (:data:`COLUMNS`).
    directory : path-like
        The dataset directory (it must exist).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from npo_analysis.atomic import write_bytes_atomic

    path = Path(directory) / GEOMETRY_FILE
    write_bytes_atomic(path, geoparquet_bytes(frame))
    return path


def geoparquet_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """The GeoParquet encoding of the geometry table (same table -> same bytes)."""
    import io

    buffer = io.BytesIO()
    sort_geometry(frame)[list(COLUMNS)].to_parquet(buffer, index=False)
    return buffer.getvalue()


def has_geometry(directory: str | Path) -> bool:
    """Whether the dataset directory holds :data:`GEOMETRY_FILE`."""
    return (Path(directory) / GEOMETRY_FILE).is_file()


def read_geometry(directory: str | Path, tables: dict[str, pd.DataFrame] | None = None, *,
                  crs: str | None = DRAWING_CRS,
                  municipality_code: str | None = None) -> gpd.GeoDataFrame | None:
    """Read, validate and reproject the geometry of a dataset directory.

    Parameters
    ----------
    directory : path-like
        The dataset directory.
    tables : dict of str to pandas.DataFrame, optional
        The dataset's ``municipalities``, ``neighbourhoods`` and ``schools`` tables (at least their
        key columns) to check the codes against; read from ``directory`` when not given.
    crs : str or None
        Reproject to this CRS (default RD New); ``None`` keeps the stored one.
    municipality_code : str, optional
        Keep only what one municipality's report draws: every municipality (for the locator
        map), its own neighbourhoods and its own schools (by ``schools.municipality_code``).
        Only these rows are checked, which makes reading per report about ten times cheaper.

    Returns
    -------
    geopandas.GeoDataFrame or None
        :data:`COLUMNS`; ``None`` when the dataset has no geometry file.

    Raises
    ------
    GeometryError
        When the file is unreadable or breaks a rule; the message names the file and lists every
        problem with its rows and codes.
    """
    path = Path(directory) / GEOMETRY_FILE
    if not path.is_file():
        return None
    if tables is None:
        tables = key_tables(directory)
    if municipality_code is None:
        frame = read_geometry_file(path)
    else:
        frame = read_geometry_file(path, filters=municipality_filter(municipality_code, tables))
    problems = geometry_problems(frame, tables)
    if problems:
        lines = "\n".join(str(problem) for problem in problems)
        raise GeometryError(f"{path}: does not match the data model:\n{lines}")
    if crs is None or frame.crs == crs:
        return frame
    return frame.to_crs(crs)


def municipality_filter(municipality_code: str, tables: dict[str, pd.DataFrame]) -> list:
    """A pyarrow row filter for the rows one municipality's report draws: every municipality,
    the neighbourhoods whose code carries its digits, its schools (``schools.municipality_code``).
    """
    wanted: list[str] = []
    neighbourhoods = tables.get("neighbourhoods")
    if neighbourhoods is not None:
        codes = neighbourhoods["neighbourhood_code"].astype("str")
        wanted += sorted(codes[codes.str[2:6] == municipality_code[2:6]])
    schools = tables.get("schools")
    if schools is not None and "municipality_code" in schools.columns:
        wanted += sorted(schools.loc[schools["municipality_code"] == municipality_code,
                                     "school_id"].astype("str"))
    return [[("level", "=", "municipality")], [("code", "in", wanted or [""])]]


def read_geometry_file(path: str | Path, filters: list | None = None) -> gpd.GeoDataFrame:
    """Read a geometry file as stored (no checks), optionally only the rows of a pyarrow
    ``filters`` expression; :class:`GeometryError` names an unreadable file."""
    import geopandas as gpd

    try:
        return gpd.read_parquet(path, filters=filters)
    except Exception as exc:  # pyarrow and geopandas raise several types for damaged files
        raise GeometryError(f"{path}: not a readable GeoParquet file ({exc})") from exc


def key_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The key columns of the tables the geometry's codes refer to (those present; for
    ``schools`` also ``municipality_code``)."""
    frames = {}
    for table, column in LEVELS.values():
        path = Path(directory) / f"{table}.parquet"
        if path.is_file():
            columns = [column] + (["municipality_code"] if table == "schools" else [])
            frames[table] = pd.read_parquet(path, columns=columns)
    return frames


def geometry_problems(frame, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every way in which a geometry table breaks the rules (empty when it is valid).

    Checks: the columns of :data:`COLUMNS`; a stated CRS; a known level per row; one row per code
    and level; a non-empty geometry of the level's type (:data:`GEOMETRY_TYPES`) that is valid
    (OGC rules, :func:`shapely.is_valid`); every code present in the table of its level
    (:data:`LEVELS`) when that table is given.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The geometry table.
    tables : dict of str to pandas.DataFrame
        The dataset's tables (only key columns are used).

    Returns
    -------
    list of npo_analysis.data.validation.Problem
        Problems of table ``geometry``; rows are positions in ``frame`` with their code.
    """
    from npo_analysis.data.problems import Problem

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing or not hasattr(frame, "crs"):
        names = ", ".join(missing) or "geometry"
        return [Problem(GEOMETRY_TABLE, None, "missing_column",
                        f"missing column(s) {names}; expected columns {', '.join(COLUMNS)}")]
    problems = []
    if frame.crs is None:
        problems.append(Problem(GEOMETRY_TABLE, "geometry", "bad_metadata",
                                "no coordinate reference system stated; expected a CRS in the "
                                "GeoParquet metadata (e.g. EPSG:28992 or EPSG:4326)"))
    problems += _row_problems(frame, tables)
    return [p for p in problems if p is not None]


def _row_problems(frame, tables) -> list[Problem | None]:
    import shapely

    codes = frame["code"].astype("str")
    levels = frame["level"].astype("str")
    shapes = frame.geometry.array
    known_level = levels.isin(list(LEVELS)).to_numpy()
    empty = (shapely.is_missing(shapes) | shapely.is_empty(shapes))
    types = np.asarray(shapely.get_type_id(shapes))
    type_names = np.array([_TYPE_NAMES.get(int(t), "none") for t in types], dtype=object)
    allowed = np.array([name in GEOMETRY_TYPES.get(level, ()) for name, level
                        in zip(type_names, levels, strict=True)])
    invalid = ~empty & allowed & ~np.asarray(shapely.is_valid(shapes))
    reasons = pd.Series(shapely.is_valid_reason(shapes), index=frame.index)
    return [
        _problem(codes, ~known_level, "unknown_category", "level",
                 "unknown level", f"one of {', '.join(LEVELS)}", levels),
        _problem(codes, frame.duplicated(["code", "level"]).to_numpy(), "duplicate_key", "code",
                 "code listed twice for its level", "one row per code and level"),
        _problem(codes, known_level & (empty | (~empty & ~allowed)), "invalid_geometry",
                 "geometry", "missing or wrong geometry type",
                 "a Polygon or MultiPolygon per area, a Point per school", type_names),
        _problem(codes, invalid, "invalid_geometry", "geometry", "invalid geometry",
                 "valid polygons (no self-intersections; make_valid or buffer(0) repairs them)",
                 reasons),
        *(_unknown_code_problem(codes, levels, level, tables) for level in LEVELS),
    ]


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _unknown_code_problem(codes, levels, level: str, tables) -> Problem | None:
    table, column = LEVELS[level]
    if table not in tables:
        return None
    known = pd.Index(tables[table][column].astype("str").unique())
    mask = (levels == level).to_numpy() & (known.get_indexer(codes) < 0)
    return _problem(codes, mask, "unknown_reference", "code", f"{level} code not in {table}",
                    f"every {level} code to appear in {table}.{column}")


def _problem(codes: pd.Series, mask, kind: str, column: str, what: str, expected: str,
             details=None) -> Problem | None:
    from npo_analysis.data.problems import Problem

    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    if positions.size == 0:
        return None
    shown = positions[:MAX_SHOWN_ROWS]
    rows = tuple((int(p), codes.iloc[p]) for p in shown)
    named = [f"row {p} {codes.iloc[p]}" + (f": {np.asarray(details)[p]}" if details is not None
                                           else "") for p in shown]
    more = f", ... {positions.size - shown.size} more" if positions.size > shown.size else ""
    rows_word = "row" if positions.size == 1 else "rows"
    message = (f"{what} in {positions.size} {rows_word} ({'; '.join(named)}{more}); "
               f"expected {expected}")
    return Problem(GEOMETRY_TABLE, column, kind, message, rows, int(positions.size))


def repair_polygons(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Repair invalid area polygons with :func:`shapely.make_valid`, keeping polygonal parts.

    Returns
    -------
    frame : geopandas.GeoDataFrame
        A copy with every area valid.
    repaired : list of str
        Codes of the rows repaired.
    """
    import shapely

    shapes = frame.geometry.array
    bad = (~np.asarray(shapely.is_valid(shapes)) & frame["level"].isin(
        ["municipality", "neighbourhood"]).to_numpy())
    if not bad.any():
        return frame, []
    fixed = [polygonal_part(shapely.make_valid(shape)) for shape in shapes[bad]]
    geometry = frame.geometry.copy()
    geometry[bad] = fixed
    return frame.set_geometry(geometry), frame["code"][bad].tolist()


def polygonal_part(shape):
    """The polygons of ``shape`` as a Polygon or MultiPolygon (lines and points dropped)."""
    import shapely

    if shape.geom_type in ("Polygon", "MultiPolygon"):
        return shape
    parts = [p for p in shapely.get_parts(shape) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def areas(geometry: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The rows of one level (:data:`LEVELS`), indexed by nothing, in code order."""
    if level not in LEVELS:
        raise ValueError(f"level={level!r}: expected one of {', '.join(LEVELS)}")
    return geometry[geometry["level"] == level].reset_index(drop=True)


def missing_geometry_message(directory: str | Path | None = None, language: str = "nl") -> str:
    """Say which file to supply for maps, in Dutch or English.

    Parameters
    ----------
    directory : path-like, optional
        The dataset directory, named in the message.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    where = f" ({Path(directory) / GEOMETRY_FILE})" if directory is not None else ""
    if language == "en":
        return (f"No map: this dataset has no boundaries{where}. Download the CBS boundaries with "
                "`npo-analysis fetch` or pass a GeoJSON or GeoPackage of municipalities and "
                "wijken to `npo-analysis import-public --geometry FILE`.")
    return (f"Geen kaart: deze dataset heeft geen grenzen{where}. Download de CBS-grenzen met "
            "`npo-analysis fetch` of geef een GeoJSON- of GeoPackage-bestand met gemeenten en "
            "wijken aan `npo-analysis import-public --geometry BESTAND`.")
