"""Doen: the money over the years, how the schools plan to spend it, and what-if scenarios.

- :func:`budgets_over_years`: the municipality's GOAB budget, its NPO grant and the NPO budgets of
  its schools per budget year (tidy);
- :func:`plans_by_intervention`: the schools' NPO plans (``school_plans``) per menukaart
  intervention, with the menukaart's months of progress, cost band and evidence;
- :func:`scenario_effect`: what a what-if scenario from ``params/scenarios/`` changes for the
  municipality (its GOAB budget) and its schools (their NPO budgets).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from npo_analysis.formatting import (
    check_language,
    format_count,
    format_eur,
    format_number,
    format_pct,
)
from npo_analysis.report.profile import safe_ratio
from npo_analysis.report.text import label

#: Budget components of :func:`budgets_over_years`, in the order they are stacked.
COMPONENTS = ("goab_eur", "npo_grant_eur", "npo_schools_eur")


def budgets_over_years(budgets_by_year: dict[int, pd.DataFrame], code: str) -> pd.DataFrame:
    """The municipality's budgets per budget year, one row per year and component.

    Parameters
    ----------
    budgets_by_year : dict
        Budget year -> municipality budgets (``municipality_code`` and the :data:`COMPONENTS`).
    code : str
        The municipality.

    Returns
    -------
    pandas.DataFrame
        Tidy ``year``, ``component`` (one of :data:`COMPONENTS`), ``eur``; sorted by year, then
        component order.
    """
    rows = []
    for year in sorted(budgets_by_year):
        frame = budgets_by_year[year]
        own = frame[frame["municipality_code"] == code]
        rows += [{"year": year, "component": c, "eur": float(own[c].sum())} for c in COMPONENTS]
    return pd.DataFrame(rows, columns=["year", "component", "eur"])


def budgets_table_display(tidy: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`budgets_over_years` as a table: one row per year, one column per component, total.

    Parameters
    ----------
    tidy : pandas.DataFrame
        :func:`budgets_over_years`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    wide = tidy.pivot(index="year", columns="component", values="eur")[list(COMPONENTS)]
    table = {label("col.year", language): [str(y) for y in wide.index]}
    for component in COMPONENTS:
        table[label(f"budget.{component}", language)] = [format_eur(v, 0, language)
                                                         for v in wide[component]]
    table["Totaal" if language == "nl" else "Total"] = [format_eur(v, 0, language)
                                                        for v in wide.sum(axis=1)]
    return pd.DataFrame(table)


def plans_by_intervention(school_plans: pd.DataFrame, interventions: pd.DataFrame
                          ) -> pd.DataFrame:
    """The schools' planned NPO spending per menukaart intervention.

    Parameters
    ----------
    school_plans : pandas.DataFrame
        The plans of the municipality's schools (``school_id, intervention_id, amount_eur,
        target_pupils``).
    interventions : pandas.DataFrame
        The menukaart (``intervention_id, name_nl, eef_strand, months, cost_band, evidence``).

    Returns
    -------
    pandas.DataFrame
        ``intervention_id, name_nl, eef_strand, months, cost_band, evidence, schools,
        amount_eur, amount_share, target_pupils, eur_per_target_pupil``; largest amount first
        (ties by id). Empty when there are no plans.
    """
    grouped = (school_plans.groupby("intervention_id", sort=True)
               .agg(schools=("school_id", "nunique"), amount_eur=("amount_eur", "sum"),
                    target_pupils=("target_pupils", "sum"))
               .reset_index())
    menu = interventions[["intervention_id", "name_nl", "eef_strand", "months", "cost_band",
                          "evidence"]]
    frame = menu.merge(grouped, on="intervention_id", how="inner", validate="one_to_one")
    total = frame["amount_eur"].sum()
    frame["amount_share"] = safe_ratio(frame["amount_eur"], [total] * len(frame))
    frame["eur_per_target_pupil"] = safe_ratio(frame["amount_eur"], frame["target_pupils"])
    frame = frame.sort_values(["amount_eur", "intervention_id"], ascending=[False, True],
                              kind="stable")
    return frame.reset_index(drop=True)


def name_column(language: str = "nl") -> str:
    """The menukaart column that names an intervention in ``language``.

    Parameters
    ----------
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
        ``"name_nl"`` (the Dutch menukaart name) or ``"eef_strand"`` (the EEF strand).
    """
    return "name_nl" if check_language(language) == "nl" else "eef_strand"


def plans_table_display(plans: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`plans_by_intervention` as text with the reader's headers.

    Parameters
    ----------
    plans : pandas.DataFrame
        :func:`plans_by_intervention`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(plans.itertuples(index=False))
    name = name_column(language)
    return pd.DataFrame({
        label("col.intervention", language): [getattr(r, name) for r in rows],
        label("col.months", language): [format_number(r.months, 0, language) for r in rows],
        label("col.cost_band", language): [str(r.cost_band) for r in rows],
        label("col.evidence", language): [format_number(r.evidence, 0, language) for r in rows],
        label("col.schools", language): [format_count(r.schools, language) for r in rows],
        label("col.amount", language): [format_eur(r.amount_eur, 0, language) for r in rows],
        label("col.amount_share", language): [format_pct(r.amount_share, 1, language)
                                              for r in rows],
        label("col.per_target_pupil", language): [format_eur(r.eur_per_target_pupil, 0,
                                                             language) for r in rows],
    })


@dataclass(frozen=True)
class ScenarioEffect:
    """What one what-if scenario changes for a municipality.

    Attributes
    ----------
    name, description : str
        The scenario's file name and its one-line description.
    base_year : int
        The budget year it is compared with.
    goab_base_eur, goab_alternative_eur : float
        The municipality's GOAB budget now and in the scenario.
    schools : pandas.DataFrame
        Per school of the municipality: ``school_id, name, base_eur, alternative_eur,
        difference_eur, difference_pct, outcome``, largest difference first.
    """

    name: str
    description: str
    base_year: int
    goab_base_eur: float
    goab_alternative_eur: float
    schools: pd.DataFrame

    @property
    def goab_difference_eur(self) -> float:
        """Scenario minus now."""
        return self.goab_alternative_eur - self.goab_base_eur

    @property
    def changed_schools(self) -> pd.DataFrame:
        """The rows of :attr:`schools` whose budget changes (by half a cent or more)."""
        return self.schools[self.schools["outcome"] != "unchanged"]

    def largest_changes(self, n: int = 25) -> pd.DataFrame:
        """The ``n`` changed schools with the largest absolute change, largest gain first.

        Parameters
        ----------
        n : int
            Most schools (a chart of every school of a large city would not fit a phone).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`changed_schools`, in their order (difference descending).
        """
        changed = self.changed_schools
        keep = changed["difference_eur"].abs().sort_values(ascending=False, kind="stable")
        return changed.loc[sorted(keep.index[:n])]

    @property
    def schools_difference_eur(self) -> float:
        """Change of the schools' NPO budgets together."""
        return float(self.schools["difference_eur"].sum())


