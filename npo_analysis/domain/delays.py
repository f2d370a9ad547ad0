"""Learning delays since the 2020 school closures, in months of learning, from test results.

Input is the ``test_results`` table (mean score per school x school year x grade x domain x
moment, :mod:`npo_analysis.data.schema`). A *time point* is a school year and a moment (``midden`` in
January, ``eind`` in June). Time points before ``first_affected`` (default the *eind* test of
2019/20, the first one after the spring 2020 closure) form the **baseline**: they fix what a
grade normally scores at each moment. Every later time point gets its own effect.

Model (one fit per test domain)
-------------------------------
OLS of the school mean score on

- a fixed effect per school (absorbed by demeaning within school: level differences between
  schools, including their disadvantage, do not bias the delay),
- a norm per grade x moment (the expected level, identified from the baseline),
- one dummy per later time point, whose coefficient is minus the delay in score points,

with standard errors clustered by school and t-intervals with (schools - 1) degrees of freedom,
fitted by statsmodels (:func:`within_school_fit`: ``OLS(...).fit(cov_type="cluster")`` on the
demeaned data, its default small-sample correction ``G / (G - 1) * (N - 1) / (N - K)`` with K
the regressors besides the absorbed school effects, and ``df_correction``: t on G - 1 degrees of
freedom). The estimates equal those of a fit with a dummy per school; its standard errors would
be larger by ``sqrt((N - K) / (N - K - G))`` as statsmodels then also counts the G school
dummies, which nested in the clusters they need not be (Cameron and Miller 2015, IV.A).
Pooled over grades (``by_grade=False``) there is one fit per domain; per grade
(``by_grade=True``) one fit per domain x grade, so the fixed effect is then per school x grade
(this also keeps every least-squares problem small).

Why clustered OLS and not a mixed model with a random intercept per school: the same pupils are
tested year after year, so a school's cells share cohort effects as well as a school level. A
random intercept models only the shared level and would give intervals that are too narrow;
cluster-robust errors allow any correlation within a school. The school fixed effect removes
the level without assuming it is unrelated to the school's disadvantage. And it is fast: the
fit is one least-squares solve per domain (about 0.25 s for all four domains of the 250,000
rows of Demoland ``small``; a municipality's own slice about 0.02 s, see
``benchmarks/delay_speed.py``), so the batch computes the national fit once and a report its
own slice.

:func:`delay_by_disadvantage` adds an interaction of every later time point with the school's
target-group share, splitting the delay into a part at share 0 and an extra part per unit of
share (the way Demoland plants it).

From points to months: the expected growth is estimated from the baseline alone: per domain and
grade, the difference of the mean scores of neighbouring grades at the same moment (a central
difference; one-sided at grades 3 and 8), divided by :data:`MONTHS_PER_SCHOOL_YEAR` (a school
year counts as 10 months of learning, September to June, as in the didactic-age convention of
Dutch pupil-monitoring tests). A delay in points divided by the growth per month is the delay in
months; the growth is treated as known (its uncertainty is small next to the delay's).
Pre-2020 trends are not modelled: the baseline covers only one and a half school years.

Schools with extra challenges (:func:`school_delays`): a school's own delay is the mean, over
its later cells, of how far it scores below its baseline position relative to the national
norms, in months; a school has extra challenges when its delay and its disadvantage score are
both in the top quarter of the schools given.

A delay is positive when pupils are behind. Delays are about schools, not about groups of
children defined by background, so they need no small-count suppression; the target-pupil
counts that :func:`school_delays` carries do (see :data:`SUPPRESSIBLE_COUNTS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.data.schema import TEST_DOMAINS, TEST_MOMENTS
from npo_analysis.formatting import check_language, format_number

#: The first time point (school year, moment) after the spring 2020 closure.
FIRST_AFFECTED: tuple[int, str] = (2019, "eind")
#: Months of learning in one school year (September to June).
MONTHS_PER_SCHOOL_YEAR = 10
#: Columns of :func:`school_delays` that count a background-defined group (show ``<10``).
SUPPRESSIBLE_COUNTS: tuple[str, ...] = ("target_pupils",)
_REQUIRED = ("school_id", "school_year", "grade", "domain", "moment", "mean_score")
DOMAIN_LABELS = {
    "rekenen": ("rekenen", "mathematics"),
    "begrijpend_lezen": ("begrijpend lezen", "reading comprehension"),
    "technisch_lezen": ("technisch lezen", "technical reading"),
    "spelling": ("spelling", "spelling"),
}
MOMENT_LABELS = {"midden": ("midden", "mid-year"), "eind": ("eind", "end of year")}


# --- Input checks and time points ---------------------------------------------------------------


def check_test_results(test_results: pd.DataFrame, first_affected=FIRST_AFFECTED) -> None:
    """Raise ``ValueError`` when ``test_results`` cannot give a delay estimate.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The ``test_results`` table.
    first_affected : tuple of (int, str)
        First time point after the closures.

    Raises
    ------
    ValueError
        Naming the missing column, the unknown moment or domain, or the missing baseline or
        later rows.
    """
    missing = [c for c in _REQUIRED if c not in test_results.columns]
    if missing:
        raise ValueError(f"table 'test_results': missing columns {missing}; expected {_REQUIRED}")
    year, moment = first_affected
    if moment not in TEST_MOMENTS:
        raise ValueError(f"first_affected={first_affected!r}: moment must be one of "
                         f"{list(TEST_MOMENTS)}")
    for column, allowed in (("moment", TEST_MOMENTS), ("domain", TEST_DOMAINS)):
        bad = ~test_results[column].isin(allowed)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"table 'test_results', row {row}, column {column!r}: "
                             f"{test_results[column].iloc[row]!r} is not one of {list(allowed)}")
    later = time_code(test_results) >= _code(year, moment)
    if later.all() or not later.any():
        raise ValueError(f"table 'test_results': need rows before and from {year}/{moment} "
                         f"(first_affected); found {'only later' if later.all() else 'no later'}"
                         f" rows")


def _code(year, moment) -> int:
    return 2 * int(year) + int(moment == "eind")


def time_code(frame: pd.DataFrame) -> np.ndarray:
    """Order of each row's time point: ``2 * school_year + (moment == "eind")``.

    Parameters
    ----------
    frame : pandas.DataFrame
        With ``school_year`` and ``moment``.

    Returns
    -------
    numpy.ndarray of int
    """
    eind = (frame["moment"] == "eind").to_numpy(dtype=bool)  # categorical: compares codes
    return 2 * frame["school_year"].to_numpy(dtype=np.int64) + eind


# --- Expected growth ----------------------------------------------------------------------------


def expected_growth(test_results: pd.DataFrame, first_affected=FIRST_AFFECTED) -> pd.DataFrame:
    """Normal growth per month of learning, per domain and grade, from the baseline rows.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The ``test_results`` table (all schools: the national baseline).
    first_affected : tuple of (int, str)
        First time point after the closures; earlier rows are the baseline.

    Returns
    -------
    pandas.DataFrame
        ``domain, grade, points_per_month``: for grade g the mean of grade g+1 minus that of
        grade g-1 at the same moment, divided by 2 school years of
        :data:`MONTHS_PER_SCHOOL_YEAR` months (one-sided at the first and last grade),
        averaged over the two moments.
    """
    check_test_results(test_results, first_affected)
    base = test_results[time_code(test_results) < _code(*first_affected)]
    means = (base.assign(domain=base["domain"].astype("str"), moment=base["moment"].astype("str"))
             .groupby(["domain", "moment", "grade"])["mean_score"].mean())
    rows = []
    for (domain, _moment), series in means.groupby(level=[0, 1], sort=True):
        level = series.droplevel([0, 1]).sort_index()
        grades = level.index.to_numpy()
        growth = np.gradient(level.to_numpy(), grades) if len(grades) > 1 else np.full(1, np.nan)
        rows += [(domain, int(g), v / MONTHS_PER_SCHOOL_YEAR) for g, v in zip(grades, growth,
                                                                                strict=True)]
    frame = pd.DataFrame(rows, columns=["domain", "grade", "points_per_month"])
    return (frame.groupby(["domain", "grade"], as_index=False)["points_per_month"].mean()
            .sort_values(["domain", "grade"], kind="stable").reset_index(drop=True))


# --- The regression -----------------------------------------------------------------------------


def _demean(matrix: np.ndarray, schools: np.ndarray) -> np.ndarray:
    """Subtract each school's column means (the within transformation of a fixed effect)."""
    frame = pd.DataFrame(matrix)
    return (frame - frame.groupby(schools).transform("mean")).to_numpy()


