"""The ``test_results`` table: mean pupil-monitoring scores per school x school year x grade x
domain x moment, with a planted COVID-19 learning delay.

Scale: per domain one ability scale on which normal growth is
:data:`POINTS_PER_SCHOOL_YEAR` points per school year (10 school months, so one point is about
one month); the *eind* test (June) lies :data:`EIND_OFFSET_POINTS` points above the *midden*
test (January) of the same grade. Expected mean score of a school::

    base[domain] + 10 * (grade - 3) + 5 * (moment == "eind")
    + gap_per_target_share * s
    - delay_months[domain][school_year][moment] * (1 + delay_target_share_slope * s)
    + school effect + school-domain effect + cohort effect + sampling noise

where ``s`` is the school's share of target-group pupils (``truth["school_target_share"]``).
The delay starts with the *eind* test of 2019/20 (after the spring 2020 closure), is strongest in
2020/21 and partly recovers by 2023/24; it is larger for technisch_lezen and rekenen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import stream
from npo_analysis.data.schema import TEST_DOMAINS, TEST_MOMENTS

SCHOOL_YEARS = tuple(range(2018, 2025))
GRADES = tuple(range(3, 9))
POINTS_PER_SCHOOL_YEAR = 10.0
POINTS_PER_MONTH = 1.0
EIND_OFFSET_POINTS = 5.0
BASE_SCORE = {"rekenen": 150.0, "begrijpend_lezen": 140.0, "technisch_lezen": 130.0,
              "spelling": 135.0}
#: Delay at the moment of the strongest effect, in months, for a school with target share 0.
PEAK_DELAY_MONTHS = {"rekenen": 3.0, "begrijpend_lezen": 1.2, "technisch_lezen": 3.0,
                     "spelling": 2.0}
#: Fraction of the peak delay per (school year, moment).
DELAY_PROFILE = {
    2018: (0.0, 0.0), 2019: (0.0, 0.6), 2020: (1.0, 0.8), 2021: (0.7, 0.55),
    2022: (0.45, 0.35), 2023: (0.3, 0.25), 2024: (0.25, 0.2),
}
DELAY_TARGET_SHARE_SLOPE = 2.0
GAP_PER_TARGET_SHARE = -8.0
SCHOOL_SD = 3.0
SCHOOL_DOMAIN_SD = 1.5
COHORT_SD = 1.5
PUPIL_SD = 12.0
TESTED_SHARE = 0.96
COHORT_DRIFT_SD = 0.08


def delay_months() -> np.ndarray:
    """Planted delay (months) at target share 0, shape (domain, school year, moment)."""
    profile = np.array([DELAY_PROFILE[y] for y in SCHOOL_YEARS])
    peaks = np.array([PEAK_DELAY_MONTHS[d] for d in TEST_DOMAINS])
    return np.round(peaks[:, None, None] * profile[None, :, :], 3)


def delay_truth() -> dict:
    """The planted effects in the ``truth["test_results"]`` format."""
    delays = delay_months()
    return {
        "points_per_school_year": POINTS_PER_SCHOOL_YEAR,
        "points_per_month": POINTS_PER_MONTH,
        "eind_offset_points": EIND_OFFSET_POINTS,
        "base_score": dict(BASE_SCORE),
        "delay_months_at_target_share_0": {
            domain: {str(year): {moment: float(delays[d, y, m])
                                 for m, moment in enumerate(TEST_MOMENTS)}
                     for y, year in enumerate(SCHOOL_YEARS)}
            for d, domain in enumerate(TEST_DOMAINS)},
        "delay_target_share_slope": DELAY_TARGET_SHARE_SLOPE,
        "delay_rule": "delay = delay_months_at_target_share_0 * (1 + delay_target_share_slope"
                      " * school_target_share); score lowered by delay * points_per_month",
        "gap_points_per_target_share": GAP_PER_TARGET_SHARE,
        "sd": {"school": SCHOOL_SD, "school_domain": SCHOOL_DOMAIN_SD, "cohort": COHORT_SD,
               "pupil": PUPIL_SD},
    }


def build_test_results(geo: Geography, school: np.ndarray, grade: np.ndarray,
                       target_share: np.ndarray, seed: int) -> pd.DataFrame:
    """Return the ``test_results`` table (rows without tested pupils are left out).

    Parameters
    ----------
    geo : Geography
    school, grade : numpy.ndarray
        School index and grade of every pupil (the 2024/25 cohorts).
    target_share : numpy.ndarray
        Share of target-group pupils per school.
    seed : int
    """
    rng = stream(seed, "test_results")
    n_s, n_y, n_g, n_d, n_m = (len(geo.school_id), len(SCHOOL_YEARS), len(GRADES),
                               len(TEST_DOMAINS), len(TEST_MOMENTS))
    counts = np.bincount(school * 9 + grade, minlength=n_s * 9).reshape(n_s, 9)[:, 3:]
    cohort = np.rint(counts[:, None, :] * np.exp(rng.normal(0, COHORT_DRIFT_SD, (n_s, n_y, n_g))))
    tested = rng.binomial(cohort.astype(np.int64), TESTED_SHARE)
    shape = (n_s, n_y, n_g, n_d, n_m)
    n_pupils = np.broadcast_to(tested[:, :, :, None, None], shape)
    mean = expected_scores(rng, target_share, shape) + rng.standard_normal(shape) * PUPIL_SD \
        / np.sqrt(np.maximum(n_pupils, 1))
    index = np.indices(shape).reshape(5, -1)
    keep = n_pupils.reshape(-1) > 0
    return typed_frame("test_results", {
        "school_id": geo.school_id[index[0][keep]],
        "school_year": np.array(SCHOOL_YEARS)[index[1][keep]],
        "grade": np.array(GRADES)[index[2][keep]],
        "domain": index[3][keep],
        "moment": index[4][keep],
        "n_pupils": n_pupils.reshape(-1)[keep],
        "mean_score": np.round(mean.reshape(-1)[keep], 1),
    })


def expected_scores(rng: np.random.Generator, share: np.ndarray, shape: tuple) -> np.ndarray:
    """Expected school mean per cell of ``shape`` (school, year, grade, domain, moment)."""
    n_s, n_y, n_g, n_d, n_m = shape
    grades = np.array(GRADES)[None, None, :, None, None]
    base = np.array([BASE_SCORE[d] for d in TEST_DOMAINS])[None, None, None, :, None]
    moment = np.array([0.0, EIND_OFFSET_POINTS])[None, None, None, None, :]
    level = base + POINTS_PER_SCHOOL_YEAR * (grades - 3) + moment
    s = share[:, None, None, None, None]
    delay = delay_months().transpose(1, 0, 2)[None, :, None, :, :]
    school = rng.normal(0, SCHOOL_SD, n_s)[:, None, None, None, None] + rng.normal(
        0, SCHOOL_DOMAIN_SD, (n_s, n_d))[:, None, None, :, None]
    cohort_effects = rng.normal(0, COHORT_SD, (n_s, n_y + n_g))
    cohort_index = np.arange(n_y)[:, None] - np.arange(n_g)[None, :] + n_g - 1
    cohort = cohort_effects[:, cohort_index][:, :, :, None, None]
    return (level + GAP_PER_TARGET_SHARE * s
            - POINTS_PER_MONTH * delay * (1 + DELAY_TARGET_SHARE_SLOPE * s) + school + cohort)
