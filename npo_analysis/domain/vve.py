"""VVE (early-childhood education): reach, hours against the norm, and quality.

**Reach** (bereik) per neighbourhood and municipality = toddlers with a VE indication who have
a VE place / toddlers with a VE indication, by the toddler's home neighbourhood (the place may
be elsewhere). Reach below :data:`REACH_NORM` (80%, about the national level 2019-2022,
``../shared/domain.md`` section 4) is flagged. A 95% Wilson interval shows how much of a low
figure may be chance in a small neighbourhood; the flag itself follows the observed reach, as
the norm is about the toddlers who actually took a place. With the indicator's
``pupil_scores`` the table also counts the toddlers in the CBS target group (``target``), which
need not coincide with the municipality's own VE indication.

**Hours**: a VE toddler is entitled to :data:`HOURS_NORM` = 960 hours in 18 months. A VE year
has :data:`WEEKS_PER_YEAR` = 40 weeks (school weeks; holidays excluded), so 18 months hold
1.5 x 40 = 60 weeks and the norm is 960 / 60 = 16 hours a week. A location offering ``h`` hours
a week offers ``h x 60`` hours in 18 months. (Hours beyond 6 a day do not count; the data hold
hours per week only, so that rule cannot be checked here.)

**Quality**: the seven quality domains of :data:`npo_analysis.data.schema.VVE_QUALITY_DOMAINS`
(scored 1 insufficient ... 4 good) per location, and per provider and municipality as means
weighted by VE places; ``quality_mean`` averages the domains with equal weight, and a level
whose mean is below ``min_mean`` (default 2.5: nearer to 2 than to 3, "sufficient") is flagged.

Disclosure: ``toddlers``, ``target_toddlers``, ``ve_indicated``, ``ve_placed`` and
``placed_not_indicated`` count background-defined groups (:data:`SUPPRESSIBLE_COUNTS`); rows
with fewer than 10 indicated toddlers carry ``small_group = True``: show such counts as ``<10``
(:func:`npo_analysis.formatting.suppress_small`) and leave out their reach.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.schema import VVE_QUALITY_DOMAINS
from npo_analysis.formatting import DISCLOSURE_LIMIT, check_language, format_pct, suppress_small

#: Reach below which a neighbourhood or municipality is flagged.
REACH_NORM = 0.80
#: Hours of VE a toddler with an indication is entitled to in :data:`NORM_MONTHS` months.
HOURS_NORM = 960
NORM_MONTHS = 18
#: VE weeks in a year (school weeks).
WEEKS_PER_YEAR = 40
#: Columns that count background-defined groups of toddlers (show ``<10``).
SUPPRESSIBLE_COUNTS: tuple[str, ...] = ("toddlers", "target_toddlers", "ve_indicated",
                                        "ve_placed", "placed_not_indicated")
QUALITY_COLUMNS: tuple[str, ...] = tuple(f"quality_{d}" for d in VVE_QUALITY_DOMAINS)
_LEVEL_KEYS = {"location": ["location_id", "provider", "neighbourhood_code",
                            "municipality_code"],
               "provider": ["provider"],
               "municipality": ["municipality_code"]}


def _require(frame: pd.DataFrame, table: str, columns) -> None:
    """Raise ``ValueError`` naming the table and its missing columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table {table!r}: missing columns {missing}")


# --- Hours --------------------------------------------------------------------------------------


def weeks_in_norm_period(weeks_per_year: float = WEEKS_PER_YEAR) -> float:
    """VE weeks in the :data:`NORM_MONTHS`-month norm period: ``weeks_per_year * 18 / 12``.

    Parameters
    ----------
    weeks_per_year : float
        VE weeks in a year (default 40).

    Returns
    -------
    float

    Examples
    --------
    >>> weeks_in_norm_period(), HOURS_NORM / weeks_in_norm_period()
    (60.0, 16.0)
    """
    if not weeks_per_year > 0:
        raise ValueError(f"weeks_per_year={weeks_per_year!r}: expected a number > 0")
    return weeks_per_year * NORM_MONTHS / 12


