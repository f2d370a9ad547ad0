"""Validation against the data model: every problem kind on small hand-made tables.

``mini_tables()`` builds a compact valid dataset (2 municipalities, 3 neighbourhoods, 3 schools,
6 pupils, ...); each test breaks one thing and checks the problem reported, with the rows and
values worked out by hand from the frames below.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from npo_analysis.cli import main
from npo_analysis.data import schema
from npo_analysis.data.dataset import Dataset, DatasetError, DatasetInfo, write_dataset
from npo_analysis.data.menukaart import load_menukaart
from npo_analysis.data.validation import (
    PROBLEM_KINDS,
    Problem,
    ValidationError,
    validate_dataset,
    validate_info,
    validate_tables,
)

EDU = pd.CategoricalDtype(list(schema.EDUCATION_LEVELS), ordered=True)
ORIGIN = pd.CategoricalDtype(list(schema.ORIGINS))


def _cat(values, vocabulary):
    return pd.Categorical(values, categories=list(vocabulary))


def mini_tables() -> dict[str, pd.DataFrame]:
    """A small valid dataset with every table, in the canonical in-memory dtypes."""
    return {
        "municipalities": pd.DataFrame({
            "municipality_code": ["GM0001", "GM0002"],
            "name": ["Aardam", "Beekstad"],
            "province": ["Noordland", "Zuidland"],
            "population": pd.array([52_000, 18_000], dtype="Int64"),  # nullable int
            "urbanity": pd.array([2, 4], dtype="Int64"),  # nullable int
            "low_income_share": [0.12, 0.08],
        }),
        "neighbourhoods": pd.DataFrame({
            "neighbourhood_code": ["WK000101", "WK000102", "WK000201"],
            "municipality_code": ["GM0001", "GM0001", "GM0002"],
            "name": ["Centrum", "Oost", "Dorp"],
            "children_0_3": [300, 250, 400],
            "children_4_11": [700, 600, 900],
            "low_income_share": [0.2, 0.1, 0.05],
        }),
        "schools": pd.DataFrame({
            "school_id": ["01AA00", "02BB00", "03CC00"],
            "name": ["De Linde", "Het Anker", "De Wiekslag"],
            "municipality_code": ["GM0001", "GM0001", "GM0002"],
            "neighbourhood_code": ["WK000101", "WK000102", None],
            "board_id": ["10001", "10001", "20002"],
            "denomination": ["Openbaar", "Rooms-Katholiek", "Openbaar"],
            "pupils": [3, 2, 1],
        }),
        "vve_locations": _mini_vve_locations(),
        "pupils": _mini_pupils(),
        "toddlers": _mini_toddlers(),
        "test_results": pd.DataFrame({
            "school_id": ["01AA00", "01AA00"],
            "school_year": [2023, 2023],
            "grade": [3, 3],
            "domain": _cat(["rekenen", "rekenen"], schema.TEST_DOMAINS),
            "moment": _cat(["midden", "eind"], schema.TEST_MOMENTS),
            "n_pupils": [20, 19],
            "mean_score": [150.5, 156.0],
        }),
        "activities": pd.DataFrame({
            "activity_id": ["A1", "A2"],
            "provider": ["Bibliotheek Aardam", "Sportclub Beek"],
            "provider_type": _cat(["library", "sport"], schema.PROVIDER_TYPES),
            "domain": _cat(["cognitive", "social"], schema.DEVELOPMENT_DOMAINS),
            "age_min": [4, 6],
            "age_max": [8, 12],
            "neighbourhood_code": ["WK000101", "WK000201"],
            "places": [20, 30],
            "cost_eur": [5_000, 8_000],
        }),
        "interventions": load_menukaart(),
        "school_plans": pd.DataFrame({
            "school_id": ["01AA00", "02BB00"],
            "intervention_id": ["feedback", "small_group_tuition"],
            "amount_eur": [2_103, 1_402],
            "target_pupils": [3, 2],
        }),
    }


def _mini_vve_locations() -> pd.DataFrame:
    frame = pd.DataFrame({
        "location_id": ["VVE1", "VVE2"],
        "provider": ["Kinderopvang Zon", "Basisschool De Linde"],
        "type": _cat(["childcare", "school"], schema.VVE_LOCATION_TYPES),
        "neighbourhood_code": ["WK000101", "WK000201"],
        "ve_places": [16, 12],
        "hours_per_week": [16.0, 10.0],
    })
    scores = {f"quality_{domain}": [3, 2] for domain in schema.VVE_QUALITY_DOMAINS}
    return frame.assign(**scores)


def _mini_pupils() -> pd.DataFrame:
    return pd.DataFrame({
        "pupil_id": [1, 2, 3, 4, 5, 6],
        "school_id": ["01AA00", "01AA00", "01AA00", "02BB00", "02BB00", "03CC00"],
        "age": [4, 7, 11, 5, 12, 9],
        "grade": [1, 4, 8, 2, 8, 6],
        "mother_education": pd.Categorical(
            ["primary", None, "wo_master", "vmbo_mbo1", "havo_vwo_mbo24", "primary"], dtype=EDU),
        "father_education": pd.Categorical(
            [None, "primary", "hbo_wo_bachelor", None, "havo_vwo_mbo24", "vmbo_mbo1"], dtype=EDU),
        "origin": pd.Categorical(
            ["morocco", "netherlands", "netherlands", "turkey", "western", "refugee_countries"],
            dtype=ORIGIN),
        "mother_years_in_nl": [12.0, 35.0, 40.5, 20.0, 33.0, 3.5],
        "debt_restructuring": [False, False, False, True, False, False],
        "potential": [-0.4, 0.3, 1.2, -1.1, 0.0, 0.7],
        "end_score": [np.nan, np.nan, 541.0, np.nan, 533.0, np.nan],
    })


def _mini_toddlers() -> pd.DataFrame:
    return pd.DataFrame({
        "toddler_id": [1, 2, 3],
        "neighbourhood_code": ["WK000101", "WK000101", "WK000201"],
        "age": [2.5, 3.2, 3.9],
        "mother_education": pd.Categorical(["primary", None, "wo_master"], dtype=EDU),
        "father_education": pd.Categorical(["vmbo_mbo1", "primary", None], dtype=EDU),
        "origin": pd.Categorical(["suriname_caribbean", "other_non_western", "netherlands"],
                                 dtype=ORIGIN),
        "mother_years_in_nl": [30.0, 2.0, 29.0],
        "debt_restructuring": [True, False, False],
        "ve_indication": [True, True, False],
        "ve_location_id": ["VVE1", None, None],
    })


def mini_info() -> DatasetInfo:
    """Metadata of the mini dataset."""
    return DatasetInfo(name="mini", synthetic=True, count_date="2025-02-01", years=[2023],
                       sources=[{"name": "hand-made test data"}])


def with_column(tables, table, column, values):
    """A copy of ``tables`` where ``table.column`` holds ``values``."""
    changed = dict(tables)
    changed[table] = tables[table].assign(**{column: values})
    return changed


def only(problems: list[Problem]) -> Problem:
    """The single problem of a list (fails with the whole list otherwise)."""
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- The valid baseline ------------------------------------------------------------------------


def test_mini_dataset_is_valid():
    assert validate_tables(mini_tables()) == []


def test_unknown_tables_and_extra_columns_are_ignored():
    tables = mini_tables()
    tables["notes"] = pd.DataFrame({"text": [1, 2]})
    tables = with_column(tables, "schools", "remark", ["x", None, "y"])
    assert validate_tables(tables) == []


# --- One problem kind at a time ----------------------------------------------------------------


def test_missing_required_table():
    tables = mini_tables()
    del tables["schools"]
    problem = only(validate_tables(tables))
    assert (problem.table, problem.column, problem.kind) == ("schools", None, "missing_table")
    assert str(problem).startswith("schools: required table is missing; expected schools.parquet")


def test_missing_optional_table_is_fine_and_skips_its_references():
    tables = mini_tables()
    del tables["pupils"], tables["vve_locations"]  # toddlers refer to VVE1: not checked now
    assert validate_tables(tables) == []


def test_missing_table_not_reported_when_only_some_tables_were_read():
    tables = {"municipalities": mini_tables()["municipalities"]}
    assert validate_tables(tables, require_all=False) == []
    # the required tables (neighbourhoods are optional: public imports lack them)
    assert {p.table for p in validate_tables(tables)} == {"schools", "interventions"}


def test_missing_column():
    tables = mini_tables()
    tables["schools"] = tables["schools"].drop(columns="board_id")
    problem = only(validate_tables(tables))
    assert (problem.location, problem.kind) == ("schools.board_id", "missing_column")
    assert "expected a string column" in problem.message


def test_duplicate_key():
    tables = mini_tables()
    municipalities = tables["municipalities"]
    tables["municipalities"] = pd.concat([municipalities, municipalities.iloc[[0]]],
                                         ignore_index=True)
    problem = only(validate_tables(tables))
    assert problem.kind == "duplicate_key"
    assert problem.rows == ((0, "GM0001"), (2, "GM0001"))
    assert str(problem) == (
        "municipalities.municipality_code: duplicate key in 2 rows "
        "(rows 0, 2: 'GM0001', 'GM0001'); expected each municipality_code only once"
    )


def test_duplicate_composite_key_shows_the_key_values():
    tables = mini_tables()
    tables = with_column(tables, "test_results", "moment",
                         _cat(["eind", "eind"], schema.TEST_MOMENTS))
    problem = only(validate_tables(tables))
    assert (problem.table, problem.column, problem.kind) == ("test_results", None,
                                                             "duplicate_key")
    assert problem.rows[0] == (0, ("01AA00", 2023, 3, "rekenen", "eind"))
    assert "rows 0, 1: ('01AA00', 2023, 3, 'rekenen', 'eind')" in str(problem)


@pytest.mark.parametrize(
    ("table", "column", "bad_code", "tables_used"),
    [
        ("municipalities", "municipality_code", "GM363", ["municipalities"]),
        ("municipalities", "municipality_code", "gm0002", ["municipalities"]),
        ("neighbourhoods", "neighbourhood_code", "WK00021", ["municipalities", "neighbourhoods"]),
        ("neighbourhoods", "neighbourhood_code", "BU00020101",
         ["municipalities", "neighbourhoods"]),
        ("schools", "school_id", "3CC00", ["municipalities", "neighbourhoods", "schools"]),
        ("schools", "school_id", "03cc00", ["municipalities", "neighbourhoods", "schools"]),
        ("schools", "school_id", "03CC0A", ["municipalities", "neighbourhoods", "schools"]),
    ],
)
def test_bad_code_format(table, column, bad_code, tables_used):
    tables = {name: frame for name, frame in mini_tables().items() if name in tables_used}
    values = tables[table][column].tolist()
    values[-1] = bad_code
    tables = with_column(tables, table, column, values)
    problem = only(validate_tables(tables, require_all=False))
    pattern = schema.TABLES[table].column(column).pattern
    assert (problem.location, problem.kind) == (f"{table}.{column}", "bad_format")
    last = len(values) - 1
    assert str(problem) == (f"{table}.{column}: bad code format in 1 row "
                            f"(row {last}: {bad_code!r}); expected text matching {pattern}")


def test_negative_count_message_names_table_column_rows_values_and_expectation():
    tables = mini_tables()
    del tables["pupils"]
    tables = with_column(tables, "schools", "pupils", [-1, 2, -5])
    problem = only(validate_tables(tables))
    assert problem.kind == "out_of_range"
    assert problem.rows == ((0, -1), (2, -5))
    assert problem.n_rows == 2
    assert str(problem) == (
        "schools.pupils: negative count in 2 rows (rows 0, 2: -1, -5); expected >= 0"
    )


def test_negative_count_also_breaks_the_pupil_count():
    tables = with_column(mini_tables(), "schools", "pupils", [3, -2, 1])
    problems = validate_tables(tables)
    assert [p.kind for p in problems] == ["out_of_range", "pupil_count_mismatch"]


@pytest.mark.parametrize(
    ("table", "column", "values", "expected"),
    [
        ("municipalities", "urbanity", [2, 6], "value out of range in 1 row (row 1: 6); "
                                               "expected between 1 and 5"),
        ("municipalities", "low_income_share", [1.5, 0.08],
         "value out of range in 1 row (row 0: 1.5); expected between 0 and 1"),
        ("toddlers", "age", [2.5, 4.5, 2.0],
         "value out of range in 2 rows (rows 1, 2: 4.5, 2); expected between 2.5 and 4"),
        ("activities", "cost_eur", [5_000, -1],
         "negative value in 1 row (row 1: -1); expected >= 0"),
    ],
)
def test_out_of_range_value(table, column, values, expected):
    problem = only(validate_tables(with_column(mini_tables(), table, column, values)))
    assert (problem.location, problem.kind) == (f"{table}.{column}", "out_of_range")
    assert problem.message == expected


def test_unknown_category_in_text_column():
    origins = ["morocco", "netherlands", "Nederland", "turkey", "western", "mars"]
    tables = with_column(mini_tables(), "pupils", "origin", origins)
    problem = only(validate_tables(tables))
    assert (problem.location, problem.kind) == ("pupils.origin", "unknown_category")
    assert problem.rows == ((2, "Nederland"), (5, "mars"))
    assert problem.message.endswith("expected one of " + ", ".join(schema.ORIGINS))


def test_unknown_category_in_categorical_column():
    vocabulary = [*schema.TEST_DOMAINS, "gym"]
    domains = pd.Categorical(["rekenen", "gym"], categories=vocabulary)
    problem = only(validate_tables(with_column(mini_tables(), "test_results", "domain", domains)))
    assert (problem.kind, problem.rows) == ("unknown_category", ((1, "gym"),))


def test_null_in_non_nullable_column():
    problem = only(validate_tables(with_column(mini_tables(), "schools", "name",
                                               ["De Linde", None, "De Wiekslag"])))
    assert (problem.location, problem.kind, problem.rows) == ("schools.name", "null",
                                                              ((1, None),))
    assert problem.message == "missing value in 1 row (row 1: missing); expected a value in " \
                              "every row"


@pytest.mark.parametrize(
    ("table", "column", "values", "found", "expected"),
    [
        ("schools", "pupils", pd.Series(["3", "two", "1"], dtype="str"), "text values",
         "whole numbers"),
        ("municipalities", "population", [52_000.5, 18_000.0], "fractional numbers",
         "whole numbers"),
        ("pupils", "debt_restructuring", [0, 0, 0, 1, 0, 0], "non-boolean values",
         "true or false"),
        ("schools", "board_id", [10001, 10001, 20002], "int64 values", "text"),
        ("neighbourhoods", "low_income_share", [0.2, "low", 0.05], "non-numeric values",
         "numbers"),
        ("schools", "name", ["De Linde", 5, "De Wiekslag"], "non-text values", "text"),
    ],
)
def test_wrong_type(table, column, values, found, expected):
    tables = with_column(mini_tables(), table, column, values)
    problems = [p for p in validate_tables(tables) if p.kind != "pupil_count_mismatch"]
    problem = only(problems)
    assert (problem.location, problem.kind) == (f"{table}.{column}", "wrong_type")
    assert problem.message.startswith(found)
    assert problem.message.endswith(f"expected {expected}")


def test_list_values_are_reported_not_fatal():
    tables = with_column(mini_tables(), "schools", "school_id", [["01AA00"], ["02BB00"], ["x"]])
    problems = validate_tables(tables)
    assert (problems[0].location, problems[0].kind) == ("schools.school_id", "wrong_type")
    assert problems[0].rows[0] == (0, ["01AA00"])


def test_whole_floats_in_an_int_column_are_accepted():
    tables = with_column(mini_tables(), "schools", "pupils", [3.0, 2.0, 1.0])
    assert validate_tables(tables) == []


def test_unknown_foreign_key():
    school_ids = ["01AA00", "01AA00", "01AA00", "02BB00", "02BB00", "09ZZ00"]
    problems = validate_tables(with_column(mini_tables(), "pupils", "school_id", school_ids))
    assert [p.kind for p in problems] == ["unknown_reference", "pupil_count_mismatch"]
    assert str(problems[0]) == (
        "pupils.school_id: unknown school_id in 1 row (row 5: '09ZZ00'); "
        "expected a value present in schools.school_id"
    )


def test_missing_value_in_nullable_foreign_key_is_fine():
    tables = with_column(mini_tables(), "toddlers", "ve_location_id", [None, None, None])
    assert validate_tables(tables) == []


def test_pupil_count_mismatch():
    problem = only(validate_tables(with_column(mini_tables(), "schools", "pupils", [3, 2, 2])))
    assert (problem.location, problem.kind) == ("schools.pupils", "pupil_count_mismatch")
    assert problem.message == (
        "pupil count differs from the pupils table in 1 row "
        "(row 2: '03CC00' says 2, pupils table has 1); "
        "expected the number of pupils rows with that school_id"
    )


def test_age_min_above_age_max():
    problem = only(validate_tables(with_column(mini_tables(), "activities", "age_min", [4, 13])))
    assert (problem.location, problem.kind) == ("activities.age_min", "inconsistent_range")
    assert "(row 1: 13 > 12)" in problem.message


def test_neighbourhood_code_must_carry_the_municipality_digits():
    tables = with_column(mini_tables(), "neighbourhoods", "municipality_code",
                         ["GM0001", "GM0002", "GM0002"])
    problem = only(validate_tables(tables))
    assert (problem.location, problem.kind) == ("neighbourhoods.neighbourhood_code",
                                                "code_mismatch")
    assert "(row 1: 'WK000102' in 'GM0002')" in problem.message


def test_school_neighbourhood_must_lie_in_its_municipality():
    tables = with_column(mini_tables(), "schools", "neighbourhood_code",
                         ["WK000101", "WK000201", None])
    problem = only(validate_tables(tables))
    assert (problem.location, problem.kind) == ("schools.neighbourhood_code", "code_mismatch")


# --- Many problems -----------------------------------------------------------------------------


def test_checks_on_a_column_continue_after_the_first_problem():
    ages = [4.5, 2.0, None, 5.0, 12.0, 9.0]
    problems = validate_tables(with_column(mini_tables(), "pupils", "age", ages))
    assert [(p.location, p.kind) for p in problems] == [
        ("pupils.age", "null"), ("pupils.age", "wrong_type"), ("pupils.age", "out_of_range"),
    ]
    assert [p.rows for p in problems] == [((2, None),), ((0, 4.5),), ((1, 2),)]


def test_every_problem_in_every_table_is_reported_and_listed_in_the_error():
    tables = mini_tables()
    tables = with_column(tables, "municipalities", "urbanity", [0, 4])
    tables = with_column(tables, "schools", "board_id", ["10001", "1001", "20002"])
    tables = with_column(tables, "activities", "places", [-3, 30])
    tables = with_column(tables, "school_plans", "intervention_id", ["feedback", "yoga"])
    del tables["interventions"]
    problems = validate_tables(tables, source="data/mini")
    assert [(p.location, p.kind) for p in problems] == [
        ("municipalities.urbanity", "out_of_range"),
        ("schools.board_id", "bad_format"),
        ("activities.places", "out_of_range"),
        ("interventions", "missing_table"),
    ]
    assert {p.source for p in problems} == {"data/mini"}
    lines = str(ValidationError(problems)).splitlines()
    assert lines[0] == "dataset data/mini does not match the data model (4 problems):"
    assert lines[1:] == [str(p) for p in problems]


def test_many_offending_rows_show_the_first_five_and_the_total():
    problem = only(validate_tables(with_column(mini_tables(), "pupils", "age", [20] * 6)))
    assert problem.n_rows == 6
    assert problem.message == ("value out of range in 6 rows (first rows 0, 1, 2, 3, 4, ...: "
                               "20, 20, 20, 20, 20, ...); expected between 3 and 14")


def test_problem_kinds_are_documented():
    assert len(set(PROBLEM_KINDS)) == len(PROBLEM_KINDS) == 14


# --- Metadata and directories ------------------------------------------------------------------


def test_validate_info_reports_each_bad_value():
    info = DatasetInfo(name="", synthetic="yes", count_date="2025-02-30", years=[2023, "2024"])
    problems = validate_info(info)
    assert [p.location for p in problems] == ["dataset.json.name", "dataset.json.synthetic",
                                              "dataset.json.count_date", "dataset.json.years"]
    assert all(p.kind == "bad_metadata" for p in problems)
    assert validate_info(mini_info()) == []


def write_mini(directory, tables=None):
    """Write the mini dataset (or ``tables``) to ``directory``."""
    tables = mini_tables() if tables is None else tables
    return write_dataset(Dataset(info=mini_info(), tables=tables), directory)


def test_validate_dataset_reads_metadata_and_tables(tmp_path):
    directory = write_mini(tmp_path / "mini")
    assert validate_dataset(directory) == []
    (directory / "dataset.json").write_text(json.dumps({"name": "mini"}), encoding="utf-8")
    problem = only(validate_dataset(directory))
    assert (problem.table, problem.kind) == ("dataset.json", "bad_metadata")
    assert "missing keys ['count_date', 'synthetic', 'years']" in problem.message


def test_validate_dataset_reports_bad_truth_json(tmp_path):
    directory = write_mini(tmp_path / "mini")
    (directory / "truth.json").write_text("{not json", encoding="utf-8")
    problem = only(validate_dataset(directory))
    assert (problem.table, problem.kind) == ("truth.json", "bad_metadata")


def test_validate_dataset_on_a_missing_directory(tmp_path):
    with pytest.raises(DatasetError, match="data directory does not exist"):
        validate_dataset(tmp_path / "nowhere")


# --- The command line --------------------------------------------------------------------------


def run_validate(directory):
    return CliRunner().invoke(main, ["validate", "--data", str(directory)])


def test_cli_ok(tmp_path):
    directory = write_mini(tmp_path / "mini")
    result = run_validate(directory)
    assert result.exit_code == 0, result.output
    total_rows = sum(len(frame) for frame in mini_tables().values())
    assert result.stdout == f"OK: mini, 10 tables, {total_rows} rows\n"
    assert total_rows == 2 + 3 + 3 + 2 + 6 + 3 + 2 + 2 + 24 + 2


def test_cli_lists_every_problem_and_exits_1(tmp_path):
    tables = with_column(mini_tables(), "schools", "pupils", [3, -2, 1])
    directory = write_mini(tmp_path / "mini", tables)
    result = run_validate(directory)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"dataset {directory} does not match the data model (2 problems):"
    assert lines[1] == "schools.pupils: negative count in 1 row (row 1: -2); expected >= 0"
    assert lines[2].startswith("schools.pupils: pupil count differs from the pupils table")
    assert "Traceback" not in result.output


def test_cli_missing_directory_is_one_clear_line(tmp_path):
    result = run_validate(tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'nowhere'}: data directory does not exist"
    ]


def test_cli_unreadable_parquet_is_one_clear_line_naming_the_file(tmp_path):
    directory = write_mini(tmp_path / "mini")
    path = directory / "schools.parquet"
    path.write_bytes(path.read_bytes()[:100])
    result = run_validate(directory)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}: not a readable Parquet file")
