"""Duiden: learning delays of the municipality against the country, and the schools with extra
challenges (:mod:`npo_analysis.domain.delays`).

- :func:`delay_comparison`: the municipality's delays per domain and time point (pooled over
  grades, clustered OLS on its own schools) beside the national ones, in months with 95%
  intervals;
- :func:`latest_delays`: the last time point per domain, tidy for a point-range chart;
- :func:`delays_display`: per domain the largest and the latest delay, municipality and country;
- :func:`challenge_schools`: the municipality's schools with their own delay, score (with the CBS
  flag) and target pupils, the schools with extra challenges first.

Delays are about schools, not background groups; only target-pupil counts are suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.domain import delays
from npo_analysis.formatting import MISSING, format_number, format_pct
from npo_analysis.report.spread import flagged_score
from npo_analysis.report.suppression import is_hidden, shown_count
from npo_analysis.report.text import label
from npo_analysis.safe_text import markdown_text

#: Domain names the reader sees (Dutch, English), in schema order.
DOMAIN_NAMES = {"rekenen": ("Rekenen", "Mathematics"),
                "begrijpend_lezen": ("Begrijpend lezen", "Reading comprehension"),
                "technisch_lezen": ("Technisch lezen", "Technical reading"),
                "spelling": ("Spelling", "Spelling")}
MOMENT_NAMES = {"midden": ("midden", "mid-year"), "eind": ("eind", "end of year")}


def domain_name(domain: str, language: str = "nl") -> str:
    """The reader's name of a test domain."""
    return DOMAIN_NAMES[domain][0 if language == "nl" else 1]


def time_point(year: int, moment: str, language: str = "nl") -> str:
    """A time point as the reader sees it, e.g. ``eind 2024/25``."""
    name = MOMENT_NAMES[moment][0 if language == "nl" else 1]
    return f"{name} {int(year)}/{(int(year) + 1) % 100:02d}"


