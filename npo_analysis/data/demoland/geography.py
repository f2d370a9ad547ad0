"""Municipalities, neighbourhoods and schools of Demoland, with each school's disadvantage
propensity.

Sizes come from quantile functions fitted to the real 2019 distributions (``domain.md`` sections 2
and 6). The share of disadvantaged families is a logistic model: a municipality level that rises
with size (the big cities are the most disadvantaged), a neighbourhood deviation that is wider in
bigger municipalities (segregation) and a school deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from npo_analysis.data.demoland import names
from npo_analysis.data.demoland.profiles import Profile
from npo_analysis.data.demoland.sampling import (
    group_starts,
    log_quantile,
    quantile_grid,
    rank_within,
    stream,
)
from npo_analysis.data.schema import DENOMINATIONS

#: Quantile function of pupils per municipality (real 2019: p10 1,039, p50 2,465, p90 7,011,
#: max 61,919; the 97.1% and 98.8% knots place the fifth- and tenth-largest cities).
MUNICIPALITY_PUPIL_KNOTS = (
    (0.002, 110.0), (0.10, 1039.0), (0.50, 2465.0), (0.90, 7011.0), (0.971, 15000.0),
    (0.988, 30000.0), (0.9985, 62000.0),
)
#: Quantile function of pupils per school (real: p10 74, p50 196, p90 403, max 1,815; CBS size
#: classes 2022/23: 17.5% up to 100, 95.7% up to 500, 4 schools above 1,000).
SCHOOL_PUPIL_KNOTS = (
    (0.0005, 9.0), (0.024, 40.0), (0.10, 74.0), (0.175, 100.0), (0.50, 196.0), (0.90, 403.0),
    (0.957, 500.0), (0.9993, 1000.0), (0.9999, 1800.0),
)
#: Mean of the school-size distribution above, used to decide how many schools a municipality has.
MEAN_SCHOOL_PUPILS = 222.0
#: Fewest schools ever generated with at most 40 pupils (so the CBS flag ``a`` always occurs).
MIN_TINY_SCHOOLS = 3

#: Municipalities above this many pupils (about the largest 10%) are cities: more disadvantaged.
CITY_PUPILS = 7000.0
#: Logistic model of the share of disadvantaged families (frozen after calibration).
DISADVANTAGE = {
    "intercept": -2.1,
    "per_log_size_above_city": 0.5,
    "municipality_sd": 0.45,
    "neighbourhood_sd": 0.8,
    "neighbourhood_sd_per_log_size": 0.15,
    "neighbourhood_sd_min": 0.4,
    "school_sd": 0.6,
}
#: Share of schools per denomination (roughly the real shares).
DENOMINATION_SHARES = (0.32, 0.26, 0.24, 0.07, 0.01, 0.03, 0.04, 0.03)
#: Share of school locations that are the second location (``01``) of an institution.
SECOND_LOCATION_SHARE = 0.08


@dataclass
class Geography:
    """Arrays describing municipalities (``muni_*``), neighbourhoods (``nb_*``) and schools
    (``school_*``); ``school_muni`` and ``school_nb`` index the municipality and neighbourhood
    arrays, ``nb_muni`` the municipality array."""

    muni_code: np.ndarray
    muni_name: np.ndarray
    muni_province: np.ndarray
    muni_target_pupils: np.ndarray
    nb_code: np.ndarray
    nb_name: np.ndarray
    nb_muni: np.ndarray
    nb_level: np.ndarray
    school_id: np.ndarray
    school_name: np.ndarray
    school_muni: np.ndarray
    school_nb: np.ndarray
    school_board: np.ndarray
    school_denomination: np.ndarray
    school_pupils: np.ndarray
    school_propensity: np.ndarray


def build_geography(profile: Profile, seed: int) -> Geography:
    """Lay out municipalities, neighbourhoods and schools with their sizes and propensities.

    Parameters
    ----------
    profile : Profile
        How many municipalities and how many pupils.
    seed : int
        Dataset seed.

    Returns
    -------
    Geography
    """
    rng = stream(seed, "geography")
    targets = municipality_targets(rng, profile)
    n_schools = np.maximum(2, np.rint(targets / MEAN_SCHOOL_PUPILS)).astype(np.int64)
    school_muni = np.repeat(np.arange(len(targets)), n_schools)
    sizes = school_sizes(rng, len(school_muni), profile.max_pupils)
    nb_muni, school_nb = neighbourhoods(rng, n_schools)
    nb_level, school_level = disadvantage_levels(rng, targets, nb_muni, school_nb, sizes)
    muni_code = municipality_codes(rng, len(targets))
    denominations = np.array(DENOMINATIONS, dtype=object)[
        rng.choice(len(DENOMINATIONS), size=len(school_muni), p=DENOMINATION_SHARES)]
    school_id, main_index = school_ids(rng, school_muni)
    muni_name = names.municipality_names(rng, len(targets))
    return Geography(
        muni_code=muni_code,
        muni_name=muni_name,
        muni_province=provinces(rng, muni_code),
        muni_target_pupils=targets,
        nb_code=neighbourhood_codes(muni_code, nb_muni),
        nb_name=neighbourhood_names(muni_name, nb_muni),
        nb_muni=nb_muni,
        nb_level=nb_level,
        school_id=school_id,
        school_name=names.school_names(rng, denominations),
        school_muni=school_muni,
        school_nb=school_nb,
        school_board=board_ids(rng, school_muni, main_index),
        school_denomination=denominations,
        school_pupils=sizes,
        school_propensity=expit(school_level),
    )


def municipality_targets(rng: np.random.Generator, profile: Profile) -> np.ndarray:
    """Return the intended number of pupils of each municipality (float)."""
    targets = log_quantile(quantile_grid(rng, profile.n_municipalities),
                           MUNICIPALITY_PUPIL_KNOTS)
    if profile.pupil_total is not None:
        targets = targets * profile.pupil_total / targets.sum()
    return targets


def school_sizes(rng: np.random.Generator, n: int, max_pupils: int | None) -> np.ndarray:
    """Return ``n`` school sizes (pupils, int64) in random order.

    At least :data:`MIN_TINY_SCHOOLS` schools have 40 pupils or fewer; when ``max_pupils`` is set
    the sizes are scaled down until their total fits.
    """
    sizes = np.rint(log_quantile(quantile_grid(rng, n), SCHOOL_PUPIL_KNOTS)).astype(np.int64)
    smallest = np.argsort(sizes, kind="stable")[: min(MIN_TINY_SCHOOLS, n)]
    sizes[smallest] = np.minimum(sizes[smallest], rng.integers(12, 41, len(smallest)))
    if max_pupils is not None and sizes.sum() > max_pupils:
        sizes = np.maximum(8, np.floor(sizes * max_pupils / sizes.sum()).astype(np.int64))
    return sizes


def _log_size_above_city(targets: np.ndarray) -> np.ndarray:
    """Log of pupils over :data:`CITY_PUPILS` (0 for smaller municipalities)."""
    return np.maximum(0.0, np.log(targets / CITY_PUPILS))


def neighbourhood_sd(targets: np.ndarray) -> np.ndarray:
    """Spread of neighbourhood logits inside each municipality: wider in bigger ones."""
    log_size = np.log(targets / MUNICIPALITY_PUPIL_KNOTS[2][1])
    return np.maximum(DISADVANTAGE["neighbourhood_sd_min"], DISADVANTAGE["neighbourhood_sd"]
                      + DISADVANTAGE["neighbourhood_sd_per_log_size"] * log_size)


def disadvantage_levels(rng: np.random.Generator, targets: np.ndarray, nb_muni: np.ndarray,
                        school_nb: np.ndarray, sizes: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Logits of the share of disadvantaged families per neighbourhood and per school.

    Neighbourhood and school deviations are centred (pupil-weighted) inside each municipality,
    so the municipality level alone sets where the municipality lies and segregation only
    spreads its schools around it.

    Returns
    -------
    nb_level, school_level : numpy.ndarray
    """
    muni_level = municipality_levels(rng, targets)
    nb_dev = rng.normal(0.0, neighbourhood_sd(targets)[nb_muni])
    school_dev = nb_dev[school_nb] + rng.normal(0.0, DISADVANTAGE["school_sd"], len(school_nb))
    school_muni = nb_muni[school_nb]
    weighted = np.bincount(school_muni, weights=school_dev * sizes, minlength=len(targets))
    centre = weighted / np.bincount(school_muni, weights=sizes, minlength=len(targets))
    return muni_level[nb_muni] + nb_dev - centre[nb_muni], \
        muni_level[school_muni] + school_dev - centre[school_muni]