def hours_check(vve_locations: pd.DataFrame, *, weeks_per_year: float = WEEKS_PER_YEAR
                ) -> pd.DataFrame:
    """Hours each location offers in 18 months against the norm of 960.

    Parameters
    ----------
    vve_locations : pandas.DataFrame
        The ``vve_locations`` table.
    weeks_per_year : float
        VE weeks in a year (default 40, giving 60 weeks and 16 hours a week).

    Returns
    -------
    pandas.DataFrame
        ``location_id, provider, neighbourhood_code, ve_places, hours_per_week,
        hours_18_months, hours_norm, meets_norm, shortfall_hours``, in table order.
    """
    _require(vve_locations, "vve_locations",
             ["location_id", "provider", "neighbourhood_code", "ve_places", "hours_per_week"])
    weeks = weeks_in_norm_period(weeks_per_year)
    hours = vve_locations["hours_per_week"].astype(float) * weeks
    frame = vve_locations[["location_id", "provider", "neighbourhood_code", "ve_places",
                           "hours_per_week"]]
    return frame.assign(hours_18_months=hours, hours_norm=float(HOURS_NORM),
                        meets_norm=hours >= HOURS_NORM - 1e-9,
                        shortfall_hours=(HOURS_NORM - hours).clip(lower=0.0)
                        ).reset_index(drop=True)


# --- Reach --------------------------------------------------------------------------------------


def reach_by_neighbourhood(toddlers: pd.DataFrame, neighbourhoods: pd.DataFrame,
                           pupil_scores: pd.DataFrame | None = None, *,
                           norm: float = REACH_NORM) -> pd.DataFrame:
    """Indicated toddlers, those in a VE place and the reach, per home neighbourhood.

    Parameters
    ----------
    toddlers : pandas.DataFrame
        The ``toddlers`` table (``toddler_id, neighbourhood_code, ve_indication,
        ve_location_id``).
    neighbourhoods : pandas.DataFrame
        The ``neighbourhoods`` table (every neighbourhood appears).
    pupil_scores : pandas.DataFrame, optional
        Indicator child scores; adds ``target_toddlers`` (toddlers in the CBS target group).
    norm : float
        Reach below which a neighbourhood is flagged (default 0.8).

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, municipality_code, name, toddlers, target_toddlers,
        ve_indicated, ve_placed, placed_not_indicated, ve_reach, reach_low, reach_high,
        below_norm, small_group``. Reach is missing without indicated toddlers.
    """
    _require(toddlers, "toddlers",
             ["toddler_id", "neighbourhood_code", "ve_indication", "ve_location_id"])
    _require(neighbourhoods, "neighbourhoods", ["neighbourhood_code", "municipality_code", "name"])
    if not 0 < norm <= 1:
        raise ValueError(f"norm={norm!r}: expected a share in (0, 1]")
    counts = _toddler_counts(toddlers, pupil_scores)
    frame = neighbourhoods[["neighbourhood_code", "municipality_code", "name"]].merge(
        counts, on="neighbourhood_code", how="left")
    columns = ["toddlers", "target_toddlers", "ve_indicated", "ve_placed", "placed_not_indicated"]
    frame[columns] = frame[columns].fillna(0).astype(np.int64)
    if pupil_scores is None:
        frame["target_toddlers"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return _with_reach(frame.reset_index(drop=True), norm)


def _toddler_counts(toddlers: pd.DataFrame, pupil_scores: pd.DataFrame | None) -> pd.DataFrame:
    """Counts per neighbourhood: toddlers, target group, indicated, placed."""
    indicated = toddlers["ve_indication"].to_numpy(dtype=bool)
    placed = toddlers["ve_location_id"].notna().to_numpy()
    target = np.zeros(len(toddlers), dtype=bool)
    if pupil_scores is not None:
        _require(pupil_scores, "pupil_scores", ["child_type", "child_id", "target"])
        rows = pupil_scores[pupil_scores["child_type"] == "toddler"]
        in_target = set(rows.loc[rows["target"].to_numpy(dtype=bool), "child_id"].tolist())
        target = toddlers["toddler_id"].isin(in_target).to_numpy()
    flags = pd.DataFrame({
        "neighbourhood_code": toddlers["neighbourhood_code"].to_numpy(),
        "toddlers": 1, "target_toddlers": target.astype(np.int64),
        "ve_indicated": indicated.astype(np.int64),
        "ve_placed": (indicated & placed).astype(np.int64),
        "placed_not_indicated": (~indicated & placed).astype(np.int64)})
    return flags.groupby("neighbourhood_code", as_index=False).sum()


def _with_reach(frame: pd.DataFrame, norm: float) -> pd.DataFrame:
    """Add reach, its Wilson interval, the norm flag and the disclosure flag."""
    n = frame["ve_indicated"].to_numpy()
    k = frame["ve_placed"].to_numpy()
    safe = np.maximum(n, 1)
    # imported on first use: statsmodels takes about a second to import
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, safe, alpha=0.05, method="wilson")
    has = n > 0
    reach = np.where(has, k / safe, np.nan)
    return frame.assign(ve_reach=reach, reach_low=np.where(has, low, np.nan),
                        reach_high=np.where(has, high, np.nan),
                        below_norm=has & (reach < norm),
                        small_group=n < DISCLOSURE_LIMIT)


