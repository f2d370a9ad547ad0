"""The report's analysis sections on tiny Demoland, against independent sums and planted truths."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from report_support import PARAMS_DIR, build_tiny

from npo_analysis import table_cache
from npo_analysis.data.dataset import coerce_table
from npo_analysis.domain.delays import TEST_DOMAINS
from npo_analysis.national.analyses import (
    ANALYSES_DIR,
    COVERAGE_FILE,
    TEST_RESULTS_FILE,
    compute_national_analyses,
    load_national_analyses,
    write_national_analyses,
)
from npo_analysis.national.tables import load_national_tables
from npo_analysis.report import (
    delays_view,
    goals,
    interventions_view,
    load_report_data,
    peers_view,
    supply_view,
    validate_parameters,
    view,
    vve_view,
)
from npo_analysis.report.analyses import ReportAnalyses

YEAR = 2024


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny(tmp_path_factory.mktemp("analyses"))


@pytest.fixture(scope="module")
def raw(tiny):
    data_dir, _ = tiny
    names = ("schools", "neighbourhoods", "toddlers", "school_plans", "test_results")
    return {name: pd.read_parquet(data_dir / f"{name}.parquet") for name in names}


@pytest.fixture(scope="module")
def truth(tiny):
    return json.loads((tiny[0] / "truth.json").read_text())


@pytest.fixture(scope="module")
def biggest(raw):
    counts = raw["schools"].groupby("municipality_code").size()
    return sorted(counts[counts == counts.max()].index)[0]


@pytest.fixture(scope="module")
def results(tiny, biggest):
    data_dir, results_dir = tiny
    params = validate_parameters(municipality_code=biggest, year=YEAR, data_dir=str(data_dir),
                                 results_dir=str(results_dir), params_dir=str(PARAMS_DIR))
    return ReportAnalyses(load_report_data(params))


def own_toddlers(raw, code):
    wijken = raw["neighbourhoods"].loc[raw["neighbourhoods"]["municipality_code"] == code,
                                       "neighbourhood_code"]
    return raw["toddlers"][raw["toddlers"]["neighbourhood_code"].isin(wijken)]


def test_heat_map_white_spots_are_the_planted_ones(results, truth, biggest):
    wijken = set(results.data.neighbourhoods["neighbourhood_code"])
    planted = {(w["neighbourhood_code"], w["domain"]) for w in truth["white_spots"]
               if w["neighbourhood_code"] in wijken}
    assert planted  # tiny plants a white spot in its largest municipality
    cells = results.heat_map
    marked = set(zip(cells.loc[cells["white_spot"], "neighbourhood_code"],
                     cells.loc[cells["white_spot"], "domain_key"], strict=True))
    assert marked == planted
    assert len(cells) == 4 * len(wijken)  # every neighbourhood x development domain
    for row in cells[cells["white_spot"]].itertuples(index=False):
        assert row.activity_places < 0.5 * row.need and row.need >= 10
    shown = supply_view.white_spots_display(results.white_spots)
    assert len(shown) == len(planted)


def test_heat_map_hides_small_groups():
    table = pd.DataFrame({
        "neighbourhood_code": ["WK000101"] * 4 + ["WK000102"] * 4,
        "municipality_code": ["GM0001"] * 8, "name": ["Noord"] * 4 + ["Zuid"] * 4,
        "domain": ["cognitive", "executive", "social", "emotional"] * 2, "age_band": "4-7",
        "target_children": [40] * 4 + [6] * 4,
        "need": [40.0, 24.0, 32.0, 20.0, 6.0, 3.6, 4.8, 3.0],
        "activity_places": [10.0, 24.0, 32.0, 20.0, 0.0, 0.0, 0.0, 0.0]})
    table = table.assign(coverage=table["activity_places"] / table["need"],
                         small_group=table["target_children"] < 10)
    spots = supply_view.white_spots(table)
    cells = supply_view.heat_map_data(table, spots).set_index(["neighbourhood", "domain_key"])
    assert cells.loc[("Noord", "cognitive"), "text"] == "25%"  # 10 places for a need of 40
    assert bool(cells.loc[("Noord", "cognitive"), "white_spot"])
    assert cells.loc[("Zuid", "cognitive"), "text"] == "<10"
    assert np.isnan(cells.loc[("Zuid", "cognitive"), "shown"])
    assert cells["white_spot"].sum() == 1


def test_vve_reach_equals_counts_of_the_toddlers(results, raw, biggest):
    toddlers = own_toddlers(raw, biggest)
    table = results.vve_reach.set_index("neighbourhood_code")
    for code, rows in toddlers.groupby("neighbourhood_code"):
        indicated = rows[rows["ve_indication"]]
        placed = int(indicated["ve_location_id"].notna().sum())
        assert table.loc[code, "ve_indicated"] == len(indicated)
        assert table.loc[code, "ve_placed"] == placed
        if len(indicated):
            assert table.loc[code, "ve_reach"] == pytest.approx(placed / len(indicated))
            assert table.loc[code, "below_norm"] == (placed / len(indicated) < 0.8)
    shown = vve_view.reach_display(results.vve_reach).set_index("Wijk")
    for row in results.vve_reach.itertuples(index=False):
        cell = shown.loc[row.name]
        if row.ve_indicated < 10:
            assert cell["Peuters met VVE-indicatie"] == "<10" and cell["VVE-bereik"] == "–"
    chart = vve_view.reach_chart_data(results.vve_reach)
    assert (chart["ve_reach"].diff().dropna() >= 0).all()


def test_vve_hours_of_hand_made_locations():
    hours = pd.DataFrame({"location_id": ["B", "A"], "provider": ["P", "Q"],
                          "neighbourhood_code": ["WK000101"] * 2, "ve_places": [12, 8],
                          "hours_per_week": [12.0, 16.0], "hours_18_months": [720.0, 960.0],
                          "hours_norm": [960.0] * 2, "meets_norm": [False, True],
                          "shortfall_hours": [240.0, 0.0]})
    shown = vve_view.hours_display(hours)
    assert shown["Locatie"].tolist() == ["B", "A"] and shown.iloc[0, 4] == "720"
    assert shown["Haalt 960 uur"].tolist() == ["nee", "ja"]


def test_comparison_pools_ve_reach_from_the_toddlers(results, raw, biggest):
    table = results.comparison.set_index("indicator")
    toddlers = raw["toddlers"]
    indicated = toddlers[toddlers["ve_indication"]]
    national = indicated["ve_location_id"].notna().mean()
    assert table.loc["ve_reach", "netherlands"] == pytest.approx(national)
    mine = own_toddlers(raw, biggest)
    own = mine[mine["ve_indication"]]
    assert table.loc["ve_reach", "municipality"] == pytest.approx(
        own["ve_location_id"].notna().mean())
    assert table.loc["pupils", "netherlands"] == raw["schools"]["pupils"].sum()
    shown = peers_view.comparison_display(results.comparison, view.group_names(results.data))
    assert "VVE-bereik" in shown["Kengetal"].tolist()
    assert "VVE-bereik:" in peers_view.comparison_markdown(results.comparison)


def test_peers_default_to_the_benchmark_rule(results):
    # tiny has 6 municipalities: the default k = 10 takes the 5 others, nearest first
    assert len(results.data.peers) == 5 and not results.data.peers_chosen
    text = view.peers_markdown(results.data)
    assert text.startswith("De vergelijkbare gemeenten zijn de 5 gemeenten")


def test_delays_cover_the_municipality_and_the_country(results, raw, biggest):
    comparison = results.delays
    ids = set(raw["schools"].loc[raw["schools"]["municipality_code"] == biggest, "school_id"])
    tested = raw["test_results"][raw["test_results"]["school_id"].isin(ids)]
    own = comparison[comparison["area"] == "municipality"]
    assert own["n_schools"].max() == tested["school_id"].nunique()
    assert set(own["domain"]) == set(TEST_DOMAINS)
    latest = delays_view.latest_delays(comparison, "Gemeente")
    assert len(latest) == 2 * len(TEST_DOMAINS)
    assert set(latest["time_point"]) == {"eind 2024/25"}  # tiny's last test is June 2025
    assert (latest["ci_low"] <= latest["delay_months"]).all()
    assert (latest["delay_months"] <= latest["ci_high"]).all()
    table = delays_view.delays_display(comparison)
    assert table["Domein"].tolist() == ["Rekenen", "Begrijpend lezen", "Technisch lezen",
                                        "Spelling"]


def test_precomputed_national_analyses_equal_computed_ones(tiny, tmp_path, results):
    data_dir, results_dir = tiny
    scores = results.data.national.school_scores
    computed = compute_national_analyses(data_dir, scores)
    write_national_analyses(data_dir, tmp_path, scores)
    loaded = load_national_analyses(data_dir, tmp_path, scores)
    assert loaded.precomputed and not computed.precomputed
    for name, frame in computed.tables().items():
        pd.testing.assert_frame_equal(loaded.tables()[name].reset_index(drop=True),
                                      frame.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("large_rows", [None, 10])  # kept whole, or read by row group
def test_test_results_from_the_copy_by_municipality_equal_the_dataset_slice(tiny, tmp_path,
                                                                          monkeypatch,
                                                                          large_rows):
    if large_rows is not None:
        monkeypatch.setattr(table_cache, "LARGE_ROWS", large_rows)
    data_dir, results_dir = tiny
    shutil.copytree(results_dir, tmp_path / "results")
    scores = load_national_tables(results_dir).school_scores
    write_national_analyses(data_dir, tmp_path / "results", scores)
    assert (tmp_path / "results" / ANALYSES_DIR / TEST_RESULTS_FILE).is_file()
    schools = pd.read_parquet(data_dir / "schools.parquet")
    for code in sorted(schools["municipality_code"].unique()):
        params = validate_parameters(municipality_code=code, year=YEAR, data_dir=str(data_dir),
                                     results_dir=str(tmp_path / "results"),
                                     params_dir=str(PARAMS_DIR))
        got = ReportAnalyses(load_report_data(params)).test_results
        ids = schools.loc[schools["municipality_code"] == code, "school_id"].tolist()
        expected = coerce_table("test_results", pd.read_parquet(
            data_dir / "test_results.parquet", filters=[("school_id", "in", ids)]))
        assert len(got) > 0
        pd.testing.assert_frame_equal(got, expected)


def test_coverage_from_the_national_analyses_equals_the_reports_own(tiny):
    from npo_analysis.report import supply_view

    data_dir, results_dir = tiny
    assert (results_dir / ANALYSES_DIR / COVERAGE_FILE).is_file()  # the national step wrote it
    neighbourhoods = pd.read_parquet(data_dir / "neighbourhoods.parquet")
    for code in sorted(neighbourhoods["municipality_code"].unique()):
        params = validate_parameters(municipality_code=code, year=YEAR, data_dir=str(data_dir),
                                     results_dir=str(results_dir), params_dir=str(PARAMS_DIR))
        results = ReportAnalyses(load_report_data(params))
        data = results.data
        own = supply_view.coverage(data.children, data.schools, data.activities,
                                   data.neighbourhoods)
        # 4 development domains x 2 age bands per neighbourhood
        assert len(own) == 4 * 2 * (neighbourhoods["municipality_code"] == code).sum()
        pd.testing.assert_frame_equal(results.coverage, own, check_exact=True)


def test_challenge_display_suppresses_and_flags():
    schools = pd.DataFrame({"school_id": ["00AA00", "00AB00"], "name": ["Klein", "Groot"],
                            "delay_months": [2.25, 1.0], "score": [45.5, 0.0],
                            "flag": ["a", ""], "pupils": [30, 300], "target_pupils": [7, 60],
                            "target_share": [7 / 30, 0.2], "extra_challenge": [True, False]})
    shown = delays_view.challenge_display(schools).set_index("School")
    assert shown.loc["Klein", "Achterstandsscore"] == "45,50 (a)"
    assert shown.loc["Klein", "Doelgroepleerlingen"] == "<10"
    assert shown.loc["Klein", "Aandeel doelgroep"] == "–"
    assert shown.loc["Klein", "Eigen achterstand (maanden)"] == "2,3"  # half up
    assert shown.loc["Groot", "Aandeel doelgroep"] == "20,0%"
    assert shown["Extra uitdagingen"].tolist() == ["ja", "nee"]


def test_plans_vs_optimum_spends_the_plans_money(results, raw, biggest):
    ids = results.data.schools["school_id"]
    plans = raw["school_plans"][raw["school_plans"]["school_id"].isin(ids)]
    table = results.school_comparison
    assert table["plan_eur"].sum() == pytest.approx(plans["amount_eur"].sum())
    assert (table["budget_eur"] == table["plan_eur"]).all()  # "the same money"
    assert (table["extra_pupil_months"] >= -1e-6).all()  # a plan is one of the packages
    mix = results.package_mix
    assert mix["plan_eur"].sum() == pytest.approx(plans["amount_eur"].sum())
    assert mix["optimum_eur"].sum() <= plans["amount_eur"].sum() + 0.01
    chart = interventions_view.cost_effectiveness_chart_data(results.cost_effectiveness)
    feedback = chart.set_index("intervention").loc["Feedback"]
    # 8 months; Laag band EUR 20-230: 8 / 125 * 1000 = 64, range 8 / 230 * 1000 to 8 / 20 * 1000
    assert feedback.tolist() == pytest.approx([64.0, 8000 / 230, 400.0])


def test_goals_from_delays_and_white_spots():
    comparison = pd.DataFrame({
        "domain": ["rekenen", "spelling"] * 2, "school_year": [2024] * 4, "moment": ["eind"] * 4,
        "delay_months": [2.0, 1.5, 0.7, 0.4], "ci_low": [0.5, -0.2, 0.5, 0.2],
        "ci_high": [3.5, 3.2, 0.9, 0.6], "area": ["municipality"] * 2 + ["national"] * 2})
    challenge = pd.DataFrame({"name": ["A", "B"], "extra_challenge": [True, False]})
    goal = goals.delay_goal(comparison, challenge)
    assert goal.kind == "delay" and goal.now == "2,0 maanden"
    assert "bij rekenen" in goal.text and "landelijk 0,7" in goal.text and ": A." in goal.text
    assert goals.delay_goal(comparison.assign(ci_low=-1.0)) is None  # nothing significant
    spots = pd.DataFrame({"name": ["Oost"], "domain": ["emotional"], "shortfall": [60.5]})
    found = goals.white_spot_goal(spots)
    assert found.now == "1 witte vlek" and "Oost (emotioneel)" in found.text
    assert "61 plaatsen" in found.text  # 60,5 rounded half up
    assert goals.white_spot_goal(spots.iloc[:0]) is None


def test_derived_goals_name_every_analysis(results):
    kinds = [goal.kind for goal in results.goals]
    assert "white_spots" in kinds and "supply" not in kinds
    assert kinds == sorted(kinds, key=["highest_need", "delay", "white_spots",
                                       "vve_reach"].index)


def test_scenario_chart_keeps_the_largest_changes():
    from npo_analysis.report.money import ScenarioEffect

    schools = pd.DataFrame({"school_id": list("ABCDE"), "name": list("ABCDE"),
                            "base_eur": [0.0] * 5, "alternative_eur": [0.0] * 5,
                            "difference_eur": [50.0, 10.0, 0.0, -5.0, -80.0],
                            "difference_pct": [0.0] * 5,
                            "outcome": ["winner", "winner", "unchanged", "loser", "loser"]})
    effect = ScenarioEffect("s", "", 2024, 0.0, 0.0, schools)
    assert effect.largest_changes(2)["school_id"].tolist() == ["A", "E"]
    assert effect.largest_changes(10)["school_id"].tolist() == ["A", "B", "D", "E"]
