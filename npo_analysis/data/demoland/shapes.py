"""The map of Demoland: a country outline tiled by its municipalities, each tiled by its
neighbourhoods, and a point per school inside its neighbourhood.

The outline is a smooth random blob of about the Netherlands' land area, placed where the
Netherlands lies in RD New coordinates (EPSG:28992). Municipalities are the Voronoi cells
(:func:`shapely.voronoi_polygons`) of random points in the outline, relaxed a few times towards
their cells' centroids (Lloyd) so that they look like compact areas, and clipped to the outline;
neighbourhoods are the Voronoi cells of random points in their municipality, clipped to it. So the
municipalities tile the country and the neighbourhoods tile each municipality, without gaps or
overlaps. Everything is drawn from the random stream ``"shapes"``: the same seed gives the same
geometry.
"""

from __future__ import annotations

import numpy as np
import shapely

from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import stream
from npo_analysis.data.geometry import geometry_frame, polygonal_part

#: Centre of the outline in RD New (near Amersfoort, the origin of the Dutch grid's false origin).
CENTRE = (155_000.0, 463_000.0)
#: Mean radius of the outline (m): a disc of this radius has about 34,000 km2, the Dutch land area.
RADIUS = 104_000.0
#: North-south stretch of the outline (the Netherlands is taller than wide).
ASPECT = 1.25
#: Vertices of the outline.
OUTLINE_VERTICES = 240
#: Amplitudes of the outline's harmonics (k = 2, 3, ...): a smooth, irregular coast.
HARMONICS = (0.10, 0.07, 0.05, 0.03, 0.02)
#: Lloyd relaxation steps for municipalities and for neighbourhoods.
MUNICIPALITY_RELAXATION = 3
NEIGHBOURHOOD_RELAXATION = 2


def build_shapes(geo: Geography, seed: int):
    """Polygons of every municipality and neighbourhood and a point per school.

    Parameters
    ----------
    geo : Geography
        The municipalities, neighbourhoods and schools.
    seed : int
        Dataset seed.

    Returns
    -------
    geopandas.GeoDataFrame
        The geometry table of :mod:`npo_analysis.data.geometry` in RD New.
    """
    rng = stream(seed, "shapes")
    outline = country_outline(rng)
    municipalities = tile(rng, outline, len(geo.muni_code), MUNICIPALITY_RELAXATION)
    neighbourhoods = np.empty(len(geo.nb_code), dtype=object)
    for m, area in enumerate(municipalities):
        members = np.flatnonzero(geo.nb_muni == m)
        neighbourhoods[members] = tile(rng, area, len(members), NEIGHBOURHOOD_RELAXATION)
    schools = points_in(rng, neighbourhoods, geo.school_nb)
    n_muni, n_nb = len(geo.muni_code), len(geo.nb_code)
    return geometry_frame(
        np.concatenate([geo.muni_code, geo.nb_code, geo.school_id]),
        ["municipality"] * n_muni + ["neighbourhood"] * n_nb + ["school"] * len(schools),
        np.concatenate([municipalities, neighbourhoods, schools]))


def country_outline(rng: np.random.Generator) -> shapely.Polygon:
    """A smooth, irregular, country-sized polygon in RD New (see the module docstring)."""
    theta = np.linspace(0.0, 2.0 * np.pi, OUTLINE_VERTICES, endpoint=False)
    phases = rng.uniform(0.0, 2.0 * np.pi, len(HARMONICS))
    wobble = sum(a * np.cos((k + 2) * theta + p)
                 for k, (a, p) in enumerate(zip(HARMONICS, phases, strict=True)))
    radius = RADIUS * (1.0 + wobble)
    x = CENTRE[0] + radius * np.cos(theta) / np.sqrt(ASPECT)
    y = CENTRE[1] + radius * np.sin(theta) * np.sqrt(ASPECT)
    return shapely.Polygon(np.column_stack([x, y]))


def tile(rng: np.random.Generator, area, n: int, relaxation: int) -> np.ndarray:
    """Split ``area`` into ``n`` Voronoi cells of random points (relaxed ``relaxation`` times).

    Returns
    -------
    numpy.ndarray of shapely geometries
        ``n`` polygons (or multipolygons) that cover ``area`` without overlapping.
    """
    if n == 1:
        return np.array([area], dtype=object)
    cells = voronoi_cells(random_points(rng, area, n), area)
    for _ in range(relaxation):
        cells = voronoi_cells(_centroids_inside(cells), area)
    return cells


def _centroids_inside(cells: np.ndarray) -> np.ndarray:
    """The cells' centroids; a cell's representative point where its centroid lies outside."""
    centroids = shapely.centroid(cells)
    inside = shapely.contains(cells, centroids)
    return np.where(inside, centroids, shapely.point_on_surface(cells))


def voronoi_cells(points: np.ndarray, area) -> np.ndarray:
    """The Voronoi cells of ``points`` (in their order), clipped to ``area``."""
    extent = shapely.box(*shapely.bounds(area)).buffer(1.0)
    diagram = shapely.voronoi_polygons(shapely.MultiPoint(list(points)), extend_to=extent,
                                       ordered=True)
    cells = np.asarray(shapely.get_parts(diagram), dtype=object)
    return np.array([polygonal_part(cell.intersection(area)) for cell in cells], dtype=object)


def random_points(rng: np.random.Generator, area, n: int) -> np.ndarray:
    """``n`` distinct uniform random points inside ``area`` (rejection sampling)."""
    xmin, ymin, xmax, ymax = shapely.bounds(area)
    shapely.prepare(area)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(xy)
        count += len(xy)
    return shapely.points(np.concatenate(found)[:n])


def points_in(rng: np.random.Generator, areas: np.ndarray, area_of: np.ndarray) -> np.ndarray:
    """A uniform random point inside ``areas[area_of[i]]`` for every ``i``."""
    points = np.empty(len(area_of), dtype=object)
    for index in np.unique(area_of):
        members = np.flatnonzero(area_of == index)
        points[members] = random_points(rng, areas[index], len(members))
    return points
