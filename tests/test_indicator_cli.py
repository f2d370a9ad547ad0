"""``npo-analysis indicator`` end to end on a tiny dataset written to disk."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from test_indicator_recovery import make_dataset

from npo_analysis.cli import main
from npo_analysis.data.dataset import write_dataset


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    dataset = make_dataset(seed=5, n_municipalities=2, n_schools=8, pupils_per_school=250,
                           n_toddlers=200)
    tables = dict(dataset.tables)
    tables["schools"] = tables["schools"].assign(
        name="School", board_id="12345", denomination="Openbaar")
    tables["neighbourhoods"] = tables["neighbourhoods"].assign(
        name="Wijk", children_0_3=10, children_4_11=20, low_income_share=0.1)
    tables["municipalities"] = tables["municipalities"].assign(
        province="Provincie", population=10000, urbanity=3, low_income_share=0.1)
    tables["toddlers"] = tables["toddlers"].assign(ve_location_id=pd.Series(
        [None] * len(tables["toddlers"]), dtype="str"))
    directory = tmp_path_factory.mktemp("data") / "tiny"
    write_dataset(type(dataset)(dataset.info, tables), directory)
    return directory


def test_indicator_command_writes_every_output(data_dir, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["indicator", "--data", str(data_dir), "--out", str(out),
                                       "--rounds", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "imputation round 3/3" in result.output
    assert "2000 pupils, 200 toddlers, 8 schools, 2 municipalities" in result.output
    schools = pd.read_parquet(out / "school_scores.parquet")
    assert len(schools) == 8 and schools["pupils"].sum() == 2000
    children = pd.read_parquet(out / "pupil_scores.parquet")
    assert children["child_type"].value_counts().to_dict() == {"pupil": 2000, "toddler": 200}
    municipalities = pd.read_parquet(out / "municipality_scores.parquet")
    assert municipalities["toddlers"].sum() == 200
    model = json.loads((out / "model.json").read_text())
    assert (model["rounds"], model["seed"], model["target_share"]) == (3, 2, 0.15)


def test_same_arguments_give_identical_files(data_dir, tmp_path):
    for name in ("a", "b"):
        args = ["indicator", "--data", str(data_dir), "--out", str(tmp_path / name),
                "--rounds", "2"]
        assert CliRunner().invoke(main, args).exit_code == 0
    for file in ("pupil_scores.parquet", "school_scores.parquet", "model.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_indicator_help():
    result = CliRunner().invoke(main, ["indicator", "--help"])
    assert result.exit_code == 0
    for option in ("--data", "--out", "--rounds", "--seed", "--target-share",
                   "--threshold-fraction", "--municipal-threshold-fraction"):
        assert option in result.output


def test_missing_data_directory_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["indicator", "--data", str(tmp_path / "nope"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "nope" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_bad_parameter_is_one_clear_line(data_dir, tmp_path):
    result = CliRunner().invoke(main, ["indicator", "--data", str(data_dir), "--out",
                                       str(tmp_path / "out"), "--target-share", "1.5"])
    assert result.exit_code == 1
    assert "target_share=1.5" in result.output
