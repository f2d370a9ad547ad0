"""Municipal scores: the school construction over a municipality's pupils plus its toddlers.

The children of a municipality are the pupils of the schools located in it and the toddlers
(aged 2.5-4) living in it. Pupils keep their national target-group membership; a toddler is in the
target group when its onderwijsscore is at or below the national pupil boundary (the highest score
in the pupils' target group). Gross A_m = sum over the target children of (C - D); the municipal
score is max(0, A_m - (pupils + toddlers) x F_m x (C - G)), rounded to 2 decimals, with F_m the
``municipal_threshold_fraction`` (12% by default; unconfirmed, so a parameter).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.domain.indicator.scores import NationalTarget, thresholded_scores


def municipality_table(municipality_codes, pupil_municipality: np.ndarray,
                       pupil_scores: np.ndarray, toddler_municipality: np.ndarray,
                       toddler_scores: np.ndarray, national: NationalTarget,
                       fraction: float = 0.12) -> pd.DataFrame:
    """Scores of every municipality.

    Parameters
    ----------
    municipality_codes : array-like of str
        The municipalities, in position order (municipalities without children get zeros).
    pupil_municipality, toddler_municipality : numpy.ndarray of int
        Position of each pupil's school municipality and each toddler's home municipality.
    pupil_scores, toddler_scores : numpy.ndarray of float
        Onderwijsscores of the pupils (same order as ``national.target``) and the toddlers.
    national : NationalTarget
        The national constants and pupil target group.
    fraction : float
        F_m of the municipal threshold.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, pupils, toddlers, target_children, score_gross, score``.
    """
    n = len(municipality_codes)
    toddler_target = toddler_scores <= national.boundary
    pupils = np.bincount(pupil_municipality, minlength=n)
    toddlers = np.bincount(toddler_municipality, minlength=n)
    target_children = (np.bincount(pupil_municipality[national.target], minlength=n)
                       + np.bincount(toddler_municipality[toddler_target], minlength=n))
    gross = (np.bincount(pupil_municipality[national.target],
                         weights=national.c - pupil_scores[national.target], minlength=n)
             + np.bincount(toddler_municipality[toddler_target],
                           weights=national.c - toddler_scores[toddler_target], minlength=n))
    return pd.DataFrame({
        "municipality_code": pd.array(np.asarray(municipality_codes, dtype=object), dtype="str"),
        "pupils": pupils.astype(np.int64),
        "toddlers": toddlers.astype(np.int64),
        "target_children": target_children.astype(np.int64),
        "score_gross": gross,
        "score": thresholded_scores(gross, pupils + toddlers, national.c - national.g, fraction),
    })
