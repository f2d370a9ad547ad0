"""The national tables: indicator, budgets per budget year and what-if scenarios, computed once.

Every municipality report reads the same national figures, so they are computed once per dataset
and parameter set by :func:`build_national_tables` and read by :func:`load_national_tables`.
The results directory holds::

    national_tables.json                 hashes of the inputs, options, years, scenarios, dataset,
                                         indicator_source
    indicator/pupil_scores.parquet       one row per child, sorted by municipality_code
                                         (empty for a public dataset: no microdata)
    indicator/school_scores.parquet      one row per school
    indicator/municipality_scores.parquet
    indicator/model.json                 coefficients, C, G, c_minus_g, counts
    budgets/<year>/municipality_budgets.parquet
    budgets/<year>/school_budgets.parquet
    scenarios/<name>/municipality_budgets.parquet, school_budgets.parquet,
                     goab_comparison.parquet, school_comparison.parquet, scenario.json

The indicator comes from one of two sources (:func:`indicator_source`):

- ``microdata`` (a dataset with ``pupils``, such as Demoland): the CBS model is fitted and every
  child scored (:func:`npo_analysis.domain.indicator.compute_indicator`);
- ``published_school_scores`` (a public, school-level dataset of ``npo-analysis
  import-public``): :func:`published_indicator` takes the published scores, gross scores A and
  pupil counts E per school and C - G as the import estimated it from the *whole* published file
  (``dataset.json`` ``public``; :func:`npo_analysis.domain.indicator.published.estimate_c_minus_g`).
  Where a budget year's threshold fraction is the published one (F = 12%), school scores,
  school budgets and national totals use the **published** scores; otherwise the threshold is
  recomputed (``score_source`` says which); the flags are the published ones. C and G
  themselves, the uncertainty band (``score_gross_low/high``), the pupils' scores and the
  toddlers are unknown. A municipality's score is built from the sums of its schools' A and E:
  an **approximation**, because the real
  municipal score also counts the resident children aged 2.5-4 (in the gross score and in the
  threshold), which no public file has.

Budget years: the indicator runs once; each budget year applies its own threshold fractions
(``indicator.school_threshold_fraction`` / ``municipal_threshold_fraction`` of
``params/<year>.yaml``) to the gross scores, ``score = max(0, A - E x F x (C - G))``, and then
:func:`npo_analysis.domain.budgets.allocate_year`. With ``goab.phase_in_max_change`` set, a year is phased
in from the previous year's GOAB budgets when that year is computed too. A dataset with the scores
of one count date funds every budget year with them; one whose ``published_school_scores`` hold
several count dates funds each budget year with the average of its count-date rule
(``count_dates`` of ``params/<year>.yaml``; the ``indicator/`` tables follow the latest year's
rule).

Scenarios: ``params/scenarios/<name>.yaml`` names a ``base_year`` and overrides keys of that
year's parameters (see ``params/scenarios/README.md``); its budgets are compared with the base
year's by :func:`npo_analysis.domain.allocation.compare_scenarios`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from npo_analysis import table_cache
from npo_analysis.atomic import atomic_directory, write_text_atomic
from npo_analysis.domain.budgets import BudgetYear, allocate_year
from npo_analysis.domain.params import BudgetParams, load_params
from npo_analysis.hashing import json_sha256
from npo_analysis.national.key import (  # noqa: F401  (re-exported: part of this module's API)
    INFO_FILE,
    LAYOUT_VERSION,
    SCENARIO_DIR,
    _checked_years,
    is_current,
    national_inputs,
    scenario_files,
)

if TYPE_CHECKING:  # the indicator package is imported only when it computes
    from npo_analysis.domain.indicator.pipeline import IndicatorResult

#: Parameter keys a scenario may not override (the target group needs a new model run).
FIXED_KEYS = ("year", "count_date", "sources", "indicator.target_share")


# --- Scenarios ----------------------------------------------------------------------------------


class ScenarioSpec(BaseModel):
    """A what-if scenario, the content of ``params/scenarios/<name>.yaml``.

    Parameters
    ----------
    description : str
        One line in Dutch, shown in reports.
    base_year : int
        Budget year whose parameters the scenario starts from.
    overrides : dict
        Nested keys of the base year's parameters with their new values, e.g.
        ``{"goab": {"minimum_eur": 100000}}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    base_year: int
    overrides: dict


def load_scenario(path: str | Path, params_dir: str | Path = "params"
                  ) -> tuple[ScenarioSpec, BudgetParams]:
    """Read a scenario file and return it with the base year's parameters, overridden.

    Parameters
    ----------
    path : path-like
        The scenario file.
    params_dir : path-like
        Where the base year's ``<year>.yaml`` lives.

    Returns
    -------
    (ScenarioSpec, BudgetParams)
        The scenario and its validated parameters.

    Raises
    ------
    ValueError
        Naming the file and key: invalid YAML, unknown or fixed keys, values the parameter
        rules reject.
    """
    path = Path(path)
    spec = _read_spec(path)
    base = load_params(spec.base_year, params_dir)
    merged = base.model_dump()
    _apply_overrides(merged, spec.overrides, path, prefix="")
    try:
        return spec, BudgetParams.model_validate(merged)
    except ValidationError as exc:
        lines = [f"{path}: overrides.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                 for e in exc.errors()]
        raise ValueError("\n".join(lines)) from None


def _read_spec(path: Path) -> ScenarioSpec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                 for e in exc.errors()]
        raise ValueError("\n".join(lines) + "; expected keys description, base_year, "
                         "overrides") from None


