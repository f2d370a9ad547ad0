"""National Demoland through the real indicator: the calibration targets of issue 2 must come out
of the CBS formula (model fit, imputation, target group, threshold) applied to synthetic pupils.

Targets are the real 2019 figures of ``../shared/domain.md`` section 2; tolerances are stated per
statistic. Slow (generation + 10-round indicator on 1.35 million pupils): runs in .ci/run.
"""

from __future__ import annotations

import numpy as np
import pytest

from npo_analysis.data.demoland import generate
from npo_analysis.domain.indicator import compute_indicator

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national():
    dataset = generate("national")
    return dataset, compute_indicator(dataset, rounds=10)


def test_sizes_match_the_real_country(national):
    dataset, result = national
    assert abs(len(dataset["municipalities"]) - 342) <= 5
    assert abs(len(result.school_scores) - 6_122) / 6_122 < 0.03
    assert abs(result.school_scores["pupils"].sum() - 1_356_915) / 1_356_915 < 0.03


def test_target_group_is_fifteen_percent(national):
    _, result = national
    share = result.school_scores["target_pupils"].sum() / result.school_scores["pupils"].sum()
    assert share == pytest.approx(0.15, abs=0.001)


def test_school_target_share_quantiles(national):
    _, result = national
    schools = result.school_scores
    share = schools["target_pupils"] / schools["pupils"]
    p25, p50, p75, p90 = np.quantile(share, [0.25, 0.5, 0.75, 0.9])
    # real 2019: p25 4.7%, p50 9.5%, p75 19.4%, p90 42%
    assert 0.025 <= p25 <= 0.065
    assert 0.075 <= p50 <= 0.115
    assert 0.16 <= p75 <= 0.23
    assert 0.35 <= p90 <= 0.50


def test_share_of_schools_with_zero_score(national):
    _, result = national
    zero = (result.school_scores["score"] == 0).mean()
    assert 0.54 <= zero <= 0.64  # real 2019: 59.4%


def test_municipal_target_share_spread(national):
    _, result = national
    per_municipality = result.school_scores.groupby("municipality_code")[
        ["pupils", "target_pupils"]].sum()
    share = per_municipality["target_pupils"] / per_municipality["pupils"]
    # real 2019: min 1.8%, p10 6.1%, p50 10.6%, p90 18.3%, max 33.2%
    assert share.min() < 0.04
    assert 0.085 <= share.median() <= 0.125
    assert 0.15 <= share.quantile(0.9) <= 0.23
    assert 0.26 <= share.max() <= 0.40


def test_c_minus_g_near_the_2019_value(national):
    _, result = national
    c, g = result.model["C"], result.model["G"]
    assert 530 <= c <= 540  # real 2019: C = 535.26
    assert 5.2 <= c - g <= 6.4  # real 2019: C - G = 5.80
