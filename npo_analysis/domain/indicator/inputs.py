"""The indicator's inputs: background columns as integer codes, checked where they enter.

Category columns may arrive as pandas ``Categorical`` or as plain strings; both are turned into
``int8`` codes into the vocabularies of :mod:`npo_analysis.data.schema` (``-1`` = missing). Every
problem raises a ``ValueError`` that names the table, column, first bad row and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.data import schema

#: Code of a missing category value.
MISSING = -1
#: Labels of the years-in-the-Netherlands bands, in code order.
YEARS_BANDS: tuple[str, ...] = tuple(label for label, _, _ in schema.YEARS_IN_NL_BANDS)
#: Columns of the family background shared by pupils and toddlers.
BACKGROUND_COLUMNS: tuple[str, ...] = (
    "mother_education",
    "father_education",
    "origin",
    "mother_years_in_nl",
    "debt_restructuring",
)


@dataclass(frozen=True)
class Background:
    """Family background of a set of children as integer codes (one entry per child).

    Attributes
    ----------
    mother, father : numpy.ndarray of int8
        Codes into :data:`npo_analysis.data.schema.EDUCATION_LEVELS`; ``-1`` when unknown.
    origin : numpy.ndarray of int8
        Codes into :data:`npo_analysis.data.schema.ORIGINS`.
    band : numpy.ndarray of int8
        Codes into :data:`YEARS_BANDS` (the mother's years in the Netherlands).
    debt : numpy.ndarray of bool
        Whether the parents are in debt restructuring.
    """

    mother: np.ndarray
    father: np.ndarray
    origin: np.ndarray
    band: np.ndarray
    debt: np.ndarray

    def __len__(self) -> int:
        return len(self.origin)

    def subset(self, rows: np.ndarray) -> Background:
        """The children selected by ``rows`` (a mask or positions)."""
        return Background(self.mother[rows], self.father[rows], self.origin[rows],
                          self.band[rows], self.debt[rows])

    @classmethod
    def concat(cls, first: Background, second: Background) -> Background:
        """Children of ``first`` followed by those of ``second``."""
        return cls(
            *(np.concatenate([getattr(first, name), getattr(second, name)])
              for name in ("mother", "father", "origin", "band", "debt"))
        )


def require_columns(frame: pd.DataFrame, table: str, columns) -> None:
    """Raise ``ValueError`` when ``frame`` (table ``table``) lacks any of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"table {table!r}: missing column(s) {missing}; the indicator needs {list(columns)}"
        )


def require_complete(frame: pd.DataFrame, table: str, column: str) -> None:
    """Raise ``ValueError`` naming the first row where ``column`` is missing."""
    missing = pd.isna(frame[column]).to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"table {table!r}, column {column!r}: {int(missing.sum())} missing value(s), first at "
            f"row {row}; a value is required"
        )


def _vocabulary_positions(values, categories) -> np.ndarray:
    """Position of every value in ``categories`` (``-1`` when absent); fast for Categoricals."""
    vocabulary = pd.Index(list(categories), dtype=object)
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        own = pd.Categorical(values)
        mapping = vocabulary.get_indexer(np.asarray(own.categories, dtype=object))
        return np.where(own.codes >= 0, mapping[own.codes], MISSING)
    return vocabulary.get_indexer(np.asarray(values, dtype=object))


