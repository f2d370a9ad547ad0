"""Maps: data preparation against hand counts, validity after simplification, legends, text."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402

from npo_analysis.data.demoland import generate  # noqa: E402
from npo_analysis.data.geometry import geometry_frame  # noqa: E402
from npo_analysis.data.schema import DEVELOPMENT_DOMAINS  # noqa: E402
from npo_analysis.report import maps  # noqa: E402


@pytest.fixture(scope="module")
def small():
    return generate("small", seed=5)


def _grid():
    """Three neighbourhoods side by side and two schools."""
    shapes = [shapely.box(1000 * k, 0, 1000 * (k + 1), 1000) for k in range(4)]
    return geometry_frame(["WK000101", "WK000102", "WK000103", "WK000104", "00AA00", "00AB00"],
                          ["neighbourhood"] * 4 + ["school"] * 2,
                          shapes + [shapely.Point(500, 500), shapely.Point(1500, 500)])


def _tables():
    neighbourhoods = pd.DataFrame({
        "neighbourhood_code": ["WK000101", "WK000102", "WK000103", "WK000104"],
        "name": ["Noord", "Midden", "Zuid", "Leeg"], "pupils": [200, 100, 5, 0],
        "target_pupils": [50, 10, 1, 0], "ve_indicated": [20, 4, 0, 0],
        "ve_reach": [0.9, 0.5, None, None]})
    rows = []
    for code, places in (("WK000101", 10.0), ("WK000102", 40.0), ("WK000103", 0.0),
                         ("WK000104", 0.0)):
        need = 0.0 if code == "WK000104" else 40.0
        for domain in DEVELOPMENT_DOMAINS:
            # need 40 places per neighbourhood and domain, one age band (none in WK000104)
            rows.append({"neighbourhood_code": code, "municipality_code": "GM0001",
                         "name": code, "domain": domain, "age_band": "4-7",
                         "target_children": int(need), "need": need,
                         "activity_places": places if domain == "social" else need})
    return neighbourhoods, pd.DataFrame(rows)


def test_neighbourhood_map_data_against_hand_counts():
    neighbourhoods, coverage = _tables()
    data = maps.neighbourhood_map_data(_grid(), neighbourhoods, coverage)
    assert list(data["target_share"][:3]) == pytest.approx([50 / 200, 10 / 100, 1 / 5])
    assert pd.isna(data["target_share"][3])  # no pupils
    assert list(data["small_pupils"]) == [False, False, True, True]
    assert list(data["small_reach"]) == [False, True, True, True]
    assert list(data["coverage_social"][:3]) == pytest.approx([0.25, 1.0, 0.0])
    assert list(data["white_spot"]) == [True, False, True, False]
    # all domains tie at full coverage in Midden: the first domain; Leeg has no need at all
    assert list(data["worst_domain"][:3]) == ["social", "cognitive", "social"]
    assert pd.isna(data["worst_domain"][3]) and pd.isna(data["worst_coverage"][3])
    schools = pd.DataFrame({"school_id": ["00AA00", "00AB00"], "name": ["A", "B"],
                            "pupils": [120, 80]})
    points = maps.school_map_data(_grid(), schools)
    assert list(points["pupils"]) == [120, 80]


def test_the_text_names_the_highest_and_lowest_areas():
    neighbourhoods, coverage = _tables()
    data = maps.neighbourhood_map_data(_grid(), neighbourhoods, coverage)
    assert maps.map_text(data, "target_share", small="small_pupils", what="aandeel") == (
        "Hoogste aandeel: Noord (25,0%); laagste: Midden (10,0%). Niet gekleurd wegens "
        "te weinig kinderen: 2.")
    money = pd.DataFrame({"name": ["A", "B"], "v": [1234.4, 99.0]})
    assert maps.map_text(money, "v", kind="eur", language="en") == (
        "Highest value: A (€1,234); lowest: B (€99).")
    assert maps.map_text(money.iloc[:1], "v", kind="eur") == (
        "Alleen A heeft een waarde om te tonen (€ 1.234).")
    assert maps.white_spot_text(data) == (
        "Witte vlekken (aanbod dekt minder dan de helft van de behoefte): Zuid (0%), Noord (25%).")


def test_small_areas_are_hatched_and_the_colour_bar_reads_dutch_percentages():
    neighbourhoods, coverage = _tables()
    data = maps.neighbourhood_map_data(_grid(), neighbourhoods, coverage)
    ax = maps.choropleth(data, "target_share", small="small_pupils", label="Aandeel")
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 2  # Zuid and Leeg
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["te weinig kinderen"]
    bar = ax.figure.axes[-1]
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in bar.get_xticklabels() if t.get_text()]
    assert labels and all(label.endswith("%") for label in labels)
    plt.close(ax.figure)


def test_simplification_keeps_every_polygon_valid_and_shrinks_the_svg(small):
    geometry = small.geometry
    table = small["municipalities"][["municipality_code", "name", "low_income_share"]]
    national = maps.municipality_map_data(geometry, table)
    simple = maps.simplify_for_drawing(national, maps.NATIONAL_TOLERANCE)
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    assert shapely.get_num_coordinates(simple.geometry.array).sum() <= \
        shapely.get_num_coordinates(national.geometry.array).sum()
    sizes = []
    for frame in (simple, national):
        ax = maps.choropleth(frame, "low_income_share", source=maps.DEMOLAND_SOURCE)
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="svg")
        plt.close(ax.figure)
        sizes.append(len(buffer.getvalue()))
    assert sizes[0] <= sizes[1] and sizes[0] < 300_000


def test_locator_and_white_spot_maps_draw_and_reject_unknown_input(small):
    geometry = small.geometry
    table = small["municipalities"][["municipality_code", "name"]]
    national = maps.municipality_map_data(geometry, table)
    code = table["municipality_code"].iloc[0]
    ax = maps.locator_map(national, code)
    assert len(ax.collections) == 2
    plt.close(ax.figure)
    country = maps.country_outline(national)
    # Demoland's municipalities tile the country: the outline's area is the sum of theirs
    assert country.area == pytest.approx(national.geometry.area.sum(), rel=1e-9)
    ax = maps.locator_map(national, code, country=country)
    assert len(ax.collections[0].get_paths()) == 1
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="GM9999"):
        maps.locator_map(national, "GM9999")
    neighbourhoods, coverage = _tables()
    data = maps.neighbourhood_map_data(_grid(), neighbourhoods, coverage)
    ax = maps.white_spot_map(data, domain="social", language="en")
    assert "white spot (< 50% covered)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="domain='sport'"):
        maps.white_spot_map(data, domain="sport")