def reach_by_municipality(reach: pd.DataFrame, *, norm: float = REACH_NORM) -> pd.DataFrame:
    """Add up :func:`reach_by_neighbourhood` per municipality.

    Parameters
    ----------
    reach : pandas.DataFrame
        :func:`reach_by_neighbourhood`.
    norm : float
        Reach below which a municipality is flagged (default 0.8).

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, neighbourhoods, toddlers, target_toddlers, ve_indicated,
        ve_placed, placed_not_indicated, ve_reach, reach_low, reach_high, below_norm,
        small_group, neighbourhoods_below_norm``, by municipality code.
    """
    columns = ["toddlers", "target_toddlers", "ve_indicated", "ve_placed", "placed_not_indicated"]
    grouped = reach.groupby("municipality_code", sort=True)
    sums = grouped[columns].sum(min_count=1).reset_index()
    sums.insert(1, "neighbourhoods", grouped.size().to_numpy())
    sums["ve_indicated"] = sums["ve_indicated"].astype(np.int64)
    sums["ve_placed"] = sums["ve_placed"].astype(np.int64)
    below = grouped["below_norm"].sum().to_numpy()
    return _with_reach(sums, norm).assign(neighbourhoods_below_norm=below.astype(np.int64))


# --- Quality ------------------------------------------------------------------------------------


def quality_scores(vve_locations: pd.DataFrame, neighbourhoods: pd.DataFrame,
                   level: str = "location", *, min_mean: float = 2.5) -> pd.DataFrame:
    """Quality domain scores per location, provider or municipality.

    Parameters
    ----------
    vve_locations : pandas.DataFrame
        The ``vve_locations`` table.
    neighbourhoods : pandas.DataFrame
        The ``neighbourhoods`` table (a location's municipality).
    level : {"location", "provider", "municipality"}
        Level of the rows; providers and municipalities get means weighted by VE places
        (equal weights when they have no places).
    min_mean : float
        ``weak`` flags rows whose ``quality_mean`` is below this (default 2.5).

    Returns
    -------
    pandas.DataFrame
        The level's key columns, ``locations, ve_places``, one ``quality_<domain>`` column per
        domain, ``quality_mean`` and ``weak``; sorted by the key.
    """
    if level not in _LEVEL_KEYS:
        raise ValueError(f"level={level!r}: expected one of {list(_LEVEL_KEYS)}")
    _require(vve_locations, "vve_locations",
             ["location_id", "provider", "neighbourhood_code", "ve_places", *QUALITY_COLUMNS])
    locations = vve_locations.merge(
        neighbourhoods[["neighbourhood_code", "municipality_code"]], on="neighbourhood_code",
        how="left")
    keys = _LEVEL_KEYS[level]
    weight = locations["ve_places"].astype(float)
    weight = weight.where(weight.groupby([locations[k] for k in keys]).transform("sum") > 0, 1.0)
    weighted = locations[list(QUALITY_COLUMNS)].astype(float).mul(weight, axis=0)
    parts = pd.concat([locations[keys], weighted, weight.rename("_w"),
                       locations["ve_places"]], axis=1)
    grouped = parts.groupby(keys, sort=True, dropna=False)
    sums = grouped[[*QUALITY_COLUMNS, "_w", "ve_places"]].sum()
    table = sums[list(QUALITY_COLUMNS)].div(sums["_w"], axis=0)
    table.insert(0, "ve_places", sums["ve_places"].astype(np.int64))
    table.insert(0, "locations", grouped.size())
    table["quality_mean"] = table[list(QUALITY_COLUMNS)].mean(axis=1)
    table["weak"] = table["quality_mean"] < min_mean
    return table.reset_index()


# --- Reading ------------------------------------------------------------------------------------


