"""The NPO menukaart as package data: interventions, months of progress, cost band and evidence.

Sources (``../shared/domain.md`` section 5): the NPO menukaart (OCW), based on the Education
Endowment Foundation (EEF) Teaching and Learning Toolkit. Months and cost bands of the fifteen core
interventions are official; the months of the further interventions and every evidence rating are
unconfirmed (``months_confirmed`` says which). The euro range per cost band is derived from the EEF
cost bands (``data/cost_bands.csv``), since the menukaart names only the band.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from npo_analysis.data import schema


def load_cost_bands() -> pd.DataFrame:
    """Return the euro range per pupil per year of each cost band.

    Returns
    -------
    pandas.DataFrame
        Columns ``cost_band``, ``cost_min_eur``, ``cost_max_eur``, ``eef_band``, ``note``.
    """
    with resources.files("npo_analysis.data").joinpath("cost_bands.csv").open("rb") as fh:
        return pd.read_csv(fh)


def load_menukaart() -> pd.DataFrame:
    """Return the menukaart as an ``interventions`` table (see ``schema.INTERVENTIONS``).

    Returns
    -------
    pandas.DataFrame
        One row per intervention, columns in the schema's order, with the euro range of its cost
        band.

    Examples
    --------
    >>> menu = load_menukaart()
    >>> int(menu.set_index("intervention_id").loc["feedback", "months"])
    8
    """
    with resources.files("npo_analysis.data").joinpath("menukaart.csv").open("rb") as fh:
        menu = pd.read_csv(fh, dtype={"evidence": "Int64"})
    menu["months_confirmed"] = menu["months_confirmed"].astype(bool)
    bands = load_cost_bands()[["cost_band", "cost_min_eur", "cost_max_eur"]]
    menu = menu.merge(bands, on="cost_band", how="left", validate="many_to_one")
    menu["cost_band"] = pd.Categorical(menu["cost_band"], categories=schema.COST_BANDS)
    return menu[schema.INTERVENTIONS.column_names]