def municipality_levels(rng: np.random.Generator, targets: np.ndarray) -> np.ndarray:
    """Return each municipality's logit of the share of disadvantaged families."""
    return (DISADVANTAGE["intercept"]
            + DISADVANTAGE["per_log_size_above_city"] * _log_size_above_city(targets)
            + rng.normal(0.0, DISADVANTAGE["municipality_sd"], len(targets)))


def neighbourhoods(rng: np.random.Generator, n_schools: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Create 2-20 neighbourhoods per municipality and place every school in one of them.

    Every neighbourhood gets at least one school, so its resident children are never zero.

    Returns
    -------
    nb_muni : numpy.ndarray
        Municipality index of each neighbourhood.
    school_nb : numpy.ndarray
        Neighbourhood index of each school.
    """
    n_nb = np.clip(np.rint(1 + n_schools / 4), 2, 20).astype(np.int64)
    n_nb = np.minimum(n_nb, n_schools)
    nb_muni = np.repeat(np.arange(len(n_schools)), n_nb)
    school_muni = np.repeat(np.arange(len(n_schools)), n_schools)
    position = np.arange(len(school_muni)) - group_starts(n_schools)[school_muni]
    local = np.where(position < n_nb[school_muni], position,
                     np.floor(rng.random(len(school_muni)) * n_nb[school_muni]).astype(np.int64))
    return nb_muni, group_starts(n_nb)[school_muni] + local


def municipality_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` distinct codes ``GM`` + 4 digits, in increasing order."""
    numbers = np.sort(rng.choice(np.arange(3, 2000), size=n, replace=False))
    return np.array([f"GM{k:04d}" for k in numbers], dtype=object)


def provinces(rng: np.random.Generator, muni_code: np.ndarray) -> np.ndarray:
    """Assign provinces to blocks of consecutive municipality codes (like the real numbering)."""
    order = rng.permutation(len(names.PROVINCES))
    block = np.arange(len(muni_code)) * len(names.PROVINCES) // len(muni_code)
    return np.array(names.PROVINCES, dtype=object)[order[block]]


def neighbourhood_codes(muni_code: np.ndarray, nb_muni: np.ndarray) -> np.ndarray:
    """Return ``WK`` + the municipality's 4 digits + a 2-digit number (01, 02, ...)."""
    number = rank_within(nb_muni, np.arange(len(nb_muni))) + 1
    return np.array([f"WK{muni_code[m][2:]}{k:02d}" for m, k in zip(nb_muni, number, strict=True)],
                    dtype=object)


def neighbourhood_names(muni_name: np.ndarray, nb_muni: np.ndarray) -> np.ndarray:
    """Return '<municipality> <district>' for every neighbourhood."""
    number = rank_within(nb_muni, np.arange(len(nb_muni)))
    districts = np.array(names.DISTRICTS, dtype=object)[number]
    return muni_name[nb_muni] + " " + districts


def school_ids(rng: np.random.Generator, school_muni: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Return unique BRIN6 codes and, per school, the index of its institution's main location.

    About :data:`SECOND_LOCATION_SHARE` of the schools are the second location (``01``) of the
    school before them in the same municipality.
    """
    n = len(school_muni)
    position = rank_within(school_muni, np.arange(n))
    second = (position % 2 == 1) & (rng.random(n) < 2 * SECOND_LOCATION_SHARE)
    main_index = np.where(second, np.arange(n) - 1, np.arange(n))
    codes = rng.choice(100 * 26 * 26, size=n, replace=False)
    letters = np.array([chr(ord("A") + i) for i in range(26)], dtype=object)
    institution = np.array([f"{c // 676:02d}" for c in codes], dtype=object) + \
        letters[(codes // 26) % 26] + letters[codes % 26]
    location = np.where(second, "01", "00").astype(object)
    return institution[main_index] + location, main_index


def board_ids(rng: np.random.Generator, school_muni: np.ndarray, main_index: np.ndarray
              ) -> np.ndarray:
    """Return a 5-digit board number per school: about 8 schools per board within a municipality;
    a second location belongs to the board of its main location."""
    n_schools = np.bincount(school_muni)
    n_boards = np.maximum(1, np.rint(n_schools / 8)).astype(np.int64)
    numbers = rng.choice(np.arange(10000, 100000), size=n_boards.sum(), replace=False)
    local = np.floor(rng.random(len(school_muni)) * n_boards[school_muni]).astype(np.int64)
    board = numbers[group_starts(n_boards)[school_muni] + local]
    board = board[main_index]
    return np.array([f"{b:05d}" for b in board], dtype=object)
