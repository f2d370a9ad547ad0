"""The menukaart as a price list: months of progress per euro, with the cost band's range.

The menukaart names a cost *band* per intervention (Laag, Gemiddeld, Hoog), not a price; the euro
range of each band (``cost_min_eur`` to ``cost_max_eur`` per pupil per year) comes from the EEF
cost bands (:func:`npo_analysis.data.menukaart.load_cost_bands`). The point of the range the analyses
use is a parameter, ``cost_point``: ``"min"``, ``"mid"`` (the middle of the range, the default) or
``"max"``.

Cost-effectiveness is *months of extra progress per EUR 1,000 per pupil*:
``months / cost_per_pupil * 1000``. Its range runs from the band's upper cost (``_low``) to its
lower cost (``_high``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data import schema
from npo_analysis.data.menukaart import load_menukaart

#: Points of a cost band's euro range the analyses can price interventions at.
COST_POINTS: tuple[str, ...] = ("min", "mid", "max")

#: Columns of :func:`cost_effectiveness`, in order.
COST_EFFECTIVENESS_COLUMNS = [
    "intervention_id", "name_nl", "eef_strand", "months", "months_confirmed", "evidence",
    "cost_band", "cost_min_eur", "cost_max_eur", "cost_per_pupil_eur",
    "months_per_1000_eur", "months_per_1000_eur_low", "months_per_1000_eur_high",
]


def check_cost_point(cost_point: str) -> str:
    """Return ``cost_point`` when it is one of :data:`COST_POINTS`, else raise ``ValueError``.

    Parameters
    ----------
    cost_point : str
        ``"min"``, ``"mid"`` or ``"max"``.

    Returns
    -------
    str
        The cost point, unchanged.
    """
    if cost_point not in COST_POINTS:
        raise ValueError(f"cost_point={cost_point!r}: expected one of {list(COST_POINTS)}")
    return cost_point


def checked_menu(menu: pd.DataFrame | None) -> pd.DataFrame:
    """The menukaart to use: ``menu`` after checking it, or the package's menukaart.

    Parameters
    ----------
    menu : pandas.DataFrame or None
        An ``interventions`` table (:data:`npo_analysis.data.schema.INTERVENTIONS`); ``None`` loads
        :func:`npo_analysis.data.menukaart.load_menukaart`.

    Returns
    -------
    pandas.DataFrame
        The menu, sorted by ``intervention_id``, index reset.

    Raises
    ------
    ValueError
        When a column is missing, an id repeats, or a cost is not a positive number with
        ``cost_min_eur <= cost_max_eur``.
    """
    if menu is None:
        menu = load_menukaart()
    missing = [c for c in schema.INTERVENTIONS.column_names if c not in menu.columns]
    if missing:
        raise ValueError(f"interventions: missing column(s) {missing}")
    ids = menu["intervention_id"]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated()].tolist()[:5]
        raise ValueError(f"interventions: 'intervention_id' must be unique and filled; bad {bad}")
    low = pd.to_numeric(menu["cost_min_eur"], errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(menu["cost_max_eur"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(low) & np.isfinite(high) & (low > 0) & (low <= high))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"interventions: intervention {ids.iloc[row]!r} has cost_min_eur={low[row]!r}, "
            f"cost_max_eur={high[row]!r}; expected 0 < cost_min_eur <= cost_max_eur")
    return menu.sort_values("intervention_id", kind="stable").reset_index(drop=True)


def cost_per_pupil(menu: pd.DataFrame, cost_point: str = "mid") -> pd.Series:
    """Euro per pupil per year of each intervention at ``cost_point`` of its cost band.

    Parameters
    ----------
    menu : pandas.DataFrame
        An ``interventions`` table.
    cost_point : {"min", "mid", "max"}
        Which point of the band's euro range.

    Returns
    -------
    pandas.Series
        Float euros, indexed by ``intervention_id``.

    Examples
    --------
    >>> menu = load_menukaart()
    >>> float(cost_per_pupil(menu, "mid")["feedback"])  # Laag: EUR 20-230
    125.0
    """
    check_cost_point(cost_point)
    low = menu["cost_min_eur"].to_numpy(dtype=float)
    high = menu["cost_max_eur"].to_numpy(dtype=float)
    value = {"min": low, "mid": (low + high) / 2, "max": high}[cost_point]
    return pd.Series(value, index=pd.Index(menu["intervention_id"], name="intervention_id"),
                     name="cost_per_pupil_eur")


def cost_effectiveness(menu: pd.DataFrame | None = None, cost_point: str = "mid"
                       ) -> pd.DataFrame:
    """Months of progress per EUR 1,000 per pupil of every menukaart intervention.

    Parameters
    ----------
    menu : pandas.DataFrame, optional
        An ``interventions`` table; the package's menukaart by default.
    cost_point : {"min", "mid", "max"}
        Point of the cost band used for ``cost_per_pupil_eur`` and ``months_per_1000_eur``.

    Returns
    -------
    pandas.DataFrame
        :data:`COST_EFFECTIVENESS_COLUMNS`; ``months_per_1000_eur_low`` / ``_high`` use the
        band's upper / lower cost. Missing months give missing cost-effectiveness. Sorted by
        ``months_per_1000_eur`` (largest first, missing last), ties by ``intervention_id``.

    Examples
    --------
    >>> table = cost_effectiveness().set_index("intervention_id")
    >>> float(table.loc["feedback", "months_per_1000_eur"])  # 8 months / EUR 125 * 1000
    64.0
    """
    menu = checked_menu(menu)
    frame = menu[["intervention_id", "name_nl", "eef_strand", "months", "months_confirmed",
                  "evidence", "cost_band", "cost_min_eur", "cost_max_eur"]].copy()
    months = frame["months"].to_numpy(dtype=float)
    frame["cost_per_pupil_eur"] = cost_per_pupil(menu, cost_point).to_numpy()
    frame["months_per_1000_eur"] = months / frame["cost_per_pupil_eur"].to_numpy() * 1000
    frame["months_per_1000_eur_low"] = months / frame["cost_max_eur"].to_numpy(float) * 1000
    frame["months_per_1000_eur_high"] = months / frame["cost_min_eur"].to_numpy(float) * 1000
    frame = frame.sort_values(["months_per_1000_eur", "intervention_id"],
                              ascending=[False, True], na_position="last", kind="stable")
    return frame[COST_EFFECTIVENESS_COLUMNS].reset_index(drop=True)
