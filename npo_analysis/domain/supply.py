"""White spots: where enriching activities fall short of the target-group children who need them.

Per neighbourhood x development domain (cognitive, executive, social, emotional) x age band:

- **need**: target-group pupils (the indicator's ``target`` flag in
  :attr:`npo_analysis.domain.indicator.IndicatorResult.pupil_scores`) times a norm of places per
  target child per domain (``places_per_target_child``). The default norm,
  :data:`DEFAULT_PLACES_PER_TARGET_CHILD` (cognitive 1, executive 0.6, social 0.8, emotional
  0.5 places a year per target child), is an assumption, not an official figure: it is the need
  rule of the Demoland generator, so that the demo finds its planted need. A municipality should
  set its own norm.
  Pupils have no home address in the data, so a pupil is counted in the neighbourhood of its
  school (``schools.neighbourhood_code``); pupils of schools without a neighbourhood are left
  out. Toddlers belong to VVE (:mod:`npo_analysis.domain.vve`), not here.
- **supply**: the places of the ``activities`` in the neighbourhood and domain. An activity
  serves every age band its age range overlaps; when it serves several bands its places are
  split over them in proportion to their need (equally when none has need). Activities outside
  every band are ignored.
- **coverage** = places / need (missing when the need is 0).

A **white spot** is a neighbourhood x domain (or, with ``by_age_band=True``, x age band) with a
need of at least ``min_need`` places and a coverage below ``max_coverage`` (defaults 10 and 0.5:
fewer than half the places needed where at least 10 are needed).

Disclosure: ``target_children`` counts a background-defined group; rows with fewer than
:data:`npo_analysis.formatting.DISCLOSURE_LIMIT` carry ``small_group = True`` and a report must
show the count as ``<10`` (:func:`npo_analysis.formatting.suppress_small`) and should not show
need or coverage for them either (need and places would reveal the count).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from npo_analysis.data.schema import DEVELOPMENT_DOMAINS
from npo_analysis.formatting import (
    DISCLOSURE_LIMIT,
    check_language,
    format_number,
    format_pct,
    suppress_small,
)

#: Age bands (label, youngest, oldest age): CBS onderbouw (up to 7) and bovenbouw (8 and older).
#: Pupils younger or older than every band are counted in the nearest band.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (("4-7", 4, 7), ("8-12", 8, 12))
#: Default norm [assumption]: activity places a year needed per target-group child, per domain.
DEFAULT_PLACES_PER_TARGET_CHILD: dict[str, float] = {
    "cognitive": 1.0, "executive": 0.6, "social": 0.8, "emotional": 0.5}
#: Columns that count a background-defined group (show ``<10``).
SUPPRESSIBLE_COUNTS: tuple[str, ...] = ("target_children",)
DOMAIN_LABELS = {
    "cognitive": ("cognitief", "cognitive"),
    "executive": ("executief", "executive"),
    "social": ("sociaal", "social"),
    "emotional": ("emotioneel", "emotional"),
}
_KEYS = ["neighbourhood_code", "domain", "age_band"]


# --- Inputs -------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, table: str, columns: list[str]) -> None:
    """Raise ``ValueError`` naming the table and its missing columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table {table!r}: missing columns {missing}")


def _norms(places_per_target_child) -> dict[str, float]:
    """The per-domain norm from a number or a mapping; checks every value."""
    if places_per_target_child is None:
        return dict(DEFAULT_PLACES_PER_TARGET_CHILD)
    if not isinstance(places_per_target_child, Mapping):
        places_per_target_child = {d: places_per_target_child for d in DEVELOPMENT_DOMAINS}
    norms = {}
    for domain in DEVELOPMENT_DOMAINS:
        value = places_per_target_child.get(domain)
        if value is None or isinstance(value, bool) or not float(value) > 0:
            raise ValueError(f"places_per_target_child[{domain!r}]={value!r}: expected a number "
                             f"> 0 for every domain {list(DEVELOPMENT_DOMAINS)}")
        norms[domain] = float(value)
    return norms


