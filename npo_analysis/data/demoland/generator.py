"""Generating a complete Demoland dataset: every table of the data model plus the truth."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from npo_analysis import __version__
from npo_analysis.data.dataset import Dataset, DatasetInfo
from npo_analysis.data.demoland import calibration, end_scores, families, geography, shapes
from npo_analysis.data.demoland.activities import build_activities
from npo_analysis.data.demoland.places import (
    municipalities_frame,
    neighbourhoods_frame,
    schools_frame,
)
from npo_analysis.data.demoland.plans import build_school_plans
from npo_analysis.data.demoland.profiles import get_profile
from npo_analysis.data.demoland.pupil_history import build_pupil_history
from npo_analysis.data.demoland.pupils import PupilArrays, draw_pupils, pupils_frame
from npo_analysis.data.demoland.test_results import SCHOOL_YEARS, build_test_results, delay_truth
from npo_analysis.data.demoland.toddlers import draw_toddlers, indication_truth, toddlers_frame
from npo_analysis.data.demoland.vve import build_vve
from npo_analysis.data.menukaart import load_menukaart

DEFAULT_SEED = 20261127
COUNT_DATE = "2025-02-01"
#: Names of the generation steps, in order (what ``progress`` is called with).
STEPS = ("geography", "pupils", "indicator", "toddlers and VVE", "test results", "activities",
         "school plans", "tables")


def generate(profile: str = "small", seed: int = DEFAULT_SEED, *,
             progress: Callable[[str], None] | None = None) -> Dataset:
    """Generate the synthetic demo country Demoland.

    Parameters
    ----------
    profile : {"tiny", "small", "national"}
        Size of the country (see :data:`npo_analysis.data.demoland.PROFILES`).
    seed : int
        Seed of every random draw; the same profile, seed and package version give identical
        tables.
    progress : callable, optional
        Called with the name of each step (:data:`STEPS`) as it starts.

    Returns
    -------
    npo_analysis.data.dataset.Dataset
        Every table of :data:`npo_analysis.data.schema.TABLES`, the metadata and the truth.

    Raises
    ------
    ValueError
        When ``profile`` is unknown or ``seed`` is negative.

    Examples
    --------
    >>> ds = generate("tiny", seed=1)
    >>> int(ds["schools"]["pupils"].sum()) == len(ds["pupils"])
    True
    """
    spec = get_profile(profile)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    seed = int(seed)
    step = progress or (lambda name: None)
    step(STEPS[0])
    geo = geography.build_geography(spec, seed)
    step(STEPS[1])
    pupils = draw_pupils(geo, seed)
    step(STEPS[2])
    per_school = _school_indicator(pupils)
    share = per_school["target_share"].to_numpy()
    step(STEPS[3])
    toddlers = draw_toddlers(geo, seed)
    vve_frame, toddler_location, vve_truth = build_vve(geo, toddlers, seed)
    step(STEPS[4])
    tests = build_test_results(geo, pupils.school, pupils.grade, share, seed)
    step(STEPS[5])
    activities, activities_truth, white_spots = build_activities(
        geo, per_school["target"].to_numpy(), seed)
    step(STEPS[6])
    menu = load_menukaart()
    plans, plans_truth = build_school_plans(geo, menu["intervention_id"].tolist(), seed)
    step(STEPS[7])
    tables = {
        "municipalities": municipalities_frame(geo, seed),
        "neighbourhoods": neighbourhoods_frame(
            geo, np.bincount(toddlers.nb, minlength=len(geo.nb_code)), seed),
        "schools": schools_frame(geo),
        "vve_locations": vve_frame,
        "pupils": pupils_frame(geo, pupils),
        "toddlers": toddlers_frame(geo, toddlers, toddler_location),
        "test_results": tests,
        "activities": activities,
        "interventions": menu,
        "school_plans": plans,
    }
    tables["pupil_history"] = build_pupil_history(tables["schools"], seed)
    truth = {
        "end_score_model": end_scores.model_truth(),
        "indicator": _indicator_truth(geo, per_school),
        "school_target_share": dict(zip(geo.school_id.tolist(), np.round(share, 6).tolist(),
                                        strict=True)),
        "disadvantage": _disadvantage_truth(),
        "missing_education": families.missing_rates_truth(),
        "ve_indication": indication_truth(geo, toddlers),
        "vve": vve_truth,
        "test_results": delay_truth(),
        "activities": activities_truth,
        "white_spots": white_spots,
        "school_plans": plans_truth,
    }
    return Dataset(info=_info(profile, seed), tables=tables, truth=truth,
                   geometry=shapes.build_shapes(geo, seed))


def _school_indicator(pupils: PupilArrays):
    bg = pupils.backgrounds
    scores = calibration.onderwijsscores(pupils.school, bg.mother_observed, bg.father_observed,
                                         bg.origin.astype(np.int64), bg.mother_years_in_nl,
                                         bg.debt_restructuring)
    return calibration.school_scores(pupils.school, scores)


def _indicator_truth(geo: geography.Geography, per_school) -> dict:
    c, g = per_school.attrs["C"], per_school.attrs["G"]
    return {
        "C": round(c, 6), "G": round(g, 6), "C_minus_G": round(c - g, 6),
        "target_share": calibration.TARGET_SHARE, "threshold_f": calibration.THRESHOLD_F,
        "n_target": int(per_school["target"].sum()),
        "method": "onderwijsscore = end_score_model without potential and noise, from the "
                  "observed pupils table; a missing parent's education coefficient is the mean "
                  "coefficient of observed parents of the same origin; target group = the "
                  "round(0.15 n) lowest scores (stable order of pupil_id on ties)",
        "schools_with_zero_score": int((per_school["score"] == 0).sum()),
    }


def _disadvantage_truth() -> dict:
    return {
        "model": "a family is disadvantaged with its school's propensity; logit(propensity) = "
                 "municipality level + neighbourhood and school deviations (centred within the "
                 "municipality)",
        "parameters": dict(geography.DISADVANTAGE),
        "city_pupils": geography.CITY_PUPILS,
        "origin_probs": {"not_disadvantaged": families.ORIGIN_PROBS[0].tolist(),
                         "disadvantaged": families.ORIGIN_PROBS[1].tolist()},
        "mother_education_probs": {
            "advantaged_area": families.MOTHER_EDUCATION_PROBS[0].tolist(),
            "middle_area": families.MOTHER_EDUCATION_PROBS[1].tolist(),
            "disadvantaged": families.MOTHER_EDUCATION_PROBS[2].tolist()},
        "debt_probs": families.DEBT_PROBS.tolist(),
    }


def _info(profile: str, seed: int) -> DatasetInfo:
    return DatasetInfo(
        name=f"demoland-{profile}",
        synthetic=True,
        count_date=COUNT_DATE,
        years=list(SCHOOL_YEARS),
        sources=[{"name": "Demoland synthetic generator", "url": "",
                  "count_date": COUNT_DATE,
                  "note": "Invented country calibrated to Dutch 2019 figures; no real data."}],
        generator={"name": "npo_analysis.data.demoland", "version": __version__, "seed": seed,
                   "profile": profile},
    )
