"""Short plain-language readings of the intervention analyses, in Dutch (default) or English."""

from __future__ import annotations

import pandas as pd

from npo_analysis.domain.interventions.comparison import PlansVsOptimum
from npo_analysis.domain.interventions.menu import checked_menu
from npo_analysis.domain.interventions.stacking import DEFAULT_DISCOUNT
from npo_analysis.formatting import check_language, format_eur, format_number


def _names(ids, menu: pd.DataFrame, language: str) -> list[str]:
    """Display names of interventions: Dutch menukaart name or English EEF strand."""
    column = "name_nl" if language == "nl" else "eef_strand"
    lookup = menu.set_index("intervention_id")[column]
    return [str(lookup[i]) for i in ids]


def _join(items: list[str], language: str) -> str:
    """``a, b en c`` / ``a, b and c``."""
    word = " en " if language == "nl" else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def describe_cost_effectiveness(table: pd.DataFrame, menu: pd.DataFrame | None = None,
                                language: str = "nl", top: int = 3) -> str:
    """Which interventions give the most and the least months per EUR 1,000 per pupil.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~npo_analysis.domain.interventions.menu.cost_effectiveness`.
    menu : pandas.DataFrame, optional
        The menukaart for the names; the package's by default.
    language : {"nl", "en"}
        Language of the text.
    top : int
        How many of the best to name.

    Returns
    -------
    str
    """
    check_language(language)
    menu = checked_menu(menu)
    known = table.dropna(subset=["months_per_1000_eur"])
    best = known.head(top)
    worst = known.iloc[-1]
    parts = [f"{name} ({format_number(v, 0, language)}; "
             f"{format_number(lo, 0, language)}–{format_number(hi, 0, language)})"
             for name, v, lo, hi in zip(_names(best["intervention_id"], menu, language),
                                        best["months_per_1000_eur"],
                                        best["months_per_1000_eur_low"],
                                        best["months_per_1000_eur_high"], strict=True)]
    worst_name = _names([worst["intervention_id"]], menu, language)[0]
    worst_value = format_number(worst["months_per_1000_eur"], 1, language)
    if language == "nl":
        return (f"Per € 1.000 per leerling leveren {_join(parts, language)} de meeste "
                f"leermaanden op (tussen haakjes de bandbreedte van de kostencategorie). "
                f"Het minst levert {worst_name} op: {worst_value} maand.")
    return (f"Per EUR 1,000 per pupil, {_join(parts, language)} give the most months of "
            f"progress (in brackets the range of the cost band). The least comes from "
            f"{worst_name}: {worst_value} months.")


def _top_interventions(optimum: pd.DataFrame, menu: pd.DataFrame, language: str,
                       top: int = 3) -> str:
    """The interventions carrying most of the optimum's pupil-months, joined."""
    share = (optimum.groupby("intervention_id")["pupil_months"].sum()
             .sort_values(ascending=False, kind="stable").head(top))
    return _join(_names(share.index, menu, language), language)


def describe_plans_vs_optimum(result: PlansVsOptimum, municipality_code: str | None = None,
                              menu: pd.DataFrame | None = None, language: str = "nl",
                              stacking_discount: float = DEFAULT_DISCOUNT) -> str:
    """The plans' expected learning against the best package for the same money.

    Parameters
    ----------
    result : PlansVsOptimum
        :func:`~npo_analysis.domain.interventions.comparison.plans_vs_optimum`.
    municipality_code : str, optional
        Limit the text to one municipality's schools; all schools by default.
    menu : pandas.DataFrame, optional
        The menukaart for the names.
    language : {"nl", "en"}
        Language of the text.
    stacking_discount : float
        The ``d`` used for ``result`` (named in the text).

    Returns
    -------
    str
    """
    check_language(language)
    menu = checked_menu(menu)
    schools = result.schools
    if municipality_code is not None:
        schools = schools[schools["municipality_code"] == municipality_code]
        if schools.empty:
            raise ValueError(f"municipality_code={municipality_code!r}: no schools with a plan")
    optimum = result.optimum[result.optimum["school_id"].isin(schools["school_id"])]
    pupils = float(schools["pupils"].sum())
    plan, best = (float(schools[c].sum()) for c in ("plan_pupil_months", "optimum_pupil_months"))
    n = len(schools)
    money = format_eur(schools["budget_eur"].sum(), 0, language)
    fig = {k: format_number(v, 0, language) for k, v in
           {"plan": plan, "best": best, "extra": best - plan}.items()}
    per = {k: format_number(v / pupils, 1, language) for k, v in
           {"plan": plan, "best": best}.items()}
    names = _top_interventions(optimum, menu, language)
    second, third = (format_number(stacking_discount ** k, 2, language) for k in (1, 2))
    if language == "nl":
        return (f"De {n} scholen zetten samen {money} in. Hun plannen leveren naar verwachting "
                f"{fig['plan']} leermaanden op, opgeteld over de leerlingen ({per['plan']} maand "
                f"per leerling). Met hetzelfde geld levert het beste pakket {fig['best']} "
                f"leermaanden op ({per['best']} per leerling), {fig['extra']} meer; het bestaat "
                f"vooral uit {names}. Afnemende meeropbrengst: de tweede interventie van een "
                f"school telt voor {second} mee, de derde voor {third}.")
    return (f"The {n} schools spend {money} together. Their plans are expected to yield "
            f"{fig['plan']} months of learning summed over pupils ({per['plan']} months per "
            f"pupil). The same money buys {fig['best']} months with the best package "
            f"({per['best']} per pupil), {fig['extra']} more; it consists mainly of {names}. "
            f"Diminishing returns: a school's second intervention counts for {second}, the "
            f"third for {third}.")