def describe_vve(reach: pd.DataFrame, hours: pd.DataFrame, municipality_code: str, *,
                 norm: float = REACH_NORM, language: str = "nl") -> str:
    """A short plain reading of reach and hours for one municipality.

    Parameters
    ----------
    reach : pandas.DataFrame
        :func:`reach_by_neighbourhood` (any municipalities; this one is selected).
    hours : pandas.DataFrame
        :func:`hours_check` of the same dataset.
    municipality_code : str
        The municipality.
    norm : float
        The reach norm used.
    language : {"nl", "en"}
        Dutch (default) or English.

    Returns
    -------
    str
        Reach of the municipality, the neighbourhoods below the norm (only those with at least
        10 indicated toddlers are named), and the locations offering fewer than 960 hours.
    """
    check_language(language)
    own = reach[reach["municipality_code"] == municipality_code]
    if own.empty:
        raise ValueError(f"municipality_code={municipality_code!r}: not in the reach table")
    total = reach_by_municipality(own, norm=norm).iloc[0]
    short = hours[hours["neighbourhood_code"].isin(own["neighbourhood_code"])
                  & ~hours["meets_norm"]]
    named = own[own["below_norm"] & ~own["small_group"]].sort_values("ve_reach", kind="stable")
    hidden = int((own["below_norm"] & own["small_group"]).sum())
    parts = [_reach_sentence(total, norm, language),
             _low_sentence(named, hidden, norm, language),
             _hours_sentence(short, hours, own, language)]
    return " ".join(p for p in parts if p)


def _reach_sentence(total: pd.Series, norm: float, language: str) -> str:
    """Municipal reach against the norm."""
    n = suppress_small(total["ve_indicated"], language=language)
    if total["ve_indicated"] == 0:
        return ("Er zijn geen peuters met een VVE-indicatie." if language == "nl"
                else "No toddlers have a VE indication.")
    if total["small_group"]:
        return (f"{n} peuters hebben een VVE-indicatie; het bereik wordt niet getoond."
                if language == "nl" else
                f"{n} toddlers have a VE indication; reach is not shown.")
    pct, goal = format_pct(total["ve_reach"], 0, language), format_pct(norm, 0, language)
    side = ("onder" if total["below_norm"] else "op of boven") if language == "nl" else (
        "below" if total["below_norm"] else "at or above")
    if language == "nl":
        return (f"Van de {n} peuters met een VVE-indicatie heeft {pct} een VVE-plaats; dat is "
                f"{side} de norm van {goal}.")
    return (f"Of the {n} toddlers with a VE indication, {pct} have a VE place; that is {side} "
            f"the norm of {goal}.")


def _low_sentence(named: pd.DataFrame, hidden: int, norm: float, language: str) -> str:
    """The neighbourhoods below the norm (small ones only counted)."""
    if named.empty and hidden == 0:
        return ""
    goal = format_pct(norm, 0, language)
    listed = ", ".join(f"{r.name} ({format_pct(r.ve_reach, 0, language)})"
                       for r in named.itertuples(index=False))
    if language == "nl":
        text = f"Wijken onder {goal}: {listed}" if listed else f"Wijken onder {goal}:"
        extra = f" en {hidden} kleine wijk(en) met minder dan 10 geïndiceerde peuters" \
            if hidden else ""
        return (text + extra + ".").replace(": en ", ": ")
    text = f"Neighbourhoods below {goal}: {listed}" if listed else f"Neighbourhoods below {goal}:"
    extra = f" and {hidden} small neighbourhood(s) with fewer than 10 indicated toddlers" \
        if hidden else ""
    return (text + extra + ".").replace(": and ", ": ")


def _hours_sentence(short: pd.DataFrame, hours: pd.DataFrame, own: pd.DataFrame,
                    language: str) -> str:
    """How many of the municipality's locations offer fewer than 960 hours."""
    n_own = int(hours["neighbourhood_code"].isin(own["neighbourhood_code"]).sum())
    if n_own == 0:
        return ""
    if language == "nl":
        return (f"{len(short)} van de {n_own} VVE-locaties biedt minder dan {HOURS_NORM} uur in "
                f"{NORM_MONTHS} maanden (16 uur per week).")
    return (f"{len(short)} of the {n_own} VE locations offer fewer than {HOURS_NORM} hours in "
            f"{NORM_MONTHS} months (16 hours a week).")
