"""The best package of interventions per school for a given budget, solved exactly.

The problem, per school with ``P`` pupils and a budget of ``B`` euros (each school spends its own
NPO money; budgets are not pooled across schools):

- choose interventions from the menukaart, at most one per *strand* (``strand_column``; in the
  package's menukaart every intervention is its own EEF strand, so this means "each intervention
  at most once"; a coarser grouping can be passed), only those with known months and, when an
  evidence floor is set, evidence rating ``>= min_evidence``;
- choose each one's reach ``n`` (0 to ``P`` pupils, continuous) at ``cost_per_pupil x n`` euros;
- maximise the package value of :mod:`npo_analysis.domain.interventions.stacking` (months x pupils,
  the k-th largest contribution discounted by ``d ** (k - 1)``) with total cost ``<= B``.

Value and cost scale with ``P`` at a fixed budget per pupil ``beta = B / P``, so the problem is
solved per pupil (reach fractions ``u = n / P`` in [0, 1]) once per distinct ``beta``.

Exact solution, by one of two methods (both checked against brute force in the tests): for
up to :data:`ENUMERATION_LIMIT` candidates (after the reductions below), enumeration of every
set of fully funded interventions plus at most one partly funded one (for a fixed assignment of
ranks the reach problem is a fractional knapsack, whose optimum has at most one partial item);
for more candidates a mixed-integer programme (:func:`scipy.optimize.milp`, HiGHS, relative gap 0)
with binaries ``y[i, k]`` (intervention ``i`` takes rank ``k``) and reach fractions
``z[i, k] <= y[i, k]``; each intervention takes at most one rank, each rank at most one
intervention, one per strand, ``sum c_i z[i, k] <= beta``; objective
``sum d ** (k - 1) m_i z[i, k]``. Free ranks are optimal because the best assignment of ranks is
largest-first. Two reductions keep it small without losing optimality:

- at most ``K`` interventions are needed, ``K`` = 1 + the largest number of interventions whose
  full cost fits in ``beta`` (for a fixed assignment of ranks the reach problem is a fractional
  knapsack, whose optimum has at most one partial intervention);
- an intervention is dropped when at least ``K`` others *dominate* it (cost ``<=``, months
  ``>=``, one of them strictly or the earlier id, and in a single strand or its own): an optimal
  package uses at most ``K`` interventions, so a dominating one is always free to swap in.

Given the ranks the MILP chose, the reach fractions are recomputed by the exact fractional
knapsack (greedy on ``d ** (k - 1) m_i / c_i``), so budgets hold to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.domain.interventions.menu import checked_menu, cost_per_pupil
from npo_analysis.domain.interventions.stacking import (
    DEFAULT_DISCOUNT,
    check_discount,
    rank_contributions,
)

#: Columns of :func:`optimal_packages`, in order.
PACKAGE_COLUMNS = ["school_id", "intervention_id", "rank", "weight", "months",
                   "cost_per_pupil_eur", "reach_pupils", "cost_eur", "contribution",
                   "pupil_months"]


@dataclass(frozen=True)
class MenuItems:
    """The interventions the optimiser may choose, as arrays in ``intervention_id`` order.

    Attributes
    ----------
    ids : numpy.ndarray of str
    months : numpy.ndarray of float
        Months of progress (all > 0).
    cost : numpy.ndarray of float
        Euro per pupil per year (all > 0).
    strand : numpy.ndarray of int
        Strand number; at most one intervention per strand.
    """

    ids: np.ndarray
    months: np.ndarray
    cost: np.ndarray
    strand: np.ndarray


def eligible_items(menu: pd.DataFrame | None = None, *, min_evidence: int | None = None,
                   cost_point: str = "mid", strand_column: str = "eef_strand") -> MenuItems:
    """The menukaart interventions the optimiser may choose.

    Parameters
    ----------
    menu : pandas.DataFrame, optional
        An ``interventions`` table; the package's menukaart by default.
    min_evidence : int, optional
        Evidence floor (1-5): interventions rated lower, or not rated, are left out. ``None``
        keeps every intervention with known months.
    cost_point : {"min", "mid", "max"}
        Point of the cost band that prices an intervention.
    strand_column : str
        Column of ``menu`` whose values group interventions; at most one per group per school.

    Returns
    -------
    MenuItems
    """
    menu = checked_menu(menu)
    if strand_column not in menu.columns:
        raise ValueError(f"strand_column={strand_column!r}: interventions has no such column")
    if min_evidence is not None and not 1 <= min_evidence <= 5:
        raise ValueError(f"min_evidence={min_evidence!r}: expected None or 1 to 5")
    months = menu["months"].to_numpy(dtype=float)
    keep = np.isfinite(months) & (months > 0)
    if min_evidence is not None:
        evidence = menu["evidence"].astype("Float64").fillna(0).to_numpy(dtype=float)
        keep &= evidence >= min_evidence
    strand = pd.factorize(menu[strand_column].astype(str), sort=True)[0]
    return MenuItems(ids=menu["intervention_id"].to_numpy(dtype=object)[keep],
                     months=months[keep],
                     cost=cost_per_pupil(menu, cost_point).to_numpy()[keep],
                     strand=strand[keep])


def max_interventions(cost: np.ndarray, budget_per_pupil: float) -> int:
    """Upper bound on the number of interventions of an optimal package (see module docstring).

    Parameters
    ----------
    cost : numpy.ndarray
        Cost per pupil of each candidate.
    budget_per_pupil : float
        ``beta``.

    Returns
    -------
    int
    """
    full = int(np.searchsorted(np.cumsum(np.sort(cost)), budget_per_pupil, side="right"))
    return min(len(cost), full + 1)


def undominated(items: MenuItems, k: int) -> np.ndarray:
    """Indices of the items that fewer than ``k`` other items dominate.

    Parameters
    ----------
    items : MenuItems
    k : int
        The bound of :func:`max_interventions`.

    Returns
    -------
    numpy.ndarray of int
    """
    m, c, s = items.months, items.cost, items.strand
    order = np.arange(len(m))
    single = np.bincount(s, minlength=s.max() + 1)[s] == 1 if len(s) else np.array([], bool)
    better = (c[:, None] <= c[None, :]) & (m[:, None] >= m[None, :])  # [b, a]: b >= a
    strict = (c[:, None] < c[None, :]) | (m[:, None] > m[None, :]) | (order[:, None]
                                                                      < order[None, :])
    swappable = single[:, None] | (s[:, None] == s[None, :])
    dominates = better & strict & swappable
    np.fill_diagonal(dominates, False)
    return np.flatnonzero(dominates.sum(axis=0) < k)


def _milp_ranks(m: np.ndarray, c: np.ndarray, s: np.ndarray, beta: float, d: float,
                k: int) -> list[int]:
    """Solve the rank-assignment MILP; return the item index at each used rank, in rank order."""
    from scipy import sparse  # here: reports whose schools have few candidates never load it
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(m)
    nk = n * k
    weights = d ** np.arange(k)
    objective = np.r_[np.zeros(nk), -(m[:, None] * weights[None, :]).ravel()]
    empty = sparse.csr_matrix((0, nk))
    per_item = sparse.kron(sparse.identity(n), np.ones((1, k)), format="csr")
    per_rank = sparse.kron(np.ones((1, n)), sparse.identity(k), format="csr")
    strands, members = np.unique(s, return_counts=True)
    shared = strands[members > 1]
    per_strand = (sparse.csr_matrix((s[None, :] == shared[:, None]).astype(float)) @ per_item
                  if len(shared) else empty)
    budget = sparse.csr_matrix(np.repeat(c, k)[None, :])
    identity = sparse.identity(nk, format="csr")
    a = sparse.vstack([
        sparse.hstack([-identity, identity]),  # z <= y
        sparse.hstack([per_item, sparse.csr_matrix(per_item.shape)]),
        sparse.hstack([per_rank, sparse.csr_matrix(per_rank.shape)]),
        sparse.hstack([per_strand, sparse.csr_matrix(per_strand.shape)]),
        sparse.hstack([sparse.csr_matrix(budget.shape), budget]),
    ], format="csr")
    upper = np.r_[np.zeros(nk), np.ones(n + k + len(shared)), beta]
    result = milp(objective, integrality=np.r_[np.ones(nk), np.zeros(nk)], bounds=Bounds(0, 1),
                  constraints=LinearConstraint(a, -np.inf, upper),
                  options={"mip_rel_gap": 0.0})
    if result.x is None:
        raise RuntimeError(f"the package optimiser failed for beta={beta}: {result.message}")
    chosen = result.x[:nk].reshape(n, k) > 0.5
    return [int(np.flatnonzero(chosen[:, r])[0]) for r in range(k) if chosen[:, r].any()]


def fill_reach(m: np.ndarray, c: np.ndarray, ranked: list[int], beta: float, d: float
               ) -> np.ndarray:
    """Exact reach fractions for interventions at fixed ranks (fractional knapsack).

    Parameters
    ----------
    m, c : numpy.ndarray
        Months and cost per pupil of every item.
    ranked : list of int
        Item index at rank 1, 2, ...
    beta : float
        Budget per pupil.
    d : float
        Stacking discount.

    Returns
    -------
    numpy.ndarray
        Reach fraction (0-1) of each item of ``ranked``, in the same order.
    """
    idx = np.asarray(ranked, dtype=int)
    ratio = d ** np.arange(len(idx)) * m[idx] / c[idx]
    reach = np.zeros(len(idx))
    left = beta
    for pos in np.argsort(-ratio, kind="stable"):
        reach[pos] = min(1.0, left / c[idx[pos]])
        left -= reach[pos] * c[idx[pos]]
        if left <= 0:
            break
    return reach


#: Largest reduced menu solved by enumeration (:func:`_enumerate_best`); larger ones use the MILP.
ENUMERATION_LIMIT = 12
SOLVE_METHODS = ("auto", "enumerate", "milp")


def _enumerate_best(m: np.ndarray, c: np.ndarray, s: np.ndarray, beta: float, d: float
                    ) -> np.ndarray:
    """Exact optimum by enumerating every full set ``F`` and at most one partial item ``p``.

    For the best assignment of ranks the reach problem is a fractional knapsack, so an optimal
    package has a set ``F`` of items at full reach and at most one item ``p`` at partial reach.
    Every strand-respecting ``F`` that fits in ``beta`` is tried with every ``p`` outside it (and
    none), ``p`` taking ``min(1, (beta - cost(F)) / c_p)``; each such package is feasible and
    one of them is at least as good as the optimum, so the best of them is optimal. Returns the
    reach fraction of every item.
    """
    n = len(m)
    masks = ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
    spent = masks @ c
    onehot = s[:, None] == np.unique(s)[None, :]
    fits = (spent <= beta) & ((masks.astype(int) @ onehot.astype(int)) <= 1).all(axis=1)
    masks, spent = masks[fits], spent[fits]
    used = (masks.astype(int) @ onehot.astype(int))[:, np.searchsorted(np.unique(s), s)] > 0
    extra = np.vstack([np.zeros(n), np.eye(n)])  # no partial item, or item j
    ok = np.vstack([np.ones(len(masks), bool)[None, :], ~used.T])  # (n + 1, sets)
    set_idx, part = np.nonzero(ok.T)
    share = np.minimum(1.0, (beta - spent[set_idx]) / np.r_[np.inf, c][part])
    reach = masks[set_idx].astype(float) + extra[part] * share[:, None]
    contribution = reach * m[None, :]
    value = np.sort(contribution, axis=1)[:, ::-1] @ (d ** np.arange(n))
    best = int(np.argmax(value))
    return reach[best]


def solve_per_pupil(items: MenuItems, budget_per_pupil: float,
                    stacking_discount: float = DEFAULT_DISCOUNT, method: str = "auto"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The optimal package for one pupil's worth of budget.

    Parameters
    ----------
    items : MenuItems
        Candidates (:func:`eligible_items`).
    budget_per_pupil : float
        ``beta``, euro per pupil.
    stacking_discount : float
        ``d``.
    method : {"auto", "enumerate", "milp"}
        Exact method: enumeration of full sets plus one partial item (fast for a few
        candidates), the MILP, or ``auto``: enumeration when at most
        :data:`ENUMERATION_LIMIT` candidates remain after the reductions.

    Returns
    -------
    (numpy.ndarray of int, numpy.ndarray of float)
        Indices into ``items`` and their reach fractions (0-1), only those with reach > 0,
        largest contribution first.
    """
    d = check_discount(stacking_discount)
    if method not in SOLVE_METHODS:
        raise ValueError(f"method={method!r}: expected one of {list(SOLVE_METHODS)}")
    if budget_per_pupil <= 0 or len(items.ids) == 0:
        return np.array([], dtype=int), np.array([])
    beta = float(budget_per_pupil)
    k = max_interventions(items.cost, beta)
    keep = undominated(items, k)
    m, c, s = items.months[keep], items.cost[keep], items.strand[keep]
    if method == "enumerate" or (method == "auto" and len(keep) <= ENUMERATION_LIMIT):
        reach = _enumerate_best(m, c, s, beta, d)
        ranked = np.lexsort((np.arange(len(m)), -reach * m))
        ranked = ranked[reach[ranked] > 0]
        return keep[ranked], reach[ranked]
    ranked = _milp_ranks(m, c, s, beta, d, min(k, len(keep)))
    reach = fill_reach(m, c, ranked, beta, d)
    used = reach > 0
    return keep[np.asarray(ranked, dtype=int)[used]], reach[used]