def _check_bands(age_bands) -> None:
    """Bands must be ordered, non-overlapping (label, min, max) triples."""
    previous = -1
    for band in age_bands:
        label, low, high = band
        if not (isinstance(label, str) and low <= high and low > previous):
            raise ValueError(f"age_bands: {band!r} must be (label, youngest, oldest), in order "
                             f"of age and not overlapping the previous band")
        previous = high


def band_of_age(age, age_bands=AGE_BANDS) -> np.ndarray:
    """Label of the age band of each age (ages outside every band go to the nearest one).

    Parameters
    ----------
    age : array-like of float
        Ages in years.
    age_bands : tuple of (str, int, int)
        Ordered bands (label, youngest, oldest).

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> band_of_age([3, 7, 8, 14]).tolist()
    ['4-7', '4-7', '8-12', '8-12']
    """
    starts = [low for _, low, _ in age_bands[1:]]
    labels = np.array([label for label, _, _ in age_bands], dtype=object)
    return labels[np.searchsorted(starts, np.floor(np.asarray(age, dtype=float)), side="right")]


# --- Need, supply, coverage ---------------------------------------------------------------------


def target_children_by_neighbourhood(pupil_scores: pd.DataFrame, schools: pd.DataFrame,
                                     age_bands=AGE_BANDS) -> pd.DataFrame:
    """Target-group pupils per neighbourhood (of their school) and age band.

    Parameters
    ----------
    pupil_scores : pandas.DataFrame
        Indicator child scores (``child_type, school_id, target, age``); only pupils count.
    schools : pandas.DataFrame
        The ``schools`` table (``school_id, neighbourhood_code``).
    age_bands : tuple of (str, int, int)
        Age bands.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, age_band, target_children`` for every pair with a target pupil.
    """
    _require(pupil_scores, "pupil_scores", ["child_type", "school_id", "target", "age"])
    _require(schools, "schools", ["school_id", "neighbourhood_code"])
    pupils = pupil_scores[(pupil_scores["child_type"] == "pupil").to_numpy()
                          & pupil_scores["target"].to_numpy(dtype=bool)]
    located = pupils[["school_id", "age"]].merge(
        schools[["school_id", "neighbourhood_code"]], on="school_id", how="inner"
    ).dropna(subset=["neighbourhood_code"])
    located = located.assign(age_band=band_of_age(located["age"], age_bands))
    counts = located.groupby(["neighbourhood_code", "age_band"]).size()
    return counts.rename("target_children").reset_index()


def _frame_grid(neighbourhoods: pd.DataFrame, age_bands) -> pd.DataFrame:
    """Every neighbourhood x domain x band, with the neighbourhood's municipality and name."""
    grid = pd.MultiIndex.from_product(
        [neighbourhoods["neighbourhood_code"].to_numpy(), list(DEVELOPMENT_DOMAINS),
         [label for label, _, _ in age_bands]], names=_KEYS).to_frame(index=False)
    info = neighbourhoods[["neighbourhood_code", "municipality_code", "name"]]
    return grid.merge(info, on="neighbourhood_code", how="left")


def _places(activities: pd.DataFrame, need: pd.DataFrame, age_bands) -> pd.DataFrame:
    """Activity places per neighbourhood x domain x band, multi-band places split by need."""
    acts = activities.assign(domain=activities["domain"].astype("str"))
    parts = []
    for label, low, high in age_bands:
        serves = (acts["age_min"] <= high) & (acts["age_max"] >= low)
        parts.append(acts.loc[serves, ["activity_id", "neighbourhood_code", "domain", "places"]]
                     .assign(age_band=label))
    served = pd.concat(parts, ignore_index=True).merge(
        need[_KEYS + ["need"]], on=_KEYS, how="left")
    weight = served["need"].fillna(0.0)
    total = weight.groupby(served["activity_id"]).transform("sum")
    n_bands = served.groupby("activity_id")["age_band"].transform("size")
    share = np.where(total > 0, weight / total.where(total > 0, 1.0), 1.0 / n_bands)
    served = served.assign(activity_places=served["places"] * share)
    return served.groupby(_KEYS, as_index=False)["activity_places"].sum()


