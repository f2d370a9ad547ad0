"""The schools' NPO plans valued in months of progress x pupils.

For each plan row (a school spends ``amount_eur`` on an intervention for ``target_pupils``):

- ``pupil_months_nominal`` = ``months x target_pupils``: what the plan promises, taking the
  menukaart's months at face value for every target pupil;
- ``funded_pupils`` = ``min(target_pupils, amount_eur / cost_per_pupil)``: the pupils the money
  pays for at the menukaart price (the cost band at ``cost_point``); a plan that spends less per
  pupil than the band is assumed to reach proportionally fewer pupils with the full effect;
- ``contribution`` = ``months x funded_pupils``, then ranked and discounted per school as in
  :mod:`npo_analysis.domain.interventions.stacking`: ``pupil_months``.

Interventions without a months figure (well-being) contribute 0 months. Because ``funded_pupils``
costs at most ``amount_eur``, a plan is one of the packages the optimiser considers when it gets
the same money, as long as it respects the optimiser's constraints (evidence floor, one per
strand, reach at most the school's pupils).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.domain.interventions.menu import checked_menu, cost_per_pupil
from npo_analysis.domain.interventions.stacking import DEFAULT_DISCOUNT, rank_contributions

#: Columns of :func:`value_plans`, in order.
VALUED_PLAN_COLUMNS = [
    "school_id", "intervention_id", "amount_eur", "target_pupils", "months",
    "cost_per_pupil_eur", "amount_per_target_pupil_eur", "funded_pupils",
    "pupil_months_nominal", "contribution", "rank", "weight", "pupil_months",
]
#: Columns of :func:`school_plan_values`, in order.
SCHOOL_PLAN_COLUMNS = ["school_id", "interventions", "plan_eur", "pupil_months_nominal",
                       "pupil_months"]


def check_plans(plans: pd.DataFrame, menu: pd.DataFrame) -> pd.DataFrame:
    """Check a ``school_plans`` table against the menu; return it sorted by key.

    Parameters
    ----------
    plans : pandas.DataFrame
        Columns ``school_id``, ``intervention_id``, ``amount_eur``, ``target_pupils``.
    menu : pandas.DataFrame
        The checked menukaart.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        Naming the column and the first bad row: missing columns, a repeated school x
        intervention, an intervention not on the menu, or a negative / missing number.
    """
    needed = ["school_id", "intervention_id", "amount_eur", "target_pupils"]
    missing = [c for c in needed if c not in plans.columns]
    if missing:
        raise ValueError(f"school_plans: missing column(s) {missing}; it has "
                         f"{list(plans.columns)}")
    duplicated = plans.duplicated(["school_id", "intervention_id"])
    if duplicated.any():
        row = plans[duplicated].iloc[0]
        raise ValueError(f"school_plans: school {row['school_id']!r} lists intervention "
                         f"{row['intervention_id']!r} twice")
    unknown = ~plans["intervention_id"].isin(menu["intervention_id"])
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"school_plans: row {row} has intervention_id "
                         f"{plans['intervention_id'].iloc[row]!r}, which is not on the "
                         "menukaart")
    for column in ("amount_eur", "target_pupils"):
        values = pd.to_numeric(plans[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"school_plans: row {row} (school {plans['school_id'].iloc[row]!r})"
                             f" has {column}={plans[column].tolist()[row]!r}; expected a number"
                             " >= 0")
    return plans.sort_values(["school_id", "intervention_id"], kind="stable")


def value_plans(plans: pd.DataFrame, menu: pd.DataFrame | None = None, *,
                stacking_discount: float = DEFAULT_DISCOUNT, cost_point: str = "mid"
                ) -> pd.DataFrame:
    """Value every plan row in pupil-months (see the module docstring).

    Parameters
    ----------
    plans : pandas.DataFrame
        A ``school_plans`` table.
    menu : pandas.DataFrame, optional
        An ``interventions`` table; the package's menukaart by default.
    stacking_discount : float
        ``d``: the k-th largest contribution of a school counts with ``d ** (k - 1)``.
    cost_point : {"min", "mid", "max"}
        Point of the cost band that prices an intervention.

    Returns
    -------
    pandas.DataFrame
        :data:`VALUED_PLAN_COLUMNS`, sorted by school and rank.

    Examples
    --------
    >>> plans = pd.DataFrame({"school_id": ["00AA00"], "intervention_id": ["feedback"],
    ...                       "amount_eur": [5000], "target_pupils": [100]})
    >>> row = value_plans(plans).iloc[0]  # EUR 5,000 at EUR 125 per pupil pays for 40 pupils
    >>> float(row["funded_pupils"]), float(row["pupil_months"])
    (40.0, 320.0)
    """
    menu = checked_menu(menu)
    frame = check_plans(plans, menu)
    info = menu.set_index("intervention_id")
    ids = frame["intervention_id"]
    amount = frame["amount_eur"].to_numpy(dtype=float)
    target = frame["target_pupils"].to_numpy(dtype=float)
    months = info["months"].reindex(ids).to_numpy(dtype=float)
    cost = cost_per_pupil(menu, cost_point).reindex(ids).to_numpy()
    valued = pd.DataFrame({
        "school_id": frame["school_id"].to_numpy(dtype=object),
        "intervention_id": ids.to_numpy(dtype=object),
        "amount_eur": amount,
        "target_pupils": target,
        "months": months,
        "cost_per_pupil_eur": cost,
        "amount_per_target_pupil_eur": np.divide(amount, target, out=np.full_like(amount, np.nan),
                                                 where=target > 0),
        "funded_pupils": np.minimum(target, amount / cost),
    })
    known = np.nan_to_num(months, nan=0.0)
    valued["pupil_months_nominal"] = known * target
    valued["contribution"] = known * valued["funded_pupils"].to_numpy()
    return rank_contributions(valued, stacking_discount)[VALUED_PLAN_COLUMNS]


def school_plan_values(valued: pd.DataFrame) -> pd.DataFrame:
    """Totals per school of :func:`value_plans`.

    Parameters
    ----------
    valued : pandas.DataFrame
        Output of :func:`value_plans`.

    Returns
    -------
    pandas.DataFrame
        :data:`SCHOOL_PLAN_COLUMNS`, one row per school with a plan, sorted by ``school_id``:
        number of interventions, money planned, nominal and discounted pupil-months.
    """
    grouped = valued.groupby("school_id", sort=True)
    totals = grouped.agg(interventions=("intervention_id", "size"),
                         plan_eur=("amount_eur", "sum"),
                         pupil_months_nominal=("pupil_months_nominal", "sum"),
                         pupil_months=("pupil_months", "sum"))
    return totals.reset_index()[SCHOOL_PLAN_COLUMNS]
