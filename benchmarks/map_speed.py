"""Benchmark: drawing time (including SVG encoding) and SVG size of every map kind.

On Demoland ``national`` (342 municipalities, about 1,700 neighbourhoods; the neighbourhood maps
of its municipality with the most neighbourhoods) and, when ``../shared/realdata`` holds it, on
the real 2023 municipalities (CBS, generalised). The values coloured are the datasets' own
columns (Demoland's low-income shares) or, for the real boundaries, a stand-in share per
municipality: drawing time does not depend on them. Prints the median of 5 runs per map and the
SVG size; targets: at most 300 KB per map.

Usage: ``python benchmarks/map_speed.py``
"""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from npo_analysis.data.demoland import generate  # noqa: E402
from npo_analysis.data.geometry import areas  # noqa: E402
from npo_analysis.data.sources.geometry import SOURCE_LINE, combine_boundaries, read_boundaries
from npo_analysis.report import maps  # noqa: E402

REPEATS = 5
MAX_SVG_BYTES = 300_000
REAL_FILE = (Path(__file__).resolve().parents[2] / "shared" / "realdata"
             / "cbs_gemeenten-2023_gegeneraliseerd.geojson")


def svg_bytes(draw) -> int:
    """Draw a map with ``draw()`` (returns its Axes), encode it as SVG, close it: the size."""
    ax = draw()
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="svg")
    plt.close(ax.figure)
    return len(buffer.getvalue())


def measure(name: str, draw) -> None:
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        size = svg_bytes(draw)
        times.append(time.perf_counter() - start)
    verdict = "ok" if size <= MAX_SVG_BYTES else "TOO LARGE"
    print(f"{name:<52} {statistics.median(times):6.3f} s {size / 1000:8.1f} KB  {verdict}")


def timed(name: str, compute) -> None:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        compute()
        times.append(time.perf_counter() - start)
    print(f"{name:<52} {statistics.median(times):6.3f} s")


def demoland_map_data(profile: str = "national") -> dict:
    """The maps' data of Demoland ``profile``: every municipality (simplified for the national
    and the locator map), the country outline, and the neighbourhoods (with a white-spot stand-in)
    and schools of its municipality with the most neighbourhoods."""
    dataset = generate(profile)
    geometry = dataset.geometry
    table = dataset["municipalities"][["municipality_code", "name", "low_income_share"]]
    national = maps.simplify_for_drawing(maps.municipality_map_data(geometry, table),
                                         maps.NATIONAL_TOLERANCE)
    code = dataset["neighbourhoods"]["municipality_code"].value_counts().index[0]
    locator = maps.simplify_for_drawing(national, maps.LOCATOR_TOLERANCE)
    nbs = dataset["neighbourhoods"]
    own = nbs[nbs["municipality_code"] == code]
    local = areas(geometry, "neighbourhood")
    local = maps.simplify_for_drawing(
        local[local["code"].isin(own["neighbourhood_code"])], maps.LOCAL_TOLERANCE)
    data = local.merge(own, left_on="code", right_on="neighbourhood_code")
    data["small"] = data["children_4_11"] < 10
    schools = dataset["schools"]
    return {
        "geometry": geometry, "national": national, "code": code, "locator": locator,
        "country": maps.country_outline(locator), "neighbourhoods": data,
        "schools": maps.school_map_data(geometry, schools[schools["municipality_code"] == code]),
        "spots": data.assign(worst_coverage=data["low_income_share"] * 4,
                             white_spot=data["low_income_share"] < 0.125)}


def map_drawings(d: dict) -> dict:
    """Per map kind of a report: a function drawing it (returns its Axes) on ``d``."""
    def neighbourhood_map():
        ax = maps.choropleth(d["neighbourhoods"], "low_income_share", small="small",
                             label="Aandeel", source=maps.DEMOLAND_SOURCE)
        return maps.school_points(d["schools"], ax=ax)

    return {
        "national_choropleth": lambda: maps.choropleth(
            d["national"], "low_income_share", label="Aandeel", source=maps.DEMOLAND_SOURCE,
            linewidth=0.2),
        "neighbourhood_map": neighbourhood_map,
        "white_spot_map": lambda: maps.white_spot_map(d["spots"], source=maps.DEMOLAND_SOURCE),
        "locator_map": lambda: maps.locator_map(d["locator"], d["code"], country=d["country"]),
    }


def demoland_maps() -> None:
    d = demoland_map_data("national")
    national, locator, code = d["national"], d["locator"], d["code"]
    print(f"Demoland national: {len(national)} municipalities, "
          f"{int((d['geometry']['level'] == 'neighbourhood').sum())} neighbourhoods")
    drawings = map_drawings(d)
    measure("Demoland national choropleth", lambda: maps.choropleth(
        national, "low_income_share", label="Aandeel", source=maps.DEMOLAND_SOURCE))
    measure(f"Demoland locator map ({code}, 2 km)", lambda: maps.locator_map(locator, code))
    timed("Demoland country outline (once per batch)", lambda: maps.country_outline(locator))
    measure(f"Demoland locator map over the outline ({code})", drawings["locator_map"])
    print(f"  {code}: {len(d['neighbourhoods'])} neighbourhoods, {len(d['schools'])} schools")
    measure("Demoland neighbourhood choropleth + schools", drawings["neighbourhood_map"])
    measure("Demoland white-spot map", drawings["white_spot_map"])


def real_maps() -> None:
    if not REAL_FILE.exists():
        print(f"real 2023 municipalities: skipped ({REAL_FILE} absent)")
        return
    boundaries = combine_boundaries([read_boundaries(REAL_FILE)])
    share = pd.DataFrame({"municipality_code": boundaries["code"],
                          "share": np.linspace(0.05, 0.35, len(boundaries))})
    raw = maps.municipality_map_data(boundaries, share)
    simple = maps.simplify_for_drawing(raw, maps.NATIONAL_TOLERANCE)
    print(f"real 2023: {len(raw)} municipalities")
    measure("real 2023 choropleth (unsimplified)", lambda: maps.choropleth(
        raw, "share", label="Aandeel", source=SOURCE_LINE))
    measure("real 2023 choropleth (simplified 250 m)", lambda: maps.choropleth(
        simple, "share", label="Aandeel", source=SOURCE_LINE))
    locator = maps.simplify_for_drawing(raw, maps.LOCATOR_TOLERANCE)
    measure("real 2023 locator map (GM0344, 2 km)", lambda: maps.locator_map(locator, "GM0344"))
    timed("real 2023 country outline (once per batch)", lambda: maps.country_outline(locator))
    country = maps.country_outline(locator)
    measure("real 2023 locator map over the outline (GM0344)",
            lambda: maps.locator_map(locator, "GM0344", country=country))


if __name__ == "__main__":
    print(f"median of {REPEATS} runs, drawing + SVG encoding; SVG size (target <= 300 KB)")
    demoland_maps()
    real_maps()
