"""Municipal reorganisations: package data, the mapping the files imply, placing schools.

Fixtures are the hand-made real-format files of ``fixtures/realformat`` with their (invented)
municipality codes replaced at test time by real codes from before and after a reorganisation:
the address file says Appingedam (GM0003, merged into Eemsdelta GM1979 on 1 January 2021) and
Haaren (GM0788, split in 2021); the pupil-history file, like DUO's, gives the current codes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_sources_cbs import write_score_workbook

from npo_analysis.cli.import_public import command as import_public
from npo_analysis.data.sources.public_dataset import UnplacedSchoolsError, build_public_dataset
from npo_analysis.data.sources.reorganisations import (
    BY_PACKAGE,
    BY_PUPIL_FILE,
    check_indeling,
    compare_sources,
    implied_mapping,
    indeling_year,
    load_reorganisations,
    place_schools,
)

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"


def rewritten(source: Path, target: Path, replacements: list[tuple[str, str]],
              encoding: str) -> Path:
    text = source.read_bytes().decode(encoding)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    target.write_bytes(text.encode(encoding))
    return target


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("herindeling")
    return {
        # the address file of 2020: Appingedam and Haaren still exist
        "addresses": rewritten(FIXTURES / "addresses_current.csv", d / "addresses_2020.csv",
                               [(";0901;", ";0003;"), (";0902;", ";0788;")], "cp1252"),
        # the history file: current codes (Eemsdelta; Haaren's schools in Tilburg and Vught)
        "pupils": rewritten(FIXTURES / "pupil_counts.csv", d / "pupils.csv",
                            [(";901;", ";1979;"), ("10002;902;S GRAVENWAARD;190", "10002;855;"
                              "TILBURG;190"), ("10002;902;S GRAVENWAARD;61", "10002;865;VUGHT;61")],
                            "utf-8-sig"),
        "municipalities": rewritten(
            FIXTURES / "municipalities.csv", d / "gemeenten-alfabetisch-2023.csv",
            [("0901,GM0901,Zuiderwold", "1979,GM1979,Eemsdelta"),
             ("0902,GM0902,'s-Gravenwaard,28,PV28,Zuid-Holland",
              "0855,GM0855,Tilburg,30,PV30,Noord-Brabant\n0865,GM0865,Vught,30,PV30,"
              "Noord-Brabant")], "utf-8"),
        "scores": write_score_workbook(d / "scores.xlsx"),
    }


def build(files, **options):
    return build_public_dataset(files["addresses"], files["pupils"], files["scores"],
                                files["municipalities"], **options)


def test_package_rows_all_have_a_source_and_the_2021_2023_reorganisations():
    rows = load_reorganisations()
    assert (rows["source"].str.len() > 0).all()
    merged = rows[rows["kind"] == "merge"].set_index("old_code")["new_code"].to_dict()
    assert merged == {"GM0003": "GM1979", "GM0010": "GM1979", "GM0024": "GM1979",
                      "GM0398": "GM1980", "GM0416": "GM1980", "GM0457": "GM0363",
                      "GM0501": "GM1992", "GM0530": "GM1992", "GM0614": "GM1992"}
    haaren = rows[rows["old_code"] == "GM0788"]
    assert set(haaren["kind"]) == {"split"} and set(haaren["date"]) == {dt.date(2021, 1, 1)}
    assert sorted(haaren["new_name"]) == ["Boxtel", "Oisterwijk", "Tilburg", "Vught"]


def test_schools_are_placed_in_the_2023_indeling(files):
    dataset, report = build(files, allow_unplaced=True)
    placed = dataset["schools"].set_index("school_id")["municipality_code"].to_dict()
    # Appingedam -> Eemsdelta; Haaren's schools each by their own current municipality
    assert placed == {"99AA00": "GM1979", "99AB01": "GM1979", "99AB00": "GM0855",
                      "99AF00": "GM0865"}
    assert report.indeling == 2023 and dataset.info.public["indeling"] == 2023
    assert report.mappings == [
        {"file_code": "GM0003", "municipality_code": "GM1979", "placed_by": BY_PUPIL_FILE,
         "schools": 2},
        {"file_code": "GM0788", "municipality_code": "GM0855", "placed_by": BY_PUPIL_FILE,
         "schools": 1}]
    # 99AE00 (Haaren, no pupil-history row) cannot be split: left out with the reason
    assert "99AE00 (GM0788)" in report.excluded[
        "municipality not in the indeling and no mapping into it"]


def test_files_and_package_agree_here_apart_from_the_unknown_code(files):
    _, report = build(files, allow_unplaced=True)
    # GM0003 -> GM1979 and GM0788 -> GM0855 are in the package data: no disagreement
    assert report.disagreements == []


def test_unplaced_scored_school_stops_the_import_naming_it_and_why(files):
    with pytest.raises(UnplacedSchoolsError) as info:
        build(files)
    message = str(info.value)
    assert message.startswith("1 school(s) of the CBS score file cannot be placed in a "
                              "municipality of the 2023 indeling:")
    assert "99AD00 (municipality GM0999 in its file): municipality GM0999 is not in the " \
           "indeling and no reorganisation of it is known" in message


def test_command_exits_non_zero_and_lists_the_school(files, tmp_path):
    args = [str(a) for a in ("--addresses", files["addresses"], "--pupils", files["pupils"],
                             "--scores", files["scores"], "--municipalities",
                             files["municipalities"], "--out", tmp_path / "out")]
    result = CliRunner().invoke(import_public, args)
    assert result.exit_code == 1 and "99AD00" in result.output
    result = CliRunner().invoke(import_public, [*args, "--allow-unplaced"])
    assert result.exit_code == 0, result.output
    assert "GM0003 -> GM1979: 2 school(s), by pupil-history file" in result.output


def test_wrong_indeling_for_the_list_is_an_error(files):
    with pytest.raises(ValueError, match=r"not of the 2020 indeling: it has GM1979 Eemsdelta "
                                         r"\(formed on 2021-01-01\)"):
        build(files, indeling=2020, allow_unplaced=True)


def test_package_chain_places_a_school_the_history_file_does_not_know():
    schools = pd.DataFrame({"school_id": ["99AA00", "99AB00", "99AC00"],
                            "municipality_code": ["GM0010", "GM0788", "GM0457"]})
    listed = pd.DataFrame({"municipality_code": ["GM1979", "GM0855", "GM0363"]})
    placed = place_schools(schools, pd.Series(dtype="str"), listed, load_reorganisations(), 2023)
    rows = placed.schools.set_index("school_id")
    assert rows.loc["99AA00", "municipality_code"] == "GM1979"
    assert rows.loc["99AA00", "placed_by"] == BY_PACKAGE
    assert rows.loc["99AC00", "municipality_code"] == "GM0363"  # Weesp joined Amsterdam
    assert pd.isna(rows.loc["99AB00", "municipality_code"])
    assert "split on 2021-01-01 over GM0757, GM0824, GM0855, GM0865" in rows.loc["99AB00",
                                                                                  "reason"]


def test_a_reorganisation_after_the_indeling_does_not_apply():
    schools = pd.DataFrame({"school_id": ["99AA00"], "municipality_code": ["GM0501"]})
    listed = pd.DataFrame({"municipality_code": ["GM1992"]})
    placed = place_schools(schools, pd.Series(dtype="str"), listed, load_reorganisations(), 2022)
    assert placed.unplaced["school_id"].tolist() == ["99AA00"]  # Voorne aan Zee is of 2023


def test_disagreements_between_files_and_package():
    implied = implied_mapping(
        pd.Series({"99AA00": "GM0756", "99AB00": "GM0788", "99AC00": "GM0003"}),
        pd.Series({"99AA00": "GM1982", "99AB00": "GM0363", "99AC00": "GM1979"}))
    found = compare_sources(implied, load_reorganisations(), 2023)
    assert found[["file_code", "current_code", "disagreement"]].values.tolist() == [
        ["GM0756", "GM1982", "not in package data"],
        ["GM0788", "GM0363", "package says GM0757, GM0824, GM0855, GM0865"]]


def test_indeling_year_from_the_name_or_the_codes():
    rows = load_reorganisations()
    listed = pd.DataFrame({"municipality_code": ["GM1979", "GM1980", "GM0014"]})
    assert indeling_year(listed, rows, "cbs_gemeenten-alfabetisch-2023.csv") == 2023
    assert indeling_year(listed, rows, "gemeenten.csv") == 2022  # Dijk en Waard: 2022
    assert indeling_year(pd.DataFrame({"municipality_code": ["GM0014"]}), rows, "") is None
    with pytest.raises(ValueError, match="GM0003 Appingedam"):
        check_indeling(pd.DataFrame({"municipality_code": ["GM0003"]}), rows, 2021)
