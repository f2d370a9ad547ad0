"""The schools' plans against the best package the same money could buy.

Per school the budget is, by default, the money its plan spends (``sum amount_eur``): "the same
money". Pass ``budgets`` (e.g. :func:`npo_analysis.domain.budgets.npo_school_budgets`) to compare with
each school's NPO budget instead; schools without a plan then count with a plan value of 0.
Budgets are per school, never pooled: each school spends its own NPO money. Both sides are valued
with the same model (:mod:`~npo_analysis.domain.interventions.stacking`), so ``extra_pupil_months`` is
the extra learning the same money could buy. With no evidence floor and one intervention per
strand it is never negative (the plan is one of the packages the optimiser considers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.domain.interventions.menu import checked_menu
from npo_analysis.domain.interventions.optimiser import optimal_packages
from npo_analysis.domain.interventions.plans import school_plan_values, value_plans
from npo_analysis.domain.interventions.stacking import DEFAULT_DISCOUNT

#: Summed columns of the comparison frames.
_SUMS = ["pupils", "budget_eur", "plan_eur", "plan_pupil_months", "optimum_pupil_months",
         "extra_pupil_months"]


@dataclass(frozen=True)
class PlansVsOptimum:
    """Result of :func:`plans_vs_optimum`.

    Attributes
    ----------
    schools : pandas.DataFrame
        One row per school: ``school_id``, ``municipality_code``, ``pupils``, ``budget_eur``,
        ``plan_eur``, ``plan_pupil_months``, ``optimum_pupil_months``, ``extra_pupil_months``
        and the three pupil-month figures per pupil (``*_months_per_pupil``).
    municipalities : pandas.DataFrame
        The same per municipality (sums; per-pupil figures are ratios of sums) plus
        ``schools``.
    plans : pandas.DataFrame
        The valued plan rows (:func:`~npo_analysis.domain.interventions.plans.value_plans`).
    optimum : pandas.DataFrame
        The best packages (:func:`~npo_analysis.domain.interventions.optimiser.optimal_packages`).
    """

    schools: pd.DataFrame
    municipalities: pd.DataFrame
    plans: pd.DataFrame
    optimum: pd.DataFrame


def _school_frame(plans: pd.DataFrame, schools: pd.DataFrame, budgets: pd.DataFrame | None
                  ) -> pd.DataFrame:
    """School id, municipality, pupils and budget of every school in the comparison."""
    missing = [c for c in ("school_id", "municipality_code", "pupils") if c not in schools]
    if missing:
        raise ValueError(f"schools: missing column(s) {missing}; it has {list(schools.columns)}")
    unknown = ~plans["school_id"].isin(schools["school_id"])
    if unknown.any():
        raise ValueError(f"school_plans: school {plans['school_id'][unknown].iloc[0]!r} is not "
                         "in the schools table")
    if budgets is None:
        budget = plans.groupby("school_id")["amount_eur"].sum().rename("budget_eur")
    else:
        if not {"school_id", "budget_eur"} <= set(budgets.columns):
            raise ValueError("budgets: expected columns 'school_id' and 'budget_eur'")
        budget = budgets.set_index("school_id")["budget_eur"].astype(float)
    frame = schools[["school_id", "municipality_code", "pupils"]]
    frame = frame[frame["school_id"].isin(budget.index)].sort_values("school_id", kind="stable")
    frame = frame.reset_index(drop=True)
    frame["budget_eur"] = budget.reindex(frame["school_id"]).to_numpy(dtype=float)
    return frame


def _check_reach(valued: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Raise when a plan targets more pupils than its school has."""
    pupils = frame.set_index("school_id")["pupils"].reindex(valued["school_id"]).to_numpy()
    bad = valued["target_pupils"].to_numpy() > pupils
    if bad.any():
        row = valued[bad].iloc[0]
        raise ValueError(f"school_plans: school {row['school_id']!r} targets "
                         f"{int(row['target_pupils'])} pupils with {row['intervention_id']!r}, "
                         "more than the school has")


def add_per_pupil(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``plan_/optimum_/extra_months_per_pupil`` (pupil-months / pupils; NaN for 0 pupils).

    Parameters
    ----------
    frame : pandas.DataFrame
        With ``pupils`` and the three ``*_pupil_months`` columns.

    Returns
    -------
    pandas.DataFrame
        A copy with the three ratio columns.
    """
    out = frame.copy()
    pupils = out["pupils"].to_numpy(dtype=float)
    for name in ("plan", "optimum", "extra"):
        values = out[f"{name}_pupil_months"].to_numpy(dtype=float)
        out[f"{name}_months_per_pupil"] = np.divide(values, pupils,
                                                    out=np.full_like(values, np.nan),
                                                    where=pupils > 0)
    return out


def plans_vs_optimum(plans: pd.DataFrame, schools: pd.DataFrame,
                     menu: pd.DataFrame | None = None, *, budgets: pd.DataFrame | None = None,
                     stacking_discount: float = DEFAULT_DISCOUNT,
                     min_evidence: int | None = None, cost_point: str = "mid",
                     strand_column: str = "eef_strand") -> PlansVsOptimum:
    """Compare every school's plan with the best package for the same money.

    Parameters
    ----------
    plans : pandas.DataFrame
        A ``school_plans`` table.
    schools : pandas.DataFrame
        The ``schools`` table (``school_id``, ``municipality_code``, ``pupils``).
    menu : pandas.DataFrame, optional
        An ``interventions`` table; the package's menukaart by default.
    budgets : pandas.DataFrame, optional
        ``school_id``, ``budget_eur``; by default each school's plan total.
    stacking_discount, min_evidence, cost_point, strand_column
        As in :func:`~npo_analysis.domain.interventions.optimiser.optimal_packages`.

    Returns
    -------
    PlansVsOptimum
    """
    menu = checked_menu(menu)
    valued = value_plans(plans, menu, stacking_discount=stacking_discount,
                         cost_point=cost_point)
    frame = _school_frame(valued, schools, budgets)
    _check_reach(valued, frame)
    optimum = optimal_packages(frame, menu, stacking_discount=stacking_discount,
                               min_evidence=min_evidence, cost_point=cost_point,
                               strand_column=strand_column)
    plan_totals = school_plan_values(valued).set_index("school_id")
    best = optimum.groupby("school_id")["pupil_months"].sum()
    ids = frame["school_id"]
    frame["plan_eur"] = plan_totals["plan_eur"].reindex(ids).fillna(0).to_numpy()
    frame["plan_pupil_months"] = plan_totals["pupil_months"].reindex(ids).fillna(0).to_numpy()
    frame["optimum_pupil_months"] = best.reindex(ids).fillna(0).to_numpy()
    frame["extra_pupil_months"] = frame["optimum_pupil_months"] - frame["plan_pupil_months"]
    per_municipality = frame.groupby("municipality_code", sort=True).agg(
        schools=("school_id", "size"), **{c: (c, "sum") for c in _SUMS}).reset_index()
    return PlansVsOptimum(schools=add_per_pupil(frame),
                          municipalities=add_per_pupil(per_municipality),
                          plans=valued, optimum=optimum)
