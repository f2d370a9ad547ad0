"""Calibration statistics of a Demoland dataset, computed with the CBS formula and the TRUE
coefficients.

A compact, independent implementation of the CBS indicator (``domain.md`` section 2), used to tune
and check the generator and to plant effects that depend on a school's share of target-group
pupils; the real indicator library lives in ``npo_analysis.domain.indicator*`` and is not used here.
Missing parental education is imputed with the mean coefficient of the observed parents of the
same origin (the expectation that CBS's averaged multiple imputation approximates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland import end_scores
from npo_analysis.data.schema import EDUCATION_LEVELS

#: Share of pupils nationally in the target group.
TARGET_SHARE = 0.15
#: Threshold constant F of the school score.
THRESHOLD_F = 0.12
#: Real 2019 figures the generator is calibrated to (``domain.md`` sections 2 and 6).
TARGETS: dict[str, float] = {
    "n_municipalities": 342, "n_schools": 6100, "n_pupils": 1_360_000,
    "school_pupils_p10": 74, "school_pupils_p50": 196, "school_pupils_p90": 403,
    "school_pupils_max": 1815,
    "municipality_pupils_p10": 1039, "municipality_pupils_p50": 2465,
    "municipality_pupils_p90": 7011, "municipality_pupils_max": 61919,
    "C": 535.26, "C_minus_G": 5.8004,
    "school_target_share_p25": 0.047, "school_target_share_p50": 0.095,
    "school_target_share_p75": 0.194, "school_target_share_p90": 0.42,
    "school_target_share_p99": 0.73, "school_target_share_max": 0.92,
    "municipality_target_share_min": 0.018, "municipality_target_share_p10": 0.061,
    "municipality_target_share_p50": 0.106, "municipality_target_share_p90": 0.183,
    "municipality_target_share_max": 0.332,
    "zero_score_share": 0.594,
}

_MOTHER = np.array([end_scores.MOTHER_EDUCATION[level] for level in EDUCATION_LEVELS])
_FATHER = np.array([end_scores.FATHER_EDUCATION[level] for level in EDUCATION_LEVELS])


def imputed_effect(observed: np.ndarray, origin: np.ndarray, coefficients: np.ndarray
                   ) -> np.ndarray:
    """Education coefficient per child; missing levels (-1) get the mean coefficient of the
    observed parents of the same origin.

    Parameters
    ----------
    observed : numpy.ndarray of int
        Education codes, -1 when missing.
    origin : numpy.ndarray of int
        Origin codes.
    coefficients : numpy.ndarray
        Coefficient per education code.
    """
    known = observed >= 0
    effect = np.where(known, coefficients[np.maximum(observed, 0)], 0.0)
    n_origins = int(origin.max()) + 1
    sums = np.bincount(origin[known], weights=effect[known], minlength=n_origins)
    counts = np.bincount(origin[known], minlength=n_origins)
    means = sums / np.maximum(counts, 1)
    return np.where(known, effect, means[origin])


def onderwijsscores(school: np.ndarray, mother: np.ndarray, father: np.ndarray,
                    origin: np.ndarray, years: np.ndarray, debt: np.ndarray) -> np.ndarray:
    """Onderwijsscore of every pupil from observed (masked) data and the true coefficients.

    Parameters
    ----------
    school : numpy.ndarray of int
        School index (0 .. n_schools - 1) of each pupil.
    mother, father : numpy.ndarray of int
        Observed education codes, -1 when missing.
    origin, years, debt : numpy.ndarray
        Origin codes, mother's years in the Netherlands, debt restructuring.
    """
    background = (imputed_effect(mother, origin, _MOTHER) + imputed_effect(father, origin, _FATHER)
                  + end_scores.family_effect(origin, years, debt))
    school_mean = end_scores.school_mean_mother_education(school, mother, int(school.max()) + 1)
    return end_scores.onderwijsscore(background, school_mean[school])


def target_group(scores: np.ndarray) -> np.ndarray:
    """Flag the ``round(0.15 * n)`` pupils with the lowest onderwijsscore (stable on ties)."""
    n_target = int(round(TARGET_SHARE * len(scores)))
    flags = np.zeros(len(scores), dtype=bool)
    flags[np.argsort(scores, kind="stable")[:n_target]] = True
    return flags


def school_scores(school: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    """CBS school scores: A (gross), B (threshold), score = max(0, A - B), target share.

    Returns
    -------
    pandas.DataFrame
        One row per school index, columns ``pupils``, ``target``, ``A``, ``B``, ``score``,
        ``target_share``; attribute ``attrs["C"]`` and ``attrs["G"]`` hold the national means.
    """
    target = target_group(scores)
    c = scores.mean()
    g = scores[target].mean()
    n_schools = int(school.max()) + 1
    pupils = np.bincount(school, minlength=n_schools)
    gross = np.bincount(school[target], weights=c - scores[target], minlength=n_schools)
    threshold = pupils * THRESHOLD_F * (c - g)
    frame = pd.DataFrame({
        "pupils": pupils,
        "target": np.bincount(school[target], minlength=n_schools),
        "A": gross,
        "B": threshold,
        "score": np.round(np.maximum(0.0, gross - threshold), 2),
    })
    frame["target_share"] = frame["target"] / frame["pupils"]
    frame.attrs.update(C=float(c), G=float(g))
    return frame


def pupil_arrays(pupils: pd.DataFrame, school_ids: pd.Series) -> dict[str, np.ndarray]:
    """Turn a ``pupils`` table into the code arrays :func:`onderwijsscores` takes.

    ``school`` indexes ``school_ids`` (the order of the ``schools`` table).
    """
    return {
        "school": pd.Index(school_ids).get_indexer(pupils["school_id"]),
        "mother": pupils["mother_education"].cat.codes.to_numpy(),
        "father": pupils["father_education"].cat.codes.to_numpy(),
        "origin": pupils["origin"].cat.codes.to_numpy().astype(np.int64),
        "years": pupils["mother_years_in_nl"].to_numpy(),
        "debt": pupils["debt_restructuring"].to_numpy(),
    }


def statistics(dataset) -> dict[str, float]:
    """The calibration statistics of a generated dataset (keys as in :data:`TARGETS`).

    Parameters
    ----------
    dataset : npo_analysis.data.dataset.Dataset
        A Demoland dataset (needs ``schools`` and ``pupils``).

    Returns
    -------
    dict of str to float
    """
    schools = dataset["schools"]
    arrays = pupil_arrays(dataset["pupils"], schools["school_id"])
    per_school = school_scores(arrays["school"], onderwijsscores(**arrays))
    per_school["municipality_code"] = schools["municipality_code"].to_numpy()
    per_muni = per_school.groupby("municipality_code")[["pupils", "target"]].sum()
    muni_share = per_muni["target"] / per_muni["pupils"]
    c, g = per_school.attrs["C"], per_school.attrs["G"]
    stats = {"n_municipalities": len(per_muni), "n_schools": len(per_school),
             "n_pupils": int(per_school["pupils"].sum()), "C": c, "C_minus_G": c - g,
             "zero_score_share": float((per_school["score"] == 0).mean())}
    stats.update(_quantiles("school_pupils", per_school["pupils"], (10, 50, 90)))
    stats.update(_quantiles("municipality_pupils", per_muni["pupils"], (10, 50, 90)))
    stats.update(_quantiles("school_target_share", per_school["target_share"],
                            (25, 50, 75, 90, 99)))
    stats.update(_quantiles("municipality_target_share", muni_share, (10, 50, 90)))
    stats["municipality_target_share_min"] = float(muni_share.min())
    return stats


def _quantiles(prefix: str, values: pd.Series, percents: tuple[int, ...]) -> dict[str, float]:
    out = {f"{prefix}_p{p}": float(np.percentile(values, p)) for p in percents}
    out[f"{prefix}_max"] = float(values.max())
    return out


def format_statistics(stats: dict[str, float]) -> str:
    """One line per statistic: name, Demoland value and the real 2019 figure."""
    lines = [f"{'statistic':34s} {'demoland':>12s} {'real':>12s}"]
    for key in TARGETS:
        if key in stats:
            lines.append(f"{key:34s} {stats[key]:12.4g} {TARGETS[key]:12.4g}")
    return "\n".join(lines)
