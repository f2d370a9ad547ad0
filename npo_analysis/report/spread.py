"""Duiden: the spread inside the municipality, against the country and its peers.

- :func:`school_table`: every school with its score, uncertainty band, CBS flag, target share and
  NPO budget;
- :func:`neighbourhood_table`: every neighbourhood with its children, target groups, VE reach and
  activity places;
- :func:`share_distribution`: the share of target-group pupils per school, the municipality's
  schools against all schools of the country;
- :func:`peer_position`: the municipality's target share among its peers.

Definitions: a school's *target share* is ``target_pupils / pupils``. The uncertainty band is the
lowest and highest gross score over the imputation rounds (``score_gross_low/high`` of the
indicator) with the budget year's threshold applied, ``max(0, A - E x F x (C - G))``. *VE reach*
of a neighbourhood = resident toddlers with a VE indication who have a VE place / resident toddlers
with a VE indication (``../shared/domain.md`` section 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.domain.indicator.scores import thresholded_scores
from npo_analysis.formatting import MISSING, format_count, format_eur, format_number, format_pct
from npo_analysis.report.profile import safe_ratio
from npo_analysis.report.suppression import is_hidden, shown_count
from npo_analysis.report.text import label

SCHOOL_COLUMNS = ["school_id", "name", "neighbourhood_code", "pupils", "target_pupils",
                  "target_share", "score_gross", "score", "score_low", "score_high", "flag",
                  "npo_budget_eur"]
NEIGHBOURHOOD_COLUMNS = ["neighbourhood_code", "name", "children_0_3", "children_4_11",
                         "low_income_share", "schools", "pupils", "target_pupils", "toddlers",
                         "target_toddlers", "ve_indicated", "ve_placed", "ve_reach",
                         "activity_places"]


def school_table(schools: pd.DataFrame, school_scores: pd.DataFrame,
                 school_budgets: pd.DataFrame, c_minus_g: float, threshold_fraction: float
                 ) -> pd.DataFrame:
    """One row per school of the municipality, highest score first.

    Parameters
    ----------
    schools : pandas.DataFrame
        The municipality's rows of the dataset's ``schools`` table.
    school_scores : pandas.DataFrame
        The indicator's school scores (``school_id, target_pupils, score_gross,
        score_gross_low, score_gross_high, flag``); other schools are ignored.
    school_budgets : pandas.DataFrame
        The budget year's school budgets (``school_id, score, budget_eur``).
    c_minus_g : float
        C - G of the indicator.
    threshold_fraction : float
        F of the school threshold in the budget year.

    Returns
    -------
    pandas.DataFrame
        :data:`SCHOOL_COLUMNS`, sorted by score (descending), gross score, then ``school_id``.
    """
    scores = school_scores.set_index("school_id")
    budgets = school_budgets.set_index("school_id")
    frame = schools[["school_id", "name", "neighbourhood_code", "pupils"]].copy()
    ids = frame["school_id"]
    for column in ("target_pupils", "score_gross", "score_gross_low", "score_gross_high", "flag"):
        frame[column] = scores[column].reindex(ids).to_numpy()
    frame["score"] = budgets["score"].reindex(ids).to_numpy()
    frame["npo_budget_eur"] = budgets["budget_eur"].reindex(ids).to_numpy()
    frame["target_share"] = safe_ratio(frame["target_pupils"], frame["pupils"])
    for end in ("low", "high"):
        frame[f"score_{end}"] = thresholded_scores(frame[f"score_gross_{end}"], frame["pupils"],
                                                   c_minus_g, threshold_fraction)
    frame["flag"] = frame["flag"].fillna("").astype(str)
    frame = frame.sort_values(["score", "score_gross", "school_id"],
                              ascending=[False, False, True], kind="stable")
    return frame[SCHOOL_COLUMNS].reset_index(drop=True)


def flagged_score(score: float, flag: str, language: str = "nl") -> str:
    """A school score with its CBS reliability flag, e.g. ``176,83 (a)``.

    Parameters
    ----------
    score : float
        The score.
    flag : str
        The indicator's flag (``""``, ``"a"``, ``"b, c"`` ...).
    language : {"nl", "en"}
        Language of the number.

    Returns
    -------
    str
    """
    text = format_number(score, 2, language)
    return f"{text} ({flag})" if flag else text


def school_table_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`school_table` as text: Dutch headers, counts below 10 suppressed, flags shown.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`school_table`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        School, BRIN6, pupils, target pupils (``<10`` when fewer), target share (``–`` when the
        count is suppressed), score with flag, band, NPO budget. Without any band (published
        scores: no imputation rounds) the band column is left out.
    """
    def share(row) -> str:
        if is_hidden(row, "target_share", "target_pupils"):
            return MISSING
        return format_pct(row.target_share, 1, language)

    rows = list(table.itertuples(index=False))
    shown = pd.DataFrame({
        label("col.school", language): [r.name for r in rows],
        label("col.school_id", language): [r.school_id for r in rows],
        label("col.pupils", language): [
            shown_count(r.pupils, getattr(r, "hidden_pupils", False), language) for r in rows],
        label("col.target_pupils", language): [
            shown_count(r.target_pupils, is_hidden(r, "target_pupils"), language)
            for r in rows],
        label("col.target_share", language): [share(r) for r in rows],
        label("col.score", language): [flagged_score(r.score, r.flag, language) for r in rows],
        label("col.npo_budget", language): [format_eur(r.npo_budget_eur, 0, language)
                                            for r in rows],
    })
    if has_bands(table):
        shown.insert(6, label("col.band", language),
                     [f"{format_number(r.score_low, 2, language)} – "
                      f"{format_number(r.score_high, 2, language)}" for r in rows])
    return shown


