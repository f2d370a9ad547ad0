"""Tests of npo_analysis.domain.peers: peer groups, comparisons and method-break markers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from npo_analysis.data.demoland import generate
from npo_analysis.domain.indicator import compute_indicator
from npo_analysis.domain.peers import (
    annotate_breaks,
    compare,
    describe_position,
    method_breaks,
    municipality_features,
    peer_groups,
    peer_rule,
    peers_of,
    standardised_features,
)


def hand_profile() -> pd.DataFrame:
    """Four municipalities alike in size and urbanity; target shares 0.10, 0.12, 0.20, 0.31."""
    return pd.DataFrame({
        "municipality_code": ["GM0001", "GM0002", "GM0003", "GM0004"],
        "province": ["Noord", "Noord", "Zuid", "Zuid"],
        "population": [20000, 30000, 50000, 100000],
        "pupils": [1000, 1000, 1000, 1000],
        "toddlers": [100, 300, 200, 400],
        "children": [1100, 1300, 1200, 1400],
        "target_children": [110, 156, 240, 434],
        "target_share": [0.10, 0.12, 0.20, 0.31],
        "urbanity": [3, 3, 3, 3],
        "low_income_share": [0.10, 0.20, 0.10, 0.40],
    })


def alike_profile() -> pd.DataFrame:
    frame = hand_profile()
    frame["low_income_share"] = 0.1
    return frame


def test_standardised_by_hand():
    z = standardised_features(alike_profile())
    # target shares: mean 0.1825, deviations -.0825 -.0625 .0175 .1275
    sd = math.sqrt((0.0825**2 + 0.0625**2 + 0.0175**2 + 0.1275**2) / 4)
    assert z.loc["GM0001", "target_share"] == pytest.approx(-0.0825 / sd)
    assert (z[["size", "urbanity", "low_income_share"]] == 0).all().all()  # constant -> 0


def test_nearest_by_hand():
    profile = alike_profile()
    assert peers_of(profile, "GM0001", k=2) == ["GM0002", "GM0003"]
    assert peers_of(profile, "GM0003", k=3) == ["GM0002", "GM0001", "GM0004"]  # .08 < .10 < .11


def test_ties_broken_by_code():
    profile = alike_profile().iloc[:3].copy()
    profile["target_share"] = [0.75, 0.5, 0.25]  # GM0002 equally far from both others
    assert peers_of(profile, "GM0002", k=2) == ["GM0001", "GM0003"]


def test_log_size_counts():
    profile = alike_profile()
    profile["target_share"] = 0.1
    profile["pupils"] = [100, 1000, 10000, 5000]
    # On a log scale 1000 is nearer to 5000 (log10 ratio 0.70) than to 100 (1.0), although
    # 100 is nearer in pupils; 5000 is nearer to 10000 (0.30) than to 1000.
    assert peers_of(profile, "GM0002", k=1) == ["GM0004"]
    assert peers_of(profile, "GM0004", k=1) == ["GM0003"]


def test_population_as_size():
    profile = alike_profile()
    profile["target_share"] = 0.1
    assert peers_of(profile, "GM0001", k=1, size_column="population") == ["GM0002"]


@pytest.fixture(scope="module")
def small_features():
    dataset = generate("small", 5)
    scores = compute_indicator(dataset, rounds=2).municipality_scores
    return municipality_features(dataset.tables["municipalities"], scores)


def test_peers_exclude_self_and_are_distinct(small_features):
    groups = peer_groups(small_features, k=10)
    assert (groups["municipality_code"] != groups["peer_code"]).all()
    per = groups.groupby("municipality_code")["peer_code"].agg(["size", "nunique"])
    assert len(per) == len(small_features)
    assert (per["size"] == 10).all() and (per["nunique"] == 10).all()
    assert groups.groupby("municipality_code")["distance"].is_monotonic_increasing.all()


def test_peers_of_one_equals_its_rows_of_every_peer_group(small_features):
    groups = peer_groups(small_features, k=10)
    for code in small_features["municipality_code"]:
        expected = groups.loc[groups["municipality_code"] == code, "peer_code"].tolist()
        assert peers_of(small_features, code, k=10) == expected


def test_k_larger_than_others_gives_all_others():
    assert len(peers_of(hand_profile(), "GM0001", k=10)) == 3


def test_features_target_share(small_features):
    ratio = small_features["target_children"] / (small_features["pupils"]
                                                 + small_features["toddlers"])
    assert np.allclose(small_features["target_share"], ratio)


def test_compare_equals_hand_sums():
    table = compare(hand_profile(), "GM0001", ["GM0002", "GM0004"]).set_index("indicator")
    share = table.loc["target_share"]
    assert share["municipality"] == pytest.approx(0.10)
    assert share["netherlands"] == pytest.approx((110 + 156 + 240 + 434) / 5000)
    assert share["province"] == pytest.approx((110 + 156) / (1100 + 1300))
    assert share["peers"] == pytest.approx((156 + 434) / (1300 + 1400))
    assert share["peers_median"] == pytest.approx((0.12 + 0.31) / 2)
    assert table.loc["pupils", "netherlands"] == 4000
    assert table.loc["target_children", "peers_mean"] == pytest.approx((156 + 434) / 2)
    low = table.loc["low_income_share"]  # weighted by population
    assert low["province"] == pytest.approx((0.1 * 20000 + 0.2 * 30000) / 50000)
    assert "goab_eur" not in table.index  # the profile lacks the column


def test_compare_rejects_unknown_codes():
    with pytest.raises(ValueError, match="GM9999"):
        compare(hand_profile(), "GM0001", ["GM9999"])
    with pytest.raises(ValueError, match="municipality_code='GM9999'"):
        compare(hand_profile(), "GM9999", [])


def test_describe_position():
    table = compare(hand_profile(), "GM0001", ["GM0002", "GM0004"])
    text = describe_position(table, "target_share")
    assert text.startswith("Aandeel kinderen in de doelgroep: 10,0%, tegen 18,8% in Nederland")
    assert text.endswith("(lager).")
    assert "(lower)." in describe_position(table, "target_share", language="en")


def test_peer_rule_text():
    text = peer_rule(8)
    assert "de 8 gemeenten" in text and "stedelijkheid" in text and "laag inkomen" in text
    assert "inwoners" in peer_rule(size_column="population")
    assert "the 10 municipalities" in peer_rule(language="en")


def test_bad_inputs_named():
    profile = hand_profile()
    profile.loc[2, "pupils"] = 0
    with pytest.raises(ValueError, match="municipality 'GM0003'.*pupils <= 0"):
        peer_groups(profile)
    with pytest.raises(ValueError, match="k=0"):
        peer_groups(hand_profile(), k=0)
    with pytest.raises(ValueError, match="missing column"):
        peer_groups(hand_profile().drop(columns="urbanity"))


def test_method_breaks_frame():
    breaks = method_breaks()
    assert breaks["count_year"].tolist() == [2019, 2021, 2022]
    assert "gewichtenregeling" in breaks["text"].iloc[0]


def test_annotate_breaks_count_years():
    trend = pd.DataFrame({"year": [2018, 2019, 2020, 2021, 2022, 2023] * 2,
                          "municipality_code": ["GM0001"] * 6 + ["GM0002"] * 6})
    flagged = annotate_breaks(trend)
    expected = [False, True, False, True, True, False] * 2
    assert flagged["break_before"].tolist() == expected


def test_annotate_breaks_first_year_and_gaps():
    # First point never flagged; a gap spanning two breaks names both.
    flagged = annotate_breaks(pd.DataFrame({"year": [2019, 2020, 2023]}))
    assert flagged["break_before"].tolist() == [False, False, True]
    assert flagged["break_text"].iloc[2].count(";") == 1


def test_annotate_breaks_budget_years():
    # Budget year Y funded from count year Y - 2: the 2019 break lands on budget year 2021.
    trend = pd.DataFrame({"year": [2020, 2021, 2022, 2023, 2024]})
    flagged = annotate_breaks(trend, count_years={y: y - 2 for y in range(2020, 2025)})
    assert flagged["break_before"].tolist() == [False, True, False, True, True]