def scenario_effect(scenario, schools: pd.DataFrame) -> ScenarioEffect:
    """Summarise a scenario of the national tables for one municipality.

    Parameters
    ----------
    scenario : npo_analysis.national.tables.Scenario
        A scenario read with the municipality's rows only (``goab_comparison`` and
        ``school_comparison`` with ``base_eur``, ``alternative_eur``, ``difference_eur``,
        ``difference_pct``, ``outcome``).
    schools : pandas.DataFrame
        The municipality's schools (``school_id``, ``name``) for the school names.

    Returns
    -------
    ScenarioEffect
    """
    goab = scenario.goab_comparison
    names = schools.set_index("school_id")["name"]
    per_school = scenario.school_comparison.assign(
        name=scenario.school_comparison["school_id"].map(names))
    per_school = per_school.sort_values(["difference_eur", "school_id"], ascending=[False, True],
                                        kind="stable")
    columns = ["school_id", "name", "base_eur", "alternative_eur", "difference_eur",
               "difference_pct", "outcome"]
    return ScenarioEffect(
        name=scenario.name, description=scenario.description, base_year=scenario.base_year,
        goab_base_eur=float(goab["base_eur"].sum()),
        goab_alternative_eur=float(goab["alternative_eur"].sum()),
        schools=per_school[columns].reset_index(drop=True))
