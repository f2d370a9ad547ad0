"""The school's mean maternal education: a regressor of the indicator model.

For a pupil it is the mean :data:`npo_analysis.data.schema.EDUCATION_RANK` (1..5) of the observed
``mother_education`` of all pupils of the school (all grades). Toddlers have no school: they get
the pupil-weighted mean over the schools located in their neighbourhood, else over the schools of
their municipality, else the national pupil mean. A school where no mother's education is observed
falls back the same way (its municipality, else national).
"""

from __future__ import annotations

import numpy as np

from npo_analysis.domain.indicator.inputs import MISSING, Links


def school_means(school_of_pupil: np.ndarray, mother: np.ndarray, n_schools: int) -> np.ndarray:
    """Mean education rank of the observed mothers per school (``NaN`` when none is observed).

    Parameters
    ----------
    school_of_pupil : numpy.ndarray of int
        Position of each pupil's school (``0 .. n_schools - 1``).
    mother : numpy.ndarray of int8
        The pupils' mother's education codes (``-1`` when unknown); rank = code + 1.
    n_schools : int
        Number of schools.

    Returns
    -------
    numpy.ndarray of float, shape (n_schools,)
    """
    observed = mother != MISSING
    rank_sum = np.bincount(school_of_pupil[observed], weights=mother[observed] + 1.0,
                           minlength=n_schools)
    n_observed = np.bincount(school_of_pupil[observed], minlength=n_schools)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_observed > 0, rank_sum / n_observed, np.nan)


def weighted_group_means(values: np.ndarray, weights: np.ndarray, group: np.ndarray,
                         n_groups: int) -> np.ndarray:
    """Weighted mean of ``values`` per group, ignoring ``NaN`` values and negative groups.

    Returns ``NaN`` for groups with no (positive-weight) value.
    """
    usable = ~np.isnan(values) & (group >= 0) & (weights > 0)
    total = np.bincount(group[usable], weights=values[usable] * weights[usable],
                        minlength=n_groups)
    weight = np.bincount(group[usable], weights=weights[usable], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, np.nan)


def first_available(*candidates: np.ndarray) -> np.ndarray:
    """Element-wise the first non-``NaN`` value among ``candidates`` (equal-length arrays)."""
    result = np.array(candidates[0], dtype=float)
    for candidate in candidates[1:]:
        result = np.where(np.isnan(result), candidate, result)
    return result


def child_school_means(links: Links, pupil_mother: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The school-mean regressor of every pupil and every toddler.

    Parameters
    ----------
    links : Links
        How pupils, toddlers, schools, neighbourhoods and municipalities are connected.
    pupil_mother : numpy.ndarray of int8
        The pupils' observed mother's education codes (``-1`` when unknown).

    Returns
    -------
    pupil_means, toddler_means : numpy.ndarray of float
        One value per pupil and per toddler, never ``NaN`` when any mother is observed.
    """
    means = school_means(links.pupil_school, pupil_mother, links.n_schools)
    weights = np.bincount(links.pupil_school, minlength=links.n_schools).astype(float)
    national = weighted_group_means(means, weights, np.zeros(links.n_schools, dtype=np.intp), 1)
    by_municipality = weighted_group_means(means, weights, links.school_municipality,
                                           links.n_municipalities)
    by_neighbourhood = weighted_group_means(means, weights, links.school_neighbourhood,
                                            links.n_neighbourhoods)
    school_filled = first_available(means, by_municipality[links.school_municipality],
                                    np.full(links.n_schools, national[0]))
    toddler_means = first_available(by_neighbourhood[links.toddler_neighbourhood],
                                    by_municipality[links.toddler_municipality],
                                    np.full(len(links.toddler_neighbourhood), national[0]))
    return school_filled[links.pupil_school], toddler_means
