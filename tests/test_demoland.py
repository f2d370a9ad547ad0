"""Demoland generator: structure, formats, determinism and planted effects (tiny/small profiles).

Expected values come from the schema, hand calculations, or statistics recomputed here from
the generated tables independently of the generator's code.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from npo_analysis import __version__
from npo_analysis.data import schema
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import PROFILES, generate
from npo_analysis.data.demoland.calibration import imputed_effect, school_scores, statistics
from npo_analysis.data.menukaart import load_menukaart

SEED = 20261127


@pytest.fixture(scope="module")
def tiny():
    return generate("tiny", SEED)


@pytest.fixture(scope="module")
def small():
    return generate("small", SEED)


# --- structure --------------------------------------------------------------------------------


def _expected_dtype(column: schema.Column) -> str:
    if column.kind == "int" and column.nullable:
        return "Int64"  # a nullable integer (the menukaart's evidence rating)
    return {"string": "str", "int": "int64", "float": "float64", "bool": "bool",
            "category": "category"}[column.kind]


@pytest.mark.parametrize("table", schema.microdata_tables())
def test_table_has_schema_columns_dtypes_and_ranges(small, table):
    spec, frame = schema.TABLES[table], small[table]
    assert list(frame.columns) == spec.column_names
    assert len(frame) > 0
    for col in spec.columns:
        values = frame[col.name]
        assert str(values.dtype) == _expected_dtype(col), col.name
        if col.kind == "category":
            assert list(values.cat.categories) == list(col.categories), col.name
            assert values.cat.ordered == (col.categories == schema.EDUCATION_LEVELS)
        if not col.nullable:
            assert not values.isna().any(), f"{table}.{col.name} has missing values"
        present = values.dropna()
        if col.minimum is not None:
            assert (present >= col.minimum).all(), col.name
        if col.maximum is not None:
            assert (present <= col.maximum).all(), col.name
        if col.pattern is not None:
            assert present.str.fullmatch(col.pattern.strip("^$")).all(), col.name
    assert not frame.duplicated(list(spec.key)).any()


@pytest.mark.parametrize(
    "table", [t for t in schema.microdata_tables() if schema.TABLES[t].foreign_keys])
def test_foreign_keys_resolve(small, table):
    for fk in schema.TABLES[table].foreign_keys:
        values = small[table][fk.column].dropna()
        assert values.isin(small[fk.ref_table][fk.ref_column]).all(), fk


def test_profile_sizes(tiny, small):
    assert len(tiny["municipalities"]) <= 8
    assert len(tiny["pupils"]) <= 10_000
    assert 35 <= len(small["municipalities"]) <= 45
    assert PROFILES["national"].n_municipalities == 342


def test_dataset_info(tiny):
    info = tiny.info
    assert info.name == "demoland-tiny"
    assert info.synthetic is True
    assert info.count_date == "2025-02-01"
    assert info.years == list(range(2018, 2025))
    assert info.sources[0]["name"] == "Demoland synthetic generator"
    assert info.generator == {"name": "npo_analysis.data.demoland", "version": __version__,
                              "seed": SEED, "profile": "tiny"}


def test_interventions_are_the_menukaart(tiny):
    pd.testing.assert_frame_equal(tiny["interventions"], load_menukaart())


def test_unknown_profile_and_bad_seed_are_rejected():
    with pytest.raises(ValueError, match="profile='huge'.*national"):
        generate("huge")
    with pytest.raises(ValueError, match="seed=-1"):
        generate("tiny", -1)


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_tables_and_files(tiny, tmp_path):
    again = generate("tiny", SEED)
    for name, frame in tiny.tables.items():
        pd.testing.assert_frame_equal(frame, again[name])
    assert json.dumps(tiny.truth, sort_keys=True) == json.dumps(again.truth, sort_keys=True)
    write_dataset(tiny, tmp_path / "a")
    write_dataset(again, tmp_path / "b")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "pupils.parquet" in files and "truth.json" in files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_other_seed_gives_other_data(tiny):
    other = generate("tiny", SEED + 1)
    assert not other["pupils"]["potential"].equals(tiny["pupils"]["potential"])


# --- identifiers and places -------------------------------------------------------------------


def test_school_ids_boards_and_locations(small):
    schools = small["schools"]
    assert schools["school_id"].is_unique
    assert schools["school_id"].str.fullmatch(r"[0-9]{2}[A-Z]{2}0[01]").all()
    seconds = schools[schools["school_id"].str.endswith("01")]
    assert len(seconds) > 0
    mains = schools.set_index("school_id")
    for _, row in seconds.iterrows():
        main = mains.loc[row["school_id"][:4] + "00"]
        assert main["board_id"] == row["board_id"]
        assert main["municipality_code"] == row["municipality_code"]
    assert schools["denomination"].isin(schema.DENOMINATIONS).all()
    assert (schools["pupils"] <= 40).sum() >= 3


def test_school_pupils_equal_pupil_rows(small):
    rows = small["pupils"]["school_id"].value_counts()
    pupils = small["schools"].set_index("school_id")["pupils"]
    assert (rows.reindex(pupils.index).to_numpy() == pupils.to_numpy()).all()


def test_neighbourhood_codes_and_counts(small):
    nbs = small["neighbourhoods"]
    assert (nbs["neighbourhood_code"].str[2:6] == nbs["municipality_code"].str[2:]).all()
    per_muni = nbs.groupby("municipality_code").size()
    assert per_muni.between(2, 20).all()
    pupils = small["schools"].groupby("neighbourhood_code")["pupils"].sum()
    assert (nbs.set_index("neighbourhood_code")["children_4_11"]
            == pupils.reindex(nbs["neighbourhood_code"]).fillna(0).to_numpy()).all()
    toddlers = small["toddlers"].groupby("neighbourhood_code").size()
    expected = np.rint(toddlers.reindex(nbs["neighbourhood_code"]).fillna(0) * 8 / 3)
    assert (nbs["children_0_3"].to_numpy() == expected.to_numpy()).all()


def test_municipalities_population_provinces_and_income(small):
    munis = small["municipalities"]
    pupils = small["schools"].groupby("municipality_code")["pupils"].sum()
    ratio = munis.set_index("municipality_code")["population"] / pupils
    assert ratio.between(59.5, 90.5).all()
    assert munis["province"].nunique() <= 12
    assert munis["name"].is_unique
    share = small["schools"].merge(
        pd.Series(small.truth["school_target_share"], name="share"),
        left_on="school_id", right_index=True)
    target = (share["share"] * share["pupils"]).groupby(share["municipality_code"]).sum() / pupils
    corr = np.corrcoef(target.reindex(munis["municipality_code"]), munis["low_income_share"])[0, 1]
    assert corr > 0.5


def test_names_are_not_real_municipalities(realdata, small):
    real = pd.read_csv(realdata / "cbs_gemeenten-alfabetisch-2023.csv")
    real_names = set(real["Gemeentenaam"].str.lower())
    real_provinces = set(real["Provincienaam"].str.lower())
    assert not set(small["municipalities"]["name"].str.lower()) & real_names
    assert not set(small["municipalities"]["province"].str.lower()) & real_provinces


# --- pupils and the end-score model -----------------------------------------------------------


def test_grades_ages_and_end_scores(small):
    p = small["pupils"]
    assert (p["age"] - p["grade"]).isin([3, 4, 5]).all()
    assert ((p["age"] - p["grade"]) == 3).mean() > 0.6
    shares = p["grade"].value_counts(normalize=True)
    assert shares.between(0.115, 0.135).all()
    g8 = p["grade"] == 8
    assert p.loc[g8, "end_score"].notna().all()
    assert p.loc[~g8, "end_score"].isna().all()
    scores = p.loc[g8, "end_score"]
    assert (scores == scores.round()).all()
    assert 8.0 <= scores.std() <= 10.0


def test_potential_is_standardised(small):
    potential = small["pupils"]["potential"]
    assert abs(potential.mean()) < 0.002
    assert abs(potential.std() - 1) < 0.002


def test_missing_education_rates_by_origin(small):
    p = small["pupils"]
    mother, father = p["mother_education"].isna(), p["father_education"].isna()
    assert 0.08 <= mother.mean() <= 0.2
    assert father.mean() > mother.mean()
    by_origin = mother.groupby(p["origin"], observed=True).mean()
    assert 0.05 <= by_origin["netherlands"] <= 0.09
    assert 0.28 <= by_origin["refugee_countries"] <= 0.44
    assert 0.26 <= by_origin["other_non_western"] <= 0.4


def test_truth_end_score_model_format(tiny):
    model = tiny.truth["end_score_model"]
    assert set(model) == {"intercept", "mother_education", "father_education", "origin",
                          "mother_years_in_nl_band", "debt_restructuring",
                          "school_mean_mother_education", "potential", "noise_sd", "reference"}
    assert model["reference"] == {"mother_education": "havo_vwo_mbo24",
                                  "father_education": "havo_vwo_mbo24",
                                  "origin": "netherlands", "mother_years_in_nl_band": "15_plus"}
    assert list(model["mother_education"]) == list(schema.EDUCATION_LEVELS)
    assert list(model["origin"]) == list(schema.ORIGINS)
    assert list(model["mother_years_in_nl_band"]) == [b for b, _, _ in schema.YEARS_IN_NL_BANDS]
    for key, ref in model["reference"].items():
        assert model[key][ref] == 0.0
    json.dumps(tiny.truth)


def _design(pupils: pd.DataFrame, rows: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """Dummies with the reference categories left out, plus school mean, potential, constant."""
    known = pupils["mother_education"].cat.codes.where(pupils["mother_education"].notna())
    school_mean = (known + 1).groupby(pupils["school_id"]).mean()
    sub = pupils[rows]
    parts = {
        "mother_education": sub["mother_education"].astype(str),
        "father_education": sub["father_education"].astype(str),
        "origin": sub["origin"].astype(str),
        "mother_years_in_nl_band": pd.Series(
            schema.years_in_nl_band(sub["mother_years_in_nl"]), index=sub.index),
    }
    X = pd.get_dummies(pd.DataFrame(parts), prefix_sep="=", dtype=float)
    refs = ["mother_education=havo_vwo_mbo24", "father_education=havo_vwo_mbo24",
            "origin=netherlands", "mother_years_in_nl_band=15_plus"]
    X = X.drop(columns=refs)
    X["debt_restructuring"] = sub["debt_restructuring"].astype(float)
    X["school_mean_mother_education"] = school_mean.reindex(sub["school_id"]).to_numpy()
    X["potential"] = sub["potential"]
    X["intercept"] = 1.0
    return X, list(X.columns)


def test_regression_on_complete_cases_recovers_the_true_model(small):
    """Missingness depends on origin only, so OLS on complete cases is unbiased."""
    p = small["pupils"]
    rows = (p["grade"] == 8) & p["mother_education"].notna() & p["father_education"].notna()
    X, names = _design(p, rows)
    y = p.loc[rows, "end_score"].to_numpy()
    beta, *_ = np.linalg.lstsq(X.to_numpy(), y, rcond=None)
    model = small.truth["end_score_model"]
    estimates = dict(zip(names, beta, strict=True))
    assert estimates["potential"] == pytest.approx(model["potential"], abs=0.15)
    assert estimates["school_mean_mother_education"] == pytest.approx(
        model["school_mean_mother_education"], abs=0.6)
    for group in ("mother_education", "father_education"):
        for level in ("primary", "vmbo_mbo1", "hbo_wo_bachelor"):
            assert estimates[f"{group}={level}"] == pytest.approx(model[group][level], abs=0.5)
    for origin in ("morocco", "turkey", "refugee_countries"):
        assert estimates[f"origin={origin}"] == pytest.approx(model["origin"][origin], abs=0.6)
    residual_sd = np.std(y - X.to_numpy() @ beta)
    assert residual_sd == pytest.approx(model["noise_sd"], abs=0.25)


# --- the compact CBS formula (hand calculations) ----------------------------------------------


def test_imputed_effect_uses_origin_mean_of_observed_parents():
    observed = np.array([0, 1, -1, 4, -1])
    origin = np.array([0, 0, 0, 1, 1])
    coefficients = np.array([-4.0, -2.0, 0.0, 1.0, 3.0])
    assert imputed_effect(observed, origin, coefficients).tolist() == [-4, -2, -3, 3, 3]


def test_school_scores_by_hand():
    school = np.repeat([0, 1], 10)
    scores = np.array([520, 522, 524, 530, 535, 536, 537, 538, 539, 540,
                       526, 531, 532, 533, 534, 541, 542, 543, 544, 545], dtype=float)
    # C = 10692 / 20 = 534.6; target = 3 lowest (520, 522, 524): G = 522, C - G = 12.6
    # A0 = 14.6 + 12.6 + 10.6 = 37.8; B = 10 * 0.12 * 12.6 = 15.12; score0 = 22.68
    result = school_scores(school, scores)
    assert result.attrs["C"] == pytest.approx(534.6)
    assert result.attrs["G"] == pytest.approx(522.0)
    assert result["A"].tolist() == pytest.approx([37.8, 0.0])
    assert result["B"].tolist() == pytest.approx([15.12, 15.12])
    assert result["score"].tolist() == pytest.approx([22.68, 0.0])
    assert result["target_share"].tolist() == pytest.approx([0.3, 0.0])


def test_statistics_of_tiny_dataset(tiny):
    stats = statistics(tiny)
    assert stats["n_pupils"] == len(tiny["pupils"])
    assert stats["n_schools"] == len(tiny["schools"])
    assert stats["C_minus_G"] > 0
    assert tiny.truth["indicator"]["n_target"] == round(0.15 * len(tiny["pupils"]))
    shares = pd.Series(tiny.truth["school_target_share"])
    pupils = tiny["schools"].set_index("school_id")["pupils"]
    assert (shares * pupils.reindex(shares.index)).sum() == pytest.approx(
        tiny.truth["indicator"]["n_target"])


# --- toddlers and VVE -------------------------------------------------------------------------


def test_toddlers_ages_counts_and_indication(small):
    t = small["toddlers"]
    assert t["age"].between(2.5, 4.0).all()
    assert 1 / 6.2 <= len(t) / len(small["pupils"]) <= 1 / 4.9
    assert 0.1 <= t["ve_indication"].mean() <= 0.4
    definitions = small.truth["ve_indication"]["by_municipality"]
    assert set(definitions) == set(small["municipalities"]["municipality_code"])


def test_toddlers_take_places_in_their_own_neighbourhood(small):
    t = small["toddlers"].dropna(subset=["ve_location_id"])
    locations = small["vve_locations"].set_index("location_id")
    assert (locations.loc[t["ve_location_id"], "neighbourhood_code"].to_numpy()
            == t["neighbourhood_code"].to_numpy()).all()
    occupied = t["ve_location_id"].value_counts().reindex(locations.index).fillna(0)
    assert (locations["ve_places"] >= occupied).all()
    assert (~t["ve_indication"]).any()


def test_planted_reach_is_realised(small):
    t = small["toddlers"][small["toddlers"]["ve_indication"]]
    reach = t["ve_location_id"].notna().groupby(t["neighbourhood_code"]).agg(["mean", "size"])
    planted = pd.Series(small.truth["vve"]["planted_reach"]).reindex(reach.index)
    big = reach["size"] >= 40
    se = np.sqrt(planted * (1 - planted) / reach["size"])
    assert (np.abs(reach["mean"] - planted)[big] <= 4 * se[big]).all()
    low = small.truth["vve"]["low_reach_neighbourhoods"]
    assert len(low) > 0 and (planted.reindex(low).dropna() < 0.75).all()
    assert ((planted >= 0.75) & (planted <= 0.95)).mean() > 0.6


def test_vve_hours_and_weak_providers(small):
    loc = small["vve_locations"]
    short = set(small.truth["vve"]["short_hours_locations"])
    assert set(loc.loc[loc["hours_per_week"] < 16, "location_id"]) == short
    assert (loc["hours_per_week"] == 16).mean() > 0.75
    quality = loc[[f"quality_{d}" for d in schema.VVE_QUALITY_DOMAINS]].mean(axis=1)
    weak = loc["provider"].isin(small.truth["vve"]["weak_providers"])
    assert weak.any()
    assert quality[weak].mean() < 2.3 < 2.9 < quality[~weak].mean()


# --- test results -----------------------------------------------------------------------------


def test_test_results_growth_and_cohorts(small):
    tr = small["test_results"]
    base = tr[(tr["school_year"] == 2018) & (tr["moment"] == "midden")]
    by_grade = base.groupby(["domain", "grade"], observed=True)["mean_score"].mean()
    growth = by_grade.groupby(level="domain", observed=True).diff().dropna()
    assert growth.between(9.0, 11.0).all()
    counts = small["pupils"].groupby(["school_id", "grade"]).size()
    last = tr[(tr["school_year"] == 2024) & (tr["domain"] == "rekenen")
              & (tr["moment"] == "eind")].set_index(["school_id", "grade"])["n_pupils"]
    ratio = last.sum() / counts.reindex(last.index).sum()
    assert 0.9 <= ratio <= 1.02


def test_planted_delay_is_recovered_from_school_differences(small):
    """Mean over schools of (score - same school/grade/domain/moment in 2018) equals minus the
    planted delay; school, school-domain and grade effects cancel in the difference."""
    tr = small["test_results"]
    truth = small.truth["test_results"]
    share = pd.Series(small.truth["school_target_share"], name="share")
    key = ["school_id", "grade", "domain", "moment"]
    before = tr[tr["school_year"] == 2018].set_index(key)["mean_score"]
    for domain in ("technisch_lezen", "begrijpend_lezen"):
        for year, moment in ((2020, "midden"), (2023, "eind")):
            rows = tr[(tr["school_year"] == year) & (tr["domain"] == domain)
                      & (tr["moment"] == moment)].set_index(key)
            diff = rows["mean_score"] - before.reindex(rows.index)
            schools = rows.index.get_level_values("school_id")
            planted = truth["delay_months_at_target_share_0"][domain][str(year)][moment]
            expected = -planted * (1 + truth["delay_target_share_slope"]
                                   * share.reindex(schools).to_numpy())
            assert np.nanmean(diff.to_numpy()) == pytest.approx(expected.mean(), abs=0.35)
    peak = truth["delay_months_at_target_share_0"]
    assert peak["technisch_lezen"]["2020"]["midden"] > peak["begrijpend_lezen"]["2020"]["midden"]
    assert peak["rekenen"]["2018"]["eind"] == 0.0


# --- activities and school plans --------------------------------------------------------------


def test_activities_cover_need_except_white_spots(small):
    act = small["activities"]
    assert (act["age_min"] <= act["age_max"]).all()
    need = pd.DataFrame(small.truth["activities"]["need"]).T.stack()
    need.index.names = ["neighbourhood_code", "domain"]
    supply = act.groupby(["neighbourhood_code", act["domain"].astype(str)])["places"].sum()
    supply = supply.reindex(need.index).fillna(0)
    spots = {(s["neighbourhood_code"], s["domain"]) for s in small.truth["white_spots"]}
    assert len(spots) >= 1
    is_spot = need.index.isin(list(spots))
    assert (supply[~is_spot] >= need[~is_spot]).all()
    assert (supply[is_spot] <= 0.3 * need[is_spot]).all()
    assert (need[is_spot] >= 10).all()


def test_school_plans_spend_the_budget_exactly(small):
    plans = small["school_plans"]
    schools = small["schools"].set_index("school_id")
    spent = plans.groupby("school_id")["amount_eur"].sum()
    budget = schools["pupils"].map(
        lambda n: int((Decimal("701.16") * n).quantize(Decimal("1"), rounding=ROUND_HALF_UP)))
    assert (spent.reindex(schools.index) == budget).all()
    assert plans.groupby("school_id").size().between(1, 5).all()
    assert (plans["target_pupils"] <= schools.loc[plans["school_id"], "pupils"].to_numpy()).all()
    assert plans["intervention_id"].isin(load_menukaart()["intervention_id"]).all()
    top3 = plans["intervention_id"].value_counts().index[:3]
    assert "teaching_assistants" in top3


def test_id_patterns_of_generated_codes(tiny):
    assert all(re.fullmatch(r"VE[0-9]{7}", x) for x in tiny["vve_locations"]["location_id"])
    assert tiny["activities"]["activity_id"].is_unique


# --- command line -----------------------------------------------------------------------------


def test_cli_demo_writes_a_dataset(tmp_path):
    from click.testing import CliRunner

    from npo_analysis.cli import main
    from npo_analysis.data.dataset import DatasetInfo, read_raw_tables, read_truth

    out = tmp_path / "tiny"
    result = CliRunner().invoke(main, ["demo", "--profile", "tiny", "--seed", "5",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "municipalities" in result.stdout and "pupils" in result.stdout
    assert "[1/9] geography" in result.stderr
    tables = read_raw_tables(out)
    assert set(tables) == set(schema.microdata_tables())
    info = DatasetInfo.from_file(out / "dataset.json")
    assert info.generator["seed"] == 5 and info.synthetic
    assert read_truth(out)["end_score_model"]["potential"] > 0


def test_cli_demo_rejects_an_unknown_profile(tmp_path):
    from click.testing import CliRunner

    from npo_analysis.cli import main

    result = CliRunner().invoke(main, ["demo", "--profile", "huge", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "huge" in result.output
