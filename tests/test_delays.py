"""Tests of npo_analysis.delays: exact recovery on a noise-free panel, planted Demoland delays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npo_analysis import delays
from npo_analysis.demoland import DEFAULT_SEED, generate

YEARS = (2018, 2019, 2020, 2021)
#: Hand-chosen delays (points) per later time point; the baseline is 2018 and 2019 midden.
PLANTED = {(2019, "eind"): 2.0, (2020, "midden"): 4.0, (2020, "eind"): 3.0,
           (2021, "midden"): 1.5, (2021, "eind"): 0.5}


def panel(points_per_year: float = 10.0, extra: dict | None = None,
          grade_delay: dict | None = None) -> pd.DataFrame:
    """Noise-free test results: 12 schools, grades 3-8, two domains.

    Score = base + growth x (grade - 3) + growth / 2 at eind + school level - delay, where the
    delay is ``PLANTED`` (plus ``extra[school]`` for some schools, plus ``grade_delay[grade]``).
    """
    extra = extra or {}
    grade_delay = grade_delay or {}
    rows = []
    for s in range(12):
        school = f"{s:02d}AA00"
        level = 3.0 * np.sin(s)  # differing school levels
        for year in YEARS:
            for moment in ("midden", "eind"):
                later = (year, moment) in PLANTED
                delay = PLANTED.get((year, moment), 0.0)
                for grade in range(3, 9):
                    total = delay + (extra.get(school, 0.0) + grade_delay.get(grade, 0.0)
                                     if later else 0.0)
                    for domain, base in (("rekenen", 150.0), ("spelling", 135.0)):
                        score = (base + points_per_year * (grade - 3)
                                 + points_per_year / 2 * (moment == "eind") + level - total)
                        rows.append((school, year, grade, domain, moment, 25, score))
    return pd.DataFrame(rows, columns=["school_id", "school_year", "grade", "domain", "moment",
                                       "n_pupils", "mean_score"])


def planted_months(frame: pd.DataFrame, scale: float = 1.0) -> np.ndarray:
    return np.array([PLANTED[(y, m)] / scale for y, m in
                     zip(frame["school_year"], frame["moment"], strict=True)])


def test_growth_is_one_point_per_month_at_ten_points_a_year():
    growth = delays.expected_growth(panel())
    assert np.allclose(growth["points_per_month"], 1.0)
    growth = delays.expected_growth(panel(points_per_year=20.0))
    assert np.allclose(growth["points_per_month"], 2.0)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_noise_free_delays_are_recovered_exactly():
    result = delays.estimate_delays(panel(), by_grade=False)
    assert len(result) == 2 * len(PLANTED)
    assert np.allclose(result["delay_months"], planted_months(result), atol=1e-8)
    assert np.allclose(result["ci_low"], result["ci_high"], atol=1e-6)
    assert (result["n_schools"] == 12).all()


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_delay_in_months_divides_by_the_growth_per_month():
    # 20 points a school year = 2 points a month: a delay of 4 points is 2 months.
    result = delays.estimate_delays(panel(points_per_year=20.0), by_grade=False)
    assert np.allclose(result["delay_points"], planted_months(result), atol=1e-8)
    assert np.allclose(result["delay_months"], planted_months(result, scale=2.0), atol=1e-8)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_per_grade_delays_follow_the_grade():
    result = delays.estimate_delays(panel(grade_delay={8: 1.0}), by_grade=True)
    expected = planted_months(result) + (result["grade"] == 8).to_numpy() * 1.0
    assert np.allclose(result["delay_months"], expected, atol=1e-8)


def test_school_delays_and_extra_challenges():
    # School s is 0.2 x s months further behind in every later cell.
    data = panel(extra={f"{s:02d}AA00": 0.2 * s for s in range(12)})
    scores = pd.DataFrame({
        "school_id": [f"{s:02d}AA00" for s in range(12)],
        "municipality_code": "GM0001", "pupils": 100,
        "target_pupils": [40 if s in (3, 10, 11) else 5 for s in range(12)],
        "score": [300.0 if s in (3, 10, 11) else 0.0 for s in range(12)],
    })
    result = delays.school_delays(data, scores).set_index("school_id")
    mean_delay = np.mean(list(PLANTED.values()))
    # Norms are the baseline means; later cells average the planted delays plus the extra.
    for s in range(12):
        assert result.loc[f"{s:02d}AA00", "delay_months"] == pytest.approx(mean_delay + 0.2 * s)
    # Top quarter of delays (quantile 0.75 = 1.65 extra): schools 9, 10, 11; of scores
    # (quantile 75, and > 0): schools 3, 10, 11. Both: 10 and 11.
    assert sorted(result.index[result["extra_challenge"]]) == ["10AA00", "11AA00"]
    assert result.index[0] == "11AA00"
    assert result.loc["03AA00", "target_share"] == pytest.approx(0.4)


def test_bad_input_names_the_problem():
    data = panel()
    with pytest.raises(ValueError, match="missing columns \\['mean_score'\\]"):
        delays.estimate_delays(data.drop(columns="mean_score"))
    with pytest.raises(ValueError, match="no later"):
        delays.estimate_delays(data[data["school_year"] == 2018])
    bad = data.assign(moment=data["moment"].replace("eind", "juni"))
    with pytest.raises(ValueError, match="column 'moment'"):
        delays.estimate_delays(bad)
    with pytest.raises(ValueError, match="target_share"):
        delays.delay_by_disadvantage(data, pd.Series({"00AA00": 1.5}))


@pytest.fixture(scope="module")
def small():
    return generate("small", seed=DEFAULT_SEED)


@pytest.fixture(scope="module")
def national(small):
    return delays.estimate_delays(small["test_results"], by_grade=False)


def truth_delays(dataset, frame: pd.DataFrame) -> np.ndarray:
    """Planted delay at target share 0 of each row (``truth["test_results"]``)."""
    planted = dataset.truth["test_results"]["delay_months_at_target_share_0"]
    return np.array([planted[d][str(y)][m] for d, y, m in
                     zip(frame["domain"], frame["school_year"], frame["moment"], strict=True)])


def test_demoland_mean_delays_recovered_within_intervals(small, national):
    tests = small["test_results"]
    result = national
    truth = small.truth["test_results"]
    share = pd.Series(small.truth["school_target_share"]).reindex(tests["school_id"].unique())
    # Mean over schools of delay_0 x (1 + slope x share), the planted rule.
    expected = truth_delays(small, result) * (1 + truth["delay_target_share_slope"]
                                              * share.mean())
    inside = (result["ci_low"] <= expected) & (expected <= result["ci_high"])
    # 44 intervals of 95% (correlated within a domain through the shared baseline):
    # about 42 should hold; allow a few misses, but never a large error.
    assert inside.sum() >= 40, result.assign(expected=expected)[~inside]
    assert np.abs(result["delay_months"] - expected).max() < 0.3
    peak = result.groupby("domain")["delay_months"].max()
    assert min(peak["rekenen"], peak["technisch_lezen"]) > peak["spelling"] > \
        peak["begrijpend_lezen"]


def test_demoland_delay_gradient_recovers_planted_rule(small):
    tests = small["test_results"]
    share = pd.Series(small.truth["school_target_share"])
    result = delays.delay_by_disadvantage(tests, share)
    at_zero = truth_delays(small, result)
    slope = small.truth["test_results"]["delay_target_share_slope"] * at_zero
    inside_0 = (result["at_share_0_low"] <= at_zero) & (at_zero <= result["at_share_0_high"])
    inside_1 = (result["per_share_low"] <= slope) & (slope <= result["per_share_high"])
    assert inside_0.sum() >= 40 and inside_1.sum() >= 40


def test_municipality_against_national(small, national):
    tests, schools = small["test_results"], small["schools"]
    code = schools["municipality_code"].iloc[0]
    result = delays.compare_with_national(tests, schools, code, national=national)
    own = result[result["area"] == "municipality"]
    tested = tests.loc[tests["school_id"].isin(
        schools.loc[schools["municipality_code"] == code, "school_id"]), "school_id"].nunique()
    assert own["n_schools"].max() == tested
    pd.testing.assert_frame_equal(
        result[result["area"] == "national"].drop(columns="area").reset_index(drop=True),
        national)
    text = delays.describe_delays(result)
    assert text.startswith("Rekenen: de grootste achterstand was ")
    assert "95%-betrouwbaarheidsinterval" in text and "," in text
    assert delays.describe_delays(result, language="en").startswith("Mathematics: ")
    with pytest.raises(ValueError, match="GM9999"):
        delays.compare_with_national(tests, schools, "GM9999", national=national)


def test_domain_readings_by_hand():
    def row(area, domain, year, moment, months):
        return {"area": area, "domain": domain, "school_year": year, "moment": moment,
                "delay_months": months, "ci_low": months - 1, "ci_high": months + 1}

    comparison = pd.DataFrame([
        row("municipality", "spelling", 2020, "eind", 2.0),  # no national rows for spelling
        row("municipality", "rekenen", 2020, "midden", 2.0),
        row("municipality", "rekenen", 2020, "eind", 3.5),
        row("municipality", "rekenen", 2021, "midden", 3.5),  # a tie: the first one is the peak
        row("municipality", "rekenen", 2021, "eind", 1.0),
        row("national", "rekenen", 2020, "eind", 3.0),
        row("national", "rekenen", 2021, "eind", 0.5),
    ])
    rekenen, spelling = delays.domain_readings(comparison)  # schema order: rekenen first
    assert (rekenen.domain, rekenen.peak["school_year"], rekenen.peak["moment"]) == (
        "rekenen", 2020, "eind")
    assert (rekenen.last["school_year"], rekenen.last["moment"]) == (2021, "eind")
    assert (rekenen.national_at_peak, rekenen.national_at_last) == (3.0, 0.5)
    assert rekenen.has_national and not spelling.has_national
    assert np.isnan(spelling.national_at_peak) and spelling.peak["delay_months"] == 2.0
    # the text leaves out a domain without national figures
    text = delays.describe_delays(comparison)
    assert text.startswith("Rekenen: de grootste achterstand was 3,5 maanden") and \
        "Spelling" not in text