def delay_comparison(test_results: pd.DataFrame, schools: pd.DataFrame, code: str,
                     national_delays: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """The municipality's delays beside the national ones (:func:`delays.compare_with_national`).

    Parameters
    ----------
    test_results : pandas.DataFrame
        The test results of the municipality's schools (or more; only its schools count).
    schools : pandas.DataFrame
        The municipality's schools (``school_id, municipality_code``).
    code : str
        The municipality.
    national_delays, growth : pandas.DataFrame
        From :class:`~npo_analysis.national.analyses.NationalAnalyses`.

    Returns
    -------
    pandas.DataFrame
        ``domain, school_year, moment, delay_months, ci_low, ci_high, delay_points, n_schools,
        area`` (``municipality`` / ``national``). With very few schools the clustered interval
        cannot be estimated: ``ci_low`` / ``ci_high`` are then missing (shown as ``–``).
    """
    from npo_analysis.domain.delays import compare_with_national

    with np.errstate(invalid="ignore", divide="ignore"):  # one or two schools: no interval
        return compare_with_national(test_results, schools, code, national=national_delays,
                                     growth=growth)


def _time_order(frame: pd.DataFrame) -> pd.Series:
    return frame["school_year"] * 2 + (frame["moment"].astype(str) == "eind")


def latest_delays(comparison: pd.DataFrame, municipality_name: str, language: str = "nl"
                  ) -> pd.DataFrame:
    """The delays at the last time point of each domain, for the point-range chart.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`delay_comparison`.
    municipality_name : str
        The label of the municipality's series.
    language : {"nl", "en"}
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        ``domain`` (the reader's name), ``area`` (the municipality's name or the country),
        ``time_point``, ``delay_months``, ``ci_low``, ``ci_high``; per domain the municipality
        first.
    """
    last = _time_order(comparison[comparison["area"] == "municipality"]).max()
    rows = comparison[_time_order(comparison) == last]
    areas = {"municipality": municipality_name, "national": label("group.netherlands", language)}
    order = {d: i for i, d in enumerate(DOMAIN_NAMES)}
    rows = rows.assign(_d=rows["domain"].map(order), _a=(rows["area"] == "national"))
    rows = rows.sort_values(["_d", "_a"], kind="stable")
    return pd.DataFrame({
        "domain": [domain_name(d, language) for d in rows["domain"]],
        "area": rows["area"].map(areas).tolist(),
        "time_point": [time_point(y, m, language) for y, m in zip(rows["school_year"],
                                                                  rows["moment"], strict=True)],
        "delay_months": rows["delay_months"].to_numpy(),
        "ci_low": rows["ci_low"].to_numpy(), "ci_high": rows["ci_high"].to_numpy()})


def _interval(row, language: str) -> str:
    return (f"{format_number(row['delay_months'], 1, language)} "
            f"({format_number(row['ci_low'], 1, language)} – "
            f"{format_number(row['ci_high'], 1, language)})")


def delays_display(comparison: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """Per domain the largest and the latest delay of the municipality, with the country's.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`delay_comparison`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Domain, largest delay (months, 95% interval) and when, the country then, latest delay
        (interval) and the country then.
    """
    nl = language == "nl"
    rows = []
    for reading in delays.domain_readings(comparison):
        peak, last = reading.peak, reading.last
        rows.append({
            label("col.domain", language): domain_name(reading.domain, language),
            ("Grootste achterstand (95%-interval)" if nl else "Largest delay (95% interval)"):
                _interval(peak, language),
            ("Moment" if nl else "When"): time_point(peak["school_year"], peak["moment"],
                                                     language),
            ("Landelijk toen" if nl else "Country then"):
                format_number(reading.national_at_peak, 1, language),
            ("Laatste meting (95%-interval)" if nl else "Latest (95% interval)"):
                _interval(last, language),
            ("Landelijk laatste meting" if nl else "Country latest"):
                format_number(reading.national_at_last, 1, language),
        })
    return pd.DataFrame(rows)


def challenge_schools(school_delays: pd.DataFrame, school_table: pd.DataFrame) -> pd.DataFrame:
    """The municipality's schools with their own delay, extra challenges first.

    Parameters
    ----------
    school_delays : pandas.DataFrame
        :func:`npo_analysis.domain.delays.school_delays` (national: its quantiles mark
        ``extra_challenge``).
    school_table : pandas.DataFrame
        :func:`npo_analysis.report.spread.school_table` of the municipality (names, the budget
        year's score, flag, target pupils).

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, delay_months, score, flag, pupils, target_pupils, target_share,
        extra_challenge``; extra challenges first, then the largest delay (ties by id).
    """
    own = school_table[["school_id", "name", "score", "flag", "pupils", "target_pupils",
                        "target_share"]]
    delays = school_delays[["school_id", "delay_months", "extra_challenge"]]
    frame = own.merge(delays, on="school_id", how="inner")
    frame = frame.sort_values(["extra_challenge", "delay_months", "school_id"],
                              ascending=[False, False, True], kind="stable")
    return frame[["school_id", "name", "delay_months", "score", "flag", "pupils",
                  "target_pupils", "target_share", "extra_challenge"]].reset_index(drop=True)


def challenge_display(schools: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`challenge_schools` as text (target pupils below 10 as ``<10``, scores flagged).

    Parameters
    ----------
    schools : pandas.DataFrame
        :func:`challenge_schools`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(schools.itertuples(index=False))
    yes, no = label("yes", language), label("no", language)
    return pd.DataFrame({
        label("col.school", language): [r.name for r in rows],
        label("col.delay", language): [format_number(r.delay_months, 1, language) for r in rows],
        label("col.score", language): [flagged_score(r.score, r.flag, language) for r in rows],
        label("col.target_pupils", language): [
            shown_count(r.target_pupils, is_hidden(r, "target_pupils"), language) for r in rows],
        label("col.target_share", language): [
            MISSING if is_hidden(r, "target_share", "target_pupils")
            else format_pct(r.target_share, 1, language) for r in rows],
        label("col.extra_challenge", language): [yes if r.extra_challenge else no for r in rows],
    })


def delays_markdown(comparison: pd.DataFrame, schools: pd.DataFrame, language: str = "nl"
                    ) -> str:
    """The plain reading: :func:`npo_analysis.domain.delays.describe_delays` plus the schools.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`delay_comparison`.
    schools : pandas.DataFrame
        :func:`challenge_schools`.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    from npo_analysis.domain.delays import describe_delays

    text = describe_delays(comparison, language)
    named = [markdown_text(n) for n in schools.loc[schools["extra_challenge"], "name"]]
    if language == "nl":
        rule = ("Een school heeft *extra uitdagingen* als haar eigen achterstand én haar "
                "achterstandsscore allebei bij het hoogste kwart van alle scholen in het land "
                "horen.")
        who = (f" In deze gemeente: {', '.join(named)}." if named else
               " Geen school in deze gemeente voldoet daaraan.")
    else:
        rule = ("A school has *extra challenges* when both its own delay and its disadvantage "
                "score are in the top quarter of all schools in the country.")
        who = (f" In this municipality: {', '.join(named)}." if named else
               " No school in this municipality meets both.")
    months = ("Een maand is een tiende van een schooljaar aan leergroei, geschat uit de "
              "toetsen van vóór de schoolsluiting in 2020." if language == "nl" else
              "A month is a tenth of a school year of learning growth, estimated from the tests "
              "before the 2020 school closures.")
    return f"{text}\n\n{months} {rule}{who}"
