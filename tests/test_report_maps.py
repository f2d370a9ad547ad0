"""The report's maps on tiny Demoland: data gathered from the analyses, drawn, described."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from report_support import PARAMS_DIR, build_tiny  # noqa: E402

from npo_analysis.data.geometry import GEOMETRY_FILE  # noqa: E402
from npo_analysis.report import load_report_data, validate_parameters  # noqa: E402
from npo_analysis.report.analyses import ReportAnalyses  # noqa: E402
from npo_analysis.report.maps_view import (
    MAPS,
    draw_locator_map,
    draw_national_map,
    draw_neighbourhood_map,
    missing_text,
    national_map_text,
    national_maps,
    neighbourhood_map_text,
    report_maps,
)
from npo_analysis.report.overview import with_money_per_child  # noqa: E402


@pytest.fixture(scope="module")
def analyses(tmp_path_factory):
    data_dir, results_dir = build_tiny(tmp_path_factory.mktemp("maps"))
    schools = pd.read_parquet(data_dir / "schools.parquet")
    code = schools["municipality_code"].value_counts().sort_index().idxmax()
    params = validate_parameters(municipality_code=code, year=2024, data_dir=str(data_dir),
                                 results_dir=str(results_dir), params_dir=str(PARAMS_DIR))
    return ReportAnalyses(load_report_data(params))


def _svg_size(ax) -> int:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="svg")
    plt.close(ax.figure)
    return len(buffer.getvalue())


def test_every_neighbourhood_map_of_a_report_is_drawn_and_described(analyses):
    report = report_maps(analyses)
    table = analyses.neighbourhoods
    assert sorted(report.neighbourhoods["neighbourhood_code"]) == sorted(
        table["neighbourhood_code"])
    assert len(report.schools) == len(analyses.data.schools)
    assert report.source == "Bron: Demoland (synthetisch)"
    # the highest share of target pupils, computed from the neighbourhood table by hand
    shown = table[table["pupils"] >= 10]
    share = shown["target_pupils"] / shown["pupils"]
    highest = shown.loc[share.idxmax(), "name"]
    text = neighbourhood_map_text(report, "target_share")
    assert text.startswith(f"Hoogste aandeel doelgroepleerlingen: {highest} (")
    locator = draw_locator_map(report)
    assert _svg_size(locator) < 20_000
    for name in [*MAPS, "white_spots"]:
        assert _svg_size(draw_neighbourhood_map(report, name)) < 300_000
        assert neighbourhood_map_text(report, name, "en")


def test_the_national_maps_and_a_dataset_without_geometry(analyses):
    data = analyses.data
    profile = with_money_per_child(data.profile)
    frame = national_maps(data.params.data_dir, profile)
    assert len(frame) == len(profile)
    for name in ("target_share", "goab_per_target_child"):
        assert _svg_size(draw_national_map(frame, name, "Bron: test")) < 300_000
    money = national_map_text(frame, "goab_per_target_child")
    assert "€ " in money
    (data.params.data_dir / GEOMETRY_FILE).unlink()
    assert report_maps(analyses) is None
    assert "import-public --geometry" in missing_text(analyses)
