"""The indicator recovers known end-score coefficients: on a numpy-made population and Demoland.

``make_dataset`` builds a small synthetic country directly from known coefficients (independent of
the indicator's code): families differ by a school-level disadvantage propensity, parental
education goes missing more often for some origins and for low education (never depending on the
noise), and the school mean of observed mothers' education enters the end score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npo_analysis.data import schema
from npo_analysis.data.dataset import Dataset, DatasetInfo
from npo_analysis.domain.indicator import compute_indicator

LEVELS = schema.EDUCATION_LEVELS
TRUTH = {
    "intercept": 530.0,
    "mother_education": {"primary": -4.0, "vmbo_mbo1": -2.0, "havo_vwo_mbo24": 0.0,
                         "hbo_wo_bachelor": 1.5, "wo_master": 3.0},
    "father_education": {"primary": -3.0, "vmbo_mbo1": -1.5, "havo_vwo_mbo24": 0.0,
                         "hbo_wo_bachelor": 1.0, "wo_master": 2.0},
    "origin": {"netherlands": 0.0, "morocco": -2.0, "turkey": -2.5, "suriname_caribbean": -1.5,
               "other_non_western": -2.0, "refugee_countries": -3.0, "western": -0.5},
    "mother_years_in_nl_band": {"0_4": -3.0, "4_8": -2.0, "8_15": -1.0, "15_plus": 0.0},
    "debt_restructuring": -2.0,
    "school_mean_mother_education": 1.5,
    "potential": 5.0,
    "noise_sd": 5.0,
    "reference": {"mother_education": "havo_vwo_mbo24", "father_education": "havo_vwo_mbo24",
                  "origin": "netherlands", "mother_years_in_nl_band": "15_plus"},
}
#: Education probabilities (primary .. wo_master) for advantaged and disadvantaged families.
EDUCATION_P = np.array([[0.03, 0.17, 0.40, 0.25, 0.15], [0.30, 0.40, 0.22, 0.06, 0.02]])
#: Origin probabilities (schema.ORIGINS order) for advantaged and disadvantaged families.
ORIGIN_P = np.array([[0.88, 0.01, 0.01, 0.02, 0.02, 0.01, 0.05],
                     [0.30, 0.15, 0.15, 0.10, 0.12, 0.13, 0.05]])
#: Probability that a parent's education is unknown, by origin.
MISSING_P = np.array([0.05, 0.15, 0.15, 0.10, 0.35, 0.35, 0.10])


def draw_families(rng: np.random.Generator, propensity: np.ndarray) -> dict:
    """Background of children whose family is disadvantaged with probability ``propensity``."""
    n = len(propensity)
    group = (rng.random(n) < propensity).astype(int)
    cumulative = np.cumsum(EDUCATION_P, axis=1)[group]
    mother = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    same = rng.random(n) < 0.5
    father = np.where(same, mother, (rng.random(n)[:, None] > cumulative).sum(axis=1))
    origin = (rng.random(n)[:, None] > np.cumsum(ORIGIN_P, axis=1)[group]).sum(axis=1)
    native = origin == 0
    years = np.where(native, rng.uniform(20, 45, n), rng.uniform(0, 30, n)).round(1)
    return {"mother": np.minimum(mother, 4), "father": np.minimum(father, 4),
            "origin": np.minimum(origin, 6), "years": years,
            "debt": rng.random(n) < np.where(group == 1, 0.08, 0.01)}


def masked(rng: np.random.Generator, codes: np.ndarray, origin: np.ndarray, extra: float):
    """Education labels with missing values (more for some origins and for primary level)."""
    p_missing = MISSING_P[origin] + extra + np.where(codes == 0, 0.10, 0.0)
    labels = np.asarray(LEVELS, dtype=object)[codes]
    labels[rng.random(len(codes)) < p_missing] = None
    return pd.Categorical(labels, categories=LEVELS, ordered=True)


def true_score(families: dict, school_mean: np.ndarray) -> np.ndarray:
    """The onderwijsscore under TRUTH (no potential term, true education)."""
    bands = np.asarray(schema.years_in_nl_band(families["years"]), dtype=object)
    return (TRUTH["intercept"]
            + np.array([TRUTH["mother_education"][lv] for lv in LEVELS])[families["mother"]]
            + np.array([TRUTH["father_education"][lv] for lv in LEVELS])[families["father"]]
            + np.array([TRUTH["origin"][o] for o in schema.ORIGINS])[families["origin"]]
            + np.array([TRUTH["mother_years_in_nl_band"][b] for b in bands])
            + TRUTH["debt_restructuring"] * families["debt"]
            + TRUTH["school_mean_mother_education"] * school_mean)


def background_columns(rng: np.random.Generator, families: dict) -> dict:
    """The schema's background columns, with parental education partly masked."""
    return {
        "mother_education": masked(rng, families["mother"], families["origin"], 0.0),
        "father_education": masked(rng, families["father"], families["origin"], 0.05),
        "origin": pd.Categorical(np.asarray(schema.ORIGINS, dtype=object)[families["origin"]],
                                 categories=schema.ORIGINS),
        "mother_years_in_nl": families["years"],
        "debt_restructuring": families["debt"],
    }


