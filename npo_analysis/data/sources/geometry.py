"""Real boundaries: CBS's generalised municipality and wijk polygons.

- :func:`fetch_boundaries` downloads them for an indeling year from PDOK's WFS service of the
  CBS gebiedsindelingen (:data:`WFS_URL`), layer by layer, paging with ``STARTINDEX``/``COUNT``
  because the service returns at most :data:`PAGE_SIZE` features per request. Each layer becomes
  one GeoJSON file in the download directory, recorded in ``fetch.json`` (URL, SHA-256, size,
  date) like the other public files (:mod:`npo_analysis.data.sources.fetch`).
- :func:`read_boundaries` reads such a file, or any GeoJSON or GeoPackage the user has, into the
  geometry table of :mod:`npo_analysis.data.geometry` (codes from the property ``statcode``).
- :func:`dataset_geometry` keeps the areas of a dataset's indeling and says what it left out.

Source line for maps drawn from this geometry: :data:`SOURCE_LINE` (CC BY 4.0, CBS/Kadaster).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from npo_analysis.atomic import write_bytes_atomic, write_text_atomic
from npo_analysis.data.geometry import (
    DRAWING_CRS,
    LEVELS,
    GeometryError,
    geometry_frame,
    repair_polygons,
    sort_geometry,
)
from npo_analysis.data.sources.common import file_sha256
from npo_analysis.data.sources.fetch import (
    DEFAULT_TIMEOUT,
    FETCH_FILE,
    download,
    read_fetch_record,
)

#: PDOK's WFS of the CBS gebiedsindelingen; ``{year}`` is the indeling year.
WFS_URL = "https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0"
#: The layers downloaded, with the level of their areas.
LAYERS: dict[str, str] = {"gemeente_gegeneraliseerd": "municipality",
                          "wijk_gegeneraliseerd": "neighbourhood"}
#: Namespace of the layers' feature types in the service (``gebiedsindelingen:<layer>``, as its
#: GetCapabilities lists them).
WFS_NAMESPACE = "gebiedsindelingen"
#: Most features the service returns per request.
PAGE_SIZE = 1000
#: Coordinates requested from the service (RD New, the CRS maps are drawn in).
REQUEST_CRS = "EPSG:28992"
#: GeoJSON ``crs`` member naming :data:`REQUEST_CRS` (GDAL reads GeoJSON as WGS84 without it).
_REQUEST_CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
#: Property holding the CBS code (``GM0014``, ``WK001400``) in CBS's files.
CODE_PROPERTIES: tuple[str, ...] = ("statcode", "code")
#: Credit line for maps drawn from CBS/Kadaster geometry (CC BY 4.0).
SOURCE_LINE = "Bron: CBS, Kadaster"
#: Prefix of the code per level.
CODE_PREFIXES: dict[str, str] = {"GM": "municipality", "WK": "neighbourhood"}


def boundary_file_name(year: int, layer: str) -> str:
    """File name of a downloaded layer: ``cbs_<layer>_<year>.geojson``."""
    return f"cbs_{layer}_{year}.geojson"


def page_url(service: str, layer: str, start: int, count: int = PAGE_SIZE) -> str:
    """The WFS 2.0 GetFeature request of one page of ``layer`` as GeoJSON.

    Parameters
    ----------
    service : str
        The service address (:data:`WFS_URL` with the year filled in, or a mirror).
    layer : str
        Layer, e.g. ``gemeente_gegeneraliseerd`` (requested as
        ``gebiedsindelingen:gemeente_gegeneraliseerd``; a name with a namespace is kept).
    start : int
        Index of the first feature (``STARTINDEX``, from 0).
    count : int
        Features per page (``COUNT``).
    """
    query = urllib.parse.urlencode({
        "SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
        "TYPENAMES": layer if ":" in layer else f"{WFS_NAMESPACE}:{layer}",
        "OUTPUTFORMAT": "application/json", "SRSNAME": REQUEST_CRS, "STARTINDEX": start,
        "COUNT": count})
    return f"{service}?{query}"


def download_layer(service: str, layer: str, *, page_size: int = PAGE_SIZE,
                   timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Download every feature of ``layer``, page by page, as one GeoJSON FeatureCollection.

    Pages are requested until one holds fewer than ``page_size`` features.

    Raises
    ------
    FetchError
        When a request fails (see :func:`npo_analysis.data.sources.fetch.download`).
    ValueError
        When a page is not a GeoJSON FeatureCollection (names the URL).
    """
    features: list[dict] = []
    crs = None
    while True:
        url = page_url(service, layer, len(features), page_size)
        page = _feature_collection(url, download(url, timeout))
        features += page["features"]
        crs = crs or page.get("crs")
        if len(page["features"]) < page_size:
            break
    return {"type": "FeatureCollection", "crs": crs or _stated_crs(features),
            "features": features}


