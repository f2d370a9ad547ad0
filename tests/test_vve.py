"""Tests of npo_analysis.domain.vve: hand-counted reach, the hours norm and planted Demoland effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from npo_analysis.data.demoland import DEFAULT_SEED, generate
from npo_analysis.data.schema import VVE_QUALITY_DOMAINS
from npo_analysis.domain import vve


def hand_tables():
    """Neighbourhood N (GM0001): 20 indicated, 15 placed, 2 non-indicated placed, 3 others.
    Neighbourhood Z (GM0001): 4 indicated, 4 placed. Neighbourhood L (GM0002): nobody."""
    neighbourhoods = pd.DataFrame({
        "neighbourhood_code": ["WK000101", "WK000102", "WK000201"],
        "municipality_code": ["GM0001", "GM0001", "GM0002"], "name": ["N", "Z", "L"]})
    indicated = [True] * 20 + [False] * 5 + [True] * 4
    location = ["VE1"] * 15 + [None] * 5 + ["VE1"] * 2 + [None] * 3 + ["VE2"] * 4
    toddlers = pd.DataFrame({
        "toddler_id": np.arange(1, 30),
        "neighbourhood_code": ["WK000101"] * 25 + ["WK000102"] * 4,
        "ve_indication": indicated, "ve_location_id": location})
    return toddlers, neighbourhoods


def test_reach_equals_hand_count():
    toddlers, neighbourhoods = hand_tables()
    reach = vve.reach_by_neighbourhood(toddlers, neighbourhoods).set_index("neighbourhood_code")
    n = reach.loc["WK000101"]
    assert (n["toddlers"], n["ve_indicated"], n["ve_placed"], n["placed_not_indicated"]) == \
        (25, 20, 15, 2)
    assert n["ve_reach"] == pytest.approx(15 / 20)
    assert n["reach_low"] < 0.75 < n["reach_high"]
    assert n["below_norm"] and not n["small_group"]
    z = reach.loc["WK000102"]
    assert z["ve_reach"] == 1.0 and not z["below_norm"] and z["small_group"]
    empty = reach.loc["WK000201"]
    assert empty["ve_indicated"] == 0 and np.isnan(empty["ve_reach"]) and not empty["below_norm"]
    municipal = vve.reach_by_municipality(reach.reset_index()).set_index("municipality_code")
    assert municipal.loc["GM0001", "ve_reach"] == pytest.approx(19 / 24)
    assert municipal.loc["GM0001", "below_norm"]  # 79.2% < 80%
    assert municipal.loc["GM0001", "neighbourhoods_below_norm"] == 1
    assert not vve.reach_by_municipality(reach.reset_index(), norm=0.75
                                         ).set_index("municipality_code").loc["GM0001",
                                                                               "below_norm"]


def test_reach_text_hides_small_counts():
    toddlers, neighbourhoods = hand_tables()
    reach = vve.reach_by_neighbourhood(toddlers, neighbourhoods)
    hours = vve.hours_check(pd.DataFrame({
        "location_id": ["VE1", "VE2"], "provider": "P",
        "neighbourhood_code": ["WK000101", "WK000102"], "ve_places": [20, 8],
        "hours_per_week": [16.0, 12.0]}))
    text = vve.describe_vve(reach, hours, "GM0001")
    assert text.startswith("Van de 24 peuters met een VVE-indicatie heeft 79% een VVE-plaats; "
                           "dat is onder de norm van 80%.")
    assert "N (75%)" in text
    assert "1 van de 2 VVE-locaties biedt minder dan 960 uur" in text
    assert vve.describe_vve(reach, hours, "GM0001", language="en").startswith(
        "Of the 24 toddlers")
    only_z = toddlers[toddlers["neighbourhood_code"] == "WK000102"]
    text_z = vve.describe_vve(vve.reach_by_neighbourhood(only_z, neighbourhoods), hours,
                              "GM0001")
    assert text_z.startswith("<10 peuters hebben een VVE-indicatie; het bereik wordt niet "
                             "getoond")


def test_hours_norm_arithmetic():
    # 960 hours in 18 months; 40 VE weeks a year -> 60 weeks -> 16 hours a week.
    assert vve.weeks_in_norm_period() == 60.0
    assert vve.HOURS_NORM / vve.weeks_in_norm_period() == 16.0
    locations = pd.DataFrame({"location_id": ["a", "b", "c"], "provider": "P",
                              "neighbourhood_code": "WK000101", "ve_places": 10,
                              "hours_per_week": [16.0, 12.0, 10.0]})
    hours = vve.hours_check(locations)
    assert hours["hours_18_months"].tolist() == [960.0, 720.0, 600.0]
    assert hours["meets_norm"].tolist() == [True, False, False]
    assert hours["shortfall_hours"].tolist() == [0.0, 240.0, 360.0]
    # With 38 weeks a year (57 weeks), 16 hours a week gives 912 < 960.
    assert not vve.hours_check(locations, weeks_per_year=38)["meets_norm"].iloc[0]
    with pytest.raises(ValueError, match="weeks_per_year"):
        vve.hours_check(locations, weeks_per_year=0)


def test_quality_is_weighted_by_places():
    neighbourhoods = pd.DataFrame({"neighbourhood_code": ["WK000101"],
                                   "municipality_code": ["GM0001"], "name": ["N"]})
    locations = pd.DataFrame({"location_id": ["a", "b"], "provider": ["P", "P"],
                              "neighbourhood_code": "WK000101", "ve_places": [10, 30],
                              "hours_per_week": 16.0})
    for i, domain in enumerate(VVE_QUALITY_DOMAINS):
        locations[f"quality_{domain}"] = [2, 4] if i == 0 else [2, 2]
    by_provider = vve.quality_scores(locations, neighbourhoods, "provider").iloc[0]
    # (10 x 2 + 30 x 4) / 40 = 3.5 for the first domain; 2 for the other six.
    assert by_provider["quality_conditions"] == pytest.approx(3.5)
    assert by_provider["quality_mean"] == pytest.approx((3.5 + 6 * 2) / 7)
    assert by_provider["weak"] and by_provider["locations"] == 2
    assert by_provider["ve_places"] == 40
    by_location = vve.quality_scores(locations, neighbourhoods, "location")
    assert by_location["quality_mean"].tolist() == pytest.approx([2.0, 2 + 2 / 7])
    assert by_location["municipality_code"].tolist() == ["GM0001", "GM0001"]
    with pytest.raises(ValueError, match="level='board'"):
        vve.quality_scores(locations, neighbourhoods, "board")


@pytest.fixture(scope="module")
def small():
    return generate("small", seed=DEFAULT_SEED)


def test_demoland_low_reach_neighbourhoods_flagged(small):
    reach = vve.reach_by_neighbourhood(small["toddlers"], small["neighbourhoods"])
    low = set(small.truth["vve"]["low_reach_neighbourhoods"])
    planted = reach["neighbourhood_code"].map(small.truth["vve"]["planted_reach"])
    n = reach["ve_indicated"].to_numpy()
    # Each indicated toddler takes a place with the planted probability, so the number placed
    # is binomial: P(observed reach >= 80%) under the planted reach.
    p_at_least_norm = binom.sf(np.ceil(0.8 * n) - 1, n, planted)
    is_low = reach["neighbourhood_code"].isin(low).to_numpy()
    surely_low = is_low & (n > 0) & (p_at_least_norm < 0.01)
    surely_fine = ~is_low & (n > 0) & (p_at_least_norm > 0.99)
    assert surely_low.sum() > 10 and reach["below_norm"][surely_low].all()
    assert surely_fine.sum() > 5 and not reach["below_norm"][surely_fine].any()
    assert reach.loc[is_low, "below_norm"].mean() >= 0.9
    # Flag = observed reach below 80%, exactly.
    observed = reach["ve_placed"] / reach["ve_indicated"].where(reach["ve_indicated"] > 0)
    assert (reach["below_norm"] == (observed < 0.8)).all()


def test_demoland_short_hours_and_weak_providers(small):
    hours = vve.hours_check(small["vve_locations"])
    short = set(hours.loc[~hours["meets_norm"], "location_id"])
    assert short == set(small.truth["vve"]["short_hours_locations"])
    providers = vve.quality_scores(small["vve_locations"], small["neighbourhoods"], "provider")
    assert set(providers.loc[providers["weak"], "provider"]) == set(
        small.truth["vve"]["weak_providers"])