def has_bands(table: pd.DataFrame) -> bool:
    """Whether :func:`school_table` holds an uncertainty band (only scores from microdata do).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`school_table`.

    Returns
    -------
    bool
    """
    return bool(table["score_low"].notna().any())


def _count_by(values: pd.Series, index: pd.Index) -> np.ndarray:
    return values.value_counts().reindex(index, fill_value=0).to_numpy(dtype=np.int64)


def neighbourhood_table(neighbourhoods: pd.DataFrame, schools: pd.DataFrame,
                        school_scores: pd.DataFrame, children: pd.DataFrame,
                        toddlers: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """One row per neighbourhood of the municipality.

    Parameters
    ----------
    neighbourhoods, schools, toddlers, activities : pandas.DataFrame
        The municipality's rows of the dataset's tables.
    school_scores : pandas.DataFrame
        The indicator's school scores (``school_id, target_pupils``).
    children : pandas.DataFrame
        The indicator's child scores of the municipality (``child_type, neighbourhood_code,
        target``); toddler rows give the target-group toddlers per neighbourhood.

    Returns
    -------
    pandas.DataFrame
        :data:`NEIGHBOURHOOD_COLUMNS`, sorted by ``neighbourhood_code``. Pupils and target pupils
        are those of the schools located in the neighbourhood.
    """
    frame = neighbourhoods.sort_values("neighbourhood_code", kind="stable").reset_index(drop=True)
    index = pd.Index(frame["neighbourhood_code"])
    located = schools.assign(target_pupils=schools["school_id"].map(
        school_scores.set_index("school_id")["target_pupils"]).fillna(0))
    per_school = located.groupby("neighbourhood_code")[["pupils", "target_pupils"]].sum()
    frame["schools"] = _count_by(schools["neighbourhood_code"], index)
    frame["pupils"] = per_school["pupils"].reindex(index, fill_value=0).to_numpy(np.int64)
    frame["target_pupils"] = (per_school["target_pupils"].reindex(index, fill_value=0)
                              .to_numpy(np.int64))
    kids = children[(children["child_type"] == "toddler") & children["target"].astype(bool)]
    frame["toddlers"] = _count_by(toddlers["neighbourhood_code"], index)
    frame["target_toddlers"] = _count_by(kids["neighbourhood_code"], index)
    indicated = toddlers[toddlers["ve_indication"].astype(bool)]
    frame["ve_indicated"] = _count_by(indicated["neighbourhood_code"], index)
    placed = indicated[indicated["ve_location_id"].notna()]
    frame["ve_placed"] = _count_by(placed["neighbourhood_code"], index)
    frame["ve_reach"] = safe_ratio(frame["ve_placed"], frame["ve_indicated"])
    places = activities.groupby("neighbourhood_code")["places"].sum()
    frame["activity_places"] = places.reindex(index, fill_value=0).to_numpy(np.int64)
    return frame[NEIGHBOURHOOD_COLUMNS]


def neighbourhood_table_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`neighbourhood_table` as text (background-defined counts below 10 suppressed).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`neighbourhood_table`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(table.itertuples(index=False))

    def reach(row) -> str:
        return MISSING if is_hidden(row, "ve_reach", "ve_indicated") else format_pct(
            row.ve_reach, 0, language)

    def group(column: str) -> list[str]:
        return [shown_count(getattr(r, column), is_hidden(r, column), language) for r in rows]

    def total(column: str) -> list[str]:
        return [shown_count(getattr(r, column), getattr(r, f"hidden_{column}", False), language)
                for r in rows]

    return pd.DataFrame({
        label("col.neighbourhood", language): [r.name for r in rows],
        label("col.children_0_3", language): total("children_0_3"),
        label("col.children_4_11", language): total("children_4_11"),
        label("col.low_income", language): [format_pct(r.low_income_share, 1, language)
                                            for r in rows],
        label("col.schools", language): [format_count(r.schools, language) for r in rows],
        label("col.target_pupils", language): group("target_pupils"),
        label("col.target_toddlers", language): group("target_toddlers"),
        label("col.ve_indicated", language): group("ve_indicated"),
        label("col.ve_reach", language): [reach(r) for r in rows],
        label("col.activity_places", language): [format_count(r.activity_places, language)
                                                 for r in rows],
    })


def share_distribution(school_scores: pd.DataFrame, code: str, municipality_name: str,
                       language: str = "nl") -> pd.DataFrame:
    """Target share per school: the municipality's schools and every school of the country.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        The indicator's school scores of the whole country.
    code, municipality_name : str
        The municipality and its name (the label of its group).
    language : {"nl", "en"}
        Language of the national group's label.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``group`` (the municipality's name or "Nederland"), ``school_id``,
        ``target_share``. The country includes the municipality's schools.
    """
    share = safe_ratio(school_scores["target_pupils"], school_scores["pupils"])
    everyone = pd.DataFrame({"group": label("group.national", language),
                             "school_id": school_scores["school_id"].to_numpy(),
                             "target_share": share})
    own = everyone[(school_scores["municipality_code"] == code).to_numpy()].assign(
        group=municipality_name)
    return pd.concat([own, everyone], ignore_index=True)


def peer_position(profile: pd.DataFrame, code: str, peers: list[str]) -> pd.DataFrame:
    """The target share of the municipality and its peers, highest first.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.
    code : str
        The municipality.
    peers : list of str
        Its peer group.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, name, target_share, score, is_self``, sorted by target share
        (descending), then code.
    """
    rows = profile[profile["municipality_code"].isin([code, *peers])]
    frame = rows[["municipality_code", "name", "target_share", "score"]].assign(
        is_self=rows["municipality_code"] == code)
    return frame.sort_values(["target_share", "municipality_code"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)
