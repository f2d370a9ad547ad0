"""GOAB and NPO budgets per municipality and per school, from disadvantage scores and parameters.

Inputs are the indicator's outputs: ``school_scores`` (one row per school: ``school_id``,
``municipality_code``, ``pupils``, ``score`` ...) and ``municipality_scores`` (one row per
municipality: ``municipality_code``, ``pupils``, ``score`` ...). Amounts come from
:class:`npo_analysis.domain.params.BudgetParams`. All money is computed in integer euro cents; the
``*_eur`` columns are the same amounts divided by 100, for display.

- GOAB per municipality: :func:`goab_budgets` (national total by municipal score, with a minimum,
  optionally phased in from the previous year's budgets);
- NPO per school: :func:`npo_school_budgets` (per pupil plus per score unit);
- NPO grant per municipality: :func:`npo_municipal_grants` (part by pupils, part by the GOAB key);
- school budgets per municipality: :func:`municipal_totals`;
- everything for one budget year: :func:`allocate_year`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.domain.allocation import distribute, distribute_with_flags, transition
from npo_analysis.domain.params import BudgetParams


@dataclass(frozen=True)
class BudgetYear:
    """The budgets of one budget year.

    Attributes
    ----------
    municipalities : pandas.DataFrame
        One row per municipality: GOAB budget, NPO grant and the total of its schools' NPO
        budgets (see :func:`allocate_year`).
    schools : pandas.DataFrame
        One row per school, as returned by :func:`npo_school_budgets`.
    """

    municipalities: pd.DataFrame
    schools: pd.DataFrame


# --- Input checks -------------------------------------------------------------------------------


def _checked(frame: pd.DataFrame, table: str, key: str, numeric: tuple[str, ...],
             whole: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check columns, a unique key and finite non-negative numbers; return a copy sorted by key."""
    missing = [c for c in (key, *numeric) if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {missing}; it has {list(frame.columns)}")
    if frame[key].isna().any() or frame[key].duplicated().any():
        bad = frame.loc[frame[key].isna() | frame[key].duplicated(), key].unique().tolist()[:5]
        raise ValueError(f"{table}: column {key!r} must be unique and filled; bad values {bad}")
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(values) | (values < 0)
        if column in whole:
            bad |= values != np.round(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            kind = "whole numbers >= 0" if column in whole else "finite numbers >= 0"
            value = frame[column].iloc[row]
            value = value.item() if isinstance(value, np.generic) else value
            raise ValueError(
                f"{table}: column {column!r} must hold {kind}; {key} "
                f"{frame[key].iloc[row]!r} has {value!r}"
            )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _euros(cents) -> np.ndarray:
    """Cents to euros (float) for display columns."""
    return np.asarray(cents, dtype=np.int64) / 100


def _aligned_cents(frame: pd.DataFrame, table: str, codes: pd.Series, column: str) -> np.ndarray:
    """``frame[column]`` (whole cents) per code in ``codes``; codes absent from ``frame`` get 0."""
    checked = _checked(frame, table, "municipality_code", (column,), whole=(column,))
    values = checked.set_index("municipality_code")[column].reindex(codes, fill_value=0)
    return values.to_numpy().astype(np.int64)


# --- GOAB ---------------------------------------------------------------------------------------


def goab_budgets(municipality_scores: pd.DataFrame, params: BudgetParams,
                 previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distribute the national GOAB total over municipalities by their disadvantage score.

    ``target_i = max(minimum, lam x score_i)`` in cents with ``lam`` such that the targets sum to
    ``goab.total_eur`` (see :func:`npo_analysis.domain.allocation.distribute`). With ``previous`` budgets
    and ``goab.phase_in_max_change`` set, the budget is the target phased in
    (:func:`npo_analysis.domain.allocation.transition`): each municipality's change versus its previous
    budget is capped, the total is kept, the minimum still holds.

    Parameters
    ----------
    municipality_scores : pandas.DataFrame
        Columns ``municipality_code`` and ``score`` (>= 0), one row per municipality.
    params : BudgetParams
        Parameters of the budget year.
    previous : pandas.DataFrame, optional
        Previous year's budgets: ``municipality_code`` and ``budget_cents``. Municipalities absent
        from it count as new (not capped); rows for municipalities that no longer exist are
        ignored.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``municipality_code``: ``municipality_code``, ``score``, ``target_cents``
        (before phase-in), ``budget_cents``, ``budget_eur``, ``minimum_applied`` (the
        proportional share was below the minimum).

    Raises
    ------
    ValueError
        On bad input (naming the table, column and municipality), when ``previous`` is given but
        ``goab.phase_in_max_change`` is null, or when the phase-in is infeasible.
    """
    frame = _checked(municipality_scores, "municipality_scores", "municipality_code", ("score",))
    codes = frame["municipality_code"]
    goab = params.goab
    target = distribute_with_flags(goab.total_cents, frame["score"].to_numpy(dtype=float),
                                   goab.minimum_cents, keys=codes)
    budget = target.cents
    if previous is not None:
        if goab.phase_in_max_change is None:
            raise ValueError(
                f"previous budgets were given but goab.phase_in_max_change is null in the "
                f"parameters of {params.year}: set it to phase the budgets in"
            )
        prev = _aligned_cents(previous, "previous budgets", codes, "budget_cents")
        budget = transition(prev, target.cents, goab.phase_in_max_change, goab.minimum_cents,
                            keys=codes).to_numpy()
    return pd.DataFrame({
        "municipality_code": codes,
        "score": frame["score"].to_numpy(dtype=float),
        "target_cents": target.cents,
        "budget_cents": budget,
        "budget_eur": _euros(budget),
        "minimum_applied": target.minimum_applied,
    })


# --- NPO schools ----------------------------------------------------------------------------------


def _round_half_up_cents(values: np.ndarray, rate_eur: Decimal) -> np.ndarray:
    """``round_half_up(value x rate x 100)`` per value, exactly (Decimal of each float's repr)."""
    if rate_eur == 0:
        return np.zeros(len(values), dtype=np.int64)
    rate_cents = rate_eur * 100
    return np.array(
        [int((Decimal(repr(float(v))) * rate_cents).to_integral_value(ROUND_HALF_UP))
         for v in values],
        dtype=np.int64,
    )


def npo_school_budgets(school_scores: pd.DataFrame, params: BudgetParams) -> pd.DataFrame:
    """NPO budget per school: an amount per pupil plus an amount per unit of disadvantage score.

    ``budget = pupils x per_pupil + score x per_score_unit``. Each component is computed exactly
    and rounded to whole cents half-up (the pupil part is already whole cents); the budget is the
    sum of the two rounded components.

    Parameters
    ----------
    school_scores : pandas.DataFrame
        Columns ``school_id``, ``municipality_code``, ``pupils`` (whole numbers) and ``score``.
    params : BudgetParams
        Parameters of the budget year (``npo_schools``).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``school_id``: ``school_id``, ``municipality_code``, ``pupils``, ``score``,
        ``per_pupil_cents``, ``per_score_cents``, ``budget_cents``, ``budget_eur``.

    Examples
    --------
    >>> from npo_analysis.domain.params import load_params
    >>> scores = pd.DataFrame({"school_id": ["00AA00"], "municipality_code": ["GM0001"],
    ...                        "pupils": [200], "score": [10.5]})
    >>> npo_school_budgets(scores, load_params(2022))["budget_cents"].tolist()  # doctest: +SKIP
    [10486969]
    """
    frame = _checked(school_scores, "school_scores", "school_id", ("pupils", "score"),
                     whole=("pupils",))
    if "municipality_code" not in frame.columns:
        raise ValueError(f"school_scores: missing column(s) ['municipality_code']; it has "
                         f"{list(frame.columns)}")
    rates = params.npo_schools
    pupils = frame["pupils"].to_numpy(dtype=float).astype(np.int64)
    per_pupil = pupils * rates.per_pupil_cents
    per_score = _round_half_up_cents(frame["score"].to_numpy(dtype=float),
                                     rates.per_score_unit_eur)
    budget = per_pupil + per_score
    return pd.DataFrame({
        "school_id": frame["school_id"],
        "municipality_code": frame["municipality_code"],
        "pupils": pupils,
        "score": frame["score"].to_numpy(dtype=float),
        "per_pupil_cents": per_pupil,
        "per_score_cents": per_score,
        "budget_cents": budget,
        "budget_eur": _euros(budget),
    })


def municipal_totals(school_budgets: pd.DataFrame) -> pd.DataFrame:
    """Sum school budgets per municipality.

    Parameters
    ----------
    school_budgets : pandas.DataFrame
        As returned by :func:`npo_school_budgets`.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``municipality_code``: ``municipality_code``, ``schools`` (count), ``pupils``,
        ``per_pupil_cents``, ``per_score_cents``, ``budget_cents``, ``budget_eur``.
    """
    sums = ["pupils", "per_pupil_cents", "per_score_cents", "budget_cents"]
    totals = (
        school_budgets.groupby("municipality_code", sort=True)
        .agg(schools=("school_id", "size"), **{c: (c, "sum") for c in sums})
        .reset_index()
    )
    totals["budget_eur"] = _euros(totals["budget_cents"])
    return totals


# --- NPO municipalities ---------------------------------------------------------------------------


def npo_municipal_grants(municipality_scores: pd.DataFrame, params: BudgetParams,
                         goab: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distribute the NPO grant to municipalities: one part by pupils, the rest by the GOAB key.

    The part by pupils is ``round_half_up(total x share_by_pupils)`` cents, shared in proportion
    to ``pupils``; the rest is shared in proportion to the municipalities' GOAB budgets. Both parts
    use largest-remainder rounding, so the grants sum exactly to the total.

    Parameters
    ----------
    municipality_scores : pandas.DataFrame
        Columns ``municipality_code``, ``pupils`` and ``score``.
    params : BudgetParams
        Parameters of the budget year (``npo_municipalities``, and ``goab`` when ``goab`` is not
        given).
    goab : pandas.DataFrame, optional
        GOAB budgets (``municipality_code``, ``budget_cents``) forming the key; computed with
        :func:`goab_budgets` (without phase-in) when omitted.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``municipality_code``: ``municipality_code``, ``pupils``, ``by_pupils_cents``,
        ``by_goab_key_cents``, ``grant_cents``, ``grant_eur``.
    """
    frame = _checked(municipality_scores, "municipality_scores", "municipality_code",
                     ("pupils", "score"))
    codes = frame["municipality_code"]
    if goab is None:
        goab = goab_budgets(frame, params)
    key = _aligned_cents(goab, "goab budgets", codes, "budget_cents")
    grant = params.npo_municipalities
    share = Decimal(repr(grant.share_by_pupils))
    pupil_part = int((grant.total_cents * share).to_integral_value(ROUND_HALF_UP))
    by_pupils = distribute(pupil_part, frame["pupils"].to_numpy(dtype=float), keys=codes)
    by_key = distribute(grant.total_cents - pupil_part, key, keys=codes)
    total = by_pupils.to_numpy() + by_key.to_numpy()
    return pd.DataFrame({
        "municipality_code": codes,
        "pupils": frame["pupils"].to_numpy(),
        "by_pupils_cents": by_pupils.to_numpy(),
        "by_goab_key_cents": by_key.to_numpy(),
        "grant_cents": total,
        "grant_eur": _euros(total),
    })


# --- One budget year ----------------------------------------------------------------------------


def _check_school_municipalities(schools: pd.DataFrame, codes: pd.Series) -> None:
    """Every school's municipality must have a municipal score."""
    unknown = schools.loc[~schools["municipality_code"].isin(codes), "municipality_code"]
    if len(unknown):
        counts = unknown.value_counts().sort_index()
        listed = ", ".join(f"{code} ({n} schools)" for code, n in counts.head(5).items())
        raise ValueError(
            f"school_scores: {len(unknown)} schools lie in municipalities absent from "
            f"municipality_scores: {listed}"
        )


def allocate_year(school_scores: pd.DataFrame, municipality_scores: pd.DataFrame,
                  params: BudgetParams, previous_goab: pd.DataFrame | None = None) -> BudgetYear:
    """Compute every budget of one budget year.

    Parameters
    ----------
    school_scores, municipality_scores : pandas.DataFrame
        The indicator's outputs (see the module docstring).
    params : BudgetParams
        Parameters of the budget year.
    previous_goab : pandas.DataFrame, optional
        Previous year's GOAB budgets (``municipality_code``, ``budget_cents``) for the phase-in.

    Returns
    -------
    BudgetYear
        ``schools`` from :func:`npo_school_budgets`; ``municipalities`` sorted by code with
        ``municipality_code``, ``score``, ``pupils``, ``goab_target_cents``, ``goab_cents``,
        ``goab_eur``, ``goab_minimum_applied``, ``npo_grant_cents``, ``npo_grant_eur``,
        ``schools``, ``npo_schools_cents``, ``npo_schools_eur`` (0 where a municipality has no
        schools).
    """
    goab = goab_budgets(municipality_scores, params, previous_goab)
    grants = npo_municipal_grants(municipality_scores, params, goab)
    schools = npo_school_budgets(school_scores, params)
    _check_school_municipalities(schools, goab["municipality_code"])
    totals = municipal_totals(schools).set_index("municipality_code")
    codes = goab["municipality_code"]
    school_cents = totals["budget_cents"].reindex(codes, fill_value=0).to_numpy(np.int64)
    municipalities = pd.DataFrame({
        "municipality_code": codes,
        "score": goab["score"],
        "pupils": grants["pupils"],
        "goab_target_cents": goab["target_cents"],
        "goab_cents": goab["budget_cents"],
        "goab_eur": goab["budget_eur"],
        "goab_minimum_applied": goab["minimum_applied"],
        "npo_grant_cents": grants["grant_cents"],
        "npo_grant_eur": grants["grant_eur"],
        "schools": totals["schools"].reindex(codes, fill_value=0).to_numpy(np.int64),
        "npo_schools_cents": school_cents,
        "npo_schools_eur": _euros(school_cents),
    })
    return BudgetYear(municipalities, schools)


def with_names(result: BudgetYear, data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add municipality and school names from a dataset directory to a year's budget tables.

    Parameters
    ----------
    result : BudgetYear
        Budgets as returned by :func:`allocate_year`.
    data : path-like
        Dataset directory whose ``municipalities`` and ``schools`` tables hold the names.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(municipalities, schools)`` with ``municipality_name`` (and ``school_name``) inserted.
    """
    from npo_analysis.data.dataset import read_raw_tables

    tables = read_raw_tables(data, ["municipalities", "schools"])
    municipality_names = tables["municipalities"].set_index("municipality_code")["name"]
    school_names = tables["schools"].set_index("school_id")["name"]
    municipalities = result.municipalities.copy()
    municipalities.insert(1, "municipality_name",
                          municipalities["municipality_code"].map(municipality_names))
    schools = result.schools.copy()
    schools.insert(1, "school_name", schools["school_id"].map(school_names))
    schools.insert(3, "municipality_name", schools["municipality_code"].map(municipality_names))
    return municipalities, schools
