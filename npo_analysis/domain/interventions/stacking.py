"""The value of a package of interventions: months x pupils, with diminishing returns.

Model (used for both the schools' plans and the optimum, so the two compare like with like):

- an intervention with ``m`` months of progress that reaches ``n`` pupils contributes
  ``m x n`` *pupil-months* (one pupil gaining one month of learning);
- within one school the contributions are ranked, largest first (ties by ``intervention_id``),
  and the k-th counts with factor ``d ** (k - 1)``, ``d`` being the *stacking discount*
  (default 0.5: the second intervention counts for half, the third for a quarter ...). Effects of
  interventions do not simply add up (EEF), and a school that does many things at once does each
  less well. ``d = 1`` switches diminishing returns off.

Ranking largest first is the most favourable order, so the value of a package is the maximum over
all orders of the discounted sum (rearrangement inequality); this is what makes the optimiser's
formulation (:mod:`npo_analysis.domain.interventions.optimiser`) exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Default stacking discount ``d``.
DEFAULT_DISCOUNT = 0.5


def check_discount(stacking_discount: float) -> float:
    """Return the stacking discount as a float when ``0 < d <= 1``, else raise ``ValueError``.

    Parameters
    ----------
    stacking_discount : float
        Factor of each further intervention.

    Returns
    -------
    float
    """
    value = float(stacking_discount)
    if not 0 < value <= 1:
        raise ValueError(f"stacking_discount={stacking_discount!r}: expected 0 < d <= 1")
    return value


def package_value(contributions, stacking_discount: float = DEFAULT_DISCOUNT) -> float:
    """Discounted value of one school's contributions (pupil-months).

    Parameters
    ----------
    contributions : array-like of float
        ``months x pupils`` of each intervention of the package.
    stacking_discount : float
        ``d``; the k-th largest contribution counts with ``d ** (k - 1)``.

    Returns
    -------
    float

    Examples
    --------
    >>> package_value([40.0, 80.0, 20.0], 0.5)  # 80 + 40/2 + 20/4
    105.0
    """
    d = check_discount(stacking_discount)
    ranked = np.sort(np.asarray(contributions, dtype=float))[::-1]
    return float(np.sum(ranked * d ** np.arange(len(ranked))))


def rank_contributions(frame: pd.DataFrame, stacking_discount: float = DEFAULT_DISCOUNT,
                       contribution: str = "contribution") -> pd.DataFrame:
    """Add ``rank`` (1 = largest per school) and ``weight`` (``d ** (rank - 1)``) columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``school_id``, ``intervention_id`` and ``contribution``.
    stacking_discount : float
        ``d``.
    contribution : str
        Name of the contribution column.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by school, then rank; with ``rank``, ``weight`` and ``pupil_months``
        (``weight x contribution``).
    """
    d = check_discount(stacking_discount)
    ordered = frame.sort_values(["school_id", contribution, "intervention_id"],
                                ascending=[True, False, True], kind="stable")
    ordered = ordered.reset_index(drop=True)
    rank = ordered.groupby("school_id", sort=False).cumcount().to_numpy()
    ordered["rank"] = rank + 1
    ordered["weight"] = d ** rank
    ordered["pupil_months"] = ordered["weight"] * ordered[contribution]
    return ordered