def _apply_overrides(target: dict, overrides: dict, path: Path, prefix: str) -> None:
    """Set ``overrides`` into the nested ``target`` in place; unknown and fixed keys fail."""
    for key, value in overrides.items():
        dotted = f"{prefix}{key}"
        if dotted in FIXED_KEYS:
            raise ValueError(f"{path}: overrides.{dotted}: cannot be changed by a scenario "
                             f"(fixed keys: {', '.join(FIXED_KEYS)})")
        if key not in target:
            raise ValueError(f"{path}: overrides.{dotted}: unknown key (allowed here: "
                             f"{', '.join(sorted(target))})")
        if isinstance(value, dict) and isinstance(target[key], dict):
            _apply_overrides(target[key], value, path, prefix=f"{dotted}.")
        else:
            target[key] = value


# --- The indicator from published school scores (public datasets) ----------------------------

#: ``indicator_source`` of a dataset with pupil microdata.
MICRODATA = "microdata"
#: ``indicator_source`` of a public, school-level dataset (``npo-analysis import-public``).
PUBLISHED = "published_school_scores"
#: Columns and dtypes of ``pupil_scores`` (empty for a public dataset).
PUPIL_SCORE_DTYPES = {"child_type": "str", "child_id": "int64", "school_id": "str",
                      "neighbourhood_code": "str", "municipality_code": "str",
                      "score": "float64", "target": "bool", "age": "float64"}
#: Threshold fraction F of the published CBS school scores: where a budget year uses it, the
#: published scores are used as published.
PUBLISHED_FRACTION = 0.12
#: ``score_source`` of a school score that is the CBS figure / one recomputed with another F.
SCORE_PUBLISHED = "published"
SCORE_RECOMPUTED = "recomputed"
#: What ``model.json`` of a public dataset says about its limits.
PUBLISHED_NOTES = (
    "Built from published CBS school scores, without pupil microdata: no model fit, no pupil "
    "scores, no uncertainty band (score_gross_low/high missing).",
    "C - G estimated as sum(A) / (target_share x sum(E)) over every school of the published "
    "score file (whether or not placed in a municipality); C and G separately are unknown.",
    "score is the published CBS score where the threshold fraction is the published 12% "
    "(score_source 'published'); with another fraction it is recomputed as max(0, A - E x F x "
    "(C - G)), rounded to 2 decimals (score_source 'recomputed'). score_recomputed always "
    "holds the recomputed value, score_published the CBS figure; flag the CBS flags.",
    "target_pupils is an estimate, A / (C - G): exact in total over the country, not per school.",
    "Municipal scores approximate: the sums of the schools' A and E of the municipality, without "
    "its resident toddlers (aged 2.5-4), whom the real municipal score also counts; toddlers "
    "are unknown (missing).",
)


def indicator_source(data_dir: str | Path) -> str:
    """Where a dataset's indicator comes from: :data:`MICRODATA` or :data:`PUBLISHED`.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.

    Returns
    -------
    str
        ``"microdata"`` when it has ``pupils.parquet``, else ``"published_school_scores"`` when
        it has ``published_school_scores.parquet``.

    Raises
    ------
    FileNotFoundError
        When it has neither (the message names both).
    """
    data_dir = Path(data_dir)
    if (data_dir / "pupils.parquet").is_file():
        return MICRODATA
    if (data_dir / "published_school_scores.parquet").is_file():
        return PUBLISHED
    raise FileNotFoundError(
        f"{data_dir}: neither pupils.parquet (pupil microdata) nor "
        "published_school_scores.parquet (published CBS school scores, from `npo-analysis "
        "import-public`); the national tables need one of the two")


def combined_flags(flag: pd.Series, flag_parts: pd.Series) -> pd.Series:
    """CBS flags ``a`` and ``b``/``c`` in one string, as the microdata indicator writes them.

    Parameters
    ----------
    flag, flag_parts : pandas.Series
        ``published_school_scores.flag`` (``a`` or empty) and ``flag_parts`` (``b``, ``c``,
        ``b, c`` or empty).

    Returns
    -------
    pandas.Series of str
        ``", "``-joined, e.g. ``a, b, c``; empty when the school has no flag.

    Examples
    --------
    >>> combined_flags(pd.Series(["a", "", ""]), pd.Series(["b, c", "c", ""])).tolist()
    ['a, b, c', 'c', '']
    """
    parts = zip(flag.fillna("").astype(str), flag_parts.fillna("").astype(str), strict=True)
    return pd.Series([", ".join(p for p in pair if p) for pair in parts], index=flag.index,
                     dtype="str")


