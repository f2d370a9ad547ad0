"""``npo-analysis allocate`` on a tiny hand-made dataset and score files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npo_analysis.cli import main
from npo_analysis.data.dataset import Dataset, DatasetInfo, write_dataset

PARAMS_DIR = Path(__file__).resolve().parents[1] / "params"
CODES = ["GM0001", "GM0002", "GM0003"]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A dataset with names, and score files: 3 municipalities, 4 schools."""
    municipalities = pd.DataFrame({"municipality_code": CODES,
                                   "name": ["Aadorp", "Beekdal", "Cingel"]})
    schools = pd.DataFrame({
        "school_id": ["00AA00", "00AB00", "00AC00", "00AD00"],
        "name": ["De Aap", "De Beuk", "De Cirkel", "De Duin"],
        "municipality_code": ["GM0001", "GM0001", "GM0002", "GM0003"],
    })
    info = DatasetInfo(name="tiny", synthetic=True, count_date="2019-10-01", years=[2019])
    write_dataset(Dataset(info, {"municipalities": municipalities, "schools": schools}),
                  tmp_path / "data")
    school_scores = schools[["school_id", "municipality_code"]].assign(
        pupils=[100, 200, 300, 400], score=[0.0, 50.0, 25.0, 0.0])
    municipality_scores = pd.DataFrame({"municipality_code": CODES,
                                        "pupils": [300, 300, 400],
                                        "score": [50.0, 25.0, 0.0]})
    scores = tmp_path / "scores"
    scores.mkdir()
    school_scores.to_parquet(scores / "school_scores.parquet")
    municipality_scores.to_parquet(scores / "municipality_scores.parquet")
    return tmp_path / "data", scores


def run(*args: str):
    return CliRunner().invoke(main, ["allocate", *args])


def test_allocate_writes_budgets(inputs, tmp_path):
    data, scores = inputs
    out = tmp_path / "out"
    result = run("--data", str(data), "--scores", str(scores), "--year", "2021",
                 "--out", str(out), "--params", str(PARAMS_DIR))
    assert result.exit_code == 0, result.output
    municipalities = pd.read_parquet(out / "municipality_budgets.parquet")
    schools = pd.read_parquet(out / "school_budgets.parquet")
    # GOAB 2021: EUR 486 mln; GM0003 (score 0) gets the EUR 64,000 minimum, the rest
    # (48,593,600,000 cents) splits 2:1 = 32,395,733,333.33 and 16,197,866,666.67 cents:
    # the left-over cent goes to the larger remainder, the second
    assert municipalities["goab_cents"].tolist() == [32_395_733_333, 16_197_866_667, 64_000_00]
    assert municipalities["municipality_name"].tolist() == ["Aadorp", "Beekdal", "Cingel"]
    # NPO 2021-2022: EUR 701.16 per pupil; GM0001 has 300 pupils at schools
    assert municipalities["npo_schools_cents"].tolist() == [300 * 70_116, 300 * 70_116,
                                                            400 * 70_116]
    assert int(municipalities["npo_grant_cents"].sum()) == 300_000_000_00
    assert schools["school_name"].tolist() == ["De Aap", "De Beuk", "De Cirkel", "De Duin"]


def test_allocate_workbook_has_dutch_headers(inputs, tmp_path):
    data, scores = inputs
    out = tmp_path / "out"
    run("--data", str(data), "--scores", str(scores), "--year", "2022", "--out", str(out),
        "--params", str(PARAMS_DIR))
    workbook = load_workbook(out / "budgets_2022.xlsx")
    assert workbook.sheetnames == ["Gemeenten", "Scholen"]
    headers = [cell.value for cell in workbook["Gemeenten"][1]]
    assert headers[:2] == ["Gemeentecode", "Gemeente"]
    assert "GOAB-budget (€)" in headers and "NPO-budget scholen (€)" in headers
    row = dict(zip(headers, [cell.value for cell in workbook["Gemeenten"][4]], strict=True))
    assert (row["Gemeentecode"], row["GOAB-budget (€)"], row["Minimumbedrag toegepast"]) == \
        ("GM0003", 64_000, "ja")
    school_headers = [cell.value for cell in workbook["Scholen"][1]]
    assert school_headers[0] == "Vestiging (BRIN6)"
    assert workbook["Scholen"]["A2"].value == "00AA00"


def test_allocate_is_reproducible(inputs, tmp_path):
    data, scores = inputs
    outputs = []
    for name in ("one", "two"):
        run("--data", str(data), "--scores", str(scores), "--year", "2022",
            "--out", str(tmp_path / name), "--params", str(PARAMS_DIR))
        outputs.append([(tmp_path / name / f).read_bytes() for f in
                        ("municipality_budgets.parquet", "school_budgets.parquet",
                         "budgets_2022.xlsx")])
    assert outputs[0] == outputs[1]


def test_missing_score_file_names_the_path(inputs, tmp_path):
    data, scores = inputs
    (scores / "municipality_scores.parquet").unlink()
    result = run("--data", str(data), "--scores", str(scores), "--year", "2022",
                 "--out", str(tmp_path / "out"), "--params", str(PARAMS_DIR))
    assert result.exit_code == 1
    assert f"{scores / 'municipality_scores.parquet'}: score file not found" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_parameter_year(inputs, tmp_path):
    data, scores = inputs
    result = run("--data", str(data), "--scores", str(scores), "--year", "2019",
                 "--out", str(tmp_path / "out"), "--params", str(PARAMS_DIR))
    assert result.exit_code == 1
    assert "no parameter file for budget year 2019" in result.output


def test_previous_budgets_need_the_phase_in_parameter(inputs, tmp_path):
    data, scores = inputs
    out = tmp_path / "out"
    common = ["--data", str(data), "--scores", str(scores), "--params", str(PARAMS_DIR)]
    assert run(*common, "--year", "2021", "--out", str(out)).exit_code == 0
    result = run(*common, "--year", "2022", "--out", str(tmp_path / "next"),
                 "--previous", str(out / "municipality_budgets.parquet"))
    assert result.exit_code == 1
    assert "goab.phase_in_max_change is null" in result.output


def test_help_explains_every_option():
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--data", "--scores", "--year", "--out", "--params", "--previous"):
        assert option in result.output
