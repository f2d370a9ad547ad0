"""VVE locations and who takes a VE place, with planted differences in reach, hours and quality.

Planted effects (recorded in ``truth["vve"]``):

- reach: each indicated toddler takes a place with the neighbourhood's planted probability; most
  neighbourhoods 0.78-0.95, about one in five 0.40-0.72 (``low_reach_neighbourhoods``);
- non-indicated toddlers also take places (probability :data:`NON_INDICATED_TAKE_UP`);
- hours: most locations 16 hours a week, some 10 or 12 (``short_hours_locations``);
- quality: weak providers (``weak_providers``) score 1-2 on the quality domains, others mostly 3-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import group_starts, rank_within, stream
from npo_analysis.data.demoland.toddlers import ToddlerArrays
from npo_analysis.data.schema import VVE_QUALITY_DOMAINS

LOW_REACH_SHARE = 0.2
NORMAL_REACH = (0.78, 0.95)
LOW_REACH = (0.40, 0.72)
NON_INDICATED_TAKE_UP = 0.08
#: Indicated toddlers per extra location in a neighbourhood (at most 4 locations).
INDICATED_PER_LOCATION = 25
SCHOOL_LOCATION_SHARE = 0.35
SHORT_HOURS_SHARE = 0.15
WEAK_PROVIDER_SHARE = 0.06
#: Mean quality score of normal and of weak providers (normal noise sd 0.6, rounded, 1-4).
QUALITY_MEAN = (3.2, 1.8)


def build_vve(geo: Geography, toddlers: ToddlerArrays, seed: int
              ) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Create the VVE locations and place toddlers in them.

    Returns
    -------
    locations : pandas.DataFrame
        The ``vve_locations`` table.
    toddler_location : numpy.ndarray of object
        Location id per toddler, ``None`` when the toddler has no VE place.
    truth : dict
        The planted reach, hours and quality effects.
    """
    rng = stream(seed, "vve")
    n_nb = len(geo.nb_code)
    indicated = np.bincount(toddlers.nb[toddlers.indicated], minlength=n_nb)
    n_loc = np.where(indicated > 0, np.minimum(4, 1 + indicated // INDICATED_PER_LOCATION), 0)
    low = rng.random(n_nb) < LOW_REACH_SHARE
    reach = np.round(np.where(low, rng.uniform(*LOW_REACH, n_nb),
                              rng.uniform(*NORMAL_REACH, n_nb)), 3)
    location = place_toddlers(rng, toddlers, reach, n_loc)
    loc_nb = np.repeat(np.arange(n_nb), n_loc)
    occupied = np.bincount(location[location >= 0], minlength=len(loc_nb))
    ids = location_ids(geo, loc_nb)
    frame, truth = locations_frame(rng, geo, loc_nb, ids, occupied)
    toddler_location = np.where(location >= 0, ids[np.maximum(location, 0)], None)
    truth.update({
        "planted_reach": dict(zip(geo.nb_code.tolist(), reach.tolist(), strict=True)),
        "low_reach_neighbourhoods": geo.nb_code[low & (indicated > 0)].tolist(),
        "reach_rule": "each indicated toddler takes a place in its own neighbourhood with the "
                      "neighbourhood's planted_reach probability",
        "non_indicated_take_up": NON_INDICATED_TAKE_UP,
    })
    return frame, toddler_location, truth


def place_toddlers(rng: np.random.Generator, toddlers: ToddlerArrays, reach: np.ndarray,
                   n_loc: np.ndarray) -> np.ndarray:
    """Return each toddler's location index (locations in neighbourhood order), -1 if none."""
    nb = toddlers.nb
    p_place = np.where(toddlers.indicated, reach[nb], NON_INDICATED_TAKE_UP)
    placed = (rng.random(len(nb)) < p_place) & (n_loc[nb] > 0)
    local = np.floor(rng.random(len(nb)) * n_loc[nb]).astype(np.int64)
    return np.where(placed, group_starts(n_loc)[nb] + local, -1)


def location_ids(geo: Geography, loc_nb: np.ndarray) -> np.ndarray:
    """``VE`` + municipality digits + 3-digit number within the municipality."""
    muni = geo.nb_muni[loc_nb]
    number = rank_within(muni, np.arange(len(loc_nb))) + 1
    return np.array([f"VE{geo.muni_code[m][2:]}{k:03d}" for m, k in
                     zip(muni, number, strict=True)], dtype=object)


def locations_frame(rng: np.random.Generator, geo: Geography, loc_nb: np.ndarray,
                    ids: np.ndarray, occupied: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """Build the ``vve_locations`` table with places, hours and quality scores."""
    n = len(loc_nb)
    is_school = rng.random(n) < SCHOOL_LOCATION_SHARE
    provider = provider_names(rng, geo, loc_nb, is_school)
    unique_providers = np.unique(provider)
    weak = unique_providers[rng.random(len(unique_providers)) < WEAK_PROVIDER_SHARE]
    is_weak = np.isin(provider, weak)
    short = rng.random(n) < SHORT_HOURS_SHARE
    hours = np.where(short, rng.choice([10.0, 12.0], n), 16.0)
    columns = {
        "location_id": ids,
        "provider": provider,
        "type": np.where(is_school, 1, 0),
        "neighbourhood_code": geo.nb_code[loc_nb],
        "ve_places": np.maximum(8, np.ceil(occupied * rng.uniform(1.0, 1.25, n))),
        "hours_per_week": hours,
    }
    mean = np.where(is_weak, QUALITY_MEAN[1], QUALITY_MEAN[0])
    for domain in VVE_QUALITY_DOMAINS:
        columns[f"quality_{domain}"] = np.clip(np.rint(rng.normal(mean, 0.6)), 1, 4)
    truth = {"short_hours_locations": ids[short].tolist(), "weak_providers": weak.tolist(),
             "quality_mean": {"normal": QUALITY_MEAN[0], "weak": QUALITY_MEAN[1]}}
    return typed_frame("vve_locations", columns), truth


def provider_names(rng: np.random.Generator, geo: Geography, loc_nb: np.ndarray,
                   is_school: np.ndarray) -> np.ndarray:
    """Childcare locations belong to one of a few childcare organisations per municipality;
    school locations to the board of a school in the same neighbourhood."""
    muni = geo.nb_muni[loc_nb]
    per_muni = np.bincount(muni, minlength=len(geo.muni_code))
    n_orgs = 1 + per_muni // 8
    org = np.floor(rng.random(len(loc_nb)) * n_orgs[muni]).astype(np.int64) + 1
    childcare = np.array([f"Kinderopvang {geo.muni_name[m]} {k}" for m, k in
                          zip(muni, org, strict=True)], dtype=object)
    first_school = np.full(len(geo.nb_code), -1)
    first_school[geo.school_nb[::-1]] = np.arange(len(geo.school_nb))[::-1]
    boards = geo.school_board[first_school[loc_nb]]
    school = np.array([f"Schoolbestuur {b}" for b in boards], dtype=object)
    return np.where(is_school, school, childcare)
