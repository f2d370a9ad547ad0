"""Tests of npo_analysis.domain.supply: hand-counted coverage and the planted Demoland white spots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npo_analysis.data.demoland import DEFAULT_SEED, generate
from npo_analysis.domain import supply
from npo_analysis.domain.indicator import compute_indicator


def hand_tables():
    """Two neighbourhoods; school S1 in WK000101 (A), S2 in WK000102 (B).

    Target pupils: A has 12 aged 4-7 and 18 aged 8-12 (30); B has 3 aged 9 (plus 20
    non-target pupils that must not count).
    """
    neighbourhoods = pd.DataFrame({"neighbourhood_code": ["WK000101", "WK000102"],
                                   "municipality_code": ["GM0001", "GM0001"],
                                   "name": ["Noord", "Zuid"]})
    schools = pd.DataFrame({"school_id": ["11AA00", "22BB00"],
                            "neighbourhood_code": ["WK000101", "WK000102"]})
    ages = [5] * 12 + [10] * 18 + [9] * 3 + [6] * 20
    pupil_scores = pd.DataFrame({
        "child_type": "pupil", "child_id": np.arange(len(ages)),
        "school_id": ["11AA00"] * 30 + ["22BB00"] * 23,
        "neighbourhood_code": None,
        "target": [True] * 33 + [False] * 20, "age": np.array(ages, dtype=float)})
    activities = pd.DataFrame({
        "activity_id": ["A1", "A2", "A3"],
        "neighbourhood_code": ["WK000101", "WK000101", "WK000102"],
        "domain": ["cognitive", "social", "cognitive"],
        "age_min": [4, 8, 4], "age_max": [12, 12, 12], "places": [20, 30, 6]})
    return pupil_scores, schools, activities, neighbourhoods


def test_hand_counted_coverage():
    table = supply.coverage_table(*hand_tables(), places_per_target_child=1.0)
    at = table.set_index(["neighbourhood_code", "domain", "age_band"])
    assert len(table) == 2 * 4 * 2
    assert at.loc[("WK000101", "cognitive", "4-7"), "target_children"] == 12
    assert at.loc[("WK000101", "cognitive", "8-12"), "target_children"] == 18
    # A1 (ages 4-12, 20 places) is split 12:18 over the bands by their need.
    assert at.loc[("WK000101", "cognitive", "4-7"), "activity_places"] == pytest.approx(8.0)
    assert at.loc[("WK000101", "cognitive", "8-12"), "activity_places"] == pytest.approx(12.0)
    assert at.loc[("WK000101", "social", "8-12"), "coverage"] == pytest.approx(30 / 18)
    assert at.loc[("WK000101", "emotional", "4-7"), "coverage"] == 0.0
    # B: no need aged 4-7, so A3's 6 places all go to 8-12 (3 children).
    assert at.loc[("WK000102", "cognitive", "4-7"), "activity_places"] == 0.0
    assert np.isnan(at.loc[("WK000102", "cognitive", "4-7"), "coverage"])
    assert at.loc[("WK000102", "cognitive", "8-12"), "coverage"] == pytest.approx(2.0)
    assert at.loc[("WK000102", "cognitive", "8-12"), "small_group"]


def test_white_spots_and_heat_map_on_hand_tables():
    table = supply.coverage_table(*hand_tables(), places_per_target_child=1.0)
    heat = supply.heat_map(table)
    assert list(heat.columns) == ["cognitive", "executive", "social", "emotional"]
    assert heat.loc["WK000101", "cognitive"] == pytest.approx(20 / 30)
    assert heat.loc["WK000101", "social"] == pytest.approx(1.0)
    assert heat.loc["WK000102", "cognitive"] == pytest.approx(2.0)
    spots = supply.white_spots(table)  # need >= 10, coverage < 0.5
    # A: executive and emotional have 30 need, no places; B's need (3) is below 10.
    assert spots[["neighbourhood_code", "domain"]].values.tolist() == [
        ["WK000101", "executive"], ["WK000101", "emotional"]]
    assert spots["shortfall"].tolist() == [30.0, 30.0]
    by_band = supply.white_spots(table, by_age_band=True, max_coverage=0.7)
    # 4-7 cognitive: 8 places for 12 (0.67 < 0.7) is now a spot too; 8-12 (12/18) as well.
    assert {("WK000101", "cognitive", "4-7"), ("WK000101", "cognitive", "8-12")} <= set(
        zip(by_band["neighbourhood_code"], by_band["domain"], by_band["age_band"], strict=True))
    text = supply.describe_white_spots(spots, table)
    assert text.startswith("In 1 van de 2 wijken is er een witte vlek")
    assert "Noord (executief): 0 plaatsen voor 30 doelgroepkinderen (dekking 0%)" in text
    assert "1 of 2 neighbourhoods" in supply.describe_white_spots(spots, table, language="en")


def test_small_groups_show_less_than_ten():
    table = supply.coverage_table(*hand_tables(), places_per_target_child=1.0)
    spots = supply.white_spots(table, min_need=0, max_coverage=5)
    text = supply.describe_white_spots(spots[spots["neighbourhood_code"] == "WK000102"], table,
                                       max_coverage=5)
    assert "<10 doelgroepkinderen" in text and " 3 doelgroepkinderen" not in text


def test_age_bands_and_bad_parameters():
    assert supply.band_of_age([3, 4, 7.9, 8, 12, 14]).tolist() == [
        "4-7", "4-7", "4-7", "8-12", "8-12", "8-12"]
    tables = hand_tables()
    with pytest.raises(ValueError, match="places_per_target_child\\['executive'\\]"):
        supply.coverage_table(*tables, places_per_target_child={"cognitive": 1.0})
    with pytest.raises(ValueError, match="age_bands"):
        supply.coverage_table(*tables, age_bands=(("a", 4, 9), ("b", 8, 12)))
    with pytest.raises(ValueError, match="table 'activities': missing columns \\['places'\\]"):
        supply.coverage_table(tables[0], tables[1], tables[2].drop(columns="places"), tables[3])
    with pytest.raises(ValueError, match="max_coverage"):
        supply.white_spots(supply.coverage_table(*tables), max_coverage=0)


@pytest.fixture(scope="module")
def small():
    dataset = generate("small", seed=DEFAULT_SEED)
    return dataset, compute_indicator(dataset, rounds=2).pupil_scores


def test_demoland_white_spots_found_and_covered_pairs_not_flagged(small):
    dataset, pupil_scores = small
    norms = dataset.truth["activities"]["need_per_target_pupil"]
    table = supply.coverage_table(pupil_scores, dataset["schools"], dataset["activities"],
                                  dataset["neighbourhoods"], places_per_target_child=norms)
    found = supply.white_spots(table)
    planted = {(w["neighbourhood_code"], w["domain"]) for w in dataset.truth["white_spots"]}
    flagged = set(zip(found["neighbourhood_code"], found["domain"], strict=True))
    assert planted and flagged == planted
    # Every pair outside the white spots gets places >= its true need (truth "need").
    need = dataset.truth["activities"]["need"]
    pairs = supply.by_domain(table)
    covered = [(c, d) for c, d in zip(pairs["neighbourhood_code"], pairs["domain"], strict=True)
               if (c, d) not in planted and need[c][d] > 0]
    places = pairs.set_index(["neighbourhood_code", "domain"])["activity_places"]
    assert all(places[pair] >= need[pair[0]][pair[1]] - 1e-9 for pair in covered)
    # The default norm is the one documented (equal to the demo's need rule).
    default = supply.white_spots(supply.coverage_table(
        pupil_scores, dataset["schools"], dataset["activities"], dataset["neighbourhoods"]))
    assert set(zip(default["neighbourhood_code"], default["domain"], strict=True)) == planted
