"""The geometry file of a dataset: writing, reading, reprojection and every validation rule."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from npo_analysis.data.dataset import read_raw_tables, write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.data.geometry import (
    GEOMETRY_FILE,
    GeometryError,
    geometry_frame,
    geometry_problems,
    missing_geometry_message,
    read_geometry,
    repair_polygons,
    write_geometry,
)
from npo_analysis.data.validation import validate_dataset

SQUARE = shapely.box(0, 0, 1000, 1000)
BOWTIE = shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])
TABLES = {"municipalities": pd.DataFrame({"municipality_code": ["GM0001", "GM0002"]}),
          "neighbourhoods": pd.DataFrame({"neighbourhood_code": ["WK000101"]})}


def test_a_valid_table_has_no_problems():
    frame = geometry_frame(["GM0001", "GM0002", "WK000101"],
                           ["municipality", "municipality", "neighbourhood"],
                           [SQUARE, shapely.box(1000, 0, 2000, 1000), SQUARE])
    assert geometry_problems(frame, TABLES) == []


def test_an_invalid_polygon_is_named_by_row_and_code():
    frame = geometry_frame(["GM0001", "GM0002"], ["municipality"] * 2, [SQUARE, BOWTIE])
    [problem] = geometry_problems(frame, TABLES)
    assert problem.kind == "invalid_geometry"
    assert problem.rows == ((1, "GM0002"),)
    assert "row 1 GM0002: Self-intersection" in problem.message


def test_unknown_codes_wrong_types_levels_and_missing_crs_are_reported():
    frame = geometry_frame(["GM0009", "GM0001", "WK000101", "GM0002"],
                           ["municipality", "municipality", "neighbourhood", "province"],
                           [SQUARE, shapely.Point(1, 1), SQUARE, SQUARE], crs=None)
    # rows are sorted by level, then code: GM0001, GM0009, WK000101, then the unknown level
    problems = {(p.kind, p.column): p for p in geometry_problems(frame, TABLES)}
    assert problems[("bad_metadata", "geometry")]
    assert problems[("unknown_reference", "code")].rows == ((1, "GM0009"),)
    assert problems[("invalid_geometry", "geometry")].rows == ((0, "GM0001"),)
    assert problems[("unknown_category", "level")].rows == ((3, "GM0002"),)


def test_read_geometry_reprojects_and_names_the_file_when_broken(tmp_path):
    wgs = geometry_frame(["GM0001"], ["municipality"], [shapely.box(5.38, 52.15, 5.39, 52.16)],
                         crs="EPSG:4326")
    write_geometry(wgs, tmp_path)
    read = read_geometry(tmp_path, TABLES)
    assert read.crs.to_epsg() == 28992
    x, y = read.geometry.iloc[0].centroid.coords[0]
    # Amersfoort's Onze Lieve Vrouwetoren (5.387 E, 52.155 N) is the RD origin (155000, 463000)
    assert abs(x - 155_000) < 1_000 and abs(y - 463_000) < 1_000
    write_geometry(geometry_frame(["GM0003"], ["municipality"], [BOWTIE]), tmp_path)
    broken = rf"(?s){GEOMETRY_FILE}.*row 0 GM0003: Self-intersection"
    with pytest.raises(GeometryError, match=broken):
        read_geometry(tmp_path, TABLES)


def test_a_dataset_without_geometry_stays_valid_and_says_what_to_supply(tmp_path):
    dataset = generate("tiny", seed=3)
    dataset.geometry = None
    write_dataset(dataset, tmp_path / "data")
    assert read_geometry(tmp_path / "data") is None
    assert validate_dataset(tmp_path / "data") == []
    assert "import-public --geometry" in missing_geometry_message(tmp_path / "data")


def test_demoland_geometry_is_written_beside_the_tables_and_is_not_a_table(tmp_path):
    write_dataset(generate("tiny", seed=3), tmp_path / "data")
    assert (tmp_path / "data" / GEOMETRY_FILE).is_file()
    assert "geometry" not in read_raw_tables(tmp_path / "data")
    assert validate_dataset(tmp_path / "data") == []
    geometry = read_geometry(tmp_path / "data")
    schools = pd.read_parquet(tmp_path / "data" / "schools.parquet")
    assert set(geometry.loc[geometry["level"] == "school", "code"]) == set(schools["school_id"])


def test_validate_dataset_reports_a_bad_geometry_file(tmp_path):
    write_dataset(generate("tiny", seed=3), tmp_path / "data")
    write_geometry(geometry_frame(["GM9999"], ["municipality"], [SQUARE]), tmp_path / "data")
    [problem] = validate_dataset(tmp_path / "data")
    assert problem.kind == "unknown_reference" and problem.rows == ((0, "GM9999"),)


def test_repair_keeps_the_polygonal_area():
    frame = geometry_frame(["GM0001"], ["municipality"], [BOWTIE])
    fixed, codes = repair_polygons(frame)
    assert codes == ["GM0001"]
    assert fixed.geometry.is_valid.all()
    # the bowtie is two triangles of a quarter of the square each
    assert fixed.geometry.iloc[0].area == pytest.approx(2 * 1000 * 1000 / 4)


def test_a_report_reads_every_municipality_and_only_its_own_neighbourhoods_and_schools(tmp_path):
    dataset = generate("tiny", seed=3)
    write_dataset(dataset, tmp_path / "data")
    schools = dataset["schools"]
    code = schools["municipality_code"].iloc[0]
    frame = read_geometry(tmp_path / "data", municipality_code=code)
    by_level = {level: set(rows["code"]) for level, rows in frame.groupby("level")}
    assert by_level["municipality"] == set(dataset["municipalities"]["municipality_code"])
    nbs = dataset["neighbourhoods"]
    assert by_level["neighbourhood"] == set(
        nbs.loc[nbs["municipality_code"] == code, "neighbourhood_code"])
    assert by_level["school"] == set(schools.loc[schools["municipality_code"] == code,
                                                 "school_id"])


def test_the_validate_command_counts_the_shapes_apart_from_the_tables(tmp_path):
    from click.testing import CliRunner

    from npo_analysis.cli import main

    dataset = generate("tiny", seed=3)
    write_dataset(dataset, tmp_path / "data")
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    shapes = len(dataset.geometry)
    assert f"{len(dataset.tables)} tables" in result.output
    assert f"{GEOMETRY_FILE} with {shapes} shapes" in result.output