def geography(n_municipalities: int, n_schools: int, rng: np.random.Generator) -> dict:
    """Municipalities, 3 neighbourhoods each, and schools with a disadvantage propensity."""
    codes = [f"GM{i + 1:04d}" for i in range(n_municipalities)]
    hoods = [f"WK{i + 1:04d}{j + 1:02d}" for i in range(n_municipalities) for j in range(3)]
    school_hood = rng.integers(0, len(hoods), n_schools)
    return {
        "municipalities": pd.DataFrame({"municipality_code": codes,
                                        "name": [f"Gemeente {c}" for c in codes]}),
        "neighbourhoods": pd.DataFrame({"neighbourhood_code": hoods,
                                        "municipality_code": [f"GM{h[2:6]}" for h in hoods]}),
        "schools": pd.DataFrame({
            "school_id": [f"{10 + i // 676:02d}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}00"
                          for i in range(n_schools)],
            "municipality_code": [f"GM{hoods[h][2:6]}" for h in school_hood],
            "neighbourhood_code": [hoods[h] for h in school_hood],
        }),
        "hood_propensity": rng.beta(1.2, 5.0, len(hoods)),
        "school_hood": school_hood,
    }


def make_pupils(rng, geo: dict, pupils_per_school: int) -> pd.DataFrame:
    """Pupils of every school with their end scores and true onderwijsscores."""
    n_schools = len(geo["schools"])
    school = np.repeat(np.arange(n_schools), pupils_per_school)
    propensity = np.clip(geo["hood_propensity"][geo["school_hood"]]
                         + rng.normal(0, 0.1, n_schools), 0.01, 0.95)[school]
    families = draw_families(rng, propensity)
    columns = background_columns(rng, families)
    observed = pd.Series(np.asarray(columns["mother_education"].codes) + 1.0).where(
        np.asarray(columns["mother_education"].codes) >= 0)
    school_mean = observed.groupby(school).transform("mean").to_numpy()
    grade = rng.integers(1, 9, len(school))
    expected = true_score(families, school_mean)
    potential = rng.normal(0, 1, len(school)) - 0.3 * (families["mother"] < 2)
    noise = rng.normal(0, TRUTH["noise_sd"], len(school))
    end_score = np.round(expected + TRUTH["potential"] * potential + noise)
    frame = pd.DataFrame({
        "pupil_id": np.arange(len(school), dtype=np.int64) + 1,
        "school_id": geo["schools"]["school_id"].to_numpy()[school],
        "age": (grade + 3 + (rng.random(len(school)) < 0.1)).astype(np.int64),
        "grade": grade.astype(np.int64),
        **columns,
        "potential": potential,
        "end_score": np.where(grade == 8, end_score, np.nan),
        "true_onderwijsscore": expected,  # an extra column for the tests; the indicator ignores it
    })
    return frame


def make_toddlers(rng, geo: dict, n_toddlers: int) -> pd.DataFrame:
    """Toddlers aged 2.5-4 spread over the neighbourhoods."""
    hood = rng.integers(0, len(geo["neighbourhoods"]), n_toddlers)
    families = draw_families(rng, geo["hood_propensity"][hood])
    return pd.DataFrame({
        "toddler_id": np.arange(n_toddlers, dtype=np.int64) + 1,
        "neighbourhood_code": geo["neighbourhoods"]["neighbourhood_code"].to_numpy()[hood],
        "age": rng.uniform(2.5, 4.0, n_toddlers),
        **background_columns(rng, families),
        "ve_indication": rng.random(n_toddlers) < 0.2,
        "ve_location_id": None,
    })


def make_dataset(seed: int = 1, n_municipalities: int = 4, n_schools: int = 40,
                 pupils_per_school: int = 200, n_toddlers: int = 1500) -> Dataset:
    """A synthetic country drawn from TRUTH (pupils carry their ``true_onderwijsscore``)."""
    rng = np.random.default_rng(seed)
    geo = geography(n_municipalities, n_schools, rng)
    pupils = make_pupils(rng, geo, pupils_per_school)
    info = DatasetInfo(name="indicator-fixture", synthetic=True, count_date="2025-02-01",
                       years=[2024])
    tables = {"municipalities": geo["municipalities"], "neighbourhoods": geo["neighbourhoods"],
              "schools": geo["schools"].assign(pupils=pupils_per_school), "pupils": pupils,
              "toddlers": make_toddlers(rng, geo, n_toddlers)}
    return Dataset(info=info, tables=tables, truth={"end_score_model": TRUTH})


def coefficient_errors(model: dict, truth: dict) -> dict[str, float]:
    """|estimate - truth| / se for every fitted coefficient, by term name."""
    true_values = {"intercept": truth["intercept"]}
    for factor in ("mother_education", "father_education", "origin", "mother_years_in_nl_band"):
        reference = truth["reference"][factor]
        true_values |= {f"{factor}[{level}]": value for level, value in truth[factor].items()
                        if level != reference}
    for term in ("debt_restructuring", "school_mean_mother_education", "potential"):
        true_values[term] = truth[term]
    coefficients = model["coefficients"]
    assert sorted(coefficients) == sorted(true_values)
    return {name: abs(c["estimate"] - true_values[name]) / c["se"]
            for name, c in coefficients.items()}


