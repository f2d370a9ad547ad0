"""The children the indicator scores, read from a dataset: pupils, toddlers and their links."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.domain.indicator.inputs import (
    Background,
    Links,
    read_background,
    read_links,
    require_columns,
    require_complete,
)
from npo_analysis.domain.indicator.school_mean import child_school_means

PUPIL_COLUMNS = ("pupil_id", "school_id", "age", "grade", "potential", "end_score")
TODDLER_COLUMNS = ("toddler_id", "neighbourhood_code", "age")


@dataclass(frozen=True)
class Pupils:
    """Pupil microdata as arrays (one entry per pupil, in table order)."""

    ids: np.ndarray
    age: np.ndarray
    grade: np.ndarray
    potential: np.ndarray
    end_score: np.ndarray
    background: Background
    school_mean: np.ndarray


@dataclass(frozen=True)
class Children:
    """Pupils and toddlers with their background, school-mean regressor and links.

    Attributes
    ----------
    pupils : Pupils
    toddler_ids, toddler_age : numpy.ndarray
    toddler_background : Background
    toddler_school_mean : numpy.ndarray of float
    links : Links
    """

    pupils: Pupils
    toddler_ids: np.ndarray
    toddler_age: np.ndarray
    toddler_background: Background
    toddler_school_mean: np.ndarray
    links: Links

    @property
    def background(self) -> Background:
        """Background of all children: pupils first, then toddlers."""
        return Background.concat(self.pupils.background, self.toddler_background)

    @property
    def school_mean(self) -> np.ndarray:
        """School-mean regressor of all children: pupils first, then toddlers."""
        return np.concatenate([self.pupils.school_mean, self.toddler_school_mean])


def numbers(frame: pd.DataFrame, table: str, column: str, *, complete: bool = True
            ) -> np.ndarray:
    """Column ``column`` as floats; raises ``ValueError`` naming the first non-numeric row."""
    if complete:
        require_complete(frame, table, column)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(values) & ~np.asarray(pd.isna(frame[column]), dtype=bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"table {table!r}, column {column!r}, row {row}: "
                         f"{frame[column].iloc[row]!r} is not a number")
    return values


def toddler_table(dataset) -> pd.DataFrame:
    """The ``toddlers`` table, or an empty one with the needed columns when it is absent."""
    if "toddlers" in dataset:
        return dataset["toddlers"]
    columns = [*TODDLER_COLUMNS, "mother_education", "father_education", "origin",
               "mother_years_in_nl", "debt_restructuring"]
    return pd.DataFrame({c: pd.Series([], dtype=bool if c == "debt_restructuring" else object)
                         for c in columns})


def read_children(dataset) -> Children:
    """Read and check the pupils, toddlers and geography the indicator needs.

    Schools and municipalities are sorted by their key so that outputs come out in key order.

    Raises
    ------
    ValueError
        On missing tables or columns, unknown categories or keys, missing required values.
    """
    for table in ("pupils", "schools", "neighbourhoods", "municipalities"):
        if table not in dataset:
            raise ValueError(f"dataset {dataset.info.name!r}: table {table!r} is missing; the "
                             f"indicator needs pupil microdata, schools and geography")
    pupils, toddlers = dataset["pupils"], toddler_table(dataset)
    require_columns(pupils, "pupils", PUPIL_COLUMNS)
    require_columns(toddlers, "toddlers", TODDLER_COLUMNS)
    links = read_links(pupils, toddlers,
                       dataset["schools"].sort_values("school_id", kind="stable"),
                       dataset["neighbourhoods"],
                       dataset["municipalities"].sort_values("municipality_code", kind="stable"))
    pupil_background = read_background(pupils, "pupils")
    toddler_background = read_background(toddlers, "toddlers")
    pupil_mean, toddler_mean = child_school_means(links, pupil_background.mother)
    return Children(
        pupils=Pupils(ids=numbers(pupils, "pupils", "pupil_id").astype(np.int64),
                      age=numbers(pupils, "pupils", "age"),
                      grade=numbers(pupils, "pupils", "grade"),
                      potential=numbers(pupils, "pupils", "potential", complete=False),
                      end_score=numbers(pupils, "pupils", "end_score", complete=False),
                      background=pupil_background, school_mean=pupil_mean),
        toddler_ids=numbers(toddlers, "toddlers", "toddler_id").astype(np.int64),
        toddler_age=numbers(toddlers, "toddlers", "age"),
        toddler_background=toddler_background,
        toddler_school_mean=toddler_mean,
        links=links,
    )
