"""The ``municipalities``, ``neighbourhoods`` and ``schools`` tables, built from the geography and
the children generated in it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import stream

#: Inhabitants per primary pupil (uniform range).
INHABITANTS_PER_PUPIL = (60.0, 90.0)
#: Pupil counts separating urbanity classes 5 (not urban) ... 1 (very strongly urban).
URBANITY_PUPIL_EDGES = (1500.0, 3000.0, 8000.0, 25000.0)
#: Children aged 0-3 per toddler aged 2.5-4 (four birth cohorts against one and a half).
CHILDREN_0_3_PER_TODDLER = 8.0 / 3.0


def low_income_share(rng: np.random.Generator, propensity: np.ndarray) -> np.ndarray:
    """Share of low-income households: rises with the share of disadvantaged families."""
    noise = rng.normal(0.0, 0.01, len(propensity))
    return np.round(np.clip(0.03 + 0.35 * propensity + noise, 0.01, 0.6), 3)


def municipalities_frame(geo: Geography, seed: int) -> pd.DataFrame:
    """Return the ``municipalities`` table.

    Population is 60-90 inhabitants per pupil; urbanity follows size (with noise); the low-income
    share follows the pupil-weighted disadvantage propensity.
    """
    rng = stream(seed, "municipalities")
    pupils = np.bincount(geo.school_muni, weights=geo.school_pupils,
                         minlength=len(geo.muni_code))
    weighted = np.bincount(geo.school_muni, weights=geo.school_pupils * geo.school_propensity,
                           minlength=len(geo.muni_code))
    log_size = np.log(pupils) + rng.normal(0.0, 0.3, len(pupils))
    urbanity = 5 - np.searchsorted(np.log(URBANITY_PUPIL_EDGES), log_size)
    return typed_frame("municipalities", {
        "municipality_code": geo.muni_code,
        "name": geo.muni_name,
        "province": geo.muni_province,
        "population": np.rint(pupils * rng.uniform(*INHABITANTS_PER_PUPIL, len(pupils))),
        "urbanity": urbanity,
        "low_income_share": low_income_share(rng, weighted / pupils),
    })


def neighbourhood_propensity(geo: Geography) -> np.ndarray:
    """Pupil-weighted mean disadvantage propensity of each neighbourhood's schools."""
    n_nb = len(geo.nb_code)
    weighted = np.bincount(geo.school_nb, weights=geo.school_pupils * geo.school_propensity,
                           minlength=n_nb)
    return weighted / np.bincount(geo.school_nb, weights=geo.school_pupils, minlength=n_nb)


def neighbourhoods_frame(geo: Geography, toddlers_per_nb: np.ndarray, seed: int
                         ) -> pd.DataFrame:
    """Return the ``neighbourhoods`` table.

    ``children_4_11`` = pupils of the schools in the neighbourhood; ``children_0_3`` = its
    toddlers (2.5-4) times 8/3, rounded.
    """
    rng = stream(seed, "neighbourhoods")
    pupils = np.bincount(geo.school_nb, weights=geo.school_pupils, minlength=len(geo.nb_code))
    return typed_frame("neighbourhoods", {
        "neighbourhood_code": geo.nb_code,
        "municipality_code": geo.muni_code[geo.nb_muni],
        "name": geo.nb_name,
        "children_0_3": np.rint(toddlers_per_nb * CHILDREN_0_3_PER_TODDLER),
        "children_4_11": pupils,
        "low_income_share": low_income_share(rng, neighbourhood_propensity(geo)),
    })


def schools_frame(geo: Geography) -> pd.DataFrame:
    """Return the ``schools`` table (``pupils`` equals the school's rows in ``pupils``)."""
    return typed_frame("schools", {
        "school_id": geo.school_id,
        "name": geo.school_name,
        "municipality_code": geo.muni_code[geo.school_muni],
        "neighbourhood_code": geo.nb_code[geo.school_nb],
        "board_id": geo.school_board,
        "denomination": geo.school_denomination,
        "pupils": geo.school_pupils,
    })
