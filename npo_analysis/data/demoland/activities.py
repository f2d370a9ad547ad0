"""The ``activities`` table: enriching activities per neighbourhood x development domain, with
planted white spots.

Need per neighbourhood x domain = ``ceil(NEED_PER_TARGET_PUPIL[domain] * target)``, where
``target`` is the number of target-group pupils at the neighbourhood's schools (the per-pair
values are in ``truth["activities"]["need"]``). Outside the white spots the places offered
cover the need (1.05-1.6 times it). White spots (``truth["white_spots"]``) are pairs with high
need and no supply, or a single activity with at most 30% of the need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import split_integer, stream
from npo_analysis.data.schema import DEVELOPMENT_DOMAINS, PROVIDER_TYPES

NEED_PER_TARGET_PUPIL = {"cognitive": 1.0, "executive": 0.6, "social": 0.8, "emotional": 0.5}
#: Share of all neighbourhood x domain pairs that are white spots.
WHITE_SPOT_SHARE = 0.03
#: A white spot is drawn from pairs with at least this need and need in the top quarter.
WHITE_SPOT_MIN_NEED = 10
COVER_RANGE = (1.05, 1.6)
AGE_RANGES = ((4, 7), (8, 12), (4, 12))
#: P(provider type) per development domain (order of ``schema.PROVIDER_TYPES``:
#: library, sport, culture, youth_health, childcare, welfare, school).
PROVIDER_PROBS = {
    "cognitive": (0.45, 0.0, 0.1, 0.0, 0.1, 0.05, 0.3),
    "executive": (0.1, 0.35, 0.1, 0.0, 0.1, 0.05, 0.3),
    "social": (0.05, 0.35, 0.25, 0.0, 0.1, 0.15, 0.1),
    "emotional": (0.0, 0.1, 0.2, 0.3, 0.1, 0.25, 0.05),
}
COST_PER_PLACE = {"library": 60, "sport": 120, "culture": 180, "youth_health": 250,
                  "childcare": 300, "welfare": 150, "school": 100}
PROVIDER_LABEL = {"library": "Bibliotheek", "sport": "Sportbedrijf", "culture": "Cultuurhuis",
                  "youth_health": "Jeugdgezondheidszorg", "childcare": "Kinderopvang",
                  "welfare": "Welzijn", "school": "Brede school"}


def need_per_pair(geo: Geography, target_per_school: np.ndarray) -> np.ndarray:
    """Places needed per neighbourhood (rows) x development domain (columns)."""
    target = np.bincount(geo.school_nb, weights=target_per_school, minlength=len(geo.nb_code))
    weights = np.array([NEED_PER_TARGET_PUPIL[d] for d in DEVELOPMENT_DOMAINS])
    return np.ceil(target[:, None] * weights[None, :] - 1e-9).astype(np.int64)


def choose_white_spots(rng: np.random.Generator, need: np.ndarray) -> np.ndarray:
    """Flag about :data:`WHITE_SPOT_SHARE` of the pairs, among those with high need."""
    flat = need.reshape(-1)
    cut = max(WHITE_SPOT_MIN_NEED, np.percentile(flat[flat > 0], 75) if (flat > 0).any() else 0)
    candidates = np.flatnonzero(flat >= cut)
    n_spots = min(len(candidates), max(1, round(WHITE_SPOT_SHARE * flat.size)))
    flags = np.zeros(flat.size, dtype=bool)
    flags[rng.choice(candidates, size=n_spots, replace=False)] = True
    return flags.reshape(need.shape)


def supply_plan(rng: np.random.Generator, need: np.ndarray, white: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Number of activities and total places per pair (flattened)."""
    flat_need, flat_white = need.reshape(-1), white.reshape(-1)
    n = flat_need.size
    n_act = np.where(flat_need > 0, rng.integers(1, 4, n), rng.integers(0, 2, n))
    places = np.where(flat_need > 0, np.ceil(flat_need * rng.uniform(*COVER_RANGE, n)),
                      rng.integers(10, 31, n))
    white_none = flat_white & (rng.random(n) < 0.5)
    n_act = np.where(flat_white, np.where(white_none, 0, 1), n_act)
    places = np.where(flat_white, np.floor(flat_need * rng.uniform(0.05, 0.3, n)), places)
    return n_act, np.maximum(places, 3 * n_act).astype(np.int64)