def published_school_table(published: pd.DataFrame, schools: pd.DataFrame, c_minus_g: float,
                           fraction: float = 0.12) -> pd.DataFrame:
    """School scores from the published CBS scores, with the threshold recomputed.

    Parameters
    ----------
    published : pandas.DataFrame
        The ``published_school_scores`` table.
    schools : pandas.DataFrame
        The ``schools`` table (gives each school's municipality).
    c_minus_g : float
        C - G (:func:`npo_analysis.domain.indicator.published.estimate_c_minus_g`).
    fraction : float
        F of the school threshold.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``school_id``: the columns of the microdata indicator's school table
        (``school_id, municipality_code, pupils, target_pupils, score_gross, score_gross_low,
        score_gross_high, score_gross_onderbouw, score_gross_bovenbouw, threshold, score,
        flag``) plus ``score_published``, ``score_recomputed`` and ``score_source``.
        ``score`` is the published score when ``fraction`` is :data:`PUBLISHED_FRACTION`, else
        the recomputed one. ``target_pupils`` = A / (C - G) (an estimate),
        ``score_gross_low/high`` missing.
    """
    from npo_analysis.domain.indicator.published import apply_threshold
    from npo_analysis.domain.indicator.scores import thresholds

    frame = published.sort_values("school_id", kind="stable").reset_index(drop=True)
    gross = frame["score_gross"].to_numpy(dtype=float)
    pupils = frame["pupils"].to_numpy(dtype=np.int64)
    place = schools.set_index("school_id")["municipality_code"]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(c_minus_g > 0, gross / c_minus_g, 0.0)
    missing = np.full(len(frame), np.nan)
    return pd.DataFrame({
        "school_id": frame["school_id"].astype("str"),
        "municipality_code": frame["school_id"].map(place).astype("str"),
        "pupils": pupils,
        "target_pupils": target,
        "score_gross": gross,
        "score_gross_low": missing,
        "score_gross_high": missing,
        "score_gross_onderbouw": frame["score_gross_onderbouw"].to_numpy(dtype=float),
        "score_gross_bovenbouw": frame["score_gross_bovenbouw"].to_numpy(dtype=float),
        "threshold": thresholds(pupils, c_minus_g, fraction),
        "score": apply_threshold(gross, pupils, c_minus_g, fraction),
        "flag": combined_flags(frame["flag"], frame["flag_parts"]),
        "score_published": frame["score"].to_numpy(dtype=float),
    }).pipe(with_published_scores, fraction)


def with_published_scores(school_scores: pd.DataFrame, fraction: float) -> pd.DataFrame:
    """Use the published scores as published where the threshold fraction is the published one.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        School scores with ``score`` just recomputed with ``fraction`` and, for a public
        dataset, ``score_published``.
    fraction : float
        The threshold fraction F the scores were recomputed with.

    Returns
    -------
    pandas.DataFrame
        Unchanged without ``score_published``; else a copy with ``score_recomputed`` (the
        recomputed value), ``score`` (the published one when ``fraction`` is
        :data:`PUBLISHED_FRACTION`, else the recomputed one) and ``score_source``
        (:data:`SCORE_PUBLISHED` or :data:`SCORE_RECOMPUTED`).

    Examples
    --------
    >>> scores = pd.DataFrame({"score": [10.0], "score_published": [10.01]})
    >>> with_published_scores(scores, 0.12)[["score", "score_recomputed"]].values.tolist()
    [[10.01, 10.0]]
    >>> with_published_scores(scores, 0.10)["score_source"].tolist()
    ['recomputed']
    """
    if "score_published" not in school_scores.columns:
        return school_scores
    as_published = bool(np.isclose(fraction, PUBLISHED_FRACTION))
    recomputed = school_scores["score"].to_numpy(dtype=float)
    return school_scores.assign(
        score=school_scores["score_published"].to_numpy(dtype=float) if as_published
        else recomputed,
        score_recomputed=recomputed,
        score_source=SCORE_PUBLISHED if as_published else SCORE_RECOMPUTED)


def published_municipality_table(school_scores: pd.DataFrame, municipalities: pd.DataFrame,
                                 c_minus_g: float, fraction: float = 0.12) -> pd.DataFrame:
    """Approximate municipal scores: the sums of the municipality's school scores.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        :func:`published_school_table`.
    municipalities : pandas.DataFrame
        The ``municipalities`` table (municipalities without schools get zeros).
    c_minus_g : float
        C - G.
    fraction : float
        F of the municipal threshold.

    Returns
    -------
    pandas.DataFrame
        Sorted by code: ``municipality_code``, ``pupils`` (sum of E), ``toddlers`` (missing:
        unknown), ``target_children`` (sum of the schools' estimated target pupils),
        ``score_gross`` (sum of A), ``score`` = max(0, sum A - sum E x F x (C - G)), rounded to
        2 decimals. The real municipal score also counts the resident toddlers, so ``score`` is
        an approximation.
    """
    from npo_analysis.domain.indicator.scores import thresholded_scores

    codes = municipalities["municipality_code"].sort_values(kind="stable").astype("str")
    sums = (school_scores.groupby("municipality_code", sort=True)
            [["pupils", "target_pupils", "score_gross"]].sum()
            .reindex(codes, fill_value=0))
    pupils = sums["pupils"].to_numpy(dtype=np.int64)
    gross = sums["score_gross"].to_numpy(dtype=float)
    return pd.DataFrame({
        "municipality_code": codes.to_numpy(),
        "pupils": pupils,
        "toddlers": pd.array([pd.NA] * len(codes), dtype="Int64"),
        "target_children": sums["target_pupils"].to_numpy(dtype=float),
        "score_gross": gross,
        "score": thresholded_scores(gross, pupils, c_minus_g, fraction),
    })


