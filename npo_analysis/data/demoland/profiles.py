"""Size profiles of Demoland: ``tiny`` for tests, ``small`` for quick demos, ``national`` at the
scale of the Netherlands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How big a generated Demoland is.

    Parameters
    ----------
    name : str
        Profile name.
    n_municipalities : int
        Number of municipalities.
    pupil_total : int or None
        When set, municipal sizes are scaled so that their targets add up to about this many
        pupils; ``None`` keeps the national size distribution unscaled.
    max_pupils : int or None
        Hard upper limit on the number of pupils (school sizes are scaled down when exceeded).
    description : str
        One line for people.
    """

    name: str
    n_municipalities: int
    pupil_total: int | None
    max_pupils: int | None
    description: str


#: The available profiles by name.
PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("tiny", 6, 7_000, 10_000,
                "6 municipalities, about 7,000 pupils: for tests (well under 3 s)."),
        Profile("small", 40, None, None,
                "40 municipalities, about 150,000 pupils: for quick demos (a few seconds)."),
        Profile("national", 342, None, None,
                "342 municipalities, about 6,100 schools and 1.36 million pupils."),
    )
}


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``.

    Raises
    ------
    ValueError
        When no profile has that name (the message lists the valid names).
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"profile={name!r} is unknown; expected one of {sorted(PROFILES)}"
        ) from None