def coverage_table(pupil_scores: pd.DataFrame, schools: pd.DataFrame,
                   activities: pd.DataFrame, neighbourhoods: pd.DataFrame, *,
                   places_per_target_child: float | Mapping[str, float] | None = None,
                   age_bands=AGE_BANDS) -> pd.DataFrame:
    """Need, supply and coverage per neighbourhood x development domain x age band.

    Parameters
    ----------
    pupil_scores : pandas.DataFrame
        ``compute_indicator(...).pupil_scores``.
    schools, activities, neighbourhoods : pandas.DataFrame
        The dataset's tables (all neighbourhoods appear, with or without need).
    places_per_target_child : float or mapping, optional
        Places needed per target child, one number or one per domain (default
        :data:`DEFAULT_PLACES_PER_TARGET_CHILD`).
    age_bands : tuple of (str, int, int)
        Age bands (default :data:`AGE_BANDS`).

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, municipality_code, name, domain, age_band, target_children,
        need, activity_places, coverage, small_group``, in neighbourhood, domain (schema
        order) and band order. ``coverage`` is missing where ``need`` is 0.
    """
    norms = _norms(places_per_target_child)
    _check_bands(age_bands)
    _require(activities, "activities",
             ["activity_id", "neighbourhood_code", "domain", "age_min", "age_max", "places"])
    _require(neighbourhoods, "neighbourhoods", ["neighbourhood_code", "municipality_code", "name"])
    target = target_children_by_neighbourhood(pupil_scores, schools, age_bands)
    frame = _frame_grid(neighbourhoods, age_bands).merge(
        target, on=["neighbourhood_code", "age_band"], how="left")
    children = frame["target_children"].fillna(0).astype(np.int64)
    frame = frame.assign(target_children=children,
                         need=children * frame["domain"].map(norms).astype(float))
    frame = frame.merge(_places(activities, frame, age_bands), on=_KEYS, how="left")
    places = frame["activity_places"].fillna(0.0)
    return frame.assign(
        activity_places=places,
        coverage=places / frame["need"].where(frame["need"] > 0),
        small_group=frame["target_children"] < DISCLOSURE_LIMIT,
    )


def by_domain(coverage: pd.DataFrame) -> pd.DataFrame:
    """Add up the age bands: one row per neighbourhood x domain.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`coverage_table`.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, municipality_code, name, domain, target_children, need,
        activity_places, coverage, small_group``.
    """
    keys = ["neighbourhood_code", "municipality_code", "name", "domain"]
    sums = coverage.groupby(keys, sort=False, as_index=False)[
        ["target_children", "need", "activity_places"]].sum()
    return sums.assign(coverage=sums["activity_places"] / sums["need"].where(sums["need"] > 0),
                       small_group=sums["target_children"] < DISCLOSURE_LIMIT)


def heat_map(coverage: pd.DataFrame, municipality_code: str | None = None) -> pd.DataFrame:
    """Coverage per neighbourhood (rows) x development domain (columns), bands added up.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`coverage_table`.
    municipality_code : str, optional
        Only this municipality's neighbourhoods.

    Returns
    -------
    pandas.DataFrame
        Index ``neighbourhood_code``, one column per domain (schema order), values coverage
        (missing where there is no need).
    """
    table = by_domain(coverage)
    if municipality_code is not None:
        table = table[table["municipality_code"] == municipality_code]
    wide = table.pivot(index="neighbourhood_code", columns="domain", values="coverage")
    return wide.reindex(columns=list(DEVELOPMENT_DOMAINS)).rename_axis(columns=None)


