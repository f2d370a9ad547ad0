"""Doen: what works and what it costs, the schools' plans valued, and the best package for the
same money (:mod:`npo_analysis.domain.interventions`).

- :func:`cost_effectiveness_chart_data` / :func:`cost_effectiveness_display`: months of progress
  per EUR 1,000 per pupil of every menukaart intervention with a months figure, with the range
  of its cost band;
- :func:`plans_vs_optimum`: the schools' plans against the best package, per school (the same
  money: what the school's plan spends);
- :func:`schools_display`, :func:`municipality_display`: those figures as text;
- :func:`package_mix`: how the plans and the best packages spread the money over interventions.

Pupil-months: months of extra progress summed over the pupils reached (with diminishing returns
when a school stacks interventions, see :mod:`npo_analysis.domain.interventions.stacking`).
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.domain import interventions
from npo_analysis.formatting import format_eur, format_number
from npo_analysis.report.money import name_column
from npo_analysis.report.text import label


def cost_effectiveness(menu: pd.DataFrame) -> pd.DataFrame:
    """:func:`npo_analysis.domain.interventions.cost_effectiveness` at the middle of each cost band.

    Parameters
    ----------
    menu : pandas.DataFrame
        The menukaart (``ReportData.interventions``).

    Returns
    -------
    pandas.DataFrame
    """
    return interventions.cost_effectiveness(menu)


def cost_effectiveness_chart_data(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """The interventions with a months figure, most months per euro first, for the chart.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cost_effectiveness`.
    language : {"nl", "en"}
        Language of the names.

    Returns
    -------
    pandas.DataFrame
        ``intervention`` (name), ``months_per_1000_eur`` and its ``low`` / ``high`` ends.
    """
    known = table.dropna(subset=["months_per_1000_eur"])
    return pd.DataFrame({
        "intervention": known[name_column(language)].astype(str).to_numpy(),
        "months_per_1000_eur": known["months_per_1000_eur"].to_numpy(),
        "low": known["months_per_1000_eur_low"].to_numpy(),
        "high": known["months_per_1000_eur_high"].to_numpy()})


def cost_effectiveness_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`cost_effectiveness` as text, the interventions without months last.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cost_effectiveness`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(table.itertuples(index=False))
    name = name_column(language)

    def number(value, decimals: int) -> str:
        return format_number(value, decimals, language)

    return pd.DataFrame({
        label("col.intervention", language): [getattr(r, name) for r in rows],
        label("col.months", language): [number(r.months, 0) for r in rows],
        label("col.evidence", language): [number(r.evidence, 0) for r in rows],
        label("col.cost_band", language): [str(r.cost_band) for r in rows],
        label("col.cost_range", language): [f"{format_eur(r.cost_min_eur, 0, language)} – "
                                            f"{format_eur(r.cost_max_eur, 0, language)}"
                                            for r in rows],
        label("col.months_per_1000", language): [number(r.months_per_1000_eur, 1)
                                                 for r in rows],
        label("col.months_per_1000_range", language): [
            f"{number(r.months_per_1000_eur_low, 1)} – {number(r.months_per_1000_eur_high, 1)}"
            for r in rows],
    })


def plans_vs_optimum(school_plans: pd.DataFrame, schools: pd.DataFrame, menu: pd.DataFrame
                     ) -> interventions.PlansVsOptimum | None:
    """The municipality's plans against the best package for the same money.

    Parameters
    ----------
    school_plans : pandas.DataFrame
        The plans of the municipality's schools.
    schools : pandas.DataFrame
        The municipality's schools.
    menu : pandas.DataFrame
        The menukaart.

    Returns
    -------
    npo_analysis.domain.interventions.PlansVsOptimum or None
        ``None`` when no school has a plan.
    """
    if school_plans.empty:
        return None
    return interventions.plans_vs_optimum(school_plans, schools, menu)


