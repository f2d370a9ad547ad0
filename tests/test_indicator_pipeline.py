"""compute_indicator end to end on a small synthetic country: invariants, determinism, outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t
from test_indicator_recovery import make_dataset

from npo_analysis.data.dataset import Dataset
from npo_analysis.domain.indicator import compute_indicator, write_indicator
from npo_analysis.domain.indicator.children import read_children
from npo_analysis.domain.indicator.pipeline import SCHOOL_COLUMNS, fit_model, round_scores
from npo_analysis.domain.indicator.school_mean import child_school_means

MUNICIPALITY_COLUMNS = ["municipality_code", "pupils", "toddlers", "target_children",
                        "score_gross", "score"]
CHILD_COLUMNS = ["child_type", "child_id", "school_id", "neighbourhood_code",
                 "municipality_code", "score", "target", "age"]


@pytest.fixture(scope="module")
def dataset():
    return make_dataset(seed=7, n_municipalities=3, n_schools=14, pupils_per_school=150,
                        n_toddlers=400)


@pytest.fixture(scope="module")
def result(dataset):
    return compute_indicator(dataset, rounds=5, seed=4)


def pupils_of(result):
    return result.pupil_scores[result.pupil_scores["child_type"] == "pupil"]


def test_output_columns(result):
    assert list(result.school_scores.columns) == SCHOOL_COLUMNS
    assert list(result.municipality_scores.columns) == MUNICIPALITY_COLUMNS
    assert list(result.pupil_scores.columns) == CHILD_COLUMNS
    assert result.school_scores["school_id"].is_monotonic_increasing


def test_school_invariants(result, dataset):
    schools, model = result.school_scores, result.model
    pupils = pupils_of(result)
    n_target = int(pupils["target"].sum())
    assert n_target == round(0.15 * len(pupils)) == model["n_target_pupils"]
    assert schools["target_pupils"].sum() == n_target
    assert schools["score_gross"].sum() == pytest.approx(n_target * (model["C"] - model["G"]))
    assert model["C"] == pytest.approx(pupils["score"].mean())
    assert model["G"] == pytest.approx(pupils.loc[pupils["target"], "score"].mean())
    assert (schools["score"] >= 0).all()
    expected_pupils = dataset["pupils"]["school_id"].value_counts().sort_index()
    assert schools["pupils"].tolist() == expected_pupils.tolist()
    np.testing.assert_allclose(schools["threshold"],
                               schools["pupils"] * 0.12 * (model["C"] - model["G"]))
    assert set(schools["flag"]) == {""}  # 150 pupils each, all groups > 40


def test_gross_split_by_age(result, dataset):
    pupils = pupils_of(result).assign(age=dataset["pupils"]["age"].to_numpy())
    target = pupils[pupils["target"] & (pupils["age"] <= 7)]
    onderbouw = (result.model["C"] - target["score"]).groupby(target["school_id"]).sum()
    schools = result.school_scores.set_index("school_id")
    np.testing.assert_allclose(schools.loc[onderbouw.index, "score_gross_onderbouw"], onderbouw)
    np.testing.assert_allclose(schools["score_gross_onderbouw"] + schools["score_gross_bovenbouw"],
                               schools["score_gross"])


def test_uncertainty_range_mostly_contains_the_gross_score(result):
    schools = result.school_scores
    assert (schools["score_gross_low"] <= schools["score_gross_high"]).all()
    inside = ((schools["score_gross_low"] <= schools["score_gross"] + 1e-9)
              & (schools["score_gross"] <= schools["score_gross_high"] + 1e-9))
    assert inside.mean() >= 0.7


def test_municipal_scores_add_pupils_and_toddlers(result):
    children, model = result.pupil_scores, result.model
    gap = np.where(children["target"], model["C"] - children["score"], 0.0)
    by_municipality = children.assign(gap=gap).groupby("municipality_code")
    municipalities = result.municipality_scores.set_index("municipality_code")
    np.testing.assert_allclose(municipalities["score_gross"], by_municipality["gap"].sum())
    counts = children.groupby(["municipality_code", "child_type"]).size().unstack()
    assert municipalities["pupils"].tolist() == counts["pupil"].tolist()
    assert municipalities["toddlers"].tolist() == counts["toddler"].tolist()
    toddlers = children[children["child_type"] == "toddler"]
    assert (toddlers["target"] == (toddlers["score"] <= model["boundary"])).all()
    threshold = ((municipalities["pupils"] + municipalities["toddlers"]) * 0.12
                 * (model["C"] - model["G"]))
    expected = np.maximum(0, municipalities["score_gross"] - threshold)
    np.testing.assert_allclose(municipalities["score"], expected, atol=0.005)
    schools = result.school_scores.groupby("municipality_code")["score_gross"].sum()
    assert (municipalities["score_gross"] >= schools - 1e-9).all()


def test_same_seed_same_result_other_seed_other_draws(dataset, result):
    again = compute_indicator(dataset, rounds=5, seed=4)
    for name in ("pupil_scores", "school_scores", "municipality_scores"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(again, name))
    assert again.model == result.model
    other = compute_indicator(dataset, rounds=5, seed=5)
    assert not np.array_equal(other.pupil_scores["score"], result.pupil_scores["score"])
    pd.testing.assert_series_equal(other.school_scores["pupils"], result.school_scores["pupils"])


def test_rounds_are_averaged(dataset, result):
    children = read_children(dataset)
    model = fit_model(children)
    per_round = round_scores(children, model, 5, 4, lambda message: None)
    assert per_round.shape == (5, len(result.pupil_scores))
    np.testing.assert_allclose(result.pupil_scores["score"], per_round.mean(axis=0))
    # Children with complete data score the same in every round; others vary.
    varies = per_round.std(axis=0) > 0
    complete = np.concatenate([
        (dataset[t]["mother_education"].notna() & dataset[t]["father_education"].notna())
        for t in ("pupils", "toddlers")])
    assert not varies[complete].any()
    assert varies[~complete].mean() > 0.3
    # Round r's draws do not depend on how many rounds follow.
    single = compute_indicator(dataset, rounds=1, seed=4)
    np.testing.assert_allclose(single.pupil_scores["score"], per_round[0])
    assert single.model["rounds"] == 1


def test_model_json_content(result, tmp_path):
    write_indicator(result, tmp_path)
    model = json.loads((tmp_path / "model.json").read_text())
    for key in ("coefficients", "C", "G", "boundary", "n_fitted", "n_pupils", "rounds",
                "target_share", "threshold_fraction", "municipal_threshold_fraction", "seed"):
        assert key in model
    assert model["rounds"] == 5 and model["seed"] == 4
    assert set(model["coefficients"]["potential"]) == {"estimate", "se", "low", "high"}
    # 95% t-intervals on the residual degrees of freedom (pupils fitted - terms)
    quantile = student_t.ppf(0.975, model["n_fitted"] - len(model["coefficients"]))
    for term in model["coefficients"].values():
        assert term["low"] == pytest.approx(term["estimate"] - quantile * term["se"], rel=1e-9)
        assert term["high"] == pytest.approx(term["estimate"] + quantile * term["se"], rel=1e-9)
    for name in ("pupil_scores", "school_scores", "municipality_scores"):
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(back, getattr(result, name), check_dtype=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.json", "municipality_scores.parquet", "pupil_scores.parquet",
        "school_scores.parquet"]


def test_toddlers_without_schools_nearby_use_the_municipality():
    dataset = make_dataset(seed=2, n_municipalities=2, n_schools=6, pupils_per_school=50,
                           n_toddlers=60)
    schools = dataset["schools"]
    emptied = schools["neighbourhood_code"].iloc[0]
    moved = schools.assign(neighbourhood_code=schools["neighbourhood_code"].where(
        schools["neighbourhood_code"] != emptied, None))
    children = read_children(Dataset(dataset.info, {**dataset.tables, "schools": moved}))
    pupils = dataset["pupils"]
    ranks = pupils["mother_education"].cat.codes.where(pupils["mother_education"].notna()) + 1
    school_mean = ranks.groupby(pupils["school_id"]).mean()
    size = pupils.groupby("school_id").size()
    municipality = moved.set_index("school_id")["municipality_code"]
    expected = ((school_mean * size).groupby(municipality).sum()
                / size.groupby(municipality).sum())
    _, toddler_means = child_school_means(children.links, children.pupils.background.mother)
    toddlers = dataset["toddlers"]
    in_emptied = (toddlers["neighbourhood_code"] == emptied).to_numpy()
    assert in_emptied.any()
    toddler_municipality = "GM" + toddlers["neighbourhood_code"].str[2:6]
    np.testing.assert_allclose(toddler_means[in_emptied],
                               expected[toddler_municipality[in_emptied]].to_numpy())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t | {"pupils": t["pupils"].assign(origin="mars")},
         r"table 'pupils', column 'origin', row 0: unknown value 'mars'"),
        (lambda t: t | {"pupils": t["pupils"].assign(school_id="99ZZ99")},
         r"table 'pupils', column 'school_id', row 0: '99ZZ99'.*schools.school_id"),
        (lambda t: t | {"pupils": t["pupils"].drop(columns="potential")},
         r"table 'pupils': missing column\(s\) \['potential'\]"),
        (lambda t: {k: v for k, v in t.items() if k != "schools"}, "table 'schools' is missing"),
        (lambda t: t | {"toddlers": t["toddlers"].assign(mother_years_in_nl=-1.0)},
         r"table 'toddlers', column 'mother_years_in_nl', row 0: -1.0 is negative"),
    ],
)
def test_bad_input_is_named(dataset, change, message):
    broken = Dataset(dataset.info, change(dict(dataset.tables)))
    with pytest.raises(ValueError, match=message):
        compute_indicator(broken, rounds=1)


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("rounds", 0), ("target_share", 1.5), ("threshold_fraction", -0.1), ("seed", -1),
     ("municipal_threshold_fraction", 2.0)],
)
def test_bad_parameters_are_named(dataset, parameter, value):
    with pytest.raises(ValueError, match=f"{parameter}={value}"):
        compute_indicator(dataset, **{parameter: value})


def test_plain_string_categories_are_accepted(dataset, result):
    tables = dict(dataset.tables)
    for table in ("pupils", "toddlers"):
        frame = tables[table]
        tables[table] = frame.assign(**{
            column: np.asarray(frame[column], dtype=object)
            for column in ("mother_education", "father_education", "origin")})
    plain = compute_indicator(Dataset(dataset.info, tables), rounds=5, seed=4)
    pd.testing.assert_frame_equal(plain.school_scores, result.school_scores)


def test_a_category_absent_from_the_fit_is_not_estimated(dataset):
    pupils = dataset["pupils"]
    no_debt = pupils.assign(debt_restructuring=pupils["debt_restructuring"]
                            & (pupils["grade"] != 8))
    with pytest.warns(UserWarning, match=r"\['debt_restructuring'\]"):
        result = compute_indicator(Dataset(dataset.info, dataset.tables | {"pupils": no_debt}),
                                   rounds=1)
    assert result.model["coefficients"]["debt_restructuring"] == {"estimate": 0.0, "se": None,
                                                                   "low": None, "high": None}


def test_a_dataset_without_toddlers_scores_pupils_only(dataset, result):
    tables = {name: frame for name, frame in dataset.tables.items() if name != "toddlers"}
    pupils_only = compute_indicator(Dataset(dataset.info, tables), rounds=1, seed=4)
    assert (pupils_only.pupil_scores["child_type"] == "pupil").all()
    assert pupils_only.municipality_scores["toddlers"].sum() == 0
    assert pupils_only.model["n_toddlers"] == 0
    assert pupils_only.model["n_pupils"] == len(dataset["pupils"])
