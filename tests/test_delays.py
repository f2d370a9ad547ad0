"""Tests of npo_analysis.domain.delays: exact recovery on a noise-free panel, planted Demoland delays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import t as student_t

from npo_analysis.data.demoland import DEFAULT_SEED, generate
from npo_analysis.domain import delays

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


def noisy_panel(seed: int = 11) -> pd.DataFrame:
    """Test results with noise, unequal school levels, shuffled, some rows missing (one domain)."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame([(f"{s:02d}AA00", year, grade, "rekenen", moment)
                         for s in range(15) for year in (2018, 2019, 2020)
                         for moment in ("midden", "eind") for grade in range(3, 7)],
                        columns=["school_id", "school_year", "grade", "domain", "moment"])
    level = dict(zip(rows["school_id"].unique(), rng.normal(0, 5, 15), strict=True))
    rows["mean_score"] = (150 + 10 * rows["grade"] + rows["school_id"].map(level)
                          + rng.normal(0, 3, len(rows)))
    return rows.sample(frac=1.0, random_state=3).iloc[:-20].reset_index(drop=True)


def dummy_fit(rows: pd.DataFrame, share: pd.Series | None = None):
    """statsmodels OLS with a dummy per school, grade x moment and later time point
    (and later time point x share), standard errors clustered by school.

    Returns the fit (later-time columns ``t_<year>_<moment>``, their share interactions
    ``s_t_<year>_<moment>``) and the ratio by which
    :func:`delays.within_school_fit`'s variances are smaller: its correction ``(N - 1) /
    (N - K)`` does not count the G school dummies, statsmodels' here does.
    """
    later = ((rows["school_year"] > 2019)
             | ((rows["school_year"] == 2019) & (rows["moment"] == "eind")))
    cell = (rows["school_year"].astype(str) + "_" + rows["moment"]).where(later)
    parts = [pd.get_dummies(rows["school_id"], dtype=float),
             pd.get_dummies(rows["grade"].astype(str) + rows["moment"], dtype=float,
                            drop_first=True),
             pd.get_dummies(cell, prefix="t", dtype=float)]
    if share is not None:
        parts.append(parts[-1].mul(rows["school_id"].map(share), axis=0).add_prefix("s_"))
    design = pd.concat(parts, axis=1)
    fit = sm.OLS(rows["mean_score"], design).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["school_id"])[0]},
        use_t=True)
    n, k, g = design.shape[0], design.shape[1], rows["school_id"].nunique()
    return fit, (n - k) / (n - (k - g))


def later_names(result: pd.DataFrame, prefix: str = "t_") -> list[str]:
    """The dummy-fit column of each result row."""
    return [f"{prefix}{y}_{m}" for y, m in zip(result["school_year"], result["moment"],
                                               strict=True)]


def test_delays_equal_statsmodels_with_school_dummies():
    """The within-school fit gives the estimates of the dummy fit; its intervals are
    estimate -/+ t(G - 1) x the dummy fit's standard error x sqrt of the correction ratio."""
    rows = noisy_panel()
    result = delays.estimate_delays(rows, by_grade=False)
    fit, ratio = dummy_fit(rows)
    names = later_names(result)
    assert len(names) == 3 and set(names) <= set(fit.params.index)
    np.testing.assert_allclose(result["delay_points"], -fit.params[names], rtol=1e-9)
    half = student_t.ppf(0.975, 14) * fit.bse[names].to_numpy() * np.sqrt(ratio)
    per_month = result["delay_points"] / result["delay_months"]
    np.testing.assert_allclose(result["ci_low"] * per_month, result["delay_points"] - half,
                               rtol=1e-9)
    np.testing.assert_allclose(result["ci_high"] * per_month, result["delay_points"] + half,
                               rtol=1e-9)
    assert fit.df_resid_inference == 14  # statsmodels' df_correction: G - 1


def test_delay_by_disadvantage_equals_statsmodels_with_school_dummies():
    rows = noisy_panel(seed=5)
    share = pd.Series(np.linspace(0.05, 0.6, 15), index=sorted(rows["school_id"].unique()))
    growth = delays.expected_growth(rows)
    result = delays.delay_by_disadvantage(rows, share, growth=growth)
    fit, ratio = dummy_fit(rows, share)
    per_month = float(growth["points_per_month"].mean())
    k = len(result)
    names = later_names(result) + later_names(result, "s_t_")
    half = student_t.ppf(0.975, 14) * fit.bse[names].to_numpy() * np.sqrt(ratio) / per_month
    np.testing.assert_allclose(result["at_share_0"], -fit.params[names[:k]] / per_month,
                               rtol=1e-9)
    np.testing.assert_allclose(result["per_share"], -fit.params[names[k:]] / per_month,
                               rtol=1e-9)
    np.testing.assert_allclose(result["at_share_0_high"] - result["at_share_0"], half[:k],
                               rtol=1e-9)
    np.testing.assert_allclose(result["per_share"] - result["per_share_low"], half[k:],
                               rtol=1e-9)


def test_within_school_fit_needs_two_schools_and_complete_rows():
    rows = noisy_panel()
    one = rows[rows["school_id"] == "00AA00"]
    with pytest.raises(ValueError, match="1 school\\(s\\); .* at least 2"):
        delays.estimate_delays(one, by_grade=False, growth=delays.expected_growth(rows))
    gap = rows.assign(mean_score=rows["mean_score"].where(rows.index != 7))
    with pytest.raises(ValueError, match="row 7, column 'mean_score': missing"):
        delays.estimate_delays(gap, by_grade=False)


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
