"""Demoland's map: valid polygons that tile the country and each municipality, deterministic."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from npo_analysis.data.demoland import geography, profiles
from npo_analysis.data.demoland.sampling import stream
from npo_analysis.data.demoland.shapes import build_shapes, country_outline
from npo_analysis.data.geometry import geoparquet_bytes

SEED = 11


@pytest.fixture(scope="module", params=["tiny", "small"])
def built(request):
    geo = geography.build_geography(profiles.get_profile(request.param), SEED)
    return geo, build_shapes(geo, SEED)


def _level(frame, level):
    rows = frame[frame["level"] == level]
    return rows.set_index("code").geometry


def test_every_shape_is_valid_and_every_code_has_one(built):
    geo, frame = built
    assert shapely.is_valid(frame.geometry.array).all()
    assert list(_level(frame, "municipality").index) == sorted(geo.muni_code)
    assert set(_level(frame, "neighbourhood").index) == set(geo.nb_code)
    assert set(_level(frame, "school").index) == set(geo.school_id)


def test_municipalities_tile_the_outline_without_gaps_or_overlaps(built):
    _, frame = built
    cells = _level(frame, "municipality")
    outline = country_outline(stream(SEED, "shapes"))
    union = shapely.union_all(cells.array)
    # no overlaps: the union's area is the sum of the areas
    assert union.area == pytest.approx(cells.area.sum(), rel=1e-9)
    # no gaps: the union is the outline
    assert union.symmetric_difference(outline).area < 1e-6 * outline.area


def test_neighbourhoods_tile_their_municipality(built):
    geo, frame = built
    cells = _level(frame, "neighbourhood")
    municipalities = _level(frame, "municipality")
    for m, code in enumerate(geo.muni_code):
        own = cells[geo.nb_code[geo.nb_muni == m]]
        area = municipalities[code]
        union = shapely.union_all(own.array)
        assert union.area == pytest.approx(own.area.sum(), rel=1e-9)
        assert union.symmetric_difference(area).area < 1e-6 * area.area
        assert all(area.buffer(1e-6).contains(cell) for cell in own)


def test_each_school_lies_in_its_neighbourhood(built):
    geo, frame = built
    points = _level(frame, "school")[geo.school_id]
    cells = _level(frame, "neighbourhood")[geo.nb_code[geo.school_nb]]
    assert np.all(shapely.contains(cells.array, points.array))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_shapes():
    geo = geography.build_geography(profiles.get_profile("tiny"), SEED)
    first, second = build_shapes(geo, SEED), build_shapes(geo, SEED)
    assert geoparquet_bytes(first) == geoparquet_bytes(second)
    other = build_shapes(geo, SEED + 1)
    assert not first.geometry.geom_equals(other.geometry).all()


def test_the_country_has_about_the_dutch_land_area():
    outline = country_outline(stream(SEED, "shapes"))
    # the Netherlands' land area is about 33,700 km2; the outline is a disc of that size, wobbled
    assert 25_000 < outline.area / 1e6 < 45_000
