"""Distribution maths: sharing a budget in exact euro cents.

Three ideas, all independent of GOAB/NPO specifics (those live in :mod:`npo_analysis.domain.budgets`):

- :func:`distribute` shares a total in proportion to weights with a guaranteed minimum per unit;
- :func:`transition` phases a new distribution in, capping each unit's yearly relative change;
- :func:`compare_scenarios` lists winners and losers between two distributions.

Both :func:`distribute` and :func:`transition` solve the same problem exactly: find the factor
``lam`` for which ``sum_i clip(lam * w_i, lower_i, upper_i)`` equals the total, where ``w`` are the
weights (or the targets). Units whose proportional amount falls outside their bounds get the bound,
the rest share what is left in proportion to their weights: this is the fixed point of "floor
(or cap) the units outside the bounds, share the rest again, repeat until stable". The solution is
computed in exact rational arithmetic (a float weight is an exact binary fraction), then rounded to
whole cents with the largest-remainder method, so amounts always sum exactly to the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

#: Differences smaller than half a cent count as ``unchanged`` in :func:`compare_scenarios`.
UNCHANGED_TOLERANCE_EUR = 0.005


class Distribution(NamedTuple):
    """Result of :func:`distribute_with_flags`.

    Attributes
    ----------
    cents : numpy.ndarray of int64
        Amount per unit in euro cents, summing exactly to the total.
    minimum_applied : numpy.ndarray of bool
        ``True`` where the unit's proportional share was below the minimum, so it got the minimum.
    """

    cents: np.ndarray
    minimum_applied: np.ndarray


# --- Validation ---------------------------------------------------------------------------------


def _check_cents(name: str, value) -> int:
    """Return ``value`` as a Python int; it must be a non-negative whole number of cents."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} must be a whole number of euro cents (an int)")
    if value < 0:
        raise ValueError(f"{name}={value} must be >= 0")
    return int(value)


def _check_weights(weights) -> np.ndarray:
    """Return ``weights`` as a 1-D array; they must be finite and non-negative."""
    array = np.asarray(weights)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D sequence, got shape {array.shape}")
    if array.dtype.kind not in "iuf":
        raise ValueError(f"weights must be numbers, got dtype {array.dtype}")
    bad = ~np.isfinite(array) if array.dtype.kind == "f" else np.zeros(array.size, bool)
    bad |= array < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"weights must be finite and >= 0; weights[{i}]={array[i].item()!r} "
            f"({int(bad.sum())} bad value(s))"
        )
    return array


