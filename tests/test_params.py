"""Budget-year parameter files: the shipped files, and the errors bad files give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from npo_analysis.domain.params import (
    ParamsError,
    load_municipality_file,
    load_params,
    load_params_file,
)

PARAMS_DIR = Path(__file__).resolve().parents[1] / "params"
YEARS = range(2020, 2026)


def write_year(tmp_path: Path, changes: dict, year: int = 2024) -> Path:
    """Copy params/2024.yaml with ``changes`` applied ("a.b": value; None deletes the key)."""
    raw = yaml.safe_load((PARAMS_DIR / "2024.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = raw
        for part in parents:
            node = node[part]
        if value is None:
            del node[leaf]
        else:
            node[leaf] = value
    path = tmp_path / f"{year}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ParamsError) as info:
        load_params_file(path)
    return info.value.problems


# --- The shipped files -------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_every_shipped_year_loads(year):
    params = load_params(year, PARAMS_DIR)
    assert params.year == year
    assert params.count_date < dt.date(year, 1, 1)


@pytest.mark.parametrize("year", YEARS)
def test_goab_amounts_are_the_published_ones(year):
    # domain.md section 3: EUR 486 million to municipalities, at least EUR 64,000 each
    goab = load_params(year, PARAMS_DIR).goab
    assert goab.total_cents == 486_000_000_00
    assert goab.minimum_cents == 64_000_00


def test_npo_school_rates_of_2021_and_2022():
    assert load_params(2021, PARAMS_DIR).npo_schools.per_pupil_eur == Decimal("701.16")
    later = load_params(2022, PARAMS_DIR).npo_schools
    assert (later.per_pupil_eur, later.per_score_unit_eur) == (Decimal("500"), Decimal("463.78"))
    assert later.school_year == "2022-2023"
    assert load_params(2022, PARAMS_DIR).source_of("npo_schools.per_score_unit_eur").status == \
        "unconfirmed"


@pytest.mark.parametrize("year", [2020, 2025])
def test_years_without_npo_money_have_zero_npo_amounts(year):
    params = load_params(year, PARAMS_DIR)
    assert params.npo_schools.per_pupil_eur == 0
    assert params.npo_schools.per_score_unit_eur == 0
    assert params.npo_municipalities.total_eur == 0
    assert "NPO" in params.source_of("npo_schools.per_pupil_eur").note


def test_the_municipal_split_is_marked_unconfirmed():
    source = load_params(2021, PARAMS_DIR).source_of("npo_municipalities.share_by_pupils")
    assert source.status == "unconfirmed" and source.note


# --- Errors ------------------------------------------------------------------------------------


def test_text_where_a_number_belongs(tmp_path):
    path = write_year(tmp_path, {"goab.minimum_eur": "abc"})
    assert problems_of(path) == [f"{path}: goab.minimum_eur: expected a number, got 'abc'"]


def test_a_quoted_number_is_not_a_number(tmp_path):
    path = write_year(tmp_path, {"npo_schools.per_pupil_eur": "500"})
    assert problems_of(path) == [f"{path}: npo_schools.per_pupil_eur: expected a number, "
                                 f"got '500'"]


def test_unknown_key_lists_the_allowed_keys(tmp_path):
    path = write_year(tmp_path, {"goab.totl_eur": 1})
    assert problems_of(path) == [
        f"{path}: goab.totl_eur: unknown key (allowed here: minimum_eur, phase_in_max_change, "
        f"total_eur)"
    ]


def test_missing_key(tmp_path):
    path = write_year(tmp_path, {"npo_municipalities.total_eur": None})
    assert f"{path}: npo_municipalities.total_eur: missing key" in problems_of(path)


def test_value_out_of_range(tmp_path):
    path = write_year(tmp_path, {"npo_municipalities.share_by_pupils": 1.5,
                                 "goab.total_eur": -5})
    assert problems_of(path) == [
        f"{path}: goab.total_eur: value -5 out of range: must be >= 0",
        f"{path}: npo_municipalities.share_by_pupils: value 1.5 out of range: must be <= 1",
    ]


def test_amount_with_fractions_of_a_cent(tmp_path):
    path = write_year(tmp_path, {"npo_schools.per_pupil_eur": 701.165})
    assert problems_of(path) == [f"{path}: npo_schools.per_pupil_eur: expected whole cents "
                                 f"(at most 2 decimals), got 701.165"]


def test_count_date_must_precede_the_budget_year(tmp_path):
    path = write_year(tmp_path, {"count_date": "2024-02-01"})
    assert problems_of(path) == [f"{path}: count_date: 2024-02-01 must lie before the budget "
                                 f"year 2024 starts"]


def test_count_date_written_as_a_number(tmp_path):
    path = write_year(tmp_path, {"count_date": 20220201})
    assert problems_of(path) == [f"{path}: count_date: expected a date written as YYYY-MM-DD, "
                                 f"got 20220201"]


def test_every_parameter_needs_a_source(tmp_path):
    raw = yaml.safe_load((PARAMS_DIR / "2024.yaml").read_text(encoding="utf-8"))
    raw["sources"] = [s for s in raw["sources"] if s["key"] != "goab.minimum_eur"]
    raw["sources"].append({"key": "goab.bonus", "source": "x", "status": "official"})
    raw["sources"].append({"key": "goab.total_eur", "source": "x", "status": "unconfirmed"})
    path = tmp_path / "2024.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    n = len(raw["sources"])
    assert problems_of(path) == [
        f"{path}: sources.{n - 2}.key: unknown parameter 'goab.bonus'",
        f"{path}: sources.{n - 1}.key: 'goab.total_eur' has more than one source entry",
        f"{path}: sources.{n - 1}.note: an unconfirmed value needs a note (goab.total_eur)",
        f"{path}: sources: no entry for goab.minimum_eur (every parameter needs its source)",
    ]


def test_bad_status(tmp_path):
    raw = yaml.safe_load((PARAMS_DIR / "2024.yaml").read_text(encoding="utf-8"))
    raw["sources"][0]["status"] = "probably"
    path = tmp_path / "2024.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert problems_of(path) == [f"{path}: sources.0.status: expected one of 'official', "
                                 f"'unconfirmed' or 'derived', got 'probably'"]


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "2024.yaml"
    path.write_text("goab: [unclosed\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: not valid YAML")


def test_a_key_written_twice_is_rejected(tmp_path):
    path = tmp_path / "2024.yaml"
    path.write_text("year: 2024\nyear: 2025\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert "key 'year' appears twice" in problem


def test_missing_year_lists_the_years_present(tmp_path):
    write_year(tmp_path, {}, year=2024)
    with pytest.raises(ParamsError) as info:
        load_params(2030, tmp_path)
    assert str(info.value) == (f"{tmp_path / '2030.yaml'}: no parameter file for budget year "
                               f"2030 (years present in {tmp_path}: 2024)")


def test_year_must_match_the_file_name(tmp_path):
    # the count dates of 2024 (1 Feb 2022 and 2023) would not lie before a budget year 2023
    write_year(tmp_path, {"year": 2023, "count_dates": [{"date": "2022-02-01", "weight": 1}]},
               year=2024)
    with pytest.raises(ParamsError, match="year: the file says 2023 but its name says 2024"):
        load_params(2024, tmp_path)


def test_params_error_is_a_value_error():
    assert issubclass(ParamsError, ValueError)


# --- Municipality override files ---------------------------------------------------------------


def test_municipality_code_read_as_octal_number(tmp_path):
    path = tmp_path / "GM0363.yaml"
    path.write_text("code: 0363\n", encoding="utf-8")  # YAML 1.1: octal 0363 = 243
    with pytest.raises(ParamsError) as info:
        load_municipality_file(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}: code: a municipality code was read as the number 243")
    assert 'quote it with its prefix, e.g. "GM0363"' in problem


def test_municipality_code_without_prefix(tmp_path):
    path = tmp_path / "GM0599.yaml"
    path.write_text('code: "GM0599"\npeers: [0599]\n', encoding="utf-8")  # not octal: text
    with pytest.raises(ParamsError) as info:
        load_municipality_file(path)
    assert info.value.problems == [f"{path}: peers.0: expected a municipality code 'GM' + 4 "
                                   f"digits (e.g. \"GM0363\"), got '0599'"]


def test_municipality_file_loads(tmp_path):
    path = tmp_path / "GM0363.yaml"
    path.write_text('code: "GM0363"\nname: Amsterdam\nlanguage: en\npeers: ["GM0599"]\n',
                    encoding="utf-8")
    override = load_municipality_file(path)
    assert (override.code, override.language, override.peers) == ("GM0363", "en", ["GM0599"])


def test_municipality_code_must_match_the_file_name(tmp_path):
    path = tmp_path / "GM0363.yaml"
    path.write_text('code: "GM0344"\n', encoding="utf-8")
    with pytest.raises(ParamsError, match="code: the file says 'GM0344' but its name says"):
        load_municipality_file(path)


def test_a_changed_file_is_read_again_and_results_are_independent(tmp_path):
    from npo_analysis.domain import params as params_module

    path = write_year(tmp_path, {"goab.minimum_eur": 64000})
    first = params_module._read_yaml(path)
    first["goab"]["minimum_eur"] = 1  # a caller changing its copy ...
    assert params_module._read_yaml(path)["goab"]["minimum_eur"] == 64000  # ... changes no other
    os_stat = path.stat()
    write_year(tmp_path, {"goab.minimum_eur": 70000})  # same size, moments later: still seen
    assert path.stat().st_size == os_stat.st_size
    assert load_params_file(path).goab.minimum_eur == 70000


def test_count_date_rule_of_2024_averages_two_count_dates():
    # CBS maatwerk 2024/27: budget year 2024 = average of 1 February 2022 and 1 February 2023
    params = load_params(2024, PARAMS_DIR)
    assert params.count_date_weights == {dt.date(2022, 2, 1): 0.5, dt.date(2023, 2, 1): 0.5}
    assert params.source_of("count_dates").status == "official"
    assert "2024/27" in params.source_of("count_dates").source


def test_count_date_weights_must_add_up_to_one(tmp_path):
    write_year(tmp_path, {"count_dates": [{"date": "2022-02-01", "weight": 0.5},
                                          {"date": "2023-02-01", "weight": 0.3}]})
    with pytest.raises(ParamsError, match="count_dates: the weights add up to 0.8; expected 1"):
        load_params(2024, tmp_path)


def test_count_date_rule_defaults_to_the_one_count_date(tmp_path):
    raw = yaml.safe_load((PARAMS_DIR / "2024.yaml").read_text(encoding="utf-8"))
    del raw["count_dates"]
    raw["sources"] = [s for s in raw["sources"] if s["key"] != "count_dates"]
    (tmp_path / "2024.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert load_params(2024, tmp_path).count_date_weights == {dt.date(2022, 2, 1): 1.0}