def school_comparison(result: interventions.PlansVsOptimum, schools: pd.DataFrame
                      ) -> pd.DataFrame:
    """Per school: money, the plan's and the optimum's pupil-months, the extra; with names.

    Parameters
    ----------
    result : npo_analysis.domain.interventions.PlansVsOptimum
        :func:`plans_vs_optimum`.
    schools : pandas.DataFrame
        The municipality's schools (``school_id, name``).

    Returns
    -------
    pandas.DataFrame
        ``result.schools`` plus ``name``; the largest extra per pupil first (ties by id).
    """
    names = schools.set_index("school_id")["name"]
    frame = result.schools.assign(name=result.schools["school_id"].map(names))
    return frame.sort_values(["extra_months_per_pupil", "school_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def dumbbell_data(table: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` schools with the most extra months per pupil, for the plan-vs-optimum chart.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`school_comparison` (already sorted by extra months per pupil).
    n : int
        Most schools drawn (a long chart would not fit a phone screen).

    Returns
    -------
    pandas.DataFrame
        ``name, plan_months_per_pupil, optimum_months_per_pupil``.
    """
    return table[["name", "plan_months_per_pupil", "optimum_months_per_pupil"]].head(n)


def schools_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`school_comparison` as text.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`school_comparison`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(table.itertuples(index=False))

    def number(value, decimals: int = 0) -> str:
        return format_number(value, decimals, language)

    return pd.DataFrame({
        label("col.school", language): [r.name for r in rows],
        label("col.plan_eur", language): [format_eur(r.plan_eur, 0, language) for r in rows],
        label("col.plan_months", language): [number(r.plan_pupil_months) for r in rows],
        label("col.optimum_months", language): [number(r.optimum_pupil_months) for r in rows],
        label("col.extra_months", language): [number(r.extra_pupil_months) for r in rows],
        label("col.plan_per_pupil", language): [number(r.plan_months_per_pupil, 1)
                                                for r in rows],
        label("col.optimum_per_pupil", language): [number(r.optimum_months_per_pupil, 1)
                                                   for r in rows],
    })


def package_mix(result: interventions.PlansVsOptimum, menu: pd.DataFrame,
                language: str = "nl") -> pd.DataFrame:
    """Money and pupil-months per intervention: the plans against the best packages.

    Parameters
    ----------
    result : npo_analysis.domain.interventions.PlansVsOptimum
        :func:`plans_vs_optimum`.
    menu : pandas.DataFrame
        The menukaart (names).
    language : {"nl", "en"}
        Language of the names.

    Returns
    -------
    pandas.DataFrame
        ``intervention_id, intervention, plan_eur, plan_pupil_months, optimum_eur,
        optimum_pupil_months``; the largest optimum amount first, then the largest plan amount.
    """
    plans = result.plans.groupby("intervention_id").agg(
        plan_eur=("amount_eur", "sum"), plan_pupil_months=("pupil_months", "sum"))
    best = result.optimum.groupby("intervention_id").agg(
        optimum_eur=("cost_eur", "sum"), optimum_pupil_months=("pupil_months", "sum"))
    frame = plans.join(best, how="outer").fillna(0.0).reset_index()
    names = menu.set_index("intervention_id")[name_column(language)].astype(str)
    frame.insert(1, "intervention", frame["intervention_id"].map(names))
    return frame.sort_values(["optimum_eur", "plan_eur", "intervention_id"],
                             ascending=[False, False, True], kind="stable").reset_index(drop=True)


def package_mix_display(mix: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`package_mix` as text.

    Parameters
    ----------
    mix : pandas.DataFrame
        :func:`package_mix`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    return pd.DataFrame({
        label("col.intervention", language): mix["intervention"].tolist(),
        label("col.plan_eur", language): [format_eur(v, 0, language) for v in mix["plan_eur"]],
        label("col.plan_months", language): [format_number(v, 0, language)
                                             for v in mix["plan_pupil_months"]],
        label("col.optimum_eur", language): [format_eur(v, 0, language)
                                             for v in mix["optimum_eur"]],
        label("col.optimum_months", language): [format_number(v, 0, language)
                                                for v in mix["optimum_pupil_months"]],
    })


def interventions_markdown(table: pd.DataFrame, result: interventions.PlansVsOptimum | None,
                           code: str, menu: pd.DataFrame, language: str = "nl") -> str:
    """The plain reading of cost-effectiveness and of the plans against the optimum.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cost_effectiveness`.
    result : npo_analysis.domain.interventions.PlansVsOptimum or None
        :func:`plans_vs_optimum`.
    code : str
        The municipality.
    menu : pandas.DataFrame
        The menukaart.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    text = interventions.describe_cost_effectiveness(table, menu, language)
    if result is None:
        return text
    return text + "\n\n" + interventions.describe_plans_vs_optimum(result, code, menu, language)
