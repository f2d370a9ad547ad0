"""Calibration of the national Demoland profile against the real 2019 CBS figures (slow).

Tolerances are the ones agreed in the project brief; the real figures are in
``npo_analysis.data.demoland.calibration.TARGETS`` (from ``domain.md`` sections 2 and 6).
"""

from __future__ import annotations

import pandas as pd
import pytest

from npo_analysis.data.demoland import generate
from npo_analysis.data.demoland.calibration import statistics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national():
    return generate("national")


@pytest.fixture(scope="module")
def stats(national):
    return statistics(national)


def test_totals_within_three_percent(stats):
    assert stats["n_municipalities"] == 342
    assert stats["n_schools"] == pytest.approx(6100, rel=0.03)
    assert stats["n_pupils"] == pytest.approx(1_360_000, rel=0.03)


def test_pupils_per_school(stats):
    assert 60 <= stats["school_pupils_p10"] <= 90
    assert 170 <= stats["school_pupils_p50"] <= 225
    assert 350 <= stats["school_pupils_p90"] <= 460
    assert 1200 <= stats["school_pupils_max"] <= 2200


def test_pupils_per_municipality(stats):
    assert 800 <= stats["municipality_pupils_p10"] <= 1300
    assert 2000 <= stats["municipality_pupils_p50"] <= 3000
    assert 5500 <= stats["municipality_pupils_p90"] <= 8500
    assert 45_000 <= stats["municipality_pupils_max"] <= 75_000


def test_national_means_of_the_onderwijsscore(stats):
    assert stats["C"] == pytest.approx(535.3, abs=0.5)
    assert 5.2 <= stats["C_minus_G"] <= 6.4


def test_school_target_share_distribution(stats):
    assert 0.03 <= stats["school_target_share_p25"] <= 0.065
    assert 0.075 <= stats["school_target_share_p50"] <= 0.115
    assert 0.15 <= stats["school_target_share_p75"] <= 0.24
    assert 0.35 <= stats["school_target_share_p90"] <= 0.50
    assert 0.62 <= stats["school_target_share_p99"] <= 0.85
    assert 0.85 <= stats["school_target_share_max"] <= 0.98


def test_municipal_target_share_distribution(national, stats):
    assert stats["municipality_target_share_min"] < 0.04
    assert 0.045 <= stats["municipality_target_share_p10"] <= 0.075
    assert 0.085 <= stats["municipality_target_share_p50"] <= 0.125
    assert 0.15 <= stats["municipality_target_share_p90"] <= 0.22
    assert 0.26 <= stats["municipality_target_share_max"] <= 0.40
    schools = national["schools"].assign(
        share=national["schools"]["school_id"].map(national.truth["school_target_share"]))
    per_muni = schools.assign(target=schools["share"] * schools["pupils"]).groupby(
        "municipality_code")[["target", "pupils"]].sum()
    biggest = per_muni["pupils"].idxmax()
    assert per_muni.loc[biggest, "target"] / per_muni.loc[biggest, "pupils"] >= 0.26


def test_share_of_schools_with_zero_score(stats):
    assert 0.54 <= stats["zero_score_share"] <= 0.64


def test_tiny_schools_exist_for_the_cbs_flag(national):
    assert (national["schools"]["pupils"] <= 40).sum() >= 20


def test_national_names_are_not_real_municipalities(realdata, national):
    real = pd.read_csv(realdata / "cbs_gemeenten-alfabetisch-2023.csv")
    generated = set(national["municipalities"]["name"].str.lower())
    assert not generated & set(real["Gemeentenaam"].str.lower())