def reproduction(school_scores: pd.DataFrame, tolerance: float = 0.01) -> dict:
    """How well the recomputed thresholded scores reproduce the published ones.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        :func:`published_school_table` (``score_recomputed``, or ``score`` when absent, and
        ``score_published``).
    tolerance : float
        Largest difference that counts as reproduced.

    Returns
    -------
    dict
        ``schools``, ``within_tolerance`` (schools with ``|score_recomputed - score_published|
        <= tolerance``), ``tolerance`` and ``max_abs_difference``.
    """
    recomputed = school_scores.get("score_recomputed", school_scores["score"])
    difference = (recomputed - school_scores["score_published"]).abs()
    return {"schools": len(difference),
            "within_tolerance": int((difference <= tolerance + 1e-9).sum()),
            "tolerance": tolerance,
            "max_abs_difference": round(float(difference.max()), 6) if len(difference) else 0.0}


def empty_pupil_scores() -> pd.DataFrame:
    """An empty ``pupil_scores`` table.

    Returns
    -------
    pandas.DataFrame
        No rows; the columns and dtypes of :data:`PUPIL_SCORE_DTYPES` (those of the microdata
        indicator's child table), so readers of the national tables need no special case.
    """
    return pd.DataFrame({name: pd.Series([], dtype=dtype)
                         for name, dtype in PUPIL_SCORE_DTYPES.items()})


def published_indicator(data_dir: str | Path, *, target_share: float = 0.15,
                        threshold_fraction: float = 0.12,
                        municipal_threshold_fraction: float = 0.12,
                        count_dates: dict | None = None) -> IndicatorResult:
    """The indicator's tables of a public dataset, from its published CBS school scores.

    Parameters
    ----------
    data_dir : path-like
        A dataset directory with ``municipalities``, ``schools`` and
        ``published_school_scores`` (validated on load).
    target_share : float
        Share of all pupils in the target group (0.15), used to estimate C - G.
    threshold_fraction, municipal_threshold_fraction : float
        F of the school and of the municipal threshold.
    count_dates : dict, optional
        The budget year's count-date rule (count date -> weight,
        :attr:`npo_analysis.domain.params.BudgetParams.count_date_weights`), needed when the table
        holds the scores of several count dates: they are averaged per school by it
        (:func:`npo_analysis.domain.indicator.published.combine_count_dates`), and C - G is the
        rule's weighted mean of each count date's estimate from its rows.

    Returns
    -------
    npo_analysis.domain.indicator.IndicatorResult
        ``pupil_scores`` empty; ``school_scores`` from :func:`published_school_table`;
        ``municipality_scores`` from :func:`published_municipality_table`; ``model`` with
        ``source``, ``c_minus_g`` (from the whole published file's totals in ``dataset.json``
        ``public``, else from the table) with ``c_minus_g_schools`` (how many schools it came
        from), ``published_total`` (the file's sum of scores) and ``left_out`` (the import's
        left-out schools), ``C`` and ``G`` null, counts (``n_schools_without_score``:
        schools of ``schools`` without a published score, which get no score and no NPO school
        budget), parameters, the :func:`reproduction` of the published scores and
        :data:`PUBLISHED_NOTES`.

    Examples
    --------
    >>> result = published_indicator("outputs/data/public-2019")  # doctest: +SKIP
    >>> round(result.model["c_minus_g"], 4)  # doctest: +SKIP
    5.8004
    """
    from npo_analysis.data.dataset import load_dataset
    from npo_analysis.domain.indicator.pipeline import IndicatorResult
    from npo_analysis.domain.indicator.published import count_dates_of, estimate_c_minus_g

    dataset = load_dataset(data_dir, tables=["municipalities", "schools",
                                             "published_school_scores"])
    published = dataset["published_school_scores"]
    whole_file = (dataset.info.public or {}).get("published")
    if len(count_dates_of(published)) > 1:
        published, c_minus_g = _several_count_dates(published, count_dates, target_share)
        c_minus_g_schools, whole_file = len(published), None
    elif whole_file:  # the import recorded the whole score file's totals
        c_minus_g = whole_file["score_gross"] / (target_share * whole_file["pupils"])
        c_minus_g_schools = int(whole_file["schools"])
    else:  # a dataset of an older import: only the placed schools are known
        c_minus_g = estimate_c_minus_g(published["score_gross"], published["pupils"],
                                       target_share)
        c_minus_g_schools = len(published)
    schools = published_school_table(published, dataset["schools"], c_minus_g,
                                     threshold_fraction)
    municipalities = published_municipality_table(schools, dataset["municipalities"], c_minus_g,
                                                  municipal_threshold_fraction)
    model = {
        "source": PUBLISHED, "C": None, "G": None, "c_minus_g": c_minus_g, "boundary": None,
        "c_minus_g_schools": c_minus_g_schools,
        "published_total": (whole_file or {}).get("score"),
        "left_out": (dataset.info.public or {}).get("left_out"),
        "n_schools": len(schools), "n_pupils": int(schools["pupils"].sum()),
        "n_schools_without_score": int((~dataset["schools"]["school_id"].isin(
            published["school_id"])).sum()),
        "n_toddlers": None, "n_target_pupils": target_share * float(schools["pupils"].sum()),
        "target_share": target_share, "threshold_fraction": threshold_fraction,
        "municipal_threshold_fraction": municipal_threshold_fraction,
        "reproduction": reproduction(schools), "notes": list(PUBLISHED_NOTES),
    }
    return IndicatorResult(pupil_scores=empty_pupil_scores(), school_scores=schools,
                           municipality_scores=municipalities, model=model)


