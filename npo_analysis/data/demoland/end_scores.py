"""The true end-of-primary score model of Demoland (what the indicator library must recover).

For a grade-8 pupil::

    end_score = intercept
              + b_mother[mother_education_true] + b_father[father_education_true]
              + b_origin[origin] + b_years[band(mother_years_in_nl)]
              + b_debt * debt_restructuring
              + b_school * school_mean_mother_education
              + b_potential * potential + N(0, noise_sd)      (rounded to whole points)

The *onderwijsscore* is the same sum without the potential term and the noise. Reference
categories (coefficient 0): education ``havo_vwo_mbo24``, origin ``netherlands``, years band
``15_plus``. ``school_mean_mother_education`` is the mean :data:`schema.EDUCATION_RANK` of the
mothers whose education is *observed* (not masked) among all pupils of the school.
"""

from __future__ import annotations

import numpy as np

from npo_analysis.data.schema import EDUCATION_LEVELS, ORIGINS, YEARS_IN_NL_BANDS, years_in_nl_band

#: Start value, chosen so that the national mean onderwijsscore C is about 535.3.
INTERCEPT = 529.65
MOTHER_EDUCATION = {"primary": -3.2, "vmbo_mbo1": -1.8, "havo_vwo_mbo24": 0.0,
                    "hbo_wo_bachelor": 1.3, "wo_master": 2.4}
FATHER_EDUCATION = {"primary": -2.4, "vmbo_mbo1": -1.3, "havo_vwo_mbo24": 0.0,
                    "hbo_wo_bachelor": 1.0, "wo_master": 1.8}
ORIGIN = {"netherlands": 0.0, "morocco": -1.4, "turkey": -1.8, "suriname_caribbean": -1.2,
          "other_non_western": -1.0, "refugee_countries": -2.2, "western": -0.3}
YEARS_BAND = {"0_4": -2.4, "4_8": -1.4, "8_15": -0.6, "15_plus": 0.0}
DEBT_RESTRUCTURING = -1.6
SCHOOL_MEAN_MOTHER_EDUCATION = 1.75
POTENTIAL = 5.0
NOISE_SD = 5.5
#: Correlation of the potential with the pupil's background effect (before standardising).
POTENTIAL_BACKGROUND_CORRELATION = 0.3

REFERENCE = {"mother_education": "havo_vwo_mbo24", "father_education": "havo_vwo_mbo24",
             "origin": "netherlands", "mother_years_in_nl_band": "15_plus"}

_MOTHER = np.array([MOTHER_EDUCATION[level] for level in EDUCATION_LEVELS])
_FATHER = np.array([FATHER_EDUCATION[level] for level in EDUCATION_LEVELS])
_ORIGIN = np.array([ORIGIN[origin] for origin in ORIGINS])
_BAND_LABELS = [label for label, _, _ in YEARS_IN_NL_BANDS]


def model_truth() -> dict:
    """Return the model in the ``truth["end_score_model"]`` format."""
    return {
        "intercept": INTERCEPT,
        "mother_education": dict(MOTHER_EDUCATION),
        "father_education": dict(FATHER_EDUCATION),
        "origin": dict(ORIGIN),
        "mother_years_in_nl_band": dict(YEARS_BAND),
        "debt_restructuring": DEBT_RESTRUCTURING,
        "school_mean_mother_education": SCHOOL_MEAN_MOTHER_EDUCATION,
        "potential": POTENTIAL,
        "noise_sd": NOISE_SD,
        "reference": dict(REFERENCE),
    }


def years_band_effect(years: np.ndarray) -> np.ndarray:
    """Coefficient of the mother's years-in-the-Netherlands band for each value."""
    band = years_in_nl_band(years)
    effects = np.zeros(len(band))
    for label in _BAND_LABELS:
        effects[band == label] = YEARS_BAND[label]
    return effects


def background_effect(mother: np.ndarray, father: np.ndarray, origin: np.ndarray,
                      years: np.ndarray, debt: np.ndarray) -> np.ndarray:
    """The pupil-level part of the onderwijsscore (no intercept, no school term).

    Parameters
    ----------
    mother, father : numpy.ndarray of int
        Education codes (index into ``schema.EDUCATION_LEVELS``), all known.
    origin : numpy.ndarray of int
        Origin codes (index into ``schema.ORIGINS``).
    years : numpy.ndarray of float
        Mother's years in the Netherlands.
    debt : numpy.ndarray of bool
        Debt restructuring.
    """
    return _MOTHER[mother] + _FATHER[father] + family_effect(origin, years, debt)


def family_effect(origin: np.ndarray, years: np.ndarray, debt: np.ndarray) -> np.ndarray:
    """The origin, years-in-the-Netherlands and debt terms of the onderwijsscore."""
    return _ORIGIN[origin] + years_band_effect(years) + DEBT_RESTRUCTURING * debt


def school_mean_mother_education(school: np.ndarray, mother_observed: np.ndarray,
                                 n_schools: int) -> np.ndarray:
    """Mean education rank (1-5) of the observed mothers per school.

    Parameters
    ----------
    school : numpy.ndarray of int
        School index of every pupil (all grades).
    mother_observed : numpy.ndarray of int
        Mother's education code, -1 when missing (those pupils are left out).
    n_schools : int
        Number of schools.

    Returns
    -------
    numpy.ndarray of float
        One value per school; a school without any observed mother gets the national mean.
    """
    known = mother_observed >= 0
    ranks = mother_observed[known].astype(float) + 1.0
    counts = np.bincount(school[known], minlength=n_schools)
    sums = np.bincount(school[known], weights=ranks, minlength=n_schools)
    national = ranks.mean()
    return np.where(counts > 0, sums / np.maximum(counts, 1), national)


def onderwijsscore(background: np.ndarray, school_mean: np.ndarray) -> np.ndarray:
    """Expected end score without the potential term: intercept + background + school term."""
    return INTERCEPT + background + SCHOOL_MEAN_MOTHER_EDUCATION * school_mean


def potential_scores(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    """Draw the standardised potential, correlated with the background effect.

    Standardised to mean 0 and sd 1 over all pupils generated.
    """
    z_background = (background - background.mean()) / background.std()
    rho = POTENTIAL_BACKGROUND_CORRELATION
    raw = rho * z_background + np.sqrt(1.0 - rho**2) * rng.standard_normal(len(background))
    return (raw - raw.mean()) / raw.std()


def end_scores(rng: np.random.Generator, expected: np.ndarray, potential: np.ndarray
               ) -> np.ndarray:
    """Add the potential term and noise to the onderwijsscore and round to whole points."""
    noise = rng.normal(0.0, NOISE_SD, len(expected))
    return np.round(expected + POTENTIAL * potential + noise)