def _check_cents_array(name: str, values) -> list[int]:
    """Return ``values`` as a list of non-negative Python ints."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold whole euro cents (integers), got dtype {array.dtype}")
    if (array < 0).any():
        i = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"{name} must be >= 0; {name}[{i}]={array[i].item()}")
    return [int(v) for v in array]


def _tie_ranks(n: int, keys) -> tuple[np.ndarray, pd.Index | None]:
    """Rank used to break rounding ties: by key order when keys are given, else by position."""
    if keys is None:
        return np.arange(n), None
    index = pd.Index(keys)
    if len(index) != n:
        raise ValueError(f"keys has {len(index)} values but there are {n} units")
    if not index.is_unique:
        duplicated = index[index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"keys must be unique; duplicated: {duplicated}")
    try:
        order = np.argsort(index.to_numpy(), kind="stable")
    except TypeError:  # keys of mixed types: order them by their text
        order = np.argsort(np.asarray(index.astype(str)), kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return ranks, index


# --- Exact core -----------------------------------------------------------------------------------


def _exact_integers(weights: np.ndarray) -> list[int]:
    """Scale weights to integers with the same exact ratios (floats are binary fractions)."""
    if weights.dtype.kind in "iu":
        return [int(w) for w in weights]
    fractions = [Fraction(float(w)) for w in weights]
    denominator = max(f.denominator for f in fractions)  # all powers of two: a common multiple
    return [f.numerator * (denominator // f.denominator) for f in fractions]


def _scaled_sum(lam: Fraction, weights, lower, upper) -> Fraction:
    """Return ``sum_i clip(lam * w_i, lower_i, upper_i)``; ``upper_i`` None means no upper bound."""
    p, q = lam.numerator, lam.denominator
    total = 0
    for w, lo, hi in zip(weights, lower, upper, strict=True):
        value = max(p * w, lo * q)
        total += value if hi is None else min(value, hi * q)
    return Fraction(total, q)


def _solve_factor(total: int, weights, lower, upper) -> Fraction:
    """Find ``lam`` with ``sum_i clip(lam * w_i, lower_i, upper_i) == total`` (exactly).

    The sum is piecewise linear and non-decreasing in ``lam``; its kinks are the points where a
    unit reaches a bound. A binary search over the kinks finds the linear piece holding the total.
    """
    kinks = {Fraction(0)}
    for w, lo, hi in zip(weights, lower, upper, strict=True):
        if w > 0:
            kinks.add(Fraction(lo, w))
            if hi is not None:
                kinks.add(Fraction(hi, w))
    kinks = sorted(kinks)
    sums: dict[int, Fraction] = {}

    def at(k: int) -> Fraction:
        if k not in sums:
            sums[k] = _scaled_sum(kinks[k], weights, lower, upper)
        return sums[k]

    low, high = 0, len(kinks) - 1  # invariant: at(low) <= total
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if at(mid) <= total else (low, mid - 1)
    start = kinks[low]
    end = kinks[low + 1] if low + 1 < len(kinks) else None
    slope = _free_weight(start, end, weights, lower, upper)
    if slope == 0:
        return start
    return start + (total - at(low)) / slope


def _free_weight(start: Fraction, end: Fraction | None, weights, lower, upper) -> int:
    """Total weight of the units strictly between their bounds for ``lam`` in ``(start, end)``."""
    free = 0
    for w, lo, hi in zip(weights, lower, upper, strict=True):
        if w == 0 or Fraction(lo, w) > start:
            continue
        if hi is None or (end is not None and Fraction(hi, w) >= end):
            free += w
    return free


def _round_exact(total: int, lam: Fraction, weights, lower, upper, ranks) -> np.ndarray:
    """Clip ``lam * w`` to the bounds and round to integers summing to ``total``.

    Largest remainder: every unit gets the floor of its exact amount; the cents left over go one
    each to the units with the largest fractional parts, ties to the lowest tie rank.
    """
    p, q = lam.numerator, lam.denominator
    floors, remainders = [], []
    for w, lo, hi in zip(weights, lower, upper, strict=True):
        value = max(p * w, lo * q)
        value = value if hi is None else min(value, hi * q)
        floors.append(value // q)
        remainders.append(value % q)
    leftover = total - sum(floors)
    order = sorted(range(len(floors)), key=lambda i: (-remainders[i], ranks[i]))
    for i in order[:leftover]:
        floors[i] += 1
    return np.array(floors, dtype=np.int64)


# --- Public API ---------------------------------------------------------------------------------


def distribute_with_flags(total_cents: int, weights, minimum_cents: int = 0,
                          keys=None) -> Distribution:
    """Share ``total_cents`` in proportion to ``weights`` with a minimum, and say who got it.

    Same rules and parameters as :func:`distribute`; returns the amounts as an array together with
    a flag per unit telling whether the minimum was applied.

    Returns
    -------
    Distribution
        ``cents`` (int64 array) and ``minimum_applied`` (bool array), in the order of ``weights``.
    """
    total = _check_cents("total_cents", total_cents)
    minimum = _check_cents("minimum_cents", minimum_cents)
    array = _check_weights(weights)
    n = array.size
    if total < n * minimum:
        raise ValueError(
            f"total_cents={total} is less than {n} units x minimum_cents={minimum} = {n * minimum}"
        )
    ranks, _ = _tie_ranks(n, keys)
    exact = _exact_integers(array)
    if not any(exact):  # all-zero weights: nobody has a claim over anybody else, split equally
        exact = [1] * n
    lower, upper = [minimum] * n, [None] * n
    lam = _solve_factor(total, exact, lower, upper)
    cents = _round_exact(total, lam, exact, lower, upper, ranks)
    applied = np.array([lam * w < minimum for w in exact], dtype=bool)
    return Distribution(cents, applied)


def distribute(total_cents: int, weights, minimum_cents: int = 0, keys=None):
    """Share a total in proportion to weights, with a guaranteed minimum, in exact euro cents.

    Units whose proportional share is below ``minimum_cents`` get exactly the minimum; the rest of
    the total is shared in proportion to the weights of the other units, repeating until no share
    is below the minimum ("floor, then rescale"). In formula: ``amount_i = max(minimum, lam * w_i)``
    with ``lam`` such that the amounts sum to the total. Amounts are then rounded to whole cents
    by the largest-remainder method, so they sum **exactly** to ``total_cents``.

    Parameters
    ----------
    total_cents : int
        The amount to share, in euro cents (>= 0).
    weights : array-like of float or int
        One weight per unit (for GOAB: the municipal disadvantage score). Finite and >= 0. When
        every weight is 0 the total is split equally (no unit has a better claim than another).
    minimum_cents : int, default 0
        Guaranteed amount per unit, in cents. ``total_cents`` must be at least
        ``len(weights) * minimum_cents``.
    keys : sequence, optional
        Unique identifiers of the units (e.g. municipality codes). When given, the result is a
        Series indexed by them and rounding ties go to the smallest key; otherwise ties go to the
        earliest position.

    Returns
    -------
    numpy.ndarray of int64 or pandas.Series
        Amount per unit in cents, in the order of ``weights``.

    Raises
    ------
    ValueError
        Naming the parameter and value: negative or non-finite weights, a non-integer or negative
        total or minimum, a total below ``n x minimum``, keys of the wrong length or not unique.

    Notes
    -----
    The computation is exact (rational arithmetic on the binary value of each float weight), so
    scaling every weight by a factor that is exact in floating point (an integer factor of integer
    weights, a power of two) gives identical cents. A unit with more weight never gets less money
    than a unit with less weight, and a unit with weight 0 gets exactly the minimum.

    Examples
    --------
    Three units share EUR 100.00 with a minimum of EUR 30.00: the proportional shares 10, 10 and 80
    put the first two on the minimum, the third gets the remaining EUR 40.00.

    >>> distribute(10_000, [1, 1, 8], minimum_cents=3_000).tolist()
    [3000, 3000, 4000]
    >>> distribute(100, [1, 1, 1]).tolist()
    [34, 33, 33]
    """
    cents = distribute_with_flags(total_cents, weights, minimum_cents, keys).cents
    if keys is None:
        return cents
    return pd.Series(cents, index=pd.Index(keys), name="cents")


def _transition_bounds(previous: list[int], max_change: float,
                       minimum: int) -> tuple[list[int], list[int | None]]:
    """Lower and upper bound per unit: previous x (1 -/+ max_change), whole cents, >= minimum.

    ``max_change`` is read as the decimal it is written as (0.1 is exactly 10%). Units with a
    previous amount of 0 are new: a relative change is undefined, so they are not capped.
    """
    change = Fraction(repr(float(max_change)))
    p, q = change.numerator, change.denominator
    lower: list[int] = []
    upper: list[int | None] = []
    for prev in previous:
        if prev == 0:
            lower.append(minimum)
            upper.append(None)
            continue
        low = -((-prev * max(q - p, 0)) // q)  # ceiling
        lower.append(max(low, minimum))
        upper.append(max(prev * (q + p) // q, minimum))
    return lower, upper


def _check_transition_feasible(total: int, previous: list[int], lower, upper,
                               max_change: float) -> None:
    """Raise a ValueError when no amounts within the bounds add up to ``total``."""
    low_sum = sum(lower)
    high_sum = None if any(h is None for h in upper) else sum(upper)
    if low_sum <= total and (high_sum is None or total <= high_sum):
        return
    base = sum(previous)
    needed = abs(total / base - 1) if base else math.inf
    bound = f"at least {low_sum}" if total < low_sum else f"at most {high_sum}"
    raise ValueError(
        f"transition infeasible: the total of target_cents ({total}) cannot be reached with "
        f"max_change={max_change}: the capped amounts add up to {bound} cents; a max_change of "
        f"about {math.ceil(needed * 10_000) / 10_000} or more is needed"
    )


def _proportional_maximum(weights, lower, upper) -> float:
    """The largest total ``clip(lam * w, lower, upper)`` reaches: units of weight 0 stay on their
    lower bound whatever ``lam`` is."""
    total = 0
    for w, lo, hi in zip(weights, lower, upper, strict=True):
        if w == 0:
            total += lo
        elif hi is None:
            return math.inf
        else:
            total += hi
    return total


def _zero_targets_take_the_rest(weights, previous, lower, upper):
    """Weights and lower bounds of the second phase of :func:`transition`.

    When every unit with a target is on its cap and the total is still not reached, the units
    whose target is 0 must keep more than their lower bound: units with a target stay fixed on
    their upper bound, and the rest is shared over the zero-target units in proportion to their
    previous amounts (a new unit, previous 0, counts as 1 cent).
    """
    fixed = [hi if w > 0 else lo for w, lo, hi in zip(weights, lower, upper, strict=True)]
    shares = [0 if w > 0 else max(p, 1) for w, p in zip(weights, previous, strict=True)]
    return shares, fixed


def transition(previous_cents, target_cents, max_change: float, minimum_cents: int = 0,
               keys=None):
    """Phase a new distribution in: cap each unit's relative change versus the previous year.

    Each unit's amount stays within ``previous x (1 - max_change)`` and
    ``previous x (1 + max_change)`` (whole cents, rounded inwards). The total of ``target_cents``
    is kept exactly: what capped units cannot receive (or must keep) is shared over the uncapped
    units in proportion to their targets, repeating until stable. When all units with a target
    are capped and the total is still not reached, the units whose target is 0 keep the rest, in
    proportion to their previous amounts. In formula:
    ``amount_i = clip(lam * target_i, lower_i, upper_i)`` with ``lam`` such that the amounts sum to
    the total, rounded to whole cents by the largest-remainder method.

    Parameters
    ----------
    previous_cents, target_cents : array-like of int
        Previous and target amount per unit, in euro cents (>= 0), in the same order.
    max_change : float
        Largest allowed relative change per year, e.g. ``0.25`` for +/- 25%. Read as the decimal
        written (0.1 is exactly 10%). Must be finite and >= 0.
    minimum_cents : int, default 0
        Guaranteed amount per unit: bounds are raised to at least this, so units under the minimum
        move up to it at once.
    keys : sequence, optional
        Unique unit identifiers: return a Series indexed by them, break rounding ties by key.

    Returns
    -------
    numpy.ndarray of int64 or pandas.Series
        Phased amount per unit in cents; sums exactly to ``sum(target_cents)``.

    Raises
    ------
    ValueError
        When inputs are invalid (naming the parameter) or the cap makes the total unreachable:
        if the total is above the sum of the upper bounds (or below the sum of the lower bounds)
        no amounts satisfy both the cap and the total. The error then says which max_change would
        be needed; nothing is relaxed silently.

    Notes
    -----
    A unit whose previous amount is 0 is new (e.g. after a municipal merger): its relative change
    is undefined, so it is not capped and takes part in the sharing as an uncapped unit.

    Examples
    --------
    Unit A falls from 100.00 to 50.00 in the target, B rises from 100.00 to 150.00; with a 20% cap
    A keeps 80.00 and B gets 120.00.

    >>> transition([10_000, 10_000], [5_000, 15_000], max_change=0.2).tolist()
    [8000, 12000]
    """
    previous = _check_cents_array("previous_cents", previous_cents)
    target = _check_cents_array("target_cents", target_cents)
    if len(previous) != len(target):
        raise ValueError(
            f"previous_cents has {len(previous)} values but target_cents has {len(target)}"
        )
    if not math.isfinite(max_change) or max_change < 0:
        raise ValueError(f"max_change={max_change!r} must be a finite number >= 0")
    minimum = _check_cents("minimum_cents", minimum_cents)
    ranks, _ = _tie_ranks(len(target), keys)
    total = sum(target)
    lower, upper = _transition_bounds(previous, max_change, minimum)
    _check_transition_feasible(total, previous, lower, upper, max_change)
    weights = target if any(target) else [1] * len(target)
    if _proportional_maximum(weights, lower, upper) < total:
        weights, lower = _zero_targets_take_the_rest(weights, previous, lower, upper)
    lam = _solve_factor(total, weights, lower, upper)
    cents = _round_exact(total, lam, weights, lower, upper, ranks)
    if keys is None:
        return cents
    return pd.Series(cents, index=pd.Index(keys), name="cents")


# --- Comparing two distributions ---------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioComparison:
    """Result of :func:`compare_scenarios`.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit: the key column, ``base_eur``, ``alternative_eur``, ``difference_eur``,
        ``difference_pct`` and ``outcome`` (``winner``, ``loser`` or ``unchanged``).
    summary : dict
        ``winners``, ``losers``, ``unchanged`` (counts), ``total_moved_eur`` (sum of the gains of
        the winners), ``total_lost_eur`` (sum of the losses, positive), ``base_total_eur`` and
        ``alternative_total_eur``.
    """

    units: pd.DataFrame
    summary: dict


def _scenario_amounts(frame: pd.DataFrame, name: str, key: str, amount: str) -> pd.Series:
    """Return ``frame[amount]`` indexed by ``frame[key]``, after checking the columns and keys."""
    missing = [c for c in (key, amount) if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; it has {list(frame.columns)}")
    if frame[key].duplicated().any():
        dup = frame.loc[frame[key].duplicated(), key].unique().tolist()[:5]
        raise ValueError(f"{name}: column {key!r} must be unique; duplicated: {dup}")
    values = pd.to_numeric(frame[amount], errors="coerce").astype(float)
    if values.isna().any() or not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values.fillna(np.inf)))[0])
        raise ValueError(
            f"{name}: column {amount!r} must hold finite numbers; row {row} has "
            f"{frame[amount].iloc[row]!r}"
        )
    return pd.Series(values.to_numpy(), index=pd.Index(frame[key], name=key))


def compare_scenarios(base: pd.DataFrame, alternative: pd.DataFrame, key: str,
                      amount: str) -> ScenarioComparison:
    """Compare two distributions unit by unit: who wins, who loses, how much money moves.

    Parameters
    ----------
    base, alternative : pandas.DataFrame
        One row per unit with a unique ``key`` column and an ``amount`` column in euros.
    key : str
        Name of the unit identifier column (e.g. ``"municipality_code"``).
    amount : str
        Name of the amount column, in euros (e.g. ``"budget_eur"``).

    Returns
    -------
    ScenarioComparison
        ``units`` (one row per unit, sorted by key) and ``summary``. A unit present in only one of
        the frames counts as 0 in the other. ``difference_pct`` is
        ``100 x (alternative - base) / base`` and NaN when the base amount is 0. A difference
        smaller than half a cent counts as ``unchanged``.

    Raises
    ------
    ValueError
        When a column is missing, keys are duplicated or amounts are not finite numbers.

    Examples
    --------
    >>> a = pd.DataFrame({"code": ["A", "B"], "eur": [100.0, 300.0]})
    >>> b = pd.DataFrame({"code": ["A", "B"], "eur": [150.0, 250.0]})
    >>> result = compare_scenarios(a, b, key="code", amount="eur")
    >>> result.units["outcome"].tolist(), result.summary["total_moved_eur"]
    (['winner', 'loser'], 50.0)
    """
    base_amounts = _scenario_amounts(base, "base", key, amount)
    alt_amounts = _scenario_amounts(alternative, "alternative", key, amount)
    index = base_amounts.index.union(alt_amounts.index).sort_values()
    units = pd.DataFrame({
        key: index,
        "base_eur": base_amounts.reindex(index, fill_value=0.0).to_numpy(),
        "alternative_eur": alt_amounts.reindex(index, fill_value=0.0).to_numpy(),
    })
    units["difference_eur"] = units["alternative_eur"] - units["base_eur"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100 * units["difference_eur"] / units["base_eur"].where(units["base_eur"] != 0)
    units["difference_pct"] = pct
    diff = units["difference_eur"]
    units["outcome"] = np.select(
        [diff >= UNCHANGED_TOLERANCE_EUR, diff <= -UNCHANGED_TOLERANCE_EUR],
        ["winner", "loser"], default="unchanged",
    )
    return ScenarioComparison(units, _comparison_summary(units))


def _comparison_summary(units: pd.DataFrame) -> dict:
    """Counts of winners/losers and the money moved, from a :func:`compare_scenarios` table."""
    outcome = units["outcome"]
    diff = units["difference_eur"]
    return {
        "winners": int((outcome == "winner").sum()),
        "losers": int((outcome == "loser").sum()),
        "unchanged": int((outcome == "unchanged").sum()),
        "total_moved_eur": float(diff[outcome == "winner"].sum()),
        "total_lost_eur": float(-diff[outcome == "loser"].sum()),
        "base_total_eur": float(units["base_eur"].sum()),
        "alternative_total_eur": float(units["alternative_eur"].sum()),
    }