def _several_count_dates(published: pd.DataFrame, count_dates: dict | None,
                         target_share: float) -> tuple[pd.DataFrame, float]:
    """Scores of several count dates averaged by the rule, and the rule's mean C - G."""
    from npo_analysis.domain.indicator.published import (
        combine_count_dates,
        count_dates_of,
        estimate_c_minus_g,
    )

    if count_dates is None:
        raise ValueError(f"published_school_scores holds the scores of count dates "
                         f"{count_dates_of(published)}; pass the budget year's count-date rule "
                         "(count_dates of params/<year>.yaml)")
    rule = {str(date): weight for date, weight in count_dates.items()}
    combined = combine_count_dates(published, rule)
    per_date = {date: published[published["count_date"].astype(str) == date] for date in rule}
    c_minus_g = sum(weight * estimate_c_minus_g(per_date[date]["score_gross"],
                                                per_date[date]["pupils"], target_share)
                    for date, weight in rule.items())
    return combined, float(c_minus_g)


def published_count_dates(data_dir: str | Path) -> list[str]:
    """The count dates of a public dataset's published scores (empty for microdata).

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.

    Returns
    -------
    list of str
        Sorted ISO dates of ``published_school_scores.count_date``.
    """
    from npo_analysis.domain.indicator.published import count_dates_of

    path = Path(data_dir) / "published_school_scores.parquet"
    if not path.is_file():
        return []
    return count_dates_of(pd.read_parquet(path, columns=None))


