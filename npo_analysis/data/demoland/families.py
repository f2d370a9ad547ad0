"""Family backgrounds of pupils and toddlers: parents' education, origin, the mother's years in
the Netherlands, debt restructuring, and which education levels the register does not know.

A family is either *disadvantaged* or not (a latent flag drawn from the school's or
neighbourhood's propensity); each characteristic is drawn from a distribution that depends on it.
Missing education depends on origin only (and on which parent), never on the child's scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from npo_analysis.data.demoland.sampling import categorical
from npo_analysis.data.schema import EDUCATION_LEVELS, ORIGINS

#: P(origin) for families that are not / are disadvantaged (order of ``schema.ORIGINS``).
ORIGIN_PROBS = np.array([
    [0.85, 0.015, 0.015, 0.025, 0.02, 0.003, 0.072],
    [0.34, 0.15, 0.14, 0.10, 0.13, 0.09, 0.05],
])
#: P(mother's education) (order of ``EDUCATION_LEVELS``) for families that are not
#: disadvantaged in an advantaged area, not disadvantaged in a middle area, and disadvantaged.
MOTHER_EDUCATION_PROBS = np.array([
    [0.0, 0.03, 0.40, 0.37, 0.20],
    [0.01, 0.17, 0.55, 0.20, 0.07],
    [0.32, 0.52, 0.145, 0.015, 0.0],
])
#: Families that are not disadvantaged mix the first two rows above with weight
#: ``min(1, MIDDLE_PER_PROPENSITY * propensity)`` on the middle row, in steps of 1/MIX_STEPS.
MIDDLE_PER_PROPENSITY = 2.0
MIX_STEPS = 20
#: P(father's level - mother's level = -1, 0, +1) before clipping to the scale.
FATHER_SHIFT_PROBS = np.array([[0.2, 0.6, 0.2]])
#: Share of mothers born in the Netherlands, by origin (``netherlands`` always).
BORN_IN_NL = np.array([1.0, 0.5, 0.5, 0.55, 0.25, 0.08, 0.4])
#: Mean years in the Netherlands of mothers born abroad, by origin (gamma, shape 2).
MEAN_YEARS_ABROAD_BORN = np.array([12.0, 13.0, 13.0, 15.0, 10.0, 6.0, 9.0])
#: P(debt restructuring) for families that are not / are disadvantaged.
DEBT_PROBS = np.array([0.004, 0.06])
#: P(education missing in the register) by origin, for mothers and for fathers.
MISSING_MOTHER = np.array([0.07, 0.20, 0.18, 0.12, 0.32, 0.36, 0.14])
MISSING_FATHER = np.array([0.09, 0.24, 0.22, 0.16, 0.38, 0.40, 0.17])


@dataclass
class Backgrounds:
    """Family background arrays, one element per child.

    Education and origin are integer codes into ``schema.EDUCATION_LEVELS`` and
    ``schema.ORIGINS``; ``*_observed`` holds -1 where the register does not know the level.
    """

    disadvantaged: np.ndarray
    origin: np.ndarray
    mother_true: np.ndarray
    father_true: np.ndarray
    mother_observed: np.ndarray
    father_observed: np.ndarray
    mother_years_in_nl: np.ndarray
    debt_restructuring: np.ndarray


def draw_backgrounds(rng: np.random.Generator, propensity: np.ndarray) -> Backgrounds:
    """Draw a family background for each child.

    Parameters
    ----------
    rng : numpy.random.Generator
    propensity : numpy.ndarray of float
        Probability that the child's family is disadvantaged (its school's or neighbourhood's
        propensity); it also sets how advantaged the other families of the area are.

    Returns
    -------
    Backgrounds
    """
    n = len(propensity)
    disadvantaged = rng.random(n) < propensity
    group = disadvantaged.astype(np.int64)
    origin = categorical(rng, group, ORIGIN_PROBS)
    mix = np.minimum(MIX_STEPS, np.rint(MIX_STEPS * MIDDLE_PER_PROPENSITY * propensity))
    mother_group = np.where(disadvantaged, MIX_STEPS + 1, mix).astype(np.int64)
    mother = categorical(rng, mother_group, mother_education_table())
    shift = categorical(rng, np.zeros(n, dtype=np.int64), FATHER_SHIFT_PROBS) - 1
    father = np.clip(mother + shift, 0, len(EDUCATION_LEVELS) - 1).astype(np.int8)
    return Backgrounds(
        disadvantaged=disadvantaged,
        origin=origin,
        mother_true=mother,
        father_true=father,
        mother_observed=_mask(rng, mother, MISSING_MOTHER[origin]),
        father_observed=_mask(rng, father, MISSING_FATHER[origin]),
        mother_years_in_nl=mother_years_in_nl(rng, origin),
        debt_restructuring=rng.random(n) < DEBT_PROBS[group],
    )


def mother_education_table() -> np.ndarray:
    """Rows 0..MIX_STEPS: non-disadvantaged families by mixing weight; last row: disadvantaged."""
    weights = np.arange(MIX_STEPS + 1)[:, None] / MIX_STEPS
    mixed = (1 - weights) * MOTHER_EDUCATION_PROBS[0] + weights * MOTHER_EDUCATION_PROBS[1]
    return np.vstack([mixed, MOTHER_EDUCATION_PROBS[2]])


def _mask(rng: np.random.Generator, codes: np.ndarray, p_missing: np.ndarray) -> np.ndarray:
    return np.where(rng.random(len(codes)) < p_missing, -1, codes).astype(np.int8)


def mother_years_in_nl(rng: np.random.Generator, origin: np.ndarray) -> np.ndarray:
    """Years the mother has lived in the Netherlands: her age when born there, otherwise a gamma
    draw (shape 2, mean by origin) below her age minus 16. Rounded to 0.1 year."""
    n = len(origin)
    age = np.clip(rng.normal(36.0, 5.0, n), 19.0, 55.0)
    born_here = rng.random(n) < BORN_IN_NL[origin]
    abroad = np.minimum(rng.gamma(2.0, MEAN_YEARS_ABROAD_BORN[origin] / 2.0), age - 16.0)
    return np.round(np.where(born_here, age, abroad), 1)


def missing_rates_truth() -> dict:
    """The planted probabilities of missing education, by parent and origin (for ``truth``)."""
    return {
        "mother_education": dict(zip(ORIGINS, MISSING_MOTHER.tolist(), strict=True)),
        "father_education": dict(zip(ORIGINS, MISSING_FATHER.tolist(), strict=True)),
        "depends_on": "origin only (missing at random given origin)",
    }