def category_codes(values, categories, *, table: str, column: str,
                   nullable: bool = False) -> np.ndarray:
    """Codes of ``values`` in ``categories`` (``-1`` for missing values).

    Parameters
    ----------
    values : array-like or pandas.Series
        Category labels, as ``Categorical`` or strings; ``None``/``NaN`` means missing.
    categories : sequence of str
        The allowed labels; code ``i`` is ``categories[i]``.
    table, column : str
        Where the values come from (used in error messages).
    nullable : bool
        Whether missing values are allowed.

    Returns
    -------
    numpy.ndarray of int8

    Raises
    ------
    ValueError
        On a label outside ``categories`` or a missing value when ``nullable`` is false.
    """
    absent = np.asarray(pd.isna(values), dtype=bool)
    codes = np.where(absent, MISSING, _vocabulary_positions(values, categories)).astype(np.int8)
    unknown = (codes == MISSING) & ~absent
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise ValueError(
            f"table {table!r}, column {column!r}, row {row}: unknown value "
            f"{np.asarray(values, dtype=object)[row]!r} ({int(unknown.sum())} such rows); "
            f"expected one of {list(categories)}"
        )
    if absent.any() and not nullable:
        row = int(np.flatnonzero(absent)[0])
        raise ValueError(f"table {table!r}, column {column!r}, row {row}: missing value; "
                         f"expected one of {list(categories)}")
    return codes


def years_band_codes(frame: pd.DataFrame, table: str) -> np.ndarray:
    """Codes into :data:`YEARS_BANDS` of the mother's years in the Netherlands."""
    require_complete(frame, table, "mother_years_in_nl")
    years = np.asarray(frame["mother_years_in_nl"], dtype=float)
    negative = years < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(f"table {table!r}, column 'mother_years_in_nl', row {row}: "
                         f"{years[row]} is negative; expected years >= 0")
    labels = schema.years_in_nl_band(years)
    return np.asarray(pd.Categorical(labels, categories=list(YEARS_BANDS)).codes, dtype=np.int8)


def bool_values(frame: pd.DataFrame, table: str, column: str) -> np.ndarray:
    """The boolean column ``column`` as a numpy array (no missing values allowed)."""
    require_complete(frame, table, column)
    values = frame[column]
    if values.dtype != bool:
        allowed = values.isin([True, False, 0, 1]).to_numpy()
        if not allowed.all():
            row = int(np.flatnonzero(~allowed)[0])
            raise ValueError(f"table {table!r}, column {column!r}, row {row}: "
                             f"{values.iloc[row]!r} is not a boolean; expected True or False")
    return np.asarray(values, dtype=bool)


def read_background(frame: pd.DataFrame, table: str) -> Background:
    """The family background of the children in ``frame`` (table ``pupils`` or ``toddlers``)."""
    require_columns(frame, table, BACKGROUND_COLUMNS)
    levels = schema.EDUCATION_LEVELS
    return Background(
        mother=category_codes(frame["mother_education"], levels, table=table,
                              column="mother_education", nullable=True),
        father=category_codes(frame["father_education"], levels, table=table,
                              column="father_education", nullable=True),
        origin=category_codes(frame["origin"], schema.ORIGINS, table=table, column="origin"),
        band=years_band_codes(frame, table),
        debt=bool_values(frame, table, "debt_restructuring"),
    )


def key_positions(values, known, *, table: str, column: str, ref: str) -> np.ndarray:
    """Positions of ``values`` in the key column ``known`` (a foreign-key lookup).

    Raises
    ------
    ValueError
        When a value is missing or absent from ``known``; names the first bad row.
    """
    index = pd.Index(np.asarray(known, dtype=object))
    positions = index.get_indexer(np.asarray(values, dtype=object))
    bad = positions < 0
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"table {table!r}, column {column!r}, row {row}: "
            f"{np.asarray(values, dtype=object)[row]!r} ({int(bad.sum())} such rows) is not in "
            f"{ref}"
        )
    return positions


@dataclass(frozen=True)
class Links:
    """How children, schools, neighbourhoods and municipalities are connected (positions).

    Attributes
    ----------
    school_ids, municipality_codes, neighbourhood_codes : numpy.ndarray of object
        The keys, in the order the positions refer to (schools and municipalities sorted).
    pupil_school : numpy.ndarray of intp
        Position of each pupil's school.
    school_municipality, school_neighbourhood : numpy.ndarray of intp
        Position of each school's municipality and neighbourhood (``-1`` when unknown).
    toddler_neighbourhood, toddler_municipality : numpy.ndarray of intp
        Position of each toddler's neighbourhood and municipality.
    """

    school_ids: np.ndarray
    municipality_codes: np.ndarray
    neighbourhood_codes: np.ndarray
    pupil_school: np.ndarray
    school_municipality: np.ndarray
    school_neighbourhood: np.ndarray
    toddler_neighbourhood: np.ndarray
    toddler_municipality: np.ndarray

    @property
    def n_schools(self) -> int:
        """Number of schools."""
        return len(self.school_ids)

    @property
    def n_municipalities(self) -> int:
        """Number of municipalities."""
        return len(self.municipality_codes)

    @property
    def n_neighbourhoods(self) -> int:
        """Number of neighbourhoods."""
        return len(self.neighbourhood_codes)


