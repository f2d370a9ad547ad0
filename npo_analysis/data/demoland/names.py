"""Invented place and school names: made-up syllable compounds, clearly not real places."""

from __future__ import annotations

import numpy as np

#: Nonsense first parts of municipality names.
_PREFIXES: tuple[str, ...] = (
    "Brummel", "Kwakkel", "Plommer", "Vreugel", "Knorre", "Tjabbel", "Quirre", "Wobbel",
    "Snipper", "Grompel", "Flinter", "Murrel", "Zwabber", "Klinkel", "Drommel", "Fladder",
    "Gniffel", "Hobbel", "Jorrel", "Kribbel", "Lubber", "Mieuwel", "Nibbel", "Pruttel",
    "Ruffel", "Schobbel", "Trimmel", "Uizel", "Vrommel", "Wiebel", "Xander", "Yzerel",
    "Zoemel", "Bonkel", "Dribbel", "Frummel", "Giechel", "Knabbel", "Rommel", "Slurpel",
)
#: Second parts of municipality names.
_SUFFIXES: tuple[str, ...] = (
    "hoven", "wijk", "dam", "mere", "horst", "veen", "kerk", "brug", "loo", "rode", "hem",
    "sum", "stede", "hout", "broek", "zijl", "dorp", "gaard", "wold", "koop", "oord", "stein",
    "beek", "weerd", "haven", "burg", "drecht", "lingen", "um", "ward",
)
#: The twelve invented provinces of Demoland.
PROVINCES: tuple[str, ...] = (
    "Kwelmarke", "Hoogzandt", "Noordervlist", "Vlietmark", "Oostergouw", "Zuidermoer",
    "Duinmarke", "Turfgouw", "Klaverstreek", "Rivierlande", "Heidemarke", "Polderzoom",
)
#: Districts used to name neighbourhoods, in the order a municipality uses them.
DISTRICTS: tuple[str, ...] = (
    "Centrum", "Noord", "Oost", "Zuid", "West", "Buitengebied", "Haven", "Molenwijk",
    "Kerkbuurt", "Stationskwartier", "Veld", "Hoogte", "Dijk", "Park", "Beek", "Akker", "Bos",
    "Kamp", "Weide", "Laan",
)
#: School-name prefix per denomination (as in DUO's naming habits).
SCHOOL_PREFIX: dict[str, str] = {
    "Openbaar": "OBS",
    "Rooms-Katholiek": "RKBS",
    "Protestants-Christelijk": "CBS",
    "Algemeen bijzonder": "Basisschool",
    "Islamitisch": "IBS",
    "Reformatorisch": "Ref. BS",
    "Interconfessioneel": "ICBS",
    "Samenwerking": "SWS",
}
_SCHOOL_NOUNS: tuple[str, ...] = (
    "Regenboog", "Wegwijzer", "Vlinder", "Zonnewijzer", "Kameleon", "Notenkraker", "Klimop",
    "Springplank", "Horizon", "Toverfluit", "Zevensprong", "Sterrenkijker", "Ontdekking",
    "Windroos", "Fontein", "Tweemaster", "Boomgaard", "Linde", "Esdoorn", "Meander", "Kompas",
    "Vuurvogel", "Piramide", "Pluim", "Bongerd", "Klaproos", "Vlieger", "Bijenkorf",
    "Wilgenhof", "Zeppelin",
)


def municipality_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` distinct invented municipality names (prefix + suffix compounds).

    Raises
    ------
    ValueError
        When more names are asked than the syllable lists can form.
    """
    available = len(_PREFIXES) * len(_SUFFIXES)
    if n > available:
        raise ValueError(f"n={n} municipality names asked; at most {available} can be formed")
    picks = rng.choice(available, size=n, replace=False)
    prefixes = np.array(_PREFIXES, dtype=object)[picks // len(_SUFFIXES)]
    suffixes = np.array(_SUFFIXES, dtype=object)[picks % len(_SUFFIXES)]
    return prefixes + suffixes


def school_names(rng: np.random.Generator, denominations: np.ndarray) -> np.ndarray:
    """Return one invented school name per school, prefixed by its denomination's abbreviation."""
    prefixes = np.array([SCHOOL_PREFIX[d] for d in denominations], dtype=object)
    nouns = np.array(_SCHOOL_NOUNS, dtype=object)[rng.integers(0, len(_SCHOOL_NOUNS),
                                                              len(denominations))]
    return prefixes + " De " + nouns
