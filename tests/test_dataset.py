"""Reading datasets: load_dataset validates, converts to canonical dtypes and names bad files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_validation import EDU, ORIGIN, mini_info, mini_tables, with_column, write_mini

from npo_analysis.data import schema
from npo_analysis.data.dataset import (
    Dataset,
    DatasetError,
    coerce_table,
    load_dataset,
    write_dataset,
)
from npo_analysis.data.validation import ValidationError, validate_tables

#: The canonical in-memory dtypes of a few columns, typed from the rules in load_dataset's brief.
EXPECTED_DTYPES = {
    ("municipalities", "municipality_code"): "str",
    ("municipalities", "population"): "Int64",  # nullable: missing in public imports
    ("municipalities", "low_income_share"): "float64",
    ("schools", "neighbourhood_code"): "str",
    ("schools", "pupils"): "int64",
    ("pupils", "mother_education"): EDU,
    ("pupils", "origin"): ORIGIN,
    ("pupils", "debt_restructuring"): "bool",
    ("pupils", "end_score"): "float64",
    ("interventions", "evidence"): "Int64",
    ("interventions", "cost_band"): pd.CategoricalDtype(["Laag", "Gemiddeld", "Hoog"]),
}


@pytest.fixture
def mini_dir(tmp_path):
    return write_mini(tmp_path / "mini")


def test_round_trip_gives_the_same_frames(mini_dir):
    loaded = load_dataset(mini_dir)
    expected = mini_tables()
    assert sorted(loaded.tables) == sorted(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(loaded[name], frame, check_exact=True)
    assert loaded.info == mini_info()
    assert loaded.truth is None


def test_loaded_columns_have_canonical_dtypes(mini_dir):
    loaded = load_dataset(mini_dir)
    for (table, column), dtype in EXPECTED_DTYPES.items():
        assert loaded[table][column].dtype == dtype, (table, column)
    assert loaded["pupils"]["mother_education"].cat.ordered
    assert not loaded["pupils"]["origin"].cat.ordered
    assert loaded["schools"]["neighbourhood_code"].isna().tolist() == [False, False, True]


def test_stored_forms_are_converted_to_canonical_dtypes(tmp_path):
    tables = mini_tables()
    tables = with_column(tables, "schools", "pupils", [3.0, 2.0, 1.0])
    origins = tables["pupils"]["origin"].astype(str).tolist()
    tables = with_column(tables, "pupils", "origin", origins)
    mothers = tables["pupils"]["mother_education"]
    reversed_levels = list(reversed(schema.EDUCATION_LEVELS))
    tables = with_column(tables, "pupils", "mother_education",
                         pd.Categorical(mothers.tolist(), categories=reversed_levels))
    tables = with_column(tables, "interventions", "evidence",
                         tables["interventions"]["evidence"].astype("float64"))
    loaded = load_dataset(write_mini(tmp_path / "raw", tables))
    expected = mini_tables()
    for name in ("schools", "pupils", "interventions"):
        pd.testing.assert_frame_equal(loaded[name], expected[name], check_exact=True)


def test_columns_in_schema_order_with_extra_columns_last(tmp_path):
    tables = mini_tables()
    schools = tables["schools"].assign(remark=["a", "b", "c"])
    tables["schools"] = schools[["remark", *reversed(schema.SCHOOLS.column_names)]]
    loaded = load_dataset(write_mini(tmp_path / "mini", tables))
    assert list(loaded["schools"].columns) == [*schema.SCHOOLS.column_names, "remark"]


def test_truth_is_read_when_present(tmp_path):
    truth = {"end_score_model": {"intercept": 535.0}}
    dataset = Dataset(info=mini_info(), tables=mini_tables(), truth=truth)
    assert load_dataset(write_dataset(dataset, tmp_path / "mini")).truth == truth


def test_some_tables_only(mini_dir):
    loaded = load_dataset(mini_dir, tables=["schools", "pupils"])
    assert sorted(loaded.tables) == ["pupils", "schools"]


def test_some_tables_still_checks_the_rules_between_them(tmp_path):
    tables = with_column(mini_tables(), "schools", "pupils", [3, 2, 5])
    directory = write_mini(tmp_path / "mini", tables)
    with pytest.raises(ValidationError) as caught:
        load_dataset(directory, tables=["schools", "pupils"])
    assert [p.kind for p in caught.value.problems] == ["pupil_count_mismatch"]


def test_invalid_dataset_raises_listing_every_problem(tmp_path):
    tables = mini_tables()
    tables = with_column(tables, "schools", "board_id", ["10001", "1001", "20002"])
    tables = with_column(tables, "municipalities", "urbanity", [0, 4])
    directory = write_mini(tmp_path / "mini", tables)
    with pytest.raises(ValidationError) as caught:
        load_dataset(directory)
    error = caught.value
    assert isinstance(error, DatasetError)
    assert str(error).splitlines() == [
        f"dataset {directory} does not match the data model (2 problems):",
        "municipalities.urbanity: value out of range in 1 row (row 0: 0); "
        "expected between 1 and 5",
        "schools.board_id: bad code format in 1 row (row 1: '1001'); "
        "expected text matching ^[0-9]{5}$",
    ]


def test_bad_metadata_values_are_validation_problems(mini_dir):
    info = json.loads((mini_dir / "dataset.json").read_text(encoding="utf-8"))
    info["count_date"] = "1 februari 2025"
    (mini_dir / "dataset.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_dataset(mini_dir)
    assert [p.location for p in caught.value.problems] == ["dataset.json.count_date"]


def test_validate_false_skips_the_checks(tmp_path):
    tables = with_column(mini_tables(), "schools", "pupils", [3, -2, 1])
    loaded = load_dataset(write_mini(tmp_path / "mini", tables), validate=False)
    assert loaded["schools"]["pupils"].tolist() == [3, -2, 1]


def test_unconvertible_column_without_validation_names_table_and_column():
    schools = with_column(mini_tables(), "schools", "pupils", ["3", "two", "1"])["schools"]
    with pytest.raises(DatasetError, match=r"^schools\.pupils: cannot convert"):
        coerce_table("schools", schools)


def test_coerce_table_leaves_unknown_tables_alone():
    frame = pd.DataFrame({"a": [1, 2]}, index=[5, 6])
    result = coerce_table("notes", frame)
    assert result["a"].tolist() == [1, 2]
    assert result.index.tolist() == [0, 1]


def test_truncated_parquet_file_is_named(mini_dir):
    path = mini_dir / "pupils.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DatasetError, match="pupils.parquet: not a readable Parquet file"):
        load_dataset(mini_dir)


def test_missing_directory(tmp_path):
    with pytest.raises(DatasetError, match="nowhere: data directory does not exist"):
        load_dataset(tmp_path / "nowhere")


def test_missing_metadata_file(mini_dir):
    (mini_dir / "dataset.json").unlink()
    with pytest.raises(DatasetError, match=r"dataset\.json: missing"):
        load_dataset(mini_dir)


def test_missing_requested_table(mini_dir):
    (mini_dir / "toddlers.parquet").unlink()
    with pytest.raises(DatasetError, match="table 'toddlers' is missing"):
        load_dataset(mini_dir, tables=["toddlers"])


def test_bad_truth_file_is_named(mini_dir):
    (mini_dir / "truth.json").write_text("{", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"truth\.json: not valid JSON"):
        load_dataset(mini_dir)


def test_writing_twice_gives_identical_bytes(tmp_path):
    first, second = write_mini(tmp_path / "a"), write_mini(tmp_path / "b")
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_nan_in_float_column_survives(mini_dir):
    scores = load_dataset(mini_dir)["pupils"]["end_score"].to_numpy()
    assert np.isnan(scores).tolist() == [True, True, False, True, False, True]


def test_demoland_tiny_is_valid_and_keeps_its_dtypes_through_a_round_trip(tmp_path):
    demoland = pytest.importorskip("npo_analysis.data.demoland")
    if not hasattr(demoland, "generate"):
        pytest.skip("npo_analysis.data.demoland.generate is not available yet")
    dataset = demoland.generate("tiny")
    problems = validate_tables(dataset.tables)
    assert problems == [], str(ValidationError(problems))
    loaded = load_dataset(write_dataset(dataset, tmp_path / "tiny"))
    for name, frame in dataset.tables.items():
        pd.testing.assert_frame_equal(loaded[name], frame, obj=name)
