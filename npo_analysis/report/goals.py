"""Doelen: measurable goals derived from the gaps the figures show.

Each rule looks at one gap and, when it is there, states a goal with the figure now and a target:

- :func:`highest_need_goal`: the ``n`` schools with the highest disadvantage score (after the
  threshold) get extra support first;
- :func:`supply_goal`: neighbourhoods with at least ``min_need`` target-group children (pupils of
  its schools plus resident toddlers) whose activity places cover less than ``min_coverage`` of
  them (no places at all included) need more supply;
- :func:`vve_reach_goal`: VE reach (toddlers with an indication in a VE place / toddlers with an
  indication) below ``norm`` (90%), for the municipality and per neighbourhood with at least 10
  indicated toddlers;
- :func:`delay_goal`: the test domain with the largest learning delay at the latest time point
  (its 95% interval above 0 and the delay above the national one) should come back to the
  national level, starting with the schools with extra challenges;
- :func:`white_spot_goal`: the white spots of :mod:`npo_analysis.domain.supply` need supply, at least
  up to the coverage threshold (replaces :func:`supply_goal` when the white spots are known).

Counts of background-defined groups below 10 are shown as ``<10``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from npo_analysis.formatting import DISCLOSURE_LIMIT, format_number, format_pct, suppress_small
from npo_analysis.report.text import label

#: Default VE reach a municipality aims for.
VVE_REACH_NORM = 0.90


@dataclass(frozen=True)
class Goal:
    """A measurable goal.

    Attributes
    ----------
    kind : str
        The rule that made it: ``highest_need``, ``delay``, ``white_spots``, ``supply`` or
        ``vve_reach``.
    text : str
        The goal in plain words.
    now : str
        The figure now.
    target : str
        The figure to reach.
    """

    kind: str
    text: str
    now: str
    target: str


def highest_need_goal(schools: pd.DataFrame, year: int, n: int = 3,
                      language: str = "nl") -> Goal | None:
    """The ``n`` schools with the highest score (score > 0) first; ``None`` when none has one.

    Parameters
    ----------
    schools : pandas.DataFrame
        :func:`npo_analysis.report.spread.school_table` (sorted, highest score first).
    year : int
        Budget year (the target is set for the next school year).
    n : int
        How many schools.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    Goal or None
    """
    top = schools[schools["score"] > 0].head(n)
    if top.empty:
        return None
    listed = ", ".join(f"{r.name} ({format_number(r.score, 2, language)})"
                       for r in top.itertuples(index=False))
    target_pupils = suppress_small(int(top["target_pupils"].sum()), language=language)
    many = len(top) > 1
    if language == "nl":
        which = f"de {len(top)} scholen" if many else "de school"
        text = f"Richt extra ondersteuning eerst op {which} met de hoogste achterstandsscore: " \
               f"{listed}."
        target = (f"Vóór 1 oktober {year}: een afspraak per school over aanbod voor de "
                  f"{target_pupils} doelgroepleerlingen")
        now = f"{target_pupils} doelgroepleerlingen op {len(top)} " + (
            "scholen" if many else "school")
    else:
        which = f"the {len(top)} schools" if many else "the school"
        text = f"Give extra support first to {which} with the highest disadvantage score: " \
               f"{listed}."
        target = (f"Before 1 October {year}: an agreement per school on provision for its "
                  f"{target_pupils} target-group pupils")
        now = f"{target_pupils} target-group pupils at {len(top)} school" + ("s" if many else "")
    return Goal("highest_need", text, now, target)


def supply_gaps(neighbourhoods: pd.DataFrame, min_need: int = DISCLOSURE_LIMIT,
                min_coverage: float = 0.5) -> pd.DataFrame:
    """Neighbourhoods whose activity places cover too few of their target-group children.

    Parameters
    ----------
    neighbourhoods : pandas.DataFrame
        :func:`npo_analysis.report.spread.neighbourhood_table`.
    min_need : int
        Least number of target-group children for a neighbourhood to count.
    min_coverage : float
        Places per target-group child below which supply falls short.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_code, name, need, activity_places, coverage``; the lowest coverage first
        (ties by code).
    """
    need = neighbourhoods["target_pupils"] + neighbourhoods["target_toddlers"]
    frame = neighbourhoods[["neighbourhood_code", "name", "activity_places"]].assign(need=need)
    frame = frame[frame["need"] >= min_need]
    frame = frame.assign(coverage=frame["activity_places"] / frame["need"])
    frame = frame[frame["coverage"] < min_coverage]
    frame = frame.sort_values(["coverage", "neighbourhood_code"], kind="stable")
    return frame[["neighbourhood_code", "name", "need", "activity_places", "coverage"]
                 ].reset_index(drop=True)


def supply_goal(neighbourhoods: pd.DataFrame, min_need: int = DISCLOSURE_LIMIT,
                min_coverage: float = 0.5, language: str = "nl") -> Goal | None:
    """A goal for the neighbourhoods of :func:`supply_gaps`; ``None`` when there are none.

    Parameters
    ----------
    neighbourhoods : pandas.DataFrame
        :func:`npo_analysis.report.spread.neighbourhood_table`.
    min_need, min_coverage
        See :func:`supply_gaps`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    Goal or None
    """
    gaps = supply_gaps(neighbourhoods, min_need, min_coverage)
    if gaps.empty:
        return None
    listed = ", ".join(
        f"{r.name} ({r.activity_places} / {format_number(r.need, 0, language)})"
        for r in gaps.itertuples(index=False))
    coverage = format_pct(min_coverage, 0, language)
    if language == "nl":
        text = (f"Vul het aanbod aan in de wijken waar de activiteiten minder dan {coverage} "
                f"van de doelgroepkinderen kunnen bereiken (plaatsen / doelgroepkinderen): "
                f"{listed}.")
        now = f"{len(gaps)} wijken onder {coverage} dekking"
        target = f"elke wijk met doelgroepkinderen minstens {coverage} dekking"
    else:
        text = (f"Add provision in the neighbourhoods where activities can reach less than "
                f"{coverage} of the target-group children (places / target children): {listed}.")
        now = f"{len(gaps)} neighbourhoods below {coverage} coverage"
        target = f"every neighbourhood with target-group children at least {coverage} coverage"
    return Goal("supply", text, now, target)


def vve_reach_goal(neighbourhoods: pd.DataFrame, norm: float = VVE_REACH_NORM,
                   language: str = "nl") -> Goal | None:
    """A goal when VE reach is below ``norm``; ``None`` when it is not (or nobody is indicated).

    Parameters
    ----------
    neighbourhoods : pandas.DataFrame
        :func:`npo_analysis.report.spread.neighbourhood_table` (``ve_indicated``,
        ``ve_placed``, ``ve_reach``).
    norm : float
        Reach to aim for.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    Goal or None
        ``now`` is the municipality's reach; the text names how many more indicated toddlers
        need a place (``ceil(norm x indicated) - placed``) and the neighbourhoods below the norm
        with at least 10 indicated toddlers.
    """
    indicated = int(neighbourhoods["ve_indicated"].sum())
    placed = int(neighbourhoods["ve_placed"].sum())
    if indicated == 0 or placed / indicated >= norm:
        return None
    missing = suppress_small(math.ceil(norm * indicated - 1e-9) - placed, language=language)
    shown = (~neighbourhoods["hidden_ve_reach"] if "hidden_ve_reach" in neighbourhoods
             else True)  # a reach the table hides is not named here either
    low = neighbourhoods[(neighbourhoods["ve_indicated"] >= DISCLOSURE_LIMIT)
                         & (neighbourhoods["ve_reach"] < norm) & shown]
    listed = ", ".join(f"{r.name} ({format_pct(r.ve_reach, 0, language)})"
                       for r in low.itertuples(index=False))
    goal_pct = format_pct(norm, 0, language)
    if language == "nl":
        text = (f"Verhoog het VVE-bereik naar {goal_pct}: nog {missing} peuters met een "
                f"VVE-indicatie een plaats bieden.")
        text += f" Wijken onder {goal_pct}: {listed}." if listed else ""
    else:
        text = (f"Raise VE reach to {goal_pct}: offer a place to {missing} more toddlers with "
                f"a VE indication.")
        text += f" Neighbourhoods below {goal_pct}: {listed}." if listed else ""
    return Goal("vve_reach", text, format_pct(placed / indicated, 1, language), goal_pct)


def delay_goal(comparison: pd.DataFrame, schools: pd.DataFrame | None = None,
               language: str = "nl") -> Goal | None:
    """A goal for the test domain with the largest delay now; ``None`` when there is none.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`npo_analysis.report.delays_view.delay_comparison`.
    schools : pandas.DataFrame, optional
        :func:`npo_analysis.report.delays_view.challenge_schools`; those with
        ``extra_challenge`` are named.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    Goal or None
        ``None`` unless, at the latest time point, some domain's delay has a 95% interval above
        0 and exceeds the national delay; then the largest such delay.
    """
    from npo_analysis.report.delays_view import domain_name, time_point

    order = comparison["school_year"] * 2 + (comparison["moment"].astype(str) == "eind")
    latest = comparison[order == order.max()]
    own = latest[latest["area"] == "municipality"].set_index("domain")
    national = latest[latest["area"] == "national"].set_index("domain")["delay_months"]
    behind = own[(own["ci_low"] > 0) & (own["delay_months"] > national.reindex(own.index))]
    if behind.empty:
        return None
    domain = behind["delay_months"].idxmax()
    row = behind.loc[domain]
    months = format_number(row["delay_months"], 1, language)
    level = format_number(national[domain], 1, language)
    when = time_point(row["school_year"], row["moment"], language)
    named = [] if schools is None else schools.loc[schools["extra_challenge"], "name"].tolist()
    name = domain_name(domain, language).lower()
    if language == "nl":
        text = (f"Breng de leerachterstand bij {name} terug naar het landelijke niveau: "
                f"{months} maanden bij {when}, landelijk {level}.")
        text += f" Begin bij de scholen met extra uitdagingen: {', '.join(named)}." \
            if named else ""
        return Goal("delay", text, f"{months} maanden", f"hooguit {level} maanden (landelijk)")
    text = (f"Bring the learning delay in {name} back to the national level: {months} months "
            f"at {when}, nationally {level}.")
    text += f" Start with the schools with extra challenges: {', '.join(named)}." if named else ""
    return Goal("delay", text, f"{months} months", f"at most {level} months (national)")


def white_spot_goal(spots: pd.DataFrame, max_coverage: float = 0.5, language: str = "nl"
                    ) -> Goal | None:
    """A goal for the white spots; ``None`` when there are none.

    Parameters
    ----------
    spots : pandas.DataFrame
        :func:`npo_analysis.domain.supply.white_spots` (neighbourhood x domain, ``name``, ``domain``,
        ``shortfall``).
    max_coverage : float
        The coverage threshold of the white spots (the target).
    language : {"nl", "en"}
        Language.

    Returns
    -------
    Goal or None
    """
    from npo_analysis.report.supply_view import domain_name

    if spots.empty:
        return None
    listed = ", ".join(f"{r.name} ({domain_name(r.domain, language).lower()})"
                       for r in spots.itertuples(index=False))
    places = format_number(spots["shortfall"].sum(), 0, language)
    coverage = format_pct(max_coverage, 0, language)
    if language == "nl":
        text = (f"Vul de witte vlekken met aanbod voor de doelgroepkinderen: {listed}. Om de "
                f"behoefte helemaal te dekken zijn {places} plaatsen per jaar nodig.")
        count = f"{len(spots)} witte vlek" + ("ken" if len(spots) > 1 else "")
        return Goal("white_spots", text, count,
                    f"in elke wijk en elk domein minstens {coverage} dekking")
    text = (f"Fill the white spots with provision for the target-group children: {listed}. "
            f"Covering the need in full takes {places} places a year.")
    return Goal("white_spots", text, f"{len(spots)} white spot" + ("s" if len(spots) > 1 else ""),
                f"at least {coverage} coverage in every neighbourhood and domain")


def derive_goals(schools: pd.DataFrame, neighbourhoods: pd.DataFrame, year: int,
                 language: str = "nl", *, delays: pd.DataFrame | None = None,
                 challenge: pd.DataFrame | None = None, spots: pd.DataFrame | None = None,
                 reach: pd.DataFrame | None = None) -> list[Goal]:
    """Every goal the rules of this module find, in a fixed order.

    Parameters
    ----------
    schools : pandas.DataFrame
        :func:`npo_analysis.report.spread.school_table`.
    neighbourhoods : pandas.DataFrame
        :func:`npo_analysis.report.spread.neighbourhood_table`.
    year : int
        Budget year.
    language : {"nl", "en"}
        Language.
    delays, challenge : pandas.DataFrame, optional
        The delay comparison and the schools with extra challenges
        (:mod:`npo_analysis.report.delays_view`); adds :func:`delay_goal`.
    spots : pandas.DataFrame, optional
        The white spots; :func:`white_spot_goal` then replaces :func:`supply_goal`.
    reach : pandas.DataFrame, optional
        VE reach per neighbourhood (:func:`npo_analysis.domain.vve.reach_by_neighbourhood`); default
        the reach columns of ``neighbourhoods``.

    Returns
    -------
    list of Goal
        Highest need, delays, white spots (or supply), VE reach.
    """
    found = [highest_need_goal(schools, year, language=language),
             delay_goal(delays, challenge, language) if delays is not None else None,
             (white_spot_goal(spots, language=language) if spots is not None
              else supply_goal(neighbourhoods, language=language)),
             vve_reach_goal(neighbourhoods if reach is None else reach, language=language)]
    return [goal for goal in found if goal is not None]


def goals_table(goals: list[Goal], language: str = "nl") -> pd.DataFrame:
    """The goals as a table: goal, now, target.

    Parameters
    ----------
    goals : list of Goal
        :func:`derive_goals`.
    language : {"nl", "en"}
        Language of the headers.

    Returns
    -------
    pandas.DataFrame
    """
    return pd.DataFrame({
        label("col.goal", language): [g.text for g in goals],
        label("col.now", language): [g.now for g in goals],
        label("col.target", language): [g.target for g in goals],
    })