def with_school_score_sums(municipality_scores: pd.DataFrame,
                           school_scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``score_schools``: the sum of the thresholded scores of the municipality's schools.

    The schools of a municipality are funded on these scores; the municipal score itself
    thresholds the municipality's children as one group.

    Parameters
    ----------
    municipality_scores : pandas.DataFrame
        One row per municipality (``municipality_code``).
    school_scores : pandas.DataFrame
        One row per school (``municipality_code``, ``score``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``score_schools`` (0 for a municipality without schools).
    """
    sums = school_scores.groupby("municipality_code", sort=True)["score"].sum()
    return municipality_scores.assign(score_schools=sums.reindex(
        municipality_scores["municipality_code"], fill_value=0.0).to_numpy(dtype=float))


def model_c_minus_g(model: dict) -> float:
    """C - G of an indicator's ``model.json``.

    Parameters
    ----------
    model : dict
        The content of ``model.json``.

    Returns
    -------
    float
        ``c_minus_g`` when recorded (published scores: C and G are unknown), else ``C - G``.
    """
    if model.get("c_minus_g") is not None:
        return float(model["c_minus_g"])
    return float(model["C"] - model["G"])


# --- Computing ----------------------------------------------------------------------------------


def scores_for_year(school_scores: pd.DataFrame, municipality_scores: pd.DataFrame,
                    c_minus_g: float, params: BudgetParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply a budget year's threshold fractions to the gross scores (no model rerun).

    Parameters
    ----------
    school_scores, municipality_scores : pandas.DataFrame
        The indicator's outputs (``score_gross``, ``pupils``; municipalities also ``toddlers``,
        missing for a public dataset and then counted as 0).
    c_minus_g : float
        C - G of the indicator's ``model.json`` (:func:`model_c_minus_g`).
    params : BudgetParams
        The budget year (``indicator.school_threshold_fraction``,
        ``indicator.municipal_threshold_fraction``).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Copies with ``threshold`` (schools) and ``score`` recomputed:
        ``max(0, score_gross - E x F x (C - G))`` rounded half up to 2 decimals, E = pupils for a
        school and pupils + toddlers for a municipality; for published scores, the school
        ``score`` is the published one when the year's F is the published 12%
        (:func:`with_published_scores`). ``score_schools`` of the municipalities is the sum of
        the schools' scores.
    """
    from npo_analysis.domain.indicator.scores import (  # loads statsmodels
        thresholded_scores,
        thresholds,
    )

    school_f = params.indicator.school_threshold_fraction
    municipal_f = params.indicator.municipal_threshold_fraction
    schools = school_scores.assign(
        threshold=thresholds(school_scores["pupils"], c_minus_g, school_f),
        score=thresholded_scores(school_scores["score_gross"], school_scores["pupils"],
                                 c_minus_g, school_f)).pipe(with_published_scores, school_f)
    toddlers = municipality_scores["toddlers"].astype("Float64").fillna(0).to_numpy(dtype=float)
    children = municipality_scores["pupils"].to_numpy(dtype=float) + toddlers
    municipalities = municipality_scores.assign(
        score=thresholded_scores(municipality_scores["score_gross"], children, c_minus_g,
                                 municipal_f))
    return schools, with_school_score_sums(municipalities, schools)


def _common_target_share(params: list[BudgetParams]) -> float:
    shares = sorted({p.indicator.target_share for p in params})
    if len(shares) > 1:
        years = {p.year: p.indicator.target_share for p in params}
        raise ValueError(f"indicator.target_share differs between budget years {years}: the "
                         "national tables use one model run; build them per target share")
    return shares[0]


def _budget_year(indicator, params: BudgetParams, data_dir: Path,
                 previous: pd.DataFrame | None) -> BudgetYear:
    """Budgets of one year with municipality and school names added."""
    from npo_analysis.domain.budgets import with_names

    c_minus_g = model_c_minus_g(indicator.model)
    schools, municipalities = scores_for_year(indicator.school_scores,
                                              indicator.municipality_scores, c_minus_g, params)
    if previous is not None and params.goab.phase_in_max_change is None:
        previous = None
    result = allocate_year(schools, municipalities, params, previous)
    return BudgetYear(*with_names(result, data_dir))


def _write_sliceable(pupil_scores: pd.DataFrame, path: Path) -> None:
    """Write the pupil scores sorted by municipality, a row group per municipality: one
    municipality's children read as one row group (:mod:`npo_analysis.table_cache`)."""
    ordered = pupil_scores.sort_values(["municipality_code", "child_type", "child_id"],
                                       kind="stable")
    table_cache.write_by_group(ordered, path, "municipality_code")


def _write_budgets(budgets: BudgetYear, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    budgets.municipalities.to_parquet(directory / "municipality_budgets.parquet", index=False)
    budgets.schools.to_parquet(directory / "school_budgets.parquet", index=False)


def _write_scenario(name: str, spec: ScenarioSpec, budgets: BudgetYear, base: BudgetYear,
                    directory: Path) -> None:
    """Budgets of a scenario and their comparison with the base year."""
    from npo_analysis.domain.allocation import compare_scenarios

    _write_budgets(budgets, directory)
    goab = compare_scenarios(base.municipalities, budgets.municipalities,
                             key="municipality_code", amount="goab_eur")
    schools = compare_scenarios(base.schools, budgets.schools, key="school_id",
                                amount="budget_eur")
    school_municipality = base.schools.set_index("school_id")["municipality_code"]
    school_units = schools.units.assign(
        municipality_code=schools.units["school_id"].map(school_municipality))
    goab.units.to_parquet(directory / "goab_comparison.parquet", index=False)
    school_units.to_parquet(directory / "school_comparison.parquet", index=False)
    summary = {"name": name, **spec.model_dump(),
               "summary": {"goab": goab.summary, "schools": schools.summary}}
    (directory / "scenario.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8")


def _indicator(data_dir: Path, source: str, target_share: float, rounds: int, seed: int,
               progress: Callable[[str], None],
               count_dates: dict | None = None) -> IndicatorResult:
    """The indicator of either source, municipalities with ``score_schools``."""
    from npo_analysis.domain.indicator import compute_indicator, load_indicator_dataset

    if source == MICRODATA:
        result = compute_indicator(load_indicator_dataset(data_dir), rounds=rounds, seed=seed,
                                   target_share=target_share, progress=progress)
    else:
        result = published_indicator(data_dir, target_share=target_share,
                                     count_dates=count_dates)
        reproduced = result.model["reproduction"]
        progress(f"published scores of {reproduced['schools']} schools, C - G "
                 f"{result.model['c_minus_g']:.4f}; {reproduced['within_tolerance']} reproduced "
                 f"within {reproduced['tolerance']}")
    result.municipality_scores = with_school_score_sums(result.municipality_scores,
                                                        result.school_scores)
    return result


def build_national_tables(data_dir: str | Path, results_dir: str | Path, *,
                          params_dir: str | Path = "params", years: list[int] | None = None,
                          rounds: int = 10, seed: int = 0,
                          progress: Callable[[str], None] | None = None) -> Path:
    """Compute the indicator, every year's budgets and the scenarios once; reuse when unchanged.

    Parameters
    ----------
    data_dir : path-like
        Dataset directory with pupil microdata, or a public dataset with published school
        scores (see :func:`indicator_source`).
    results_dir : path-like
        Directory of the national tables (layout in the module docstring). It belongs to this
        function: it is replaced as a whole, atomically, when the inputs changed.
    params_dir : path-like
        Parameter directory (``<year>.yaml`` files and ``scenarios/``).
    years : list of int, optional
        Budget years to compute (default: every year in ``params_dir``).
    rounds, seed : int
        Imputation rounds and seed of the indicator (unused for published scores).
    progress : callable, optional
        Called with a short status line after each step.

    Returns
    -------
    pathlib.Path
        ``results_dir``. When ``national_tables.json`` there records the same cache key (content
        hashes of the data and parameter files, the options and the package version), nothing
        is computed.
    """
    from npo_analysis.data.dataset import DatasetInfo
    from npo_analysis.domain.indicator import write_indicator
    from npo_analysis.national.analyses import write_national_analyses

    results_dir, data_dir = Path(results_dir), Path(data_dir)
    progress = progress or (lambda message: None)
    inputs = national_inputs(data_dir, params_dir, years, rounds, seed)
    key = json_sha256(inputs)
    if is_current(results_dir, key):
        progress(f"national tables up to date in {results_dir}")
        return results_dir
    params = {year: load_params(year, params_dir) for year in inputs["years"]}
    scenarios = {p.stem: load_scenario(p, params_dir) for p in scenario_files(params_dir)}
    source = indicator_source(data_dir)
    share = _common_target_share(list(params.values()))
    several = source == PUBLISHED and len(published_count_dates(data_dir)) > 1
    rule = params[max(params)].count_date_weights if several else None
    indicator = _indicator(data_dir, source, share, rounds, seed, progress, rule)
    with atomic_directory(results_dir) as tmp:
        write_indicator(indicator, tmp / "indicator")
        _write_sliceable(indicator.pupil_scores, tmp / "indicator" / "pupil_scores.parquet")
        write_national_analyses(data_dir, tmp, indicator.school_scores)  # once, not per report
        progress("national analyses (delays, white spots, VVE)")
        budgets, previous = {}, None
        for year, year_params in params.items():
            year_indicator = (_indicator(data_dir, source, share, rounds, seed, progress,
                                         year_params.count_date_weights)
                              if several else indicator)
            budgets[year] = _budget_year(year_indicator, year_params, data_dir, previous)
            previous = budgets[year].municipalities.rename(columns={"goab_cents": "budget_cents"})
            _write_budgets(budgets[year], tmp / "budgets" / str(year))
        progress(f"budgets for {len(budgets)} years")
        for name, (spec, scenario_params) in scenarios.items():
            base = budgets.get(spec.base_year)
            if base is None:  # a base year outside ``years``: compute it without phase-in
                base = _budget_year(indicator, load_params(spec.base_year, params_dir),
                                    data_dir, None)
            scenario = _budget_year(indicator, scenario_params, data_dir, None)
            _write_scenario(name, spec, scenario, base, tmp / SCENARIO_DIR / name)
        info = {"key": key, **inputs, "indicator_source": source,
                "dataset": json.loads(DatasetInfo.from_file(data_dir / "dataset.json").to_json())}
        write_text_atomic(tmp / INFO_FILE, json.dumps(info, indent=2, sort_keys=True) + "\n")
    progress(f"national tables written to {results_dir}")
    return results_dir


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A what-if scenario read back from the national tables.

    Attributes
    ----------
    name, description : str
        File name (without ``.yaml``) and the Dutch one-line description.
    base_year : int
        The budget year it is compared with.
    overrides : dict
        The parameter keys it changes.
    summary : dict
        ``{"goab": ..., "schools": ...}``, each the ``summary`` of
        :func:`npo_analysis.domain.allocation.compare_scenarios` (winners, losers, unchanged,
        total_moved_eur, total_lost_eur, base_total_eur, alternative_total_eur).
    budgets : BudgetYear
        The scenario's budgets (columns as in :meth:`NationalTables.budgets`).
    goab_comparison, school_comparison : pandas.DataFrame
        Per municipality / school: the key, ``base_eur``, ``alternative_eur``,
        ``difference_eur``, ``difference_pct``, ``outcome`` (``winner``/``loser``/``unchanged``);
        the school comparison also has ``municipality_code``.
    """

    name: str
    description: str
    base_year: int
    overrides: dict
    summary: dict
    budgets: BudgetYear
    goab_comparison: pd.DataFrame
    school_comparison: pd.DataFrame


def _read(path: Path, municipality_code: str | None) -> pd.DataFrame:
    """A Parquet table, only the rows of one municipality when a code is given (read once per
    process, see :mod:`npo_analysis.table_cache`)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing from the national tables")
    where = None if municipality_code is None else ("municipality_code", [municipality_code])
    return table_cache.read_parquet(path, where=where)


@dataclass(frozen=True)
class NationalTables:
    """The national tables on disk (see :func:`load_national_tables`).

    Attributes
    ----------
    directory : pathlib.Path
        The results directory.
    info : dict
        ``national_tables.json``: ``key``, ``data_hash``, ``params_hash``, ``years``,
        ``scenarios``, ``rounds``, ``seed``, ``package_version``, ``indicator_source``,
        ``dataset`` (the content of the dataset's ``dataset.json``: ``name``, ``synthetic``,
        ``count_date`` ...).
    model : dict
        ``indicator/model.json``: ``C``, ``G``, ``coefficients``, counts and parameters; for
        published scores ``source``, ``c_minus_g`` (``C`` and ``G`` null), ``reproduction``
        and ``notes`` (see :func:`published_indicator`).
    school_scores : pandas.DataFrame
        One row per school: ``school_id, municipality_code, pupils, target_pupils,
        score_gross, score_gross_low, score_gross_high, score_gross_onderbouw,
        score_gross_bovenbouw, threshold, score, flag`` (threshold and score with F = the
        indicator's default 12%; a budget year's own scores are in :meth:`budgets`); for
        published scores also ``score_published``, with ``target_pupils`` estimated and
        ``score_gross_low/high`` missing.
    municipality_scores : pandas.DataFrame
        One row per municipality: ``municipality_code, pupils, toddlers, target_children,
        score_gross, score, score_schools`` (``toddlers`` missing for published scores).
    """

    directory: Path
    info: dict
    model: dict
    school_scores: pd.DataFrame
    municipality_scores: pd.DataFrame

    @property
    def years(self) -> list[int]:
        """Budget years with budgets."""
        return list(self.info["years"])

    @property
    def scenarios(self) -> list[str]:
        """Names of the what-if scenarios."""
        return list(self.info["scenarios"])

    @property
    def indicator_source(self) -> str:
        """:data:`MICRODATA` or :data:`PUBLISHED` (tables of older versions: microdata)."""
        return self.info.get("indicator_source", MICRODATA)

    @property
    def has_microdata(self) -> bool:
        """Whether pupils (and toddlers) were scored: pupil scores, C, G and bands exist."""
        return self.indicator_source == MICRODATA

    @property
    def c_minus_g(self) -> float:
        """C - G of the indicator (estimated from the published scores for a public dataset)."""
        return model_c_minus_g(self.model)

    def pupil_scores(self, municipality_code: str | None = None) -> pd.DataFrame:
        """Every child's score (``child_type, child_id, school_id, neighbourhood_code,
        municipality_code, score, target, age``), or only one municipality's children (no rows
        for a public dataset: see :attr:`has_microdata`)."""
        return _read(self.directory / "indicator" / "pupil_scores.parquet", municipality_code)

    def budgets(self, year: int, municipality_code: str | None = None) -> BudgetYear:
        """Budgets of one budget year, optionally only one municipality's rows.

        ``municipalities``: ``municipality_code, municipality_name, score, pupils,
        goab_target_cents, goab_cents, goab_eur, goab_minimum_applied, npo_grant_cents,
        npo_grant_eur, schools, npo_schools_cents, npo_schools_eur``. ``schools``:
        ``school_id, school_name, municipality_code, municipality_name, pupils, score,
        per_pupil_cents, per_score_cents, budget_cents, budget_eur``. Scores are the year's
        thresholded scores. Raises ``ValueError`` for a year without budgets.
        """
        folder = self._budgets_folder(year)
        return BudgetYear(_read(folder / "municipality_budgets.parquet", municipality_code),
                          _read(folder / "school_budgets.parquet", municipality_code))

    def municipality_budgets(self, year: int) -> pd.DataFrame:
        """``budgets(year).municipalities`` without reading the school budgets.

        Raises ``ValueError`` for a year without budgets.
        """
        return _read(self._budgets_folder(year) / "municipality_budgets.parquet", None)

    def _budgets_folder(self, year: int) -> Path:
        if year not in self.years:
            raise ValueError(f"year={year!r}: no budgets in {self.directory} "
                             f"(years: {self.years})")
        return self.directory / "budgets" / str(year)

    def scenario(self, name: str, municipality_code: str | None = None) -> Scenario:
        """A what-if scenario (see :class:`Scenario`), optionally one municipality's rows."""
        if name not in self.scenarios:
            raise ValueError(f"scenario {name!r} is not in {self.directory} "
                             f"(scenarios: {self.scenarios})")
        folder = self.directory / SCENARIO_DIR / name
        spec = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
        return Scenario(
            name=name, description=spec["description"], base_year=spec["base_year"],
            overrides=spec["overrides"], summary=spec["summary"],
            budgets=BudgetYear(_read(folder / "municipality_budgets.parquet", municipality_code),
                               _read(folder / "school_budgets.parquet", municipality_code)),
            goab_comparison=_read(folder / "goab_comparison.parquet", municipality_code),
            school_comparison=_read(folder / "school_comparison.parquet", municipality_code),
        )


def load_national_tables(results_dir: str | Path) -> NationalTables:
    """Open the national tables written by :func:`build_national_tables`.

    The score tables and ``model.json`` are read at once (small: one row per school or
    municipality); pupil scores, budgets and scenarios are read on demand, optionally only one
    municipality's rows (Parquet filters, cheap).

    Parameters
    ----------
    results_dir : path-like
        The results directory.

    Returns
    -------
    NationalTables

    Raises
    ------
    FileNotFoundError
        When the directory holds no ``national_tables.json`` (run
        :func:`build_national_tables` or ``npo-analysis national``).

    Examples
    --------
    >>> tables = load_national_tables("outputs/reports/tables/ab12cd34")  # doctest: +SKIP
    >>> tables.budgets(2024, "GM0001").municipalities["goab_eur"].item()  # doctest: +SKIP
    """
    directory = Path(results_dir)
    info_path = directory / INFO_FILE
    if not info_path.is_file():
        raise FileNotFoundError(f"{info_path}: not found; {directory} holds no national tables "
                                "(build them with `npo-analysis national`)")
    indicator = directory / "indicator"
    return NationalTables(
        directory=directory,
        info=json.loads(info_path.read_text(encoding="utf-8")),
        model=json.loads((indicator / "model.json").read_text(encoding="utf-8")),
        school_scores=_read(indicator / "school_scores.parquet", None),
        municipality_scores=_read(indicator / "municipality_scores.parquet", None),
    )
