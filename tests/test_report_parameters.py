"""Report parameters: defaults resolved, one clear line for every kind of mistake."""

from __future__ import annotations

import pandas as pd
import pytest
from report_support import PARAMS_DIR, SEED

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.report import ReportParameterError, validate_parameters


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny") / "data"
    write_dataset(generate("tiny", SEED), directory)
    return directory


@pytest.fixture
def good(data_dir, tmp_path):
    return {"municipality_code": "", "year": 2024, "data_dir": str(data_dir),
            "results_dir": str(tmp_path / "results"), "params_dir": str(PARAMS_DIR),
            "language": "nl", "peers": []}


def codes(data_dir) -> list[str]:
    return sorted(pd.read_parquet(data_dir / "municipalities.parquet")["municipality_code"])


def message(**kwargs) -> str:
    with pytest.raises(ReportParameterError) as info:
        validate_parameters(**kwargs)
    text = str(info.value)
    assert "\n" not in text  # one line
    return text


def test_empty_code_means_the_first_municipality(good, data_dir):
    params = validate_parameters(**good)
    assert params.municipality_code == codes(data_dir)[0]
    assert params.dataset_name == "demoland-tiny"
    assert params.year == 2024 and params.language == "nl"


def test_unknown_code_lists_the_known_ones(good, data_dir):
    known = codes(data_dir)
    text = message(**{**good, "municipality_code": "GM9999"})
    assert text == (f"municipality_code 'GM9999' is not in dataset demoland-tiny; known codes: "
                    f"{', '.join(known[:5])}, ... ({len(known)})")


def test_code_with_the_wrong_pattern(good):
    text = message(**{**good, "municipality_code": "0363"})
    assert text.startswith("municipality_code '0363' is not a municipality code: expected 'GM'")


def test_year_as_text_and_year_without_parameters(good):
    assert message(**{**good, "year": "2024"}) == \
        "year '2024' is not a whole number (expected e.g. 2024)"
    assert message(**{**good, "year": 2019}).startswith(
        f"year 2019 has no parameter file in {PARAMS_DIR}; budget years available: 2020, 2021")


def test_language_and_peers(good, data_dir):
    assert "language 'de' is not supported" in message(**{**good, "language": "de"})
    first, second = codes(data_dir)[:2]
    assert message(**{**good, "municipality_code": first, "peers": [first]}) == \
        f"peers '{first}' is the municipality itself; list other municipalities to compare with"
    assert message(**{**good, "peers": ["GM9998"]}).startswith(
        "peers 'GM9998' is not in dataset demoland-tiny")
    assert validate_parameters(**{**good, "municipality_code": first,
                                  "peers": [second]}).peers == [second]


def test_missing_demo_data_says_to_run_make_demo(good, tmp_path):
    text = message(**{**good, "data_dir": str(tmp_path / "outputs/data/small")})
    assert text == (f"data_dir '{tmp_path / 'outputs/data/small'}' is not an existing directory "
                    "(run `make demo` first)")


def test_results_dir_may_be_new_even_with_new_parents(good, tmp_path):
    # the notebook's defaults point at ../outputs/results/small, which `make demo` does not make
    assert validate_parameters(**good).results_dir == tmp_path / "results"
    deeper = tmp_path / "no" / "such"
    assert validate_parameters(**{**good, "results_dir": str(deeper)}).results_dir == deeper


def test_results_dir_that_is_a_file_is_refused(good, tmp_path):
    (tmp_path / "file").write_text("x")
    text = message(**{**good, "results_dir": str(tmp_path / "file")})
    assert text == f"results_dir '{tmp_path / 'file'}' is a file; expected a directory"


def test_unknown_parameter_is_named(good):
    assert message(**{**good, "municipalty_code": "GM0001"}) == \
        "unknown parameter 'municipalty_code'"


def test_jupyter_shows_only_the_line():
    error = ReportParameterError("year 1 is wrong")
    assert error._render_traceback_() == ["ReportParameterError: year 1 is wrong"]
