"""Demoland's pupil history since 1996, shaped like DUO's history file (table ``pupil_history``).

Every Demoland school gets a series of pupil counts on 1 October of each year from
:data:`FIRST_YEAR` to :data:`LAST_YEAR` (the count year before the dataset's count date) that
ends at its pupils in the ``schools`` table. Going back in time, the count follows the
municipality's own yearly growth plus the school's deviation, with yearly noise. About one school
in ten opened after :data:`FIRST_YEAR` (no pupils before, a small and sometimes suppressed ``<5``
count in its first year); every municipality also had former schools that closed, and one special
primary school (SBO) per municipality with about 2.5% of its regular pupils. The per-school series
are summed as for the real file by :func:`npo_analysis.data.pupil_trend.municipality_pupil_history`.
Deterministic: the same schools and seed give the same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.sampling import stream
from npo_analysis.data.pupil_trend import HISTORY_COLUMNS, municipality_pupil_history

FIRST_YEAR = 1996
#: Last count year (1 October 2024, before Demoland's count date of 1 February 2025).
LAST_YEAR = 2024
#: Share of schools that opened after the first year; former schools per school still open.
OPENED_SHARE = 0.1
CLOSED_PER_SCHOOL = 0.12
#: SBO pupils as a share of a municipality's regular pupils.
SBO_SHARE = 0.025


def build_pupil_history(schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The ``pupil_history`` table of Demoland.

    Parameters
    ----------
    schools : pandas.DataFrame
        The ``schools`` table (``school_id``, ``municipality_code``, ``pupils``).
    seed : int
        The dataset seed.

    Returns
    -------
    pandas.DataFrame
        The columns of the schema's ``pupil_history``, one row per municipality x school type
        x year; the regular pupils of :data:`LAST_YEAR` equal the municipality's pupils in
        ``schools``.
    """
    rng = stream(seed, "pupil_history")
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    codes = np.sort(schools["municipality_code"].unique())
    growth = dict(zip(codes, rng.normal(-0.004, 0.008, len(codes)), strict=True))
    parts = [_open_schools(schools, growth, years, rng),
             _former_schools(schools, growth, years, rng),
             _special_schools(schools, years, rng)]
    counts = pd.concat([frame for frame, _ in parts], ignore_index=True)
    municipality = pd.concat([places for _, places in parts])
    history = municipality_pupil_history(counts, municipality)
    return typed_frame("pupil_history", {name: history[name].to_numpy()
                                         for name in HISTORY_COLUMNS})


def _long(ids: np.ndarray, matrix: np.ndarray, suppressed: np.ndarray, years: np.ndarray,
          school_type: str) -> pd.DataFrame:
    """Per school x year counts as the DUO loader returns them (``<5`` as missing + flag)."""
    n, m = matrix.shape
    pupils = pd.array(matrix.reshape(-1), dtype="Int64")
    flags = suppressed.reshape(-1)
    pupils[flags] = pd.NA
    return pd.DataFrame({"school_id": np.repeat(ids, m), "school_type": school_type,
                         "year": np.tile(years, n), "pupils": pupils, "suppressed": flags})


def _backwards(last: np.ndarray, rates: np.ndarray, years: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    """Counts per school x year ending at ``last``, growing by ``rates`` per year plus noise."""
    steps = (years[-1] - years)[None, :]
    noise = rng.normal(0.0, 0.03, (len(last), len(years)))
    noise[:, -1] = 0.0
    return np.maximum(np.rint(last[:, None] * np.exp(-rates[:, None] * steps + noise)), 0)


def _open_schools(schools: pd.DataFrame, growth: dict, years: np.ndarray,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    last = schools["pupils"].to_numpy(dtype=float)
    rates = schools["municipality_code"].map(growth).to_numpy() + rng.normal(
        0.0, 0.01, len(schools))
    matrix = _backwards(last, rates, years, rng)
    opened = rng.random(len(schools)) < OPENED_SHARE
    start = np.where(opened, rng.integers(FIRST_YEAR + 1, LAST_YEAR - 1, len(schools)),
                     FIRST_YEAR)
    matrix[years[None, :] < start[:, None]] = 0
    first = years[None, :] == start[:, None]
    small = first & opened[:, None] & (rng.random((len(schools), 1)) < 0.3)
    matrix[small] = rng.integers(1, 5, int(small.sum()))
    ids = schools["school_id"].to_numpy()
    frame = _long(ids, matrix.astype("int64"), small, years, "BO")
    return frame, schools.set_index("school_id")["municipality_code"]


def _former_schools(schools: pd.DataFrame, growth: dict, years: np.ndarray,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    n = int(round(CLOSED_PER_SCHOOL * len(schools)))
    picked = schools.iloc[np.sort(rng.choice(len(schools), size=n, replace=False))]
    ids = np.array([f"ZZ{i // 100:02d}{i % 100:02d}" for i in range(n)])
    size = rng.normal(150, 50, n).clip(30, 400)
    rates = picked["municipality_code"].map(growth).to_numpy() - 0.03
    matrix = _backwards(size, rates, years, rng)
    closed = rng.integers(FIRST_YEAR + 2, LAST_YEAR + 1, n)
    matrix[years[None, :] >= closed[:, None]] = 0
    frame = _long(ids, matrix.astype("int64"), np.zeros(matrix.shape, bool), years, "BO")
    return frame, pd.Series(picked["municipality_code"].to_numpy(), index=ids)


def _special_schools(schools: pd.DataFrame, years: np.ndarray,
                     rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    totals = schools.groupby("municipality_code", sort=True)["pupils"].sum()
    ids = np.array([f"ZY{i // 100:02d}{i % 100:02d}" for i in range(len(totals))])
    size = np.rint(totals.to_numpy(dtype=float) * SBO_SHARE)
    matrix = _backwards(size, rng.normal(-0.01, 0.01, len(totals)), years, rng)
    frame = _long(ids, matrix.astype("int64"), np.zeros(matrix.shape, bool), years, "SBO")
    return frame, pd.Series(totals.index.to_numpy(), index=ids)