def _checked_schools(schools: pd.DataFrame, budget_column: str, reach_column: str
                     ) -> pd.DataFrame:
    """Check the schools frame: unique ids, finite non-negative budgets and reach."""
    missing = [c for c in ("school_id", budget_column, reach_column) if c not in schools.columns]
    if missing:
        raise ValueError(f"schools: missing column(s) {missing}; it has {list(schools.columns)}")
    if schools["school_id"].isna().any() or schools["school_id"].duplicated().any():
        raise ValueError("schools: 'school_id' must be unique and filled")
    for column in (budget_column, reach_column):
        values = pd.to_numeric(schools[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"schools: column {column!r} must hold finite numbers >= 0; "
                             f"school {schools['school_id'].iloc[row]!r} has "
                             f"{schools[column].tolist()[row]!r}")
    return schools.sort_values("school_id", kind="stable").reset_index(drop=True)


def optimal_packages(schools: pd.DataFrame, menu: pd.DataFrame | None = None, *,
                     budget_column: str = "budget_eur", reach_column: str = "pupils",
                     stacking_discount: float = DEFAULT_DISCOUNT,
                     min_evidence: int | None = None, cost_point: str = "mid",
                     strand_column: str = "eef_strand") -> pd.DataFrame:
    """The best package of every school for its own budget.

    Parameters
    ----------
    schools : pandas.DataFrame
        One row per school: ``school_id``, the budget (``budget_column``, euro) and the pupils
        an intervention can reach at most (``reach_column``).
    menu : pandas.DataFrame, optional
        An ``interventions`` table; the package's menukaart by default.
    budget_column, reach_column : str
        Column names in ``schools``.
    stacking_discount : float
        ``d`` of :mod:`~npo_analysis.domain.interventions.stacking`.
    min_evidence : int, optional
        Evidence floor (see :func:`eligible_items`).
    cost_point : {"min", "mid", "max"}
        Point of the cost band that prices an intervention.
    strand_column : str
        Column grouping interventions (at most one per group).

    Returns
    -------
    pandas.DataFrame
        :data:`PACKAGE_COLUMNS`, one row per school x chosen intervention, sorted by school and
        rank. ``contribution`` = ``months x reach_pupils``; ``pupil_months`` = ``weight x
        contribution``. Schools without budget or pupils have no rows.

    Examples
    --------
    >>> schools = pd.DataFrame({"school_id": ["00AA00"], "budget_eur": [25000.0],
    ...                         "pupils": [100]})
    >>> best = optimal_packages(schools)
    >>> best["intervention_id"].iloc[0], float(best["reach_pupils"].iloc[0])
    ('feedback', 100.0)
    """
    frame = _checked_schools(schools, budget_column, reach_column)
    items = eligible_items(menu, min_evidence=min_evidence, cost_point=cost_point,
                           strand_column=strand_column)
    budget = frame[budget_column].to_numpy(dtype=float)
    pupils = frame[reach_column].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(pupils > 0, budget / pupils, 0.0)
    distinct, which = np.unique(beta, return_inverse=True)
    solutions = [solve_per_pupil(items, b, stacking_discount) for b in distinct]
    sizes = np.array([len(idx) for idx, _ in solutions], dtype=int)[which]
    row_school = np.repeat(np.arange(len(frame)), sizes)
    idx = np.concatenate([solutions[w][0] for w in which] + [np.array([], dtype=int)])
    reach = np.concatenate([solutions[w][1] for w in which] + [np.array([])])
    packages = pd.DataFrame({
        "school_id": frame["school_id"].to_numpy(dtype=object)[row_school],
        "intervention_id": items.ids[idx],
        "months": items.months[idx],
        "cost_per_pupil_eur": items.cost[idx],
        "reach_pupils": reach * pupils[row_school],
    })
    packages["cost_eur"] = packages["cost_per_pupil_eur"] * packages["reach_pupils"]
    packages["contribution"] = packages["months"] * packages["reach_pupils"]
    return rank_contributions(packages, stacking_discount)[PACKAGE_COLUMNS]
