"""The maps in the HTML of a tiny Demoland batch: inline SVG with a title and a text alternative
(issue 18)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from npo_analysis.batch import run_reports
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate

ROOT = Path(__file__).resolve().parents[1]
#: An inline chart of the exported page: its aria-label ("title. alt") and its <desc> (the alt).
CHART = re.compile(r'<svg aria-label="([^"]*)"[^>]*class="npo-chart".*?<desc>(.*?)</desc>', re.S)


def _charts(page: str) -> dict[str, str]:
    """Title -> text alternative of every chart of ``page``."""
    charts = {}
    for label, desc in CHART.findall(page):
        label, desc = html.unescape(label), html.unescape(desc)
        assert label.endswith(desc), label
        charts[label[:-len(desc)].rstrip(". ").strip()] = desc
    return charts


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("maps")
    dataset = generate("tiny", 1)
    write_dataset(dataset, root / "data")
    code = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])[0]
    summary = run_reports(root / "data", root / "out", year=2024, municipalities=[code],
                          notebook=ROOT / "notebooks" / "municipality_report.ipynb",
                          params_dir=ROOT / "params", executor="serial", verbose=False)
    assert summary.failed == []
    return {"code": code, "data": root / "data", "reports": summary.run_dir / "reports"}


@pytest.mark.slow
def test_report_shows_four_maps_with_text_alternatives(batch):
    page = (batch["reports"] / f"{batch['code']}.html").read_text(encoding="utf-8")
    charts = _charts(page)
    municipality = pd.read_parquet(batch["data"] / "municipalities.parquet").set_index(
        "municipality_code").loc[batch["code"], "name"]
    wijken = pd.read_parquet(batch["data"] / "neighbourhoods.parquet")
    names = set(wijken.loc[wijken["municipality_code"] == batch["code"], "name"])
    assert "### Kaarten" not in page and ">Kaarten<" in page
    for title in ("Aandeel doelgroepleerlingen", "VVE-bereik",
                  "Witte vlekken in het aanbod per wijk"):
        alt = charts[title]
        assert any(name in alt for name in names), (title, alt)
    assert charts[f"Ligging van {municipality} in het land"] == (
        f"Kaart van het land met {municipality} gekleurd.")
    # the maps come after the white-spot heat map and before the VE section
    order = [page.index(f'aria-label="{html.escape(t, quote=True)}')
             for t in ("Dekking van de behoefte", "Aandeel doelgroepleerlingen. ",
                       f"Ligging van {municipality}")]
    assert order == sorted(order)


@pytest.mark.slow
def test_national_overview_shows_two_maps(batch):
    page = (batch["reports"] / "national_overview.html").read_text(encoding="utf-8")
    charts = _charts(page)
    names = set(pd.read_parquet(batch["data"] / "municipalities.parquet")["name"])
    maps = {t: a for t, a in charts.items() if a.startswith("Hoogste")}
    assert sorted(maps) == ["Aandeel doelgroepkinderen", "GOAB per doelgroepkind"]
    for alt in maps.values():
        assert any(name in alt for name in names), alt


def test_school_points_keep_the_maps_own_legend():
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from matplotlib.legend import Legend
    from shapely.geometry import Point, box

    from npo_analysis.report import maps

    wijken = gpd.GeoDataFrame({"name": ["Noord", "Zuid"], "worst_coverage": [0.2, 1.0],
                               "white_spot": [True, False]},
                              geometry=[box(0, 0, 1000, 1000), box(0, 1000, 1000, 2000)],
                              crs="EPSG:28992")
    schools = gpd.GeoDataFrame({"pupils": [100, 400]},
                               geometry=[Point(500, 500), Point(500, 1500)], crs="EPSG:28992")
    ax = maps.school_points(schools, ax=maps.white_spot_map(wijken))
    texts = [t.get_text() for legend in ax.findobj(Legend) for t in legend.get_texts()]
    plt.close(ax.figure)
    assert "witte vlek (< 50% gedekt)" in texts and "100" in " ".join(texts)
