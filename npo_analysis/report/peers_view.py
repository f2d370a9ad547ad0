"""Duiden: the municipality against the Netherlands, its province and its peers
(:mod:`npo_analysis.domain.peers`).

Every headline indicator of :data:`npo_analysis.domain.peers.HEADLINE_INDICATORS` whose columns the
report's profile fills, plus VE reach (:data:`VE_REACH`: indicated toddlers with a VE place /
indicated toddlers) when the national analyses hold it, pooled from the groups' totals by
:func:`npo_analysis.domain.peers.compare`. Counts of a background-defined group below 10 show as
``<10``.
"""

from __future__ import annotations

import pandas as pd

from npo_analysis.domain import peers as benchmark
from npo_analysis.formatting import suppress_small
from npo_analysis.report.text import label
from npo_analysis.safe_text import markdown_text

#: VE reach as a headline indicator (needs ``ve_placed`` and ``ve_indicated`` in the profile).
VE_REACH = benchmark.Indicator("ve_reach", "ratio", "ve_placed", "ve_indicated", "share",
                               "VVE-bereik", "VE reach")
#: Indicators whose values count a background-defined group (suppressed below 10).
GROUP_COUNTS = ("target_children",)


def with_vve_reach(profile: pd.DataFrame, vve_reach: pd.DataFrame | None) -> pd.DataFrame:
    """The profile with ``ve_indicated`` and ``ve_placed`` per municipality (0 when absent).

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`npo_analysis.report.profile.municipality_profile`.
    vve_reach : pandas.DataFrame or None
        VE reach per municipality (national analyses); ``None`` leaves the profile as it is.

    Returns
    -------
    pandas.DataFrame
    """
    if vve_reach is None:
        return profile
    counts = vve_reach.set_index("municipality_code")
    codes = profile["municipality_code"]
    return profile.assign(
        ve_indicated=counts["ve_indicated"].reindex(codes).fillna(0).to_numpy(dtype=float),
        ve_placed=counts["ve_placed"].reindex(codes).fillna(0).to_numpy(dtype=float))


def indicators(profile: pd.DataFrame) -> tuple[benchmark.Indicator, ...]:
    """The headline indicators the profile can give (every column present and filled).

    Parameters
    ----------
    profile : pandas.DataFrame
        The (augmented) profile.

    Returns
    -------
    tuple of npo_analysis.domain.peers.Indicator
    """
    candidates = (*benchmark.HEADLINE_INDICATORS, VE_REACH)
    return tuple(i for i in candidates
                 if all(c in profile.columns and profile[c].notna().all() for c in i.columns))


def comparison(profile: pd.DataFrame, code: str, peers: list[str]) -> pd.DataFrame:
    """:func:`npo_analysis.domain.peers.compare` over :func:`indicators`.

    Parameters
    ----------
    profile : pandas.DataFrame
        The (augmented) profile of every municipality.
    code : str
        The municipality.
    peers : list of str
        Its peer group.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator, unit, municipality, netherlands, province, peers,
        peers_median, peers_mean``.
    """
    return benchmark.compare(profile, code, peers, indicators(profile))


def _shown(value: float, indicator: str, unit: str, language: str) -> str:
    if indicator in GROUP_COUNTS:
        return suppress_small(value, language=language)
    return benchmark.format_indicator_value(value, unit, language)


def comparison_display(table: pd.DataFrame, names: dict[str, str], language: str = "nl"
                       ) -> pd.DataFrame:
    """:func:`comparison` as text with the reader's headers.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`comparison`.
    names : dict
        Header per group (``municipality``, ``province``, ``peers``, ``netherlands``), e.g.
        :func:`npo_analysis.report.view.group_names`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Indicator, municipality, the Netherlands, province, peers (pooled), median peer.
    """
    labels = {i.name: (i.label_nl if language == "nl" else i.label_en)
              for i in (*benchmark.HEADLINE_INDICATORS, VE_REACH)}
    rows = list(table.itertuples(index=False))
    columns = {label("figure", language): [labels[r.indicator] for r in rows]}
    for group in ("municipality", "netherlands", "province", "peers", "peers_median"):
        header = names[group] if group in names else label("group.peers_median", language)
        columns[header] = [_shown(getattr(r, group), r.indicator, r.unit, language)
                           for r in rows]
    return pd.DataFrame(columns)


def comparison_markdown(table: pd.DataFrame, language: str = "nl") -> str:
    """Where the municipality stands on its target share and VE reach (one sentence each).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`comparison`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    present = set(table["indicator"])
    sentences = [benchmark.describe_position(table, name, language)
                 for name in ("target_share", "ve_reach") if name in present]
    reach = VE_REACH.label_nl if language == "nl" else VE_REACH.label_en
    return " ".join(s.replace("ve_reach:", f"{reach}:", 1) for s in sentences)


def peer_rule_markdown(peer_names: list[str], chosen: bool, language: str = "nl",
                       characteristics: tuple[str, ...] = benchmark.PEER_FEATURES) -> str:
    """The peer rule in plain words (or that the municipality chose its peers) and the names.

    Parameters
    ----------
    peer_names : list of str
        Names of the peers.
    chosen : bool
        Whether the municipality chose them itself.
    language : {"nl", "en"}
        Language.
    characteristics : tuple of str
        The characteristics the rule used
        (:func:`npo_analysis.domain.peers.peer_characteristics`).

    Returns
    -------
    str
    """
    listed = ", ".join(markdown_text(n) for n in peer_names)
    if chosen:
        return (f"De gemeente heeft zelf deze vergelijkbare gemeenten gekozen: {listed}."
                if language == "nl" else
                f"The municipality chose these peer municipalities itself: {listed}.")
    rule = benchmark.peer_rule(len(peer_names), language=language,
                               characteristics=characteristics)
    lead = "Dat zijn" if language == "nl" else "They are"
    return f"{rule} {lead}: {listed}."
