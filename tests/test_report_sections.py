"""Report sections on tiny Demoland: figures equal independent sums over the dataset."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from report_support import PARAMS_DIR, build_tiny

from npo_analysis.report import (
    goals,
    key_figures,
    load_report_data,
    money,
    spread,
    trends,
    validate_parameters,
    view,
)

YEAR = 2024


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def raw(tiny):
    data_dir, _ = tiny
    return {name: pd.read_parquet(data_dir / f"{name}.parquet")
            for name in ("municipalities", "schools", "neighbourhoods", "toddlers",
                         "school_plans")}


@pytest.fixture(scope="module")
def biggest(raw):
    """The municipality with the most schools (ties by code)."""
    counts = raw["schools"].groupby("municipality_code").size()
    return sorted(counts[counts == counts.max()].index)[0]


@pytest.fixture(scope="module")
def data(tiny, biggest):
    data_dir, results_dir = tiny
    params = validate_parameters(municipality_code=biggest, year=YEAR, data_dir=str(data_dir),
                                 results_dir=str(results_dir), params_dir=str(PARAMS_DIR))
    return load_report_data(params)


@pytest.fixture(scope="module")
def model(tiny):
    return json.loads((tiny[1] / "indicator" / "model.json").read_text())


def test_key_figures_equal_sums_over_the_dataset(data, raw, biggest):
    figures = key_figures.key_figures(data.profile, biggest, data.peers).set_index("figure")
    schools = raw["schools"][raw["schools"]["municipality_code"] == biggest]
    wijken = raw["neighbourhoods"].loc[raw["neighbourhoods"]["municipality_code"] == biggest,
                                       "neighbourhood_code"]
    toddlers = raw["toddlers"][raw["toddlers"]["neighbourhood_code"].isin(wijken)]
    own = figures["municipality"]
    assert own["schools"] == len(schools)
    assert own["pupils"] == schools["pupils"].sum()
    assert own["toddlers"] == len(toddlers)
    target = int(data.children["target"].sum())  # every child of the municipality, counted
    assert own["target_children"] == target
    assert own["target_share"] == pytest.approx(target / (schools["pupils"].sum()
                                                          + len(toddlers)))


def test_comparison_groups_sum_their_municipalities(data, raw, biggest):
    figures = key_figures.key_figures(data.profile, biggest, data.peers).set_index("figure")
    municipalities = raw["municipalities"]
    province = municipalities.loc[municipalities["municipality_code"] == biggest,
                                  "province"].item()
    in_province = municipalities.loc[municipalities["province"] == province,
                                     "municipality_code"]
    schools = raw["schools"]
    assert figures.loc["pupils", "province"] == \
        schools.loc[schools["municipality_code"].isin(in_province), "pupils"].sum()
    assert figures.loc["pupils", "peers"] == \
        schools.loc[schools["municipality_code"].isin(data.peers), "pupils"].sum()
    assert figures.loc["pupils", "netherlands"] == schools["pupils"].sum()
    assert figures.loc["goab_eur", "netherlands"] == pytest.approx(486_000_000, abs=0.01)
    assert biggest not in data.peers and len(data.peers) == 5  # tiny has 6 municipalities


def test_npo_school_budgets_follow_the_2024_rates(data, model, biggest):
    """NPO 2024: EUR 500 per pupil + EUR 463.78 per score unit (params/2024.yaml)."""
    table = spread.school_table(data.schools, data.national.school_scores, data.school_budgets,
                                data.c_minus_g, 0.12)
    c_minus_g = model["C"] - model["G"]
    scores = data.national.school_scores.set_index("school_id")
    for row in table.itertuples(index=False):
        score = max(0.0, row.score_gross - 0.12 * row.pupils * c_minus_g)
        assert row.score == pytest.approx(score, abs=0.005)
        assert row.npo_budget_eur == pytest.approx(500 * row.pupils + 463.78 * row.score,
                                                   abs=0.01)
        low_gross, high_gross = scores.loc[row.school_id, ["score_gross_low",
                                                           "score_gross_high"]]
        assert row.score_low == pytest.approx(
            max(0.0, low_gross - 0.12 * row.pupils * c_minus_g), abs=0.005)
        assert row.score_high == pytest.approx(
            max(0.0, high_gross - 0.12 * row.pupils * c_minus_g), abs=0.005)
    figures = key_figures.key_figures(data.profile, biggest, data.peers).set_index("figure")
    assert figures.loc["npo_schools_eur", "municipality"] == \
        pytest.approx(table["npo_budget_eur"].sum(), abs=0.01)


def test_school_table_shows_flags_and_suppresses_small_groups():
    table = pd.DataFrame({
        "school_id": ["00AA00", "00AB00"], "name": ["Klein", "Groot"],
        "neighbourhood_code": ["WK000101"] * 2, "pupils": [35, 400],
        "target_pupils": [6, 120], "target_share": [6 / 35, 0.3],
        "score_gross": [60.0, 900.0], "score": [45.5, 621.236], "score_low": [44.0, 600.0],
        "score_high": [47.0, 640.0], "flag": ["a, c", ""], "npo_budget_eur": [38601.0, 4.0e5],
    })
    shown = spread.school_table_display(table).set_index("School")
    assert shown.loc["Klein", "Achterstandsscore"] == "45,50 (a, c)"
    assert shown.loc["Klein", "Doelgroepleerlingen"] == "<10"
    assert shown.loc["Klein", "Aandeel doelgroep"] == "–"
    assert shown.loc["Groot", "Achterstandsscore"] == "621,24"
    assert shown.loc["Groot", "Aandeel doelgroep"] == "30,0%"
    assert shown.loc["Groot", "NPO-budget"] == "€ 400.000"


def test_neighbourhood_reach_counts_indicated_toddlers_with_a_place(data, raw):
    table = spread.neighbourhood_table(data.neighbourhoods, data.schools,
                                       data.national.school_scores, data.children,
                                       data.toddlers, data.activities)
    toddlers = raw["toddlers"]
    for row in table.itertuples(index=False):
        mine = toddlers[toddlers["neighbourhood_code"] == row.neighbourhood_code]
        indicated = mine[mine["ve_indication"]]
        assert row.ve_indicated == len(indicated)
        assert row.ve_placed == indicated["ve_location_id"].notna().sum()
        if len(indicated):
            assert row.ve_reach == pytest.approx(row.ve_placed / len(indicated))
    assert table["pupils"].sum() == data.schools["pupils"].sum()


def test_goals_from_hand_made_gaps():
    schools = pd.DataFrame({"name": ["A", "B", "C", "D"], "score": [300.0, 200.0, 100.0, 50.0],
                            "target_pupils": [40, 30, 20, 5]})
    goal = goals.highest_need_goal(schools, 2024)
    assert goal.text.endswith("A (300,00), B (200,00), C (100,00).")
    assert goal.now == "90 doelgroepleerlingen op 3 scholen"
    assert goals.highest_need_goal(schools.assign(score=0.0), 2024) is None

    wijken = pd.DataFrame({
        "neighbourhood_code": ["WK000101", "WK000102", "WK000103"],
        "name": ["Noord", "Zuid", "Oost"], "target_pupils": [30, 5, 40],
        "target_toddlers": [10, 2, 0], "activity_places": [0, 0, 100],
        "ve_indicated": [100, 100, 0], "ve_placed": [70, 95, 0],
        "ve_reach": [0.70, 0.95, np.nan]})
    gaps = goals.supply_gaps(wijken)
    assert gaps["name"].tolist() == ["Noord"]  # Zuid has need 7 < 10; Oost is covered
    reach = goals.vve_reach_goal(wijken)
    # 165 of 200 indicated toddlers placed = 82.5%; 90% needs ceil(180) - 165 = 15 more
    assert reach.now == "82,5%" and reach.target == "90%"
    assert "nog 15 peuters" in reach.text and "Noord (70%)" in reach.text
    assert "Zuid" not in reach.text
    small = wijken.assign(ve_placed=[88, 95, 0])  # 183 of 200: above 90%
    assert goals.vve_reach_goal(small) is None
    few = wijken.assign(ve_indicated=[50, 50, 0], ve_placed=[40, 44, 0])  # 84 of 100: 6 more
    assert "nog <10 peuters" in goals.vve_reach_goal(few).text


def test_plans_by_intervention_sums_the_plans(data, raw):
    plans = money.plans_by_intervention(data.school_plans, data.interventions)
    ids = data.schools["school_id"]
    mine = raw["school_plans"][raw["school_plans"]["school_id"].isin(ids)]
    assert plans["amount_eur"].sum() == mine["amount_eur"].sum()
    for row in plans.itertuples(index=False):
        rows = mine[mine["intervention_id"] == row.intervention_id]
        assert row.amount_eur == rows["amount_eur"].sum()
        assert row.eur_per_target_pupil == pytest.approx(rows["amount_eur"].sum()
                                                         / rows["target_pupils"].sum())
    assert plans["amount_share"].sum() == pytest.approx(1.0)
    assert list(plans["amount_eur"]) == sorted(plans["amount_eur"], reverse=True)


def test_budgets_over_years_and_breaks(data, biggest):
    tidy = money.budgets_over_years(data.budgets, biggest)
    assert sorted(tidy["year"].unique()) == [2020, 2021, 2022, 2023, 2024, 2025]
    npo_2020 = tidy[(tidy["year"] == 2020) & (tidy["component"] == "npo_schools_eur")]
    assert npo_2020["eur"].item() == 0  # no NPO money in 2020 (params/2020.yaml)
    dates = {y: p.count_date for y, p in data.budget_params.items()}
    markers = trends.break_markers(dates)
    # count dates: 2021 <- 2019-10-01, 2023 <- 2021-10-01, 2024 <- 2022-02-01
    assert markers["year"].tolist() == [2021, 2023, 2024]
    shares = trends.goab_share_trend(data.budgets, biggest)
    assert shares["national_goab_eur"].tolist() == pytest.approx([486_000_000] * 6)


def test_scenario_effect_for_the_municipality(data, biggest):
    effect = money.scenario_effect(data.national.scenario("drempel_10", biggest), data.schools)
    assert sorted(effect.schools["school_id"]) == sorted(data.schools["school_id"])
    assert effect.schools_difference_eur == pytest.approx(
        (effect.schools["alternative_eur"] - effect.schools["base_eur"]).sum())
    # a lower threshold never lowers a school's score, so no school's NPO budget falls
    assert (effect.schools["difference_eur"] >= -0.005).all()
    text = view.scenario_markdown(effect)
    assert text.startswith(r"**Scenario drempel\_10**")  # the name's "_" is no emphasis


def test_peer_position_and_sentences(data, biggest):
    position = spread.peer_position(data.profile, biggest, data.peers)
    assert position["is_self"].sum() == 1 and len(position) == 6
    assert list(position["target_share"]) == sorted(position["target_share"], reverse=True)
    sentence = view.key_figures_markdown(data)
    pupils = data.schools["pupils"].sum()
    assert f"{pupils:,}".replace(",", ".") in sentence
    assert math.isfinite(data.c_minus_g)


def test_one_school_is_named_in_the_singular():
    schools = pd.DataFrame({"name": ["A", "B"], "score": [12.5, 0.0], "target_pupils": [12, 3]})
    goal = goals.highest_need_goal(schools, 2024)
    assert goal.text == ("Richt extra ondersteuning eerst op de school met de hoogste "
                         "achterstandsscore: A (12,50).")
    assert goal.now == "12 doelgroepleerlingen op 1 school"
