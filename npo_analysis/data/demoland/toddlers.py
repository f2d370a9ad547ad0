"""The ``toddlers`` table: resident children aged 2.5-4 per neighbourhood, with a family
background drawn like that of the neighbourhood's pupils and a VE indication by the
municipality's own definition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.families import Backgrounds, draw_backgrounds
from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.places import neighbourhood_propensity
from npo_analysis.data.demoland.sampling import stream
from npo_analysis.data.schema import EDUCATION_RANK, ORIGINS

#: Primary pupils per toddler aged 2.5-4 (eight grades against one and a half birth cohorts).
PUPILS_PER_TODDLER = 5.5
#: The VE target-group definitions municipalities choose from (rules use the TRUE education).
INDICATION_DEFINITIONS: dict[str, str] = {
    "parent_low_education": "a parent with at most vmbo_mbo1",
    "both_parents_low_education_or_refugee":
        "both parents with at most vmbo_mbo1, or origin refugee_countries",
    "parent_low_education_or_recent_arrival":
        "a parent with at most vmbo_mbo1, or a mother less than 4 years in the Netherlands",
}
#: Share of children indicated for other reasons (e.g. a language delay seen by youth health care).
OTHER_REFERRAL_RATE = 0.02
_LOW = EDUCATION_RANK["vmbo_mbo1"] - 1
_REFUGEE = ORIGINS.index("refugee_countries")


@dataclass
class ToddlerArrays:
    """Per-toddler arrays: neighbourhood index, age, background and VE indication; plus each
    municipality's chosen definition (index into :data:`INDICATION_DEFINITIONS`)."""

    nb: np.ndarray
    age: np.ndarray
    backgrounds: Backgrounds
    indicated: np.ndarray
    muni_definition: np.ndarray


def draw_toddlers(geo: Geography, seed: int) -> ToddlerArrays:
    """Draw the toddlers of every neighbourhood (Poisson, mean pupils / 5.5)."""
    rng = stream(seed, "toddlers")
    pupils = np.bincount(geo.school_nb, weights=geo.school_pupils, minlength=len(geo.nb_code))
    counts = rng.poisson(pupils / PUPILS_PER_TODDLER)
    nb = np.repeat(np.arange(len(counts)), counts)
    bg = draw_backgrounds(rng, neighbourhood_propensity(geo)[nb])
    definition = rng.integers(0, len(INDICATION_DEFINITIONS), len(geo.muni_code))
    indicated = indication(definition[geo.nb_muni[nb]], bg) | (rng.random(len(nb))
                                                              < OTHER_REFERRAL_RATE)
    return ToddlerArrays(nb=nb, age=np.round(rng.uniform(2.5, 4.0, len(nb)), 2),
                         backgrounds=bg, indicated=indicated, muni_definition=definition)


def indication(definition: np.ndarray, bg: Backgrounds) -> np.ndarray:
    """Apply each child's municipal definition (index into :data:`INDICATION_DEFINITIONS`)."""
    mother_low = bg.mother_true <= _LOW
    father_low = bg.father_true <= _LOW
    rules = np.vstack([
        mother_low | father_low,
        (mother_low & father_low) | (bg.origin == _REFUGEE),
        mother_low | father_low | (bg.mother_years_in_nl < 4.0),
    ])
    return rules[definition, np.arange(len(definition))]


def indication_truth(geo: Geography, toddlers: ToddlerArrays) -> dict:
    """The definitions and which municipality uses which (for ``truth``)."""
    labels = list(INDICATION_DEFINITIONS)
    return {
        "definitions": dict(INDICATION_DEFINITIONS),
        "other_referral_rate": OTHER_REFERRAL_RATE,
        "by_municipality": {code: labels[k] for code, k in
                            zip(geo.muni_code, toddlers.muni_definition, strict=True)},
    }


def toddlers_frame(geo: Geography, toddlers: ToddlerArrays, location: np.ndarray
                   ) -> pd.DataFrame:
    """Return the ``toddlers`` table (ids 1, 2, ... in neighbourhood order).

    Parameters
    ----------
    location : numpy.ndarray of object
        VVE location id per toddler, ``None`` when the toddler has no VE place.
    """
    bg = toddlers.backgrounds
    return typed_frame("toddlers", {
        "toddler_id": np.arange(1, len(toddlers.nb) + 1),
        "neighbourhood_code": geo.nb_code[toddlers.nb],
        "age": toddlers.age,
        "mother_education": bg.mother_observed,
        "father_education": bg.father_observed,
        "origin": bg.origin,
        "mother_years_in_nl": bg.mother_years_in_nl,
        "debt_restructuring": bg.debt_restructuring,
        "ve_indication": toddlers.indicated,
        "ve_location_id": location,
    })
