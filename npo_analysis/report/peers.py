"""The peer group of a municipality, by the one peer rule of :mod:`npo_analysis.benchmark`.

The default rule (:func:`npo_analysis.benchmark.peer_rule` states it in plain words): the ``k``
(default :data:`DEFAULT_PEERS` = 10) municipalities nearest to it in four standardised
characteristics: size (log of the number of pupils), the share of target-group children,
urbanity and the share of low-income households. A municipality's own choice (``peers`` in its
``params/municipalities/<code>.yaml``, or the report parameter) replaces the default. This module
only chooses between the two; the rule itself lives in :mod:`npo_analysis.benchmark`. A public
dataset has no urbanity and no low-income share: the rule then uses the two characteristics it
has (:func:`peer_characteristics`).
"""

from __future__ import annotations

import pandas as pd

from npo_analysis import benchmark

#: Default size of the peer group (the benchmark's ``k``).
DEFAULT_PEERS = benchmark.DEFAULT_K


def default_peers(profile: pd.DataFrame, code: str, k: int = DEFAULT_PEERS) -> list[str]:
    """The ``k`` municipalities nearest to ``code`` (:func:`npo_analysis.benchmark.peers_of`).

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`npo_analysis.report.profile.municipality_profile` of every municipality.
    code : str
        The municipality.
    k : int
        Peer group size (fewer when the dataset has fewer other municipalities).

    Returns
    -------
    list of str
        Codes, nearest first (ties by code). Only municipalities with pupils take part (a
        municipality without a school has no target share to compare); such a municipality
        itself has no default peers.
    """
    if k < 1:
        raise ValueError(f"k={k!r}: expected a peer group size >= 1")
    comparable = profile[profile["pupils"] > 0]
    if code not in set(comparable["municipality_code"]):
        return []
    return benchmark.peers_of(comparable, code, k)


def resolve_peers(profile: pd.DataFrame, code: str, chosen: list[str] | None,
                  k: int = DEFAULT_PEERS) -> tuple[list[str], bool]:
    """The peer group to use: the chosen codes when given, else :func:`default_peers`.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.
    code : str
        The municipality.
    chosen : list of str or None
        The municipality's own choice (validated codes), or empty / ``None``.
    k : int
        Size of the default group.

    Returns
    -------
    (list of str, bool)
        The peer codes and whether they are the municipality's own choice.
    """
    if chosen:
        return list(chosen), True
    return default_peers(profile, code, k), False


def peer_characteristics(profile: pd.DataFrame) -> tuple[str, ...]:
    """The characteristics of :data:`npo_analysis.benchmark.PEER_FEATURES` the peer rule uses.

    :func:`npo_analysis.benchmark.standardised_features` leaves out ``urbanity`` and
    ``low_income_share`` when no municipality of the profile has a value for them.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.

    Returns
    -------
    tuple of str
        In the order of ``PEER_FEATURES``, e.g. ``("size", "target_share")`` for a public
        dataset.
    """
    optional = ("urbanity", "low_income_share")
    return tuple(c for c in benchmark.PEER_FEATURES
                 if c not in optional or profile[c].notna().any())