def _stated_crs(features: list[dict]) -> dict:
    """The ``crs`` member for pages that state none: RD New as requested, unless the first
    coordinate is a longitude/latitude pair (a service that answers GeoJSON in WGS84 only)."""
    first = next((f["geometry"]["coordinates"] for f in features if f.get("geometry")), None)
    while isinstance(first, list) and first and isinstance(first[0], list):
        first = first[0]
    if first and abs(first[0]) <= 180 and abs(first[1]) <= 90:
        return {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    return _REQUEST_CRS_MEMBER


def _feature_collection(url: str, body: bytes) -> dict:
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{url}: not GeoJSON ({exc}); expected a FeatureCollection") from exc
    if not isinstance(page, dict) or not isinstance(page.get("features"), list):
        raise ValueError(f"{url}: expected a GeoJSON FeatureCollection with a 'features' list")
    return page


@dataclass(frozen=True)
class BoundaryResult:
    """One downloaded layer: its name, ``downloaded`` or ``cached``, file, checksum, features."""

    layer: str
    status: str
    path: Path
    sha256: str
    features: int = 0


def fetch_boundaries(out: str | Path, year: int, *, service: str | None = None,
                     layers: tuple[str, ...] = tuple(LAYERS), refresh: bool = False,
                     page_size: int = PAGE_SIZE, timeout: float = DEFAULT_TIMEOUT,
                     today: dt.date | None = None) -> list[BoundaryResult]:
    """Download the generalised CBS boundaries of ``year`` into ``out``; record them in
    ``fetch.json``.

    Parameters
    ----------
    out : path-like
        Download directory (created when missing).
    year : int
        Indeling year (the municipalities of 1 January of that year).
    service : str, optional
        WFS address instead of PDOK's (:data:`WFS_URL`), e.g. a mirror or a test server.
    layers : tuple of str
        Layers to download (default :data:`LAYERS`).
    refresh : bool
        Download again even when the file is there with the recorded checksum.
    page_size, timeout
        Features per request; seconds to wait for the server.
    today : datetime.date, optional
        Download date to record (default today).

    Returns
    -------
    list of BoundaryResult
        One per layer.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    service = service or WFS_URL.format(year=year)
    record = read_fetch_record(out)
    date = (today or dt.date.today()).isoformat()
    results = []
    try:
        for layer in layers:
            results.append(_fetch_layer(out, year, service, layer, record, refresh, page_size,
                                        timeout, date))
    finally:
        write_text_atomic(out / FETCH_FILE,
                          json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return results


def _fetch_layer(out: Path, year: int, service: str, layer: str, record: dict, refresh: bool,
                 page_size: int, timeout: float, date: str) -> BoundaryResult:
    key = f"geometry_{layer}"
    target = out / boundary_file_name(year, layer)
    known = record.get(key, {})
    if not refresh and target.exists() and known.get("sha256") == file_sha256(target):
        return BoundaryResult(layer, "cached", target, known["sha256"], known.get("features", 0))
    collection = download_layer(service, layer, page_size=page_size, timeout=timeout)
    data = json.dumps(collection, ensure_ascii=False).encode("utf-8")
    write_bytes_atomic(target, data)
    checksum = file_sha256(target)
    record[key] = {"file": target.name, "url": service, "layer": layer, "year": year,
                   "sha256": checksum, "bytes": len(data), "downloaded": date,
                   "features": len(collection["features"]),
                   "title": f"CBS/Kadaster: {layer} {year} (PDOK, CC BY 4.0)"}
    return BoundaryResult(layer, "downloaded", target, checksum, len(collection["features"]))


# --- Reading ------------------------------------------------------------------------------------


def read_boundaries(path: str | Path, layer: str | None = None):
    """Read a GeoJSON or GeoPackage of CBS areas into the geometry table.

    The code comes from the first property of :data:`CODE_PROPERTIES` present; the level from
    the code's prefix (``GM`` municipality, ``WK`` neighbourhood). Rows with other codes (buurten,
    provinces) are dropped. Invalid polygons are kept as they are (validation reports them).

    Parameters
    ----------
    path : path-like
        ``.geojson``/``.json`` or ``.gpkg`` (any format GDAL reads).
    layer : str, optional
        Layer of a GeoPackage (default: the first).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, level, geometry`` in the file's CRS.

    Raises
    ------
    GeometryError
        When the file cannot be read, states no CRS, or has no code property (names the file).
    """
    import pyogrio

    path = Path(path)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise GeometryError(f"{path}: not a readable GeoJSON or GeoPackage ({exc})") from exc
    column = next((c for c in CODE_PROPERTIES if c in frame.columns), None)
    if column is None:
        raise GeometryError(f"{path}: no code property; expected one of "
                            f"{', '.join(CODE_PROPERTIES)} (e.g. statcode 'GM0014'), found "
                            f"{', '.join(map(str, frame.columns))}")
    if frame.crs is None:
        raise GeometryError(f"{path}: no coordinate reference system; expected one stated in "
                            "the file (e.g. EPSG:4326 or EPSG:28992)")
    codes = frame[column].astype("str").str.strip()
    levels = codes.str[:2].map(CODE_PREFIXES)
    keep = levels.notna().to_numpy()
    return geometry_frame(codes[keep], levels[keep], frame.geometry[keep], crs=frame.crs)


def combine_boundaries(frames: list, crs: str = DRAWING_CRS):
    """Concatenate geometry tables read from several files, all reprojected to ``crs``.

    Raises
    ------
    GeometryError
        When two files hold the same code (names it).
    """
    import geopandas as gpd

    combined = gpd.GeoDataFrame(pd.concat([f.to_crs(crs) for f in frames], ignore_index=True),
                                crs=crs)
    twice = combined["code"][combined["code"].duplicated()]
    if len(twice):
        raise GeometryError(f"the geometry files hold {len(twice)} codes twice (e.g. "
                            f"{twice.iloc[0]}); pass each level's boundaries once")
    return sort_geometry(combined)


@dataclass
class GeometryImport:
    """The result of :func:`dataset_geometry`: the kept geometry and what was left out."""

    geometry: object
    dropped: dict[str, list[str]] = field(default_factory=dict)
    without_shape: dict[str, list[str]] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        """A short account in English, one line per level."""
        lines = []
        for level in ("municipality", "neighbourhood"):
            kept = int((self.geometry["level"] == level).sum())
            dropped = self.dropped.get(level, [])
            missing = self.without_shape.get(level, [])
            line = f"geometry: {kept} {level} polygons"
            if dropped:
                line += (f"; {len(dropped)} not in the dataset left out "
                         f"({', '.join(dropped[:5])}{', ...' if len(dropped) > 5 else ''})")
            if missing:
                line += (f"; {len(missing)} of the dataset without a polygon "
                         f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
            lines.append(line)
        if self.repaired:
            lines.append(f"geometry: {len(self.repaired)} invalid polygons repaired with "
                         f"make_valid ({', '.join(self.repaired[:5])}"
                         f"{', ...' if len(self.repaired) > 5 else ''})")
        return "\n".join(lines)


def dataset_geometry(boundaries, tables: dict[str, pd.DataFrame]) -> GeometryImport:
    """Keep the areas whose codes the dataset knows, repair invalid polygons
    (:func:`npo_analysis.data.geometry.repair_polygons`); list those left out and those missing.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        :func:`read_boundaries` (one or more files concatenated).
    tables : dict of str to pandas.DataFrame
        The dataset's ``municipalities`` and ``neighbourhoods`` tables.

    Returns
    -------
    GeometryImport
    """
    keep = pd.Series(False, index=boundaries.index)
    dropped, missing = {}, {}
    for level in ("municipality", "neighbourhood"):
        table, column = LEVELS[level]
        known = set(tables[table][column].astype("str")) if table in tables else set()
        rows = boundaries["level"] == level
        inside = rows & boundaries["code"].isin(known)
        keep |= inside
        dropped[level] = sorted(boundaries.loc[rows & ~inside, "code"])
        missing[level] = sorted(known - set(boundaries.loc[inside, "code"]))
    kept, repaired = repair_polygons(boundaries[keep].reset_index(drop=True))
    return GeometryImport(kept, dropped, missing, repaired)