def white_spots(coverage: pd.DataFrame, *, min_need: float = 10, max_coverage: float = 0.5,
                by_age_band: bool = False) -> pd.DataFrame:
    """The white spots: need of at least ``min_need`` places with coverage below ``max_coverage``.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`coverage_table`.
    min_need : float
        Least need (places) for a pair to count (default 10).
    max_coverage : float
        Coverage below which supply falls short (default 0.5).
    by_age_band : bool
        Judge neighbourhood x domain x age band instead of neighbourhood x domain.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`coverage_table` (or :func:`by_domain`) that are white spots, plus
        ``shortfall`` (places missing to cover the need in full: ``need - activity_places``);
        lowest coverage first, ties by neighbourhood code and domain (schema order).
    """
    if not min_need >= 0:
        raise ValueError(f"min_need={min_need!r}: expected a number >= 0")
    if not max_coverage > 0:
        raise ValueError(f"max_coverage={max_coverage!r}: expected a number > 0")
    table = coverage if by_age_band else by_domain(coverage)
    spots = table[(table["need"] >= min_need) & (table["coverage"] < max_coverage)]
    spots = spots.assign(shortfall=spots["need"] - spots["activity_places"],
                         _order=spots["domain"].map(DEVELOPMENT_DOMAINS.index))
    return (spots.sort_values(["coverage", "neighbourhood_code", "_order"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


# --- Reading ------------------------------------------------------------------------------------


def describe_white_spots(spots: pd.DataFrame, coverage: pd.DataFrame,
                         max_coverage: float = 0.5, language: str = "nl") -> str:
    """A short plain reading of the white spots of one municipality (or any selection).

    Parameters
    ----------
    spots : pandas.DataFrame
        :func:`white_spots` (neighbourhood x domain).
    coverage : pandas.DataFrame
        The :func:`coverage_table` the spots came from (for the number of neighbourhoods).
    max_coverage : float
        The coverage threshold used, for the text.
    language : {"nl", "en"}
        Dutch (default) or English.

    Returns
    -------
    str
        E.g. ``"In 2 van de 5 wijken is er een witte vlek: ... Wijk A (emotioneel): 12
        plaatsen voor 40 doelgroepkinderen (dekking 30,0%)."``; counts below 10 as ``<10``.
    """
    check_language(language)
    n_total = coverage["neighbourhood_code"].nunique()
    n_spots = spots["neighbourhood_code"].nunique()
    limit = format_pct(max_coverage, 0, language)
    if spots.empty:
        return (f"Geen witte vlekken: in geen enkele wijk dekt het aanbod minder dan {limit} "
                f"van de behoefte." if language == "nl" else
                f"No white spots: in no neighbourhood does supply cover less than {limit} of "
                f"the need.")
    items = "; ".join(_spot_text(row, language) for row in spots.itertuples(index=False))
    if language == "nl":
        return (f"In {n_spots} van de {n_total} wijken is er een witte vlek (het aanbod dekt "
                f"minder dan {limit} van de behoefte): {items}.")
    return (f"{n_spots} of {n_total} neighbourhoods have a white spot (supply covers less than "
            f"{limit} of the need): {items}.")


def _spot_text(row, language: str) -> str:
    """One white spot in words; a small group shows ``<10`` children and no coverage."""
    domain = DOMAIN_LABELS[row.domain][0 if language == "nl" else 1]
    children = suppress_small(row.target_children, language=language)
    places = format_number(row.activity_places, 0, language)
    if row.small_group:
        return (f"{row.name} ({domain}): {places} plaatsen, {children} doelgroepkinderen"
                if language == "nl" else
                f"{row.name} ({domain}): {places} places, {children} target-group children")
    pct = format_pct(row.coverage, 0, language)
    if language == "nl":
        return f"{row.name} ({domain}): {places} plaatsen voor {children} doelgroepkinderen " \
               f"(dekking {pct})"
    return f"{row.name} ({domain}): {places} places for {children} target-group children " \
           f"(coverage {pct})"
