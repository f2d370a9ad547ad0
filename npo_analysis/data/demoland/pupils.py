"""The ``pupils`` table: every pupil of every school, with family background, potential and (for
grade 8) the end score drawn from the true model in :mod:`npo_analysis.data.demoland.end_scores`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.data.demoland import end_scores
from npo_analysis.data.demoland.families import Backgrounds, draw_backgrounds
from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import stream

#: P(a pupil is a year older than grade + 3 on the count date).
OLDER_SHARE = 0.25
#: P(a pupil from grade 4 up is a further year older: kept back once).
KEPT_BACK_SHARE = 0.03


@dataclass
class PupilArrays:
    """Per-pupil arrays kept for the tables generated after the pupils."""

    school: np.ndarray
    grade: np.ndarray
    age: np.ndarray
    backgrounds: Backgrounds
    potential: np.ndarray
    end_score: np.ndarray


def draw_pupils(geo: Geography, seed: int) -> PupilArrays:
    """Draw every pupil of every school.

    Parameters
    ----------
    geo : Geography
        Schools with their sizes and disadvantage propensities.
    seed : int
        Dataset seed.

    Returns
    -------
    PupilArrays
    """
    rng = stream(seed, "pupils")
    school = np.repeat(np.arange(len(geo.school_id)), geo.school_pupils)
    n = len(school)
    grade = rng.integers(1, 9, n)
    age = grade + 3 + (rng.random(n) < OLDER_SHARE) + ((grade >= 4) & (rng.random(n)
                                                                       < KEPT_BACK_SHARE))
    bg = draw_backgrounds(rng, geo.school_propensity[school])
    background = end_scores.background_effect(bg.mother_true, bg.father_true, bg.origin,
                                              bg.mother_years_in_nl, bg.debt_restructuring)
    school_mean = end_scores.school_mean_mother_education(school, bg.mother_observed,
                                                          len(geo.school_id))
    expected = end_scores.onderwijsscore(background, school_mean[school])
    potential = np.round(end_scores.potential_scores(rng, background), 3)
    scores = end_scores.end_scores(rng, expected, potential)
    return PupilArrays(school=school, grade=grade, age=age, backgrounds=bg,
                       potential=potential, end_score=np.where(grade == 8, scores, np.nan))


def pupils_frame(geo: Geography, pupils: PupilArrays) -> pd.DataFrame:
    """Return the ``pupils`` table (pupil ids 1, 2, ... in school order)."""
    bg = pupils.backgrounds
    return typed_frame("pupils", {
        "pupil_id": np.arange(1, len(pupils.school) + 1),
        "school_id": geo.school_id[pupils.school],
        "age": pupils.age,
        "grade": pupils.grade,
        "mother_education": bg.mother_observed,
        "father_education": bg.father_observed,
        "origin": bg.origin,
        "mother_years_in_nl": bg.mother_years_in_nl,
        "debt_restructuring": bg.debt_restructuring,
        "potential": pupils.potential,
        "end_score": pupils.end_score,
    })
