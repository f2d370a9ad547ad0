"""From onderwijsscores to school scores: C, G, the target group, A, B and the CBS flags.

With D the onderwijsscore of a pupil, C the national mean of all pupils, the target group the
``target_share`` (15%) of pupils with the lowest D and G its mean: a school's gross score
A = sum over its target pupils of (C - D), split into onderbouw (age <= 7) and bovenbouw (>= 8);
its threshold B = E x F x (C - G) with E its pupils and F ``threshold_fraction`` (12%); its score
max(0, A - B) rounded to 2 decimals. Flags: ``a`` when E <= 40, ``b`` / ``c`` when onderbouw /
bovenbouw have <= 40 pupils (written as CBS does, e.g. ``"b, c"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A score based on this many pupils or fewer is flagged as unreliable.
RELIABILITY_MIN_PUPILS = 40
#: Oldest age (whole years on the count date) counted in the onderbouw.
ONDERBOUW_MAX_AGE = 7


@dataclass(frozen=True)
class NationalTarget:
    """The national constants and the target group of a set of pupil scores.

    Attributes
    ----------
    c : float
        Mean onderwijsscore of all pupils (C).
    g : float
        Mean onderwijsscore of the target group (G); C when the group is empty.
    boundary : float
        Highest onderwijsscore in the target group (``-inf`` when it is empty).
    target : numpy.ndarray of bool
        Whether each pupil belongs to the target group.
    """

    c: float
    g: float
    boundary: float
    target: np.ndarray

    @property
    def n_target(self) -> int:
        """Number of pupils in the target group."""
        return int(self.target.sum())


def target_size(n_pupils: int, target_share: float) -> int:
    """Pupils in the target group: ``target_share`` of ``n_pupils``, rounded half up."""
    return int(np.floor(target_share * n_pupils + 0.5))


def lowest(scores: np.ndarray, k: int, tie_break: np.ndarray) -> np.ndarray:
    """Mask of the ``k`` lowest ``scores``; among equal scores the lowest ``tie_break`` wins."""
    mask = np.zeros(len(scores), dtype=bool)
    if k == 0:
        return mask
    kth = np.partition(scores, k - 1)[k - 1]
    mask[scores < kth] = True
    tied = np.flatnonzero(scores == kth)
    needed = k - int(mask.sum())
    mask[tied[np.argsort(tie_break[tied], kind="stable")[:needed]]] = True
    return mask


def national_target(scores, target_share: float = 0.15, tie_break=None) -> NationalTarget:
    """C, G, the boundary and the target group of the pupils' onderwijsscores.

    Parameters
    ----------
    scores : array-like of float
        Onderwijsscore of every pupil in the country.
    target_share : float
        Share of pupils in the target group (0.15).
    tie_break : array-like, optional
        Orders pupils with equal scores at the boundary (default: their position).

    Returns
    -------
    NationalTarget
    """
    scores = np.asarray(scores, dtype=float)
    if len(scores) == 0:
        raise ValueError("scores: no pupils; the national constants need at least one pupil")
    order = np.arange(len(scores)) if tie_break is None else np.asarray(tie_break)
    target = lowest(scores, target_size(len(scores), target_share), order)
    in_target = scores[target]
    c = float(scores.mean())
    if len(in_target) == 0:  # too few pupils for a target group: nothing to score
        return NationalTarget(c=c, g=c, boundary=float("-inf"), target=target)
    return NationalTarget(c=c, g=float(in_target.mean()), boundary=float(in_target.max()),
                          target=target)


def gross_scores(school: np.ndarray, scores: np.ndarray, target: np.ndarray, c: float,
                 n_schools: int) -> np.ndarray:
    """A per school: the sum of C - D over the school's target pupils."""
    return np.bincount(school[target], weights=c - scores[target], minlength=n_schools)


def round_half_up(values, decimals: int = 2) -> np.ndarray:
    """Round to ``decimals`` decimals, halves away from zero (CBS: "rekenkundig afgerond")."""
    values = np.asarray(values, dtype=float)
    factor = 10.0 ** decimals
    return np.sign(values) * np.floor(np.abs(values) * factor + 0.5) / factor


def thresholds(pupils, c_minus_g: float, fraction: float) -> np.ndarray:
    """B = E x F x (C - G) per school."""
    return np.asarray(pupils, dtype=float) * fraction * c_minus_g


def thresholded_scores(gross, pupils, c_minus_g: float, fraction: float) -> np.ndarray:
    """max(0, A - B), rounded half up to 2 decimals."""
    net = np.asarray(gross, dtype=float) - thresholds(pupils, c_minus_g, fraction)
    return round_half_up(np.maximum(net, 0.0))


