"""For researchers: the indicator's model, its diagnostics and the spread from imputation.

Used by ``notebooks/explore_indicator.ipynb``; reads ``indicator/model.json`` and the school
scores of the national tables.
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.formatting import format_count, format_number, format_pct


def coefficients(model: dict) -> pd.DataFrame:
    """The end-score model's coefficients with standard errors and 95% intervals.

    Parameters
    ----------
    model : dict
        ``model.json`` of the indicator (``coefficients``: name -> {estimate, se}).

    Returns
    -------
    pandas.DataFrame
        ``term, estimate, se, low, high`` (``estimate -/+ 1.96 se``), in the model's order.
    """
    rows = [{"term": term, "estimate": value["estimate"], "se": value["se"]}
            for term, value in model["coefficients"].items()]
    frame = pd.DataFrame(rows, columns=["term", "estimate", "se"])
    return frame.assign(low=frame["estimate"] - 1.96 * frame["se"],
                        high=frame["estimate"] + 1.96 * frame["se"])


def coefficients_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`coefficients` as text (3 decimals).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`coefficients`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    nl = language == "nl"
    fmt = [lambda v: format_number(v, 3, language)] * 4
    return pd.DataFrame({
        "Term": table["term"].tolist(),
        ("Schatting" if nl else "Estimate"): [fmt[0](v) for v in table["estimate"]],
        ("Standaardfout" if nl else "Standard error"): [fmt[1](v) for v in table["se"]],
        ("95%-interval" if nl else "95% interval"): [f"{fmt[2](lo)} – {fmt[3](hi)}" for lo, hi
                                                     in zip(table["low"], table["high"],
                                                            strict=True)],
    })


def diagnostics_display(model: dict, language: str = "nl") -> pd.DataFrame:
    """The model's fit and the national constants as a two-column table.

    Parameters
    ----------
    model : dict
        ``model.json`` of the indicator.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    nl = language == "nl"
    rows = [
        ("Leerlingen in de schatting (groep 8)" if nl else "Pupils in the fit (grade 8)",
         format_count(model["n_fitted"], language)),
        ("R²", format_number(model["r_squared"], 3, language)),
        ("Residuele standaardafwijking" if nl else "Residual standard deviation",
         format_number(model["residual_sd"], 2, language)),
        ("C: gemiddelde onderwijsscore" if nl else "C: mean onderwijsscore",
         format_number(model["C"], 2, language)),
        ("G: gemiddelde van de doelgroep" if nl else "G: mean of the target group",
         format_number(model["G"], 2, language)),
        ("C - G", format_number(model["C"] - model["G"], 4, language)),
        ("Grens van de doelgroep" if nl else "Target-group boundary",
         format_number(model["boundary"], 2, language)),
        ("Leerlingen" if nl else "Pupils", format_count(model["n_pupils"], language)),
        ("Peuters" if nl else "Toddlers", format_count(model["n_toddlers"], language)),
        ("Doelgroep" if nl else "Target share", format_pct(model["target_share"], 0, language)),
        ("Imputatierondes" if nl else "Imputation rounds", str(model["rounds"])),
    ]
    return pd.DataFrame(rows, columns=["Kengetal" if nl else "Figure",
                                       "Waarde" if nl else "Value"])


def imputation_spread(school_scores: pd.DataFrame) -> pd.DataFrame:
    """Per school, how much the gross score moves over the imputation rounds.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        The indicator's school scores (``score_gross_low``, ``score_gross_high``, ``pupils``).

    Returns
    -------
    pandas.DataFrame
        ``school_id, municipality_code, pupils, width`` (``high - low``) and
        ``width_per_100_pupils``, widest per pupil first.
    """
    width = school_scores["score_gross_high"] - school_scores["score_gross_low"]
    frame = school_scores[["school_id", "municipality_code", "pupils"]].assign(
        width=width, width_per_100_pupils=100 * width / school_scores["pupils"].clip(lower=1))
    return frame.sort_values(["width_per_100_pupils", "school_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)
