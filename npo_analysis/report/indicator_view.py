"""For researchers: the indicator's model, its diagnostics and the spread from imputation.

Used by ``notebooks/explore_indicator.ipynb``; reads ``indicator/model.json`` and the school
scores of the national tables. Built from published school scores (a public dataset), there is no
model fit and no imputation: :func:`diagnostics_display` then shows how the published scores were
reproduced, and the notebook shows the notices of :mod:`npo_analysis.report.availability` instead of the
coefficients and the imputation spread.
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.formatting import format_count, format_number, format_pct
from npo_analysis.national.tables import PUBLISHED


def coefficients(model: dict) -> pd.DataFrame:
    """The end-score model's coefficients with standard errors and 95% intervals.

    Parameters
    ----------
    model : dict
        ``model.json`` of the indicator (``coefficients``: name -> {estimate, se, low, high},
        the interval from statsmodels' ``conf_int``, see
        :class:`npo_analysis.domain.indicator.model.EndScoreModel`).

    Returns
    -------
    pandas.DataFrame
        ``term, estimate, se, low, high``, in the model's order.

    Raises
    ------
    ValueError
        When a coefficient has no interval (a ``model.json`` written before the intervals
        were stored): compute the indicator again.
    """
    rows = []
    for term, value in model["coefficients"].items():
        if "low" not in value or "high" not in value:
            raise ValueError(f"model.json, coefficient {term!r}: no 'low'/'high' interval; "
                             f"this model.json predates them: compute the indicator again")
        rows.append({"term": term, **{key: value[key] for key in ("estimate", "se", "low",
                                                                   "high")}})
    return pd.DataFrame(rows, columns=["term", "estimate", "se", "low", "high"])


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
        For published scores (``model["source"] == "published_school_scores"``) the rows of
        :func:`published_diagnostics` instead.
    """
    nl = language == "nl"
    if model.get("source") == PUBLISHED:
        return published_diagnostics(model, language)
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


def published_diagnostics(model: dict, language: str = "nl") -> pd.DataFrame:
    """How the published school scores were used: C - G, the reproduction, the counts.

    Parameters
    ----------
    model : dict
        ``model.json`` of an indicator from published scores
        (:func:`npo_analysis.national.tables.published_indicator`).
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Two columns, figure and value.
    """
    nl, reproduced = language == "nl", model["reproduction"]
    within = (f"{format_count(reproduced['within_tolerance'], language)} "
              f"{'van' if nl else 'of'} {format_count(reproduced['schools'], language)}")
    tolerance = format_number(reproduced["tolerance"], 2, language)
    rows = [
        ("Scholen met een gepubliceerde score" if nl else "Schools with a published score",
         format_count(model["n_schools"], language)),
        ("Leerlingen (E)" if nl else "Pupils (E)", format_count(model["n_pupils"], language)),
        ("Doelgroep" if nl else "Target share", format_pct(model["target_share"], 0, language)),
        ("C - G, geschat: som A / (doelgroep x som E)" if nl
         else "C - G, estimated: sum A / (target share x sum E)",
         format_number(model["c_minus_g"], 4, language)),
        ("Scholen waaruit C - G is geschat (hele gepubliceerde bestand)" if nl
         else "Schools C - G is estimated from (the whole published file)",
         format_count(model.get("c_minus_g_schools", model["n_schools"]), language)),
        ("Doelgroepleerlingen, geschat: A / (C - G)" if nl
         else "Target-group pupils, estimated: A / (C - G)",
         format_count(round(model["n_target_pupils"]), language)),
        ("Drempel (F)" if nl else "Threshold (F)",
         format_pct(model["threshold_fraction"], 0, language)),
        (f"Scores na drempel gelijk aan de publicatie (tot op {tolerance})" if nl
         else f"Thresholded scores equal to the publication (to within {tolerance})", within),
        ("Grootste verschil met de publicatie" if nl else "Largest difference from the publication",
         format_number(reproduced["max_abs_difference"], 2, language)),
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