def reliability_flags(pupils, onderbouw, bovenbouw) -> np.ndarray:
    """CBS reliability flags per school: ``"a"``, ``"b"``, ``"c"`` joined by ``", "`` or ``""``."""
    parts = [
        np.where(np.asarray(count) <= RELIABILITY_MIN_PUPILS, letter, "")
        for letter, count in (("a", pupils), ("b", onderbouw), ("c", bovenbouw))
    ]
    return np.array([", ".join(p for p in triple if p) for triple in zip(*parts, strict=True)],
                    dtype=object)


def school_table(school_ids, school: np.ndarray, scores: np.ndarray, age: np.ndarray,
                 national: NationalTarget, threshold_fraction: float = 0.12) -> pd.DataFrame:
    """Scores of every school from its pupils' onderwijsscores.

    Parameters
    ----------
    school_ids : array-like of str
        The schools, in position order (schools without pupils get zeros).
    school : numpy.ndarray of int
        Position in ``school_ids`` of each pupil's school.
    scores, age : numpy.ndarray
        Each pupil's onderwijsscore and age in whole years on the count date.
    national : NationalTarget
        National constants and target group of the same pupils.
    threshold_fraction : float
        F of the threshold.

    Returns
    -------
    pandas.DataFrame
        ``school_id, pupils, target_pupils, score_gross, score_gross_onderbouw,
        score_gross_bovenbouw, threshold, score, flag`` (gross scores unrounded).
    """
    n = len(school_ids)
    young = age <= ONDERBOUW_MAX_AGE
    target = national.target
    pupils = np.bincount(school, minlength=n)
    onderbouw = np.bincount(school[young], minlength=n)
    gross = gross_scores(school, scores, target, national.c, n)
    c_minus_g = national.c - national.g
    return pd.DataFrame({
        "school_id": pd.array(np.asarray(school_ids, dtype=object), dtype="str"),
        "pupils": pupils.astype(np.int64),
        "target_pupils": np.bincount(school[target], minlength=n).astype(np.int64),
        "score_gross": gross,
        "score_gross_onderbouw": gross_scores(school, scores, target & young, national.c, n),
        "score_gross_bovenbouw": gross_scores(school, scores, target & ~young, national.c, n),
        "threshold": thresholds(pupils, c_minus_g, threshold_fraction),
        "score": thresholded_scores(gross, pupils, c_minus_g, threshold_fraction),
        "flag": pd.array(reliability_flags(pupils, onderbouw, pupils - onderbouw), dtype="str"),
    })


def school_scores_from_pupils(pupil_scores: pd.DataFrame, *, target_share: float = 0.15,
                              threshold_fraction: float = 0.12) -> tuple[pd.DataFrame,
                                                                          NationalTarget]:
    """School scores straight from given pupil onderwijsscores (no model, no imputation).

    Parameters
    ----------
    pupil_scores : pandas.DataFrame
        One row per pupil of the whole country: ``school_id``, ``score`` (onderwijsscore D),
        ``age`` (whole years on the count date); optional ``pupil_id`` breaks ties at the
        boundary (default: row order).
    target_share, threshold_fraction : float
        Share of pupils in the target group and F of the threshold.

    Returns
    -------
    schools : pandas.DataFrame
        As :func:`school_table`, schools sorted by ``school_id``.
    national : NationalTarget
        C, G, the boundary and the target mask (in the row order of ``pupil_scores``).

    Examples
    --------
    >>> frame = pd.DataFrame({"school_id": ["00AA00"] * 3 + ["00BB00"] * 3,
    ...                       "score": [530.0, 540, 541, 536, 537, 538], "age": [6, 9, 9, 5, 8, 8]})
    >>> schools, national = school_scores_from_pupils(frame, target_share=0.2)
    >>> round(national.c, 2), national.g, schools["score_gross"].round(2).tolist()
    (537.0, 530.0, [7.0, 0.0])
    """
    missing = [c for c in ("school_id", "score", "age") if c not in pupil_scores.columns]
    if missing:
        raise ValueError(f"pupil_scores: missing column(s) {missing}; expected school_id, "
                         f"score, age")
    school_ids, school = np.unique(np.asarray(pupil_scores["school_id"], dtype=object),
                                   return_inverse=True)
    scores = np.asarray(pupil_scores["score"], dtype=float)
    tie_break = pupil_scores["pupil_id"].to_numpy() if "pupil_id" in pupil_scores else None
    national = national_target(scores, target_share, tie_break)
    table = school_table(school_ids, school, scores, np.asarray(pupil_scores["age"]), national,
                         threshold_fraction)
    return table, national


def gross_by_round(school: np.ndarray, round_scores: np.ndarray, n_schools: int,
                   target_share: float, tie_break: np.ndarray) -> np.ndarray:
    """A per school and imputation round, each round with its own C, boundary and target group.

    Returns
    -------
    numpy.ndarray of float, shape (n_schools, rounds)
    """
    columns = []
    for scores in round_scores:
        national = national_target(scores, target_share, tie_break)
        columns.append(gross_scores(school, scores, national.target, national.c, n_schools))
    return np.column_stack(columns)
