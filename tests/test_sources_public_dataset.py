"""Building the school-level dataset from hand-made public files; the import-public command."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_sources_cbs import write_score_workbook

from npo_analysis.cli.import_public import command as import_public
from npo_analysis.data.dataset import load_dataset
from npo_analysis.data.sources.public_dataset import build_public_dataset
from npo_analysis.data.validation import validate_tables

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"
#: Figures the schema requires but no public file here provides (see docs/real-data.md).
UNKNOWN_MUNICIPALITY_FIGURES = {"population", "urbanity", "low_income_share"}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    workbook = write_score_workbook(tmp_path_factory.mktemp("cbs") / "scores.xlsx")
    return {"addresses": FIXTURES / "addresses_current.csv",
            "pupils": FIXTURES / "pupil_counts.csv", "scores": workbook,
            "municipalities": FIXTURES / "municipalities.csv",
            "end_scores": FIXTURES / "end_scores.csv"}


def build(files, year=None, end_scores=True, allow_unplaced=True):
    # 99AD00 is scored but its municipality GM0999 is in no list: unplaced.
    return build_public_dataset(files["addresses"], files["pupils"], files["scores"],
                                files["municipalities"],
                                end_scores=files["end_scores"] if end_scores else None,
                                year=year, allow_unplaced=allow_unplaced)


@pytest.fixture(scope="module")
def default(files):
    return build(files)


def pupils_by_school(dataset) -> dict[str, int]:
    return dict(zip(dataset["schools"]["school_id"], dataset["schools"]["pupils"], strict=True))


def test_schools_default_year_uses_score_file_counts(default):
    dataset, report = default
    # 99AF00 is not in the address file but scored: placed through the pupil-count file.
    # E from the workbook: 120, 200, 35, 60 (99AA00's DUO 2019 count is 121).
    assert pupils_by_school(dataset) == {"99AA00": 120, "99AB00": 200, "99AB01": 35,
                                         "99AF00": 60}
    assert report.year == 2019
    assert dataset.info.count_date == "2019-10-01"
    assert dataset["schools"].set_index("school_id").loc["99AF00", "municipality_code"] == \
        "GM0902"


def test_left_out_schools_are_reported_with_reason(default):
    _, report = default
    assert report.excluded == {
        "scored school in neither the address nor the pupil-count file": [],
        "municipality not in the indeling and no mapping into it": ["99AD00 (GM0999)"],
        "pupil count suppressed (<5) for the year": [],
        "no pupil count for the year": ["99AE00"],
        "0 pupils and no published score (not open in the year)": ["99AC00"],
    }
    assert report.notes["scored school missing from the address file (placed via pupil "
                        "counts)"] == ["99AF00"]
    assert report.notes["address-file school missing from the score file"] == [
        "99AC00", "99AE00"]


def test_join_rates_by_hand(default):
    _, report = default
    rates = {name: (r.matched, r.total) for name, r in report.join_rates.items()}
    # Address file: 99AA00 AB00 AB01 AC00 AD00 AE00; score file: AA00 AB00 AB01 AD00 AF00.
    assert rates["address schools in score file"] == (4, 6)
    assert rates["scored schools in address file"] == (4, 5)
    assert rates["scored schools in pupil-count file (BO)"] == (5, 5)
    assert rates["address schools in pupil-count file (BO)"] == (5, 6)
    assert rates["address-file municipalities in municipality list"] == (3, 4)
    assert rates["scored schools whose DUO 2019 count equals the CBS count"] == (4, 5)
    assert rates["end-score schools (BO) in schools"] == (4, 5)
    assert report.join_rates["address schools in score file"].rate == pytest.approx(4 / 6)


def test_published_scores_sum_per_municipality(default):
    dataset, _ = default
    published = dataset["published_school_scores"]
    assert published["school_id"].tolist() == ["99AA00", "99AB00", "99AB01", "99AF00"]
    joined = published.merge(dataset["schools"][["school_id", "municipality_code"]])
    totals = joined.groupby("municipality_code")["score"].sum()
    # GM0901: 0 + 15.64; GM0902: 111.3 + 28.24 (99AD00 with 0 is left out with its school).
    assert totals.to_dict() == pytest.approx({"GM0901": 15.64, "GM0902": 139.54})
    assert totals.sum() == pytest.approx(155.18)


def test_year_given_uses_count_file(files):
    dataset, report = build(files, year=2020, end_scores=False)
    # 2020: 99AB01 is '<5' with no fallback (the score file counts 2019); 99AC00 opened (25);
    # 99AF00 closed (0) but keeps its published 2019 score.
    assert pupils_by_school(dataset) == {"99AA00": 119, "99AB00": 210, "99AC00": 25,
                                         "99AF00": 0}
    assert report.excluded["pupil count suppressed (<5) for the year"] == ["99AB01"]
    assert dataset.info.count_date == "2020-10-01"
    assert "published_end_scores" not in dataset


def test_year_equal_to_score_year_prefers_count_file(files):
    dataset, _ = build(files, year=2019, end_scores=False)
    assert pupils_by_school(dataset)["99AA00"] == 121


def test_municipalities_table_has_unknown_figures_missing(default):
    dataset, _ = default
    municipalities = dataset["municipalities"]
    assert municipalities["municipality_code"].tolist() == ["GM0901", "GM0902", "GM0903"]
    assert municipalities[sorted(UNKNOWN_MUNICIPALITY_FIGURES)].isna().all().all()


def test_dataset_passes_validation_apart_from_unknown_figures(default):
    dataset, _ = default
    problems = [p for p in validate_tables(dataset.tables)
                if not (p.table == "municipalities" and p.column in UNKNOWN_MUNICIPALITY_FIGURES)]
    assert problems == []


def test_end_score_tables(default):
    dataset, _ = default
    standardised = dataset["school_end_scores"].set_index("school_id")
    # Hand calculation in test_sources_duo.test_standardise_fixture_file; 99AD00 is not a
    # school of the dataset, 99AG00 is special education (SBO).
    assert standardised["standardised_score"].to_dict() == pytest.approx({
        "99AA00": -math.sqrt(2), "99AB00": 1 / math.sqrt(2), "99AB01": -6 / math.sqrt(24),
        "99AF00": 4 / math.sqrt(24)})
    assert len(dataset["published_end_scores"]) == 5


def test_info_and_sources(default, files):
    dataset, _ = default
    assert dataset.info.synthetic is False
    assert dataset.info.name == "public-2019" and dataset.info.years == [2019]
    by_file = {source["file"]: source for source in dataset.info.sources}
    expected = hashlib.sha256(files["pupils"].read_bytes()).hexdigest()
    assert by_file["pupil_counts.csv"]["sha256"] == expected
    assert set(by_file) == {"addresses_current.csv", "pupil_counts.csv", "scores.xlsx",
                            "municipalities.csv", "end_scores.csv"}


def test_frames_accepted_instead_of_paths(files, default):
    from npo_analysis.data.sources import cbs, duo

    dataset, _ = build_public_dataset(duo.read_school_addresses(files["addresses"]),
                                      duo.read_pupil_counts(files["pupils"]),
                                      cbs.read_school_scores(files["scores"]),
                                      cbs.read_municipalities(files["municipalities"]),
                                      allow_unplaced=True)
    pd.testing.assert_frame_equal(dataset["schools"], default[0]["schools"])


def test_report_text_lists_counts_and_rates(default):
    text = default[1].to_text()
    assert "address schools in score file: 4 of 6 (66.7%)" in text
    assert "municipality not in the indeling and no mapping into it: 1 (99AD00 (GM0999))" in text


def test_import_public_command_writes_dataset(files, tmp_path):
    out = tmp_path / "public"
    args = ["--addresses", files["addresses"], "--pupils", files["pupils"], "--scores",
            files["scores"], "--municipalities", files["municipalities"], "--end-scores",
            files["end_scores"], "--allow-unplaced", "--out", out]
    result = CliRunner().invoke(import_public, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "scored schools in address file: 4 of 5 (80.0%)" in result.output
    info = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert info["synthetic"] is False
    report = json.loads((out / "import_report.json").read_text(encoding="utf-8"))
    assert report["excluded"]["no pupil count for the year"] == ["99AE00"]
    loaded = load_dataset(out, tables=["schools", "published_school_scores"])
    assert loaded["schools"]["pupils"].sum() == 415


def test_import_public_command_reports_bad_file_in_one_line(files, tmp_path):
    args = ["--addresses", FIXTURES / "wrong_layout.csv", "--pupils", files["pupils"],
            "--scores", files["scores"], "--municipalities", files["municipalities"],
            "--out", tmp_path / "out"]
    result = CliRunner().invoke(import_public, [str(a) for a in args])
    assert result.exit_code == 1
    assert "Error: " in result.output and "wrong_layout.csv" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_import_public_stops_on_unplaced_scored_school(files, tmp_path):
    args = ["--addresses", files["addresses"], "--pupils", files["pupils"], "--scores",
            files["scores"], "--municipalities", files["municipalities"], "--out",
            tmp_path / "out"]
    result = CliRunner().invoke(import_public, [str(a) for a in args])
    assert result.exit_code == 1
    assert "1 school(s) of the CBS score file cannot be placed" in result.output
    assert "99AD00 (municipality GM0999 in its file)" in result.output
    assert "--allow-unplaced" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_left_out_scored_school_is_counted_in_metadata(default):
    dataset, _ = default
    left = dataset["left_out_scores"]
    assert left["school_id"].tolist() == ["99AD00"]
    assert left["municipality_code"].isna().all() and left["file_code"].tolist() == ["GM0999"]
    public = dataset.info.public
    # Workbook of test_sources_cbs: 99AD00 has E = 90, A = 10, score 0.
    assert public["left_out"] == {"schools": 1, "pupils": 90, "score_gross": 10.0,
                                  "score": 0.0}
    # C - G from the whole score file, the unplaced school included:
    # sum A = 80 + 250.5 + 40 + 10 + 70 = 450.5, sum E = 505 -> 450.5 / (0.15 x 505).
    assert len(dataset["published_school_scores"]) == 4 and public["c_minus_g_schools"] == 5
    assert public["c_minus_g"] == pytest.approx(450.5 / 75.75)