def _design(rows: pd.DataFrame, first: int, share: np.ndarray | None):
    """Norm dummies, later-time-point dummies (and their share interactions), time codes."""
    codes = time_code(rows)
    eind = (rows["moment"] == "eind").to_numpy(dtype=bool)
    grade = rows["grade"].to_numpy(dtype=np.int64)
    norm_codes, _ = pd.factorize(pd.Series(grade * 2 + eind), sort=True)
    n_norms = int(norm_codes.max())  # a dummy for every norm but the first
    later = np.flatnonzero(codes >= first)
    cell_codes, times = pd.factorize(pd.Series(codes[later]), sort=True)
    n_times = len(times)
    design = np.zeros((len(rows), n_norms + n_times * (1 if share is None else 2)))
    normed = np.flatnonzero(norm_codes > 0)
    design[normed, norm_codes[normed] - 1] = 1.0
    design[later, n_norms + cell_codes] = 1.0
    if share is not None:
        design[later, n_norms + n_times + cell_codes] = share[later]
    return design, n_norms, np.asarray(times)


def _check_fit_rows(rows: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the first row without a school or a score."""
    for column in ("school_id", "mean_score"):
        missing = rows[column].isna().to_numpy()
        if missing.any():
            row = rows.index[np.flatnonzero(missing)[0]]
            raise ValueError(f"table 'test_results', row {row}, column {column!r}: missing "
                             f"value ({int(missing.sum())} rows); the delay model needs every "
                             f"row's school and score")


def within_school_fit(y: np.ndarray, design: np.ndarray, schools: np.ndarray):
    """OLS with a fixed effect per school, standard errors clustered by school.

    The fixed effects are absorbed: ``y`` and ``design`` are demeaned within school
    (:func:`_demean`) and statsmodels fits the demeaned data, ``OLS(y_w, X_w,
    hasconst=False).fit(cov_type="cluster", cov_kwds={"groups": schools}, use_t=True)``. The
    estimates equal those of OLS on ``design`` plus one dummy per school (Frisch-Waugh-Lovell).
    The covariance is statsmodels' CRV1 with its default small-sample correction ``G / (G - 1)
    * (N - 1) / (N - K)`` (G schools, N rows, K columns of ``design``) and the intervals use t
    with ``G - 1`` degrees of freedom (``df_correction``). With the school dummies in the design
    K would also count the G absorbed effects, which makes the dummy fit's variances larger by
    ``(N - K) / (N - K - G)``; as the effects are nested in the clusters they do not count
    (Cameron and Miller 2015, section IV.A; Stata's ``xtreg, fe vce(cluster)``).

    Parameters
    ----------
    y : numpy.ndarray
        ``(N,)`` outcome.
    design : numpy.ndarray
        ``(N, K)`` regressors without the school effects (and without a constant).
    schools : numpy.ndarray of int
        ``(N,)`` school codes.

    Returns
    -------
    statsmodels.regression.linear_model.RegressionResultsWrapper

    Raises
    ------
    ValueError
        With fewer than 2 schools (no clustered covariance) or no more rows than columns.
    """
    n_schools = len(np.unique(schools))
    if n_schools < 2:
        raise ValueError(f"table 'test_results': {n_schools} school(s); the delay model's "
                         f"clustered standard errors need at least 2")
    if len(y) <= design.shape[1]:
        raise ValueError(f"table 'test_results': {len(y)} rows for {design.shape[1]} "
                         f"regressors; the delay model needs more rows than regressors")
    # imported on first use: statsmodels takes about a second to import
    from statsmodels.regression.linear_model import OLS

    within = _demean(np.column_stack([y, design]), schools)
    return OLS(within[:, 0], within[:, 1:], hasconst=False).fit(
        cov_type="cluster", cov_kwds={"groups": schools}, use_t=True)


def _fit(rows: pd.DataFrame, first: int, share: np.ndarray | None):
    """The within-school fit; returns the later-time coefficients, their CI and times."""
    _check_fit_rows(rows)
    schools, _ = pd.factorize(rows["school_id"])
    design, n_norms, times = _design(rows, first, share)
    result = within_school_fit(rows["mean_score"].to_numpy(dtype=float), design, schools)
    return result.params[n_norms:], result.conf_int(alpha=0.05)[n_norms:], times


def _cells(times: np.ndarray) -> pd.DataFrame:
    """School year and moment of each later time code."""
    return pd.DataFrame({"school_year": times // 2,
                         "moment": np.where(times % 2 == 1, "eind", "midden")})


def _months(frame: pd.DataFrame, growth: pd.DataFrame, by_grade: bool) -> pd.Series:
    """Growth in points per month matching each row (mean over grades when pooled)."""
    if by_grade:
        keyed = growth.set_index(["domain", "grade"])["points_per_month"]
        index = pd.MultiIndex.from_arrays([frame["domain"], frame["grade"]])
        return pd.Series(keyed.reindex(index).to_numpy(), index=frame.index)
    pooled = growth.groupby("domain")["points_per_month"].mean()
    return frame["domain"].map(pooled)


def _n_schools(rows: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Schools with a result at each later time point."""
    schools, _ = pd.factorize(rows["school_id"])  # a missing id: -1, not a school
    known = schools >= 0
    times = time_code(rows)[known]
    pairs = np.unique(times * (schools.max() + 1) + schools[known])  # (time, school) once each
    found, counts = np.unique(pairs // (schools.max() + 1), return_counts=True)
    wanted = time_code(cells)
    at = np.searchsorted(found, wanted)
    hit = (at < len(found)) & (found[np.minimum(at, len(found) - 1)] == wanted)
    return np.where(hit, counts[np.minimum(at, len(found) - 1)], 0).astype(np.int64)


# --- Public estimates ---------------------------------------------------------------------------


def estimate_delays(test_results: pd.DataFrame, *, by_grade: bool = True,
                    first_affected=FIRST_AFFECTED, growth: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Delay of every later time point against the baseline, in months with 95% intervals.

    Pass the whole table for the national picture, or the rows of one municipality's schools
    (with the national ``growth``) for its own.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The ``test_results`` table or a slice of it.
    by_grade : bool
        One delay per time point and grade (``True``) or per time point pooled over grades.
    first_affected : tuple of (int, str)
        First time point after the closures (default 2019/20 eind).
    growth : pandas.DataFrame, optional
        :func:`expected_growth` of the national table; default: from ``test_results`` itself.

    Returns
    -------
    pandas.DataFrame
        ``domain, school_year, moment, [grade,] delay_months, ci_low, ci_high, delay_points,
        n_schools``, sorted by domain (schema order), time and grade. Positive = behind.

    Examples
    --------
    >>> from npo_analysis.data.demoland import generate
    >>> delays = estimate_delays(generate("tiny", seed=1)["test_results"], by_grade=False)
    >>> list(delays.columns[:4])
    ['domain', 'school_year', 'moment', 'delay_months']
    """
    check_test_results(test_results, first_affected)
    growth = expected_growth(test_results, first_affected) if growth is None else growth
    frames = [_domain_delays(rows, domain, first_affected, by_grade, None)
              for domain, rows in _by_domain(test_results)]
    frame = pd.concat(frames, ignore_index=True)
    per_month = _months(frame, growth, by_grade)
    frame = frame.assign(delay_months=frame["delay_points"] / per_month,
                         ci_low=frame["ci_low_points"] / per_month,
                         ci_high=frame["ci_high_points"] / per_month)
    columns = ["domain", "school_year", "moment"] + (["grade"] if by_grade else []) + [
        "delay_months", "ci_low", "ci_high", "delay_points", "n_schools"]
    return frame[columns]


def _by_domain(test_results: pd.DataFrame):
    """(domain, rows) in schema order, for the domains present."""
    domains = test_results["domain"]
    for domain in TEST_DOMAINS:
        rows = test_results[(domains == domain).to_numpy(dtype=bool)]
        if len(rows):
            yield domain, rows


def _domain_delays(rows: pd.DataFrame, domain: str, first_affected, by_grade: bool,
                   share: np.ndarray | None = None) -> pd.DataFrame:
    """Delays (points) per later time point of one domain, pooled or fitted per grade."""
    if not by_grade:
        return _delays(rows, domain, first_affected, share)
    grades = rows["grade"].to_numpy()
    return pd.concat([_delays(rows[grades == g], domain, first_affected, None).assign(grade=g)
                      for g in np.unique(grades)], ignore_index=True)


def _delays(rows: pd.DataFrame, domain: str, first_affected, share: np.ndarray | None
            ) -> pd.DataFrame:
    """One fit: delay (points) per later time point; with ``share`` also the per-share terms."""
    params, ci, times = _fit(rows, _code(*first_affected), share)
    cells = _cells(times)
    k = len(times)
    frame = cells.assign(domain=domain, delay_points=-params[:k], ci_low_points=-ci[:k, 1],
                         ci_high_points=-ci[:k, 0], n_schools=_n_schools(rows, cells))
    if share is not None:
        frame = frame.assign(per_share_points=-params[k:], per_share_low_points=-ci[k:, 1],
                             per_share_high_points=-ci[k:, 0])
    return frame


def delay_by_disadvantage(test_results: pd.DataFrame, target_share: pd.Series, *,
                          first_affected=FIRST_AFFECTED, growth: pd.DataFrame | None = None
                          ) -> pd.DataFrame:
    """How the delay grows with a school's share of target-group pupils.

    Per domain and later time point (pooled over grades) the model adds an interaction of the
    time point with the school's target share ``s``: delay = ``at_share_0 + per_share * s``.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The ``test_results`` table.
    target_share : pandas.Series
        Share of target-group pupils (0-1) indexed by ``school_id`` (e.g. ``target_pupils /
        pupils`` of the indicator's school scores). Schools without a share are left out.
    first_affected : tuple of (int, str)
        First time point after the closures.
    growth : pandas.DataFrame, optional
        :func:`expected_growth`; default from ``test_results``.

    Returns
    -------
    pandas.DataFrame
        ``domain, school_year, moment, at_share_0, at_share_0_low, at_share_0_high, per_share,
        per_share_low, per_share_high, n_schools``, all in months (95% intervals).
    """
    check_test_results(test_results, first_affected)
    share = _check_share(target_share)
    growth = expected_growth(test_results, first_affected) if growth is None else growth
    rows = test_results[test_results["school_id"].isin(share.index)]
    frames = [_domain_delays(r, d, first_affected, False,
                             share.reindex(r["school_id"]).to_numpy(dtype=float))
              for d, r in _by_domain(rows)]
    frame = pd.concat(frames, ignore_index=True)
    per_month = _months(frame, growth, False)
    out = frame[["domain", "school_year", "moment"]].copy()
    for name, source in (("at_share_0", "delay_points"), ("at_share_0_low", "ci_low_points"),
                         ("at_share_0_high", "ci_high_points"), ("per_share", "per_share_points"),
                         ("per_share_low", "per_share_low_points"),
                         ("per_share_high", "per_share_high_points")):
        out[name] = frame[source] / per_month
    return out.assign(n_schools=frame["n_schools"])


def _check_share(target_share: pd.Series) -> pd.Series:
    """Validate the per-school target shares (index school_id, values 0-1)."""
    share = pd.Series(target_share, dtype=float).dropna()
    bad = (share < 0) | (share > 1)
    if bad.any():
        school = share.index[bad.to_numpy()][0]
        raise ValueError(f"target_share: school {school!r} has {share[school]!r}; expected a "
                         f"share between 0 and 1")
    if share.index.has_duplicates:
        raise ValueError("target_share: duplicate school_id in the index")
    return share


def compare_with_national(test_results: pd.DataFrame, schools: pd.DataFrame,
                          municipality_code: str, *, national: pd.DataFrame | None = None,
                          first_affected=FIRST_AFFECTED, growth: pd.DataFrame | None = None
                          ) -> pd.DataFrame:
    """The municipality's delays next to the national ones (pooled over grades).

    Parameters
    ----------
    test_results : pandas.DataFrame
        The national ``test_results`` table.
    schools : pandas.DataFrame
        The ``schools`` table (``school_id``, ``municipality_code``).
    municipality_code : str
        The municipality, ``GM`` + 4 digits.
    national : pandas.DataFrame, optional
        ``estimate_delays(test_results, by_grade=False)``, computed once for many reports.
    first_affected : tuple of (int, str)
        First time point after the closures.
    growth : pandas.DataFrame, optional
        :func:`expected_growth` of the national table, computed once for many reports.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`estimate_delays` plus ``area`` (``"municipality"`` or
        ``"national"``), municipality rows first.

    Raises
    ------
    ValueError
        When the municipality has no schools with test results.
    """
    growth = expected_growth(test_results, first_affected) if growth is None else growth
    if national is None:
        national = estimate_delays(test_results, by_grade=False, first_affected=first_affected,
                                   growth=growth)
    codes = schools.loc[schools["municipality_code"] == municipality_code, "school_id"]
    rows = test_results[test_results["school_id"].isin(codes)]
    if rows.empty:
        raise ValueError(f"municipality_code={municipality_code!r}: no schools with rows in "
                         f"table 'test_results'")
    own = estimate_delays(rows, by_grade=False, first_affected=first_affected, growth=growth)
    return pd.concat([own.assign(area="municipality"), national.assign(area="national")],
                     ignore_index=True)


# --- Schools ------------------------------------------------------------------------------------


def school_delays(test_results: pd.DataFrame, school_scores: pd.DataFrame, *,
                  delay_quantile: float = 0.75, score_quantile: float = 0.75,
                  first_affected=FIRST_AFFECTED, growth: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Each school's own delay, joined with its disadvantage score; extra challenges flagged.

    A school's delay is, in months, the mean over its later cells of (baseline position -
    later position), where a cell's position is its score minus the national mean of the same
    domain, grade and moment in the baseline, and the baseline position is the school's mean
    position per domain in the baseline. Domains are averaged with equal weight.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The national ``test_results`` table (the norms and quantiles are national).
    school_scores : pandas.DataFrame
        Indicator school scores: ``school_id, municipality_code, pupils, target_pupils, score``.
    delay_quantile, score_quantile : float
        A school has ``extra_challenge`` when its delay is at least this quantile of all school
        delays and its score at least this quantile of all scores and above 0.
    first_affected : tuple of (int, str)
        First time point after the closures.
    growth : pandas.DataFrame, optional
        :func:`expected_growth`; default from ``test_results``.

    Returns
    -------
    pandas.DataFrame
        ``school_id, municipality_code, delay_months, pupils, target_pupils, target_share,
        score, extra_challenge``; largest delay first. ``target_pupils`` is a background count:
        show it with :func:`npo_analysis.formatting.suppress_small`.
    """
    check_test_results(test_results, first_affected)
    for name, q in (("delay_quantile", delay_quantile), ("score_quantile", score_quantile)):
        if not 0 <= q <= 1:
            raise ValueError(f"{name}={q!r}: expected a quantile between 0 and 1")
    missing = [c for c in ("school_id", "municipality_code", "pupils", "target_pupils", "score")
               if c not in school_scores.columns]
    if missing:
        raise ValueError(f"school_scores: missing columns {missing}")
    growth = expected_growth(test_results, first_affected) if growth is None else growth
    delay = _school_delay_months(test_results, growth, _code(*first_affected))
    frame = school_scores[["school_id", "municipality_code", "pupils", "target_pupils", "score"]
                          ].merge(delay, on="school_id", how="inner")
    frame = frame.assign(target_share=frame["target_pupils"] / frame["pupils"].where(
        frame["pupils"] > 0))
    high_delay = frame["delay_months"] >= frame["delay_months"].quantile(delay_quantile)
    high_score = (frame["score"] >= frame["score"].quantile(score_quantile)) & (frame["score"] > 0)
    frame = frame.assign(extra_challenge=high_delay & high_score)
    columns = ["school_id", "municipality_code", "delay_months", "pupils", "target_pupils",
               "target_share", "score", "extra_challenge"]
    return frame[columns].sort_values(["delay_months", "school_id"], ascending=[False, True],
                                      kind="stable").reset_index(drop=True)


def _school_delay_months(test_results: pd.DataFrame, growth: pd.DataFrame,
                         first: int) -> pd.DataFrame:
    """Per school: mean over domains of (baseline position - later position) / growth."""
    frame = test_results.assign(domain=test_results["domain"].astype("str"),
                                moment=test_results["moment"].astype("str"),
                                later=time_code(test_results) >= first)
    keys = ["domain", "grade", "moment"]
    norm = frame[~frame["later"]].groupby(keys)["mean_score"].mean().rename("norm")
    frame = frame.join(norm, on=keys)
    per_month = growth.set_index(["domain", "grade"])["points_per_month"]
    frame = frame.join(per_month, on=["domain", "grade"])
    frame = frame.assign(position=(frame["mean_score"] - frame["norm"]) / frame["points_per_month"])
    mean = frame.groupby(["school_id", "domain", "later"])["position"].mean().unstack("later")
    mean = mean.reindex(columns=[False, True])
    per_domain = (mean[False] - mean[True]).dropna()
    return (per_domain.groupby(level="school_id").mean().rename("delay_months").reset_index())


# --- Reading ------------------------------------------------------------------------------------


def _time_label(year: int, moment: str, language: str) -> str:
    nl, en = MOMENT_LABELS[moment]
    return f"{nl if language == 'nl' else en} {year}/{(year + 1) % 100:02d}"


def _months_text(value: float, language: str) -> str:
    return format_number(value, 1, language)


@dataclass(frozen=True)
class DomainReading:
    """One domain of :func:`compare_with_national` as the reports read it.

    Attributes
    ----------
    domain : str
        The test domain.
    peak, last : pandas.Series
        The municipality's row with the largest delay (the first when tied) and its row at the
        latest time point.
    national_at_peak, national_at_last : float
        The national delay at those time points (NaN when the country has none then).
    has_national : bool
        Whether the comparison holds national rows for the domain.
    """

    domain: str
    peak: pd.Series
    last: pd.Series
    national_at_peak: float
    national_at_last: float
    has_national: bool


def domain_readings(comparison: pd.DataFrame) -> list[DomainReading]:
    """Per domain the municipality has (schema order), its peak and latest delay with the
    country's delay at the same time points.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare_with_national`.

    Returns
    -------
    list of DomainReading
    """
    readings = []
    groups = {key: rows for key, rows in comparison.groupby(["area", "domain"], sort=False,
                                                            observed=True)}
    for domain in TEST_DOMAINS:
        own = groups.get(("municipality", domain))
        if own is None or own.empty:
            continue
        nat = groups.get(("national", domain))
        national = ({} if nat is None else
                    dict(zip(zip(nat["school_year"], nat["moment"], strict=True),
                             nat["delay_months"], strict=True)))
        peak = own.loc[own["delay_months"].idxmax()]
        last = own.loc[(own["school_year"] * 2 + (own["moment"] == "eind")).idxmax()]
        readings.append(DomainReading(
            domain, peak, last,
            float(national.get((peak["school_year"], peak["moment"]), np.nan)),
            float(national.get((last["school_year"], last["moment"]), np.nan)),
            has_national=bool(national)))
    return readings


def describe_delays(comparison: pd.DataFrame, language: str = "nl") -> str:
    """A short plain reading of :func:`compare_with_national`: peak and latest delay per domain.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare_with_national`.
    language : {"nl", "en"}
        Dutch (default) or English; figures use the language's decimal mark.

    Returns
    -------
    str
        One sentence per domain, e.g. ``"Rekenen: de grootste achterstand was 3,4 maanden
        (95%-betrouwbaarheidsinterval 2,1 tot 4,7) bij midden 2020/21; landelijk 3,6. Bij
        eind 2024/25: 0,8 maanden (landelijk 0,7)."``
    """
    check_language(language)
    return " ".join(_domain_sentence(reading, language)
                    for reading in domain_readings(comparison) if reading.has_national)


def _domain_sentence(reading: DomainReading, language: str) -> str:
    """The reading of one domain: the peak delay with its interval, and the latest one."""
    peak, last = reading.peak, reading.last
    name = DOMAIN_LABELS[reading.domain][0 if language == "nl" else 1].capitalize()
    f = lambda v: _months_text(v, language)  # noqa: E731
    peak_nat, last_nat = reading.national_at_peak, reading.national_at_last
    peak_at = _time_label(peak["school_year"], peak["moment"], language)
    last_at = _time_label(last["school_year"], last["moment"], language)
    if language == "nl":
        return (f"{name}: de grootste achterstand was {f(peak['delay_months'])} maanden "
                f"(95%-betrouwbaarheidsinterval {f(peak['ci_low'])} tot {f(peak['ci_high'])}) "
                f"bij {peak_at}; landelijk {f(peak_nat)}. Bij {last_at}: "
                f"{f(last['delay_months'])} maanden (landelijk {f(last_nat)}).")
    return (f"{name}: the largest delay was {f(peak['delay_months'])} months (95% confidence "
            f"interval {f(peak['ci_low'])} to {f(peak['ci_high'])}) at {peak_at}; nationally "
            f"{f(peak_nat)}. At {last_at}: {f(last['delay_months'])} months (nationally "
            f"{f(last_nat)}).")
