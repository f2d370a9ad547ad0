"""The national tables: budgets per year, scenarios, the cache and the reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import npo_analysis.domain.indicator
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.national.tables import (
    build_national_tables,
    load_national_tables,
    load_scenario,
)

PROJECT_PARAMS = Path(__file__).resolve().parents[1] / "params"
YEARS = [2023, 2024]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_dataset(generate("tiny", 7), tmp_path_factory.mktemp("data") / "tiny")


@pytest.fixture
def params(tmp_path) -> Path:
    return Path(shutil.copytree(PROJECT_PARAMS, tmp_path / "params"))


@pytest.fixture(scope="module")
def built(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("tables") / "national"
    build_national_tables(tiny, out, params_dir=PROJECT_PARAMS, years=YEARS, rounds=2)
    return load_national_tables(out)


def _c_minus_g(tables) -> float:
    return tables.model["C"] - tables.model["G"]


def test_every_year_distributes_the_goab_total_with_the_minimum(built):
    assert built.years == YEARS
    for year in YEARS:
        municipalities = built.budgets(year).municipalities
        pd.testing.assert_frame_equal(built.municipality_budgets(year), municipalities)
        assert municipalities["goab_cents"].sum() == 486_000_000 * 100  # params/<year>.yaml
        assert municipalities["goab_cents"].min() >= 64_000 * 100
        assert municipalities["municipality_name"].notna().all()


def test_school_budgets_follow_the_2024_rates(built):
    schools = built.budgets(2024).schools
    # params/2024.yaml: EUR 500 per pupil + EUR 463.78 per score unit, rounded to cents
    expected = schools["pupils"] * 50_000 + np.floor(schools["score"] * 46_378 + 0.5)
    assert (schools["budget_cents"] == expected.astype(np.int64)).all()


def test_drempel_scenario_rethresholds_the_gross_scores(built):
    scenario = built.scenario("drempel_10")
    gross = built.school_scores.set_index("school_id")
    schools = scenario.budgets.schools.set_index("school_id")
    by_hand = np.maximum(0, gross["score_gross"] - gross["pupils"] * 0.10 * _c_minus_g(built))
    assert np.allclose(schools["score"], by_hand.reindex(schools.index), atol=0.005 + 1e-9)
    base = built.budgets(2024).schools.set_index("school_id")
    assert (schools["score"] >= base["score"].reindex(schools.index)).all()  # lower threshold


def test_municipal_threshold_counts_pupils_and_toddlers(built):
    scores = built.municipality_scores.set_index("municipality_code")
    scenario = built.scenario("drempel_10").budgets.municipalities.set_index("municipality_code")
    children = scores["pupils"] + scores["toddlers"]
    by_hand = np.maximum(0, scores["score_gross"] - children * 0.10 * _c_minus_g(built))
    assert np.allclose(scenario["score"], by_hand.reindex(scenario.index), atol=0.005 + 1e-9)


def test_minimum_scenario_comparison(built):
    scenario = built.scenario("minimum_100k")
    assert scenario.base_year == 2024 and scenario.overrides == {"goab": {"minimum_eur": 100000}}
    units = scenario.goab_comparison
    assert units["alternative_eur"].min() >= 100_000
    assert units["alternative_eur"].sum() == pytest.approx(486_000_000)
    gained = units.loc[units["outcome"] == "winner", "difference_eur"].sum()
    assert scenario.summary["goab"]["total_moved_eur"] == pytest.approx(gained)
    raised = units[units["base_eur"] < 100_000]
    assert (raised["outcome"] == "winner").all() and len(raised) > 0


def test_slices_of_one_municipality(built):
    code = built.municipality_scores["municipality_code"].iloc[1]
    one = built.budgets(2024, code)
    assert one.municipalities["municipality_code"].tolist() == [code]
    everything = built.budgets(2024).schools
    assert one.schools["school_id"].tolist() == (
        everything.loc[everything["municipality_code"] == code, "school_id"].tolist())
    pupils = built.pupil_scores(code)
    assert len(pupils) > 0 and (pupils["municipality_code"] == code).all()
    assert set(built.scenario("drempel_10", code).school_comparison["municipality_code"]) == {code}


def test_reader_errors_name_what_is_available(built, tmp_path):
    with pytest.raises(ValueError, match=r"year=2019.*years: \[2023, 2024\]"):
        built.budgets(2019)
    with pytest.raises(ValueError, match=r"year=2019.*years: \[2023, 2024\]"):
        built.municipality_budgets(2019)
    with pytest.raises(ValueError, match="scenario 'nope'.*drempel_10"):
        built.scenario("nope")
    with pytest.raises(FileNotFoundError, match="national_tables.json"):
        load_national_tables(tmp_path)


def _forbid_indicator(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the indicator ran although the inputs were unchanged")

    monkeypatch.setattr(npo_analysis.domain.indicator, "compute_indicator", fail)


def test_cache_hit_and_miss_on_a_params_change(tiny, params, tmp_path, monkeypatch):
    out = tmp_path / "tables"
    build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=1)
    info = json.loads((out / "national_tables.json").read_text())
    with monkeypatch.context() as patch:
        _forbid_indicator(patch)
        build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=1)  # hit
        with pytest.raises(AssertionError, match="indicator ran"):  # rounds changed: a miss
            build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=2)
    yaml_file = params / "2024.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("total_eur: 486000000",
                                                       "total_eur: 500000000"))
    build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=1)
    changed = json.loads((out / "national_tables.json").read_text())
    assert changed["params_hash"] != info["params_hash"]
    assert changed["data_hash"] == info["data_hash"]
    goab = load_national_tables(out).budgets(2024).municipalities["goab_cents"].sum()
    assert goab == 500_000_000 * 100


def test_a_new_scenario_file_is_a_cache_miss(tiny, params, tmp_path, monkeypatch):
    out = tmp_path / "tables"
    build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=1)
    (params / "scenarios" / "drempel_8.yaml").write_text(
        'description: "Drempel 8%"\nbase_year: 2024\n'
        "overrides:\n  indicator:\n    school_threshold_fraction: 0.08\n")
    build_national_tables(tiny, out, params_dir=params, years=[2024], rounds=1)
    assert "drempel_8" in load_national_tables(out).scenarios


@pytest.mark.parametrize("body, message", [
    ("description: x\nbase_year: 2024\noverrides:\n  goab:\n    minimum: 1\n",
     r"overrides\.goab\.minimum: unknown key \(allowed here: minimum_eur"),
    ("description: x\nbase_year: 2024\noverrides:\n  indicator:\n    target_share: 0.2\n",
     r"overrides\.indicator\.target_share: cannot be changed"),
    ("description: x\nbase_year: 2024\noverrides:\n  goab:\n    minimum_eur: -5\n",
     r"overrides\.goab\.minimum_eur"),
    ("description: x\nbase_year: 2024\n", r"overrides: Field required"),
    ("description: x\nbase_year: 2024\noverrides: {\n", "not valid YAML"),
])
def test_bad_scenario_files_name_the_file_and_key(params, body, message):
    path = params / "scenarios" / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ValueError, match=message) as info:
        load_scenario(path, params)
    assert str(path) in str(info.value)


def test_unknown_year_is_refused(tiny, tmp_path):
    with pytest.raises(ValueError, match=r"years=\[1999\]: no parameter file"):
        build_national_tables(tiny, tmp_path / "t", params_dir=PROJECT_PARAMS, years=[1999])


# --- A public dataset: published school scores, no pupil microdata ------------------------------
#
# Four schools in two municipalities (a third has none), numbers chosen so every figure is easy
# by hand: sum A = 240, sum E = 400, so C - G = 240 / (0.15 x 400) = 4.0 and the school
# threshold is E x 0.12 x 4 = 0.48 E.

PUBLISHED_ROWS = [  # school, municipality, E, A, onderbouw, bovenbouw, published score, flags
    ("00AA00", "GM0001", 100, 150.0, 90.0, 60.0, 102.0, "", ""),
    ("00AB00", "GM0001", 200, 30.0, 10.0, 20.0, 0.0, "", ""),
    ("00AC00", "GM0002", 40, 60.0, 25.0, 35.0, 40.8, "a", "b, c"),
    ("00AD00", "GM0002", 60, 0.0, 0.0, 0.0, 0.0, "", "c"),
]


def _public_dataset(directory: Path) -> Path:
    import pandas as pd

    from npo_analysis.data.dataset import Dataset, DatasetInfo

    municipalities = pd.DataFrame({
        "municipality_code": ["GM0001", "GM0002", "GM0003"], "name": ["Aadorp", "Beekdal", "Cee"],
        "province": ["Utrecht"] * 3, "population": pd.array([pd.NA] * 3, dtype="Int64"),
        "urbanity": pd.array([pd.NA] * 3, dtype="Int64"), "low_income_share": [np.nan] * 3})
    schools = pd.DataFrame({  # the fifth school has no published score (opened later)
        "school_id": [r[0] for r in PUBLISHED_ROWS] + ["00AE00"],
        "name": ["Een", "Twee", "Drie", "Vier", "Vijf"],
        "municipality_code": [r[1] for r in PUBLISHED_ROWS] + ["GM0003"],
        "neighbourhood_code": [None] * 5, "board_id": ["10001"] * 5,
        "denomination": ["Openbaar"] * 5, "pupils": [r[2] for r in PUBLISHED_ROWS] + [30]})
    columns = ["school_id", "pupils", "score_gross", "score_gross_onderbouw",
               "score_gross_bovenbouw", "score", "flag", "flag_parts"]
    published = pd.DataFrame([(r[0], *r[2:]) for r in PUBLISHED_ROWS], columns=columns)
    info = DatasetInfo(name="public-test", synthetic=False, count_date="2019-10-01",
                       years=[2019])
    tables = {"municipalities": municipalities, "schools": schools,
              "neighbourhoods": pd.DataFrame({"neighbourhood_code": pd.Series([], dtype="str"),
                                              "municipality_code": pd.Series([], dtype="str"),
                                              "name": pd.Series([], dtype="str"),
                                              "children_0_3": pd.Series([], dtype="int64"),
                                              "children_4_11": pd.Series([], dtype="int64"),
                                              "low_income_share": pd.Series([], dtype="float")}),
              "published_school_scores": published}
    return write_dataset(Dataset(info=info, tables=tables), directory)


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    data = _public_dataset(tmp_path_factory.mktemp("data") / "public")
    out = tmp_path_factory.mktemp("tables") / "public"
    build_national_tables(data, out, params_dir=PROJECT_PARAMS)
    return load_national_tables(out)


def test_public_dataset_uses_the_published_scores(public):
    assert public.indicator_source == "published_school_scores" and not public.has_microdata
    assert public.c_minus_g == pytest.approx(4.0)  # 240 / (0.15 x 400)
    assert public.model["C"] is None and public.model["G"] is None
    schools = public.school_scores.set_index("school_id")
    # max(0, A - 0.48 E): 150 - 48, 30 - 96, 60 - 19.2, 0 - 28.8
    assert schools["score"].tolist() == pytest.approx([102.0, 0.0, 40.8, 0.0])
    assert schools["threshold"].tolist() == pytest.approx([48.0, 96.0, 19.2, 28.8])
    assert schools["target_pupils"].tolist() == pytest.approx([37.5, 7.5, 15.0, 0.0])  # A / 4
    assert schools["flag"].tolist() == ["", "", "a, b, c", "c"]
    assert schools["score_gross_low"].isna().all() and schools["score_gross_high"].isna().all()
    assert public.model["reproduction"]["within_tolerance"] == 4
    assert public.model["n_schools_without_score"] == 1 and "00AE00" not in schools.index
    assert len(public.pupil_scores()) == 0


def test_public_municipal_scores_are_school_sums_without_toddlers(public):
    municipalities = public.municipality_scores.set_index("municipality_code")
    assert municipalities["pupils"].tolist() == [300, 100, 0]
    assert municipalities["score_gross"].tolist() == pytest.approx([180.0, 60.0, 0.0])
    assert municipalities["target_children"].tolist() == pytest.approx([45.0, 15.0, 0.0])
    assert municipalities["toddlers"].isna().all()
    # max(0, sum A - sum E x 0.48): 180 - 144, 60 - 48
    assert municipalities["score"].tolist() == pytest.approx([36.0, 12.0, 0.0])
    assert municipalities["score_schools"].tolist() == pytest.approx([102.0, 40.8, 0.0])


def test_public_budgets_for_every_params_year(public):
    assert public.years == [2020, 2021, 2022, 2023, 2024, 2025]
    goab = public.budgets(2024).municipalities.set_index("municipality_code")["goab_cents"]
    # GM0003 has score 0 and gets the EUR 64,000 minimum; EUR 485,936,000 is shared 36 : 12
    assert goab.to_dict() == {"GM0001": 364_452_000 * 100, "GM0002": 121_484_000 * 100,
                              "GM0003": 64_000 * 100}
    schools = public.budgets(2024).schools.set_index("school_id")["budget_cents"]
    assert schools["00AA00"] == 100 * 50_000 + 102 * 46_378  # EUR 500 / pupil + 463.78 / unit
    assert schools["00AC00"] == 40 * 50_000 + round(40.8 * 46_378)
    assert "00AE00" not in schools.index  # no published score: no score, no budget


def test_public_drempel_scenario_rethresholds_school_sums(public):
    scenario = public.scenario("drempel_10").budgets
    schools = scenario.schools.set_index("school_id")["score"]
    assert schools.tolist() == pytest.approx([110.0, 0.0, 44.0, 0.0])  # A - 0.40 E
    municipalities = scenario.municipalities.set_index("municipality_code")["score"]
    assert municipalities.tolist() == pytest.approx([60.0, 20.0, 0.0])  # 180 - 120, 60 - 40


def test_a_dataset_without_scores_is_refused(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="neither pupils.parquet.*published_school"):
        build_national_tables(tmp_path / "data", tmp_path / "out", params_dir=PROJECT_PARAMS)