def unique_keys(frame: pd.DataFrame, table: str, column: str) -> np.ndarray:
    """The key column ``column`` of ``frame`` as an object array; it must be complete and unique."""
    require_columns(frame, table, [column])
    require_complete(frame, table, column)
    keys = np.asarray(frame[column], dtype=object)
    duplicated = pd.Index(keys).duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise ValueError(f"table {table!r}, column {column!r}, row {row}: duplicate key "
                         f"{keys[row]!r}; each value must occur once")
    return keys


def optional_positions(values, known, *, table: str, column: str, ref: str) -> np.ndarray:
    """Like :func:`key_positions`, but missing values give position ``-1``."""
    absent = np.asarray(pd.isna(values), dtype=bool)
    positions = np.full(len(absent), -1, dtype=np.intp)
    present = np.asarray(values, dtype=object)[~absent]
    positions[~absent] = key_positions(present, known, table=table, column=column, ref=ref)
    return positions


def read_links(pupils: pd.DataFrame, toddlers: pd.DataFrame, schools: pd.DataFrame,
               neighbourhoods: pd.DataFrame, municipalities: pd.DataFrame) -> Links:
    """Resolve the foreign keys the indicator needs.

    Parameters
    ----------
    pupils, toddlers, schools, neighbourhoods, municipalities : pandas.DataFrame
        The dataset's tables (``toddlers`` may be empty). ``schools`` and ``municipalities`` are
        expected sorted by their key (the pipeline sorts them).

    Raises
    ------
    ValueError
        On duplicate keys or references to unknown schools, neighbourhoods or municipalities.
    """
    municipality_codes = unique_keys(municipalities, "municipalities", "municipality_code")
    neighbourhood_codes = unique_keys(neighbourhoods, "neighbourhoods", "neighbourhood_code")
    school_ids = unique_keys(schools, "schools", "school_id")
    require_columns(schools, "schools", ["municipality_code", "neighbourhood_code"])
    require_columns(neighbourhoods, "neighbourhoods", ["municipality_code"])
    require_columns(pupils, "pupils", ["school_id"])
    require_columns(toddlers, "toddlers", ["neighbourhood_code"])
    lookup = {"table": "neighbourhoods", "column": "municipality_code",
              "ref": "municipalities.municipality_code"}
    neighbourhood_municipality = key_positions(neighbourhoods["municipality_code"],
                                               municipality_codes, **lookup)
    toddler_neighbourhood = key_positions(
        toddlers["neighbourhood_code"], neighbourhood_codes, table="toddlers",
        column="neighbourhood_code", ref="neighbourhoods.neighbourhood_code")
    return Links(
        school_ids=school_ids,
        municipality_codes=municipality_codes,
        neighbourhood_codes=neighbourhood_codes,
        pupil_school=key_positions(pupils["school_id"], school_ids, table="pupils",
                                   column="school_id", ref="schools.school_id"),
        school_municipality=key_positions(
            schools["municipality_code"], municipality_codes, table="schools",
            column="municipality_code", ref="municipalities.municipality_code"),
        school_neighbourhood=optional_positions(
            schools["neighbourhood_code"], neighbourhood_codes, table="schools",
            column="neighbourhood_code", ref="neighbourhoods.neighbourhood_code"),
        toddler_neighbourhood=toddler_neighbourhood,
        toddler_municipality=neighbourhood_municipality[toddler_neighbourhood],
    )