@pytest.fixture(scope="module")
def fixture_result():
    dataset = make_dataset(seed=3)
    return dataset, compute_indicator(dataset, rounds=5, seed=11)


def test_fixture_has_the_intended_missingness(fixture_result):
    dataset, _ = fixture_result
    pupils = dataset["pupils"]
    share = pupils["mother_education"].isna().groupby(pupils["origin"], observed=True).mean()
    assert 0.03 < share["netherlands"] < 0.12
    assert share["refugee_countries"] > 0.3
    assert pupils["father_education"].isna().mean() > pupils["mother_education"].isna().mean()


def test_recovers_the_coefficients_within_3_se(fixture_result):
    dataset, result = fixture_result
    errors = coefficient_errors(result.model, dataset.truth["end_score_model"])
    assert max(errors.values()) < 3, errors


def test_residual_sd_matches_the_noise(fixture_result):
    _, result = fixture_result
    # Rounding end scores to whole points adds variance 1/12.
    expected = np.sqrt(TRUTH["noise_sd"] ** 2 + 1 / 12)
    assert result.model["residual_sd"] == pytest.approx(expected, rel=0.05)


def fitted_score(model: dict, pupils: pd.DataFrame) -> np.ndarray:
    """Onderwijsscore from the fitted coefficients, computed here with pandas (complete cases)."""
    coefficients = {name: c["estimate"] for name, c in model["coefficients"].items()}

    def effect(factor: str, labels) -> np.ndarray:
        return np.array([coefficients.get(f"{factor}[{label}]", 0.0) for label in labels])

    ranks = pupils["mother_education"].cat.codes.where(pupils["mother_education"].notna()) + 1
    school_mean = ranks.groupby(pupils["school_id"]).transform("mean").to_numpy()
    return (coefficients["intercept"]
            + effect("mother_education", pupils["mother_education"].astype(str))
            + effect("father_education", pupils["father_education"].astype(str))
            + effect("origin", pupils["origin"].astype(str))
            + effect("mother_years_in_nl_band",
                     schema.years_in_nl_band(pupils["mother_years_in_nl"]))
            + coefficients["debt_restructuring"] * pupils["debt_restructuring"].to_numpy()
            + coefficients["school_mean_mother_education"] * school_mean)


def test_complete_case_scores_are_the_sum_of_fitted_coefficients(fixture_result):
    dataset, result = fixture_result
    pupils = dataset["pupils"]
    scores = result.pupil_scores.loc[result.pupil_scores["child_type"] == "pupil", "score"]
    complete = (pupils["mother_education"].notna() & pupils["father_education"].notna()).to_numpy()
    expected = fitted_score(result.model, pupils)
    np.testing.assert_allclose(scores.to_numpy()[complete], expected[complete], atol=1e-9)


def test_scores_track_the_true_onderwijsscore(fixture_result):
    dataset, result = fixture_result
    scores = result.pupil_scores.loc[result.pupil_scores["child_type"] == "pupil", "score"]
    assert np.corrcoef(scores, dataset["pupils"]["true_onderwijsscore"])[0, 1] > 0.9


def test_target_group_is_15_percent(fixture_result):
    dataset, result = fixture_result
    pupils = result.pupil_scores[result.pupil_scores["child_type"] == "pupil"]
    assert pupils["target"].mean() == pytest.approx(0.15, abs=0.001)


def demoland(profile: str):
    """A Demoland dataset; skips while the generator is not available."""
    module = pytest.importorskip("npo_analysis.data.demoland")
    if not hasattr(module, "generate"):
        pytest.skip("npo_analysis.data.demoland.generate is not available yet")
    return module.generate(profile, 20261127)


def test_demoland_tiny_runs_and_keeps_the_invariants():
    dataset = demoland("tiny")
    result = compute_indicator(dataset, rounds=2, seed=0)
    pupils = result.pupil_scores[result.pupil_scores["child_type"] == "pupil"]
    n_target = int(pupils["target"].sum())
    assert n_target == round(0.15 * len(dataset["pupils"]))
    model = result.model
    assert result.school_scores["score_gross"].sum() == pytest.approx(
        n_target * (model["C"] - model["G"]))
    assert result.school_scores["pupils"].tolist() == (
        dataset["schools"].sort_values("school_id")["pupils"].tolist())


def test_recovers_demoland_coefficients():
    dataset = demoland("small")
    result = compute_indicator(dataset, rounds=10, seed=0)
    errors = coefficient_errors(result.model, dataset.truth["end_score_model"])
    assert max(errors.values()) < 3, errors
    pupils = result.pupil_scores[result.pupil_scores["child_type"] == "pupil"]
    assert pupils["target"].mean() == pytest.approx(0.15, abs=0.001)