def build_activities(geo: Geography, target_per_school: np.ndarray, seed: int
                     ) -> tuple[pd.DataFrame, dict, list[dict]]:
    """Return the ``activities`` table, its truth and the white spots.

    Parameters
    ----------
    geo : Geography
    target_per_school : numpy.ndarray
        Target-group pupils per school.
    seed : int
    """
    rng = stream(seed, "activities")
    need = need_per_pair(geo, target_per_school)
    white = choose_white_spots(rng, need)
    n_act, places = supply_plan(rng, need, white)
    pair = np.repeat(np.arange(n_act.size), n_act)
    used = np.arange(3)[None, :] < n_act[:, None]
    weights = np.where(used, rng.gamma(3.0, 1.0, (n_act.size, 3)), 0.0)
    weights[n_act == 0, 0] = 1.0
    split = split_integer(places, weights)
    per_activity = split[used]
    frame = activities_frame(rng, geo, pair, per_activity)
    spots = [{"neighbourhood_code": geo.nb_code[i // len(DEVELOPMENT_DOMAINS)],
              "domain": DEVELOPMENT_DOMAINS[i % len(DEVELOPMENT_DOMAINS)]}
             for i in np.flatnonzero(white.reshape(-1))]
    return frame, activities_truth(geo, need), spots


def activities_frame(rng: np.random.Generator, geo: Geography, pair: np.ndarray,
                     places: np.ndarray) -> pd.DataFrame:
    """Build the table rows, one per activity of ``pair`` (neighbourhood x domain index)."""
    n = len(pair)
    nb, domain = pair // len(DEVELOPMENT_DOMAINS), pair % len(DEVELOPMENT_DOMAINS)
    probs = np.array([PROVIDER_PROBS[d] for d in DEVELOPMENT_DOMAINS])
    cumulative = np.cumsum(probs, axis=1)[domain]
    ptype = (rng.random(n)[:, None] >= cumulative[:, :-1]).sum(axis=1)
    type_names = np.array(PROVIDER_TYPES, dtype=object)[ptype]
    ages = np.array(AGE_RANGES)[rng.integers(0, len(AGE_RANGES), n)]
    muni_name = geo.muni_name[geo.nb_muni[nb]]
    cost = np.array([COST_PER_PLACE[t] for t in PROVIDER_TYPES])[ptype]
    return typed_frame("activities", {
        "activity_id": np.array([f"ACT{k:06d}" for k in range(1, n + 1)], dtype=object),
        "provider": np.array([f"{PROVIDER_LABEL[t]} {m}" for t, m in
                              zip(type_names, muni_name, strict=True)], dtype=object),
        "provider_type": ptype,
        "domain": domain,
        "age_min": ages[:, 0],
        "age_max": ages[:, 1],
        "neighbourhood_code": geo.nb_code[nb],
        "places": places,
        "cost_eur": np.rint(places * cost * rng.uniform(0.8, 1.25, n)),
    })


def activities_truth(geo: Geography, need: np.ndarray) -> dict:
    """The need rule and the need of every neighbourhood x domain pair."""
    return {
        "need_rule": "need = ceil(need_per_target_pupil[domain] * target-group pupils at the "
                     "neighbourhood's schools (school_target_share * pupils))",
        "need_per_target_pupil": dict(NEED_PER_TARGET_PUPIL),
        "coverage_rule": "outside white_spots, places per neighbourhood x domain >= need",
        "white_spot_rule": "high-need pair with no activity, or one activity with at most 30% "
                           "of the need",
        "need": {code: dict(zip(DEVELOPMENT_DOMAINS, row.tolist(), strict=True))
                 for code, row in zip(geo.nb_code.tolist(), need, strict=True)},
    }
