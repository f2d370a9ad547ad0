"""Loaders for DUO open education data: school addresses, pupil counts, end-of-primary scores.

Each loader reads one published file as it is (see ``docs/real-data.md`` for the quirks), checks
its layout and values, and returns a tidy frame. ``frame.attrs["source"]`` describes the file
(name, SHA-256, layout, encoding) for ``dataset.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.data.sources.common import (
    PROVINCE_CBS_SPELLING,
    SourceFormatError,
    bad_value_error,
    blank_to_missing,
    choose_layout,
    counts_with_suppression,
    decimal_comma_numbers,
    integers,
    municipality_codes,
    read_delimited,
    school_ids,
    source_record,
)
from npo_analysis.data.sources.fetch import public_file

# --- School addresses ------------------------------------------------------------------------

_ADDRESS_COMMON = ("PROVINCIE", "BEVOEGD GEZAG NUMMER", "VESTIGINGSNAAM", "POSTCODE",
                   "PLAATSNAAM", "GEMEENTENUMMER", "GEMEENTENAAM", "DENOMINATIE")
#: Columns that identify each layout of the DUO address file.
ADDRESS_LAYOUTS: dict[str, tuple[str, ...]] = {
    "current": ("INSTELLINGSCODE", "VESTIGINGSCODE", *_ADDRESS_COMMON, "VAKANTIEREGIO"),
    "older": ("BRIN NUMMER", "VESTIGINGSNUMMER", *_ADDRESS_COMMON),
}
#: Columns of :func:`read_school_addresses`.
ADDRESS_COLUMNS = ("school_id", "name", "municipality_code", "municipality_name_duo", "province",
                   "board_id", "denomination", "postcode", "place")


def read_school_addresses(path: str | Path) -> pd.DataFrame:
    """Read DUO's "alle schoolvestigingen basisonderwijs" file (either layout).

    The current layout has ``INSTELLINGSCODE`` + ``VESTIGINGSCODE`` (the BRIN6) and
    ``VAKANTIEREGIO``; the older one (around 2020) ``BRIN NUMMER`` + ``VESTIGINGSNUMMER`` (the
    full BRIN6, or its 2-digit suffix). Encoding, separator and line endings are sniffed.

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        One row per school location, columns :data:`ADDRESS_COLUMNS`:
        ``school_id`` (BRIN6), ``name``, ``municipality_code`` (``GM`` + 4 digits),
        ``municipality_name_duo`` (DUO's upper-case name; missing when DUO left it blank, the
        code is kept), ``province`` (CBS spelling: ``Fryslân`` for DUO's ``Friesland``),
        ``board_id`` (5 digits), ``denomination``, ``postcode``, ``place``. A single space means
        empty and becomes missing. ``attrs["source"]`` describes the file.

    Raises
    ------
    SourceFormatError
        When the file matches neither layout (names expected and found columns), a code is not
        valid, or a school appears twice.
    """
    raw, text_format = read_delimited(path)
    layout = choose_layout(path, list(raw.columns), ADDRESS_LAYOUTS,
                           "a DUO school address file (alle schoolvestigingen basisonderwijs)")
    ids = school_ids(path, _address_school_ids(raw, layout), _address_id_column(layout))
    boards = blank_to_missing(raw["BEVOEGD GEZAG NUMMER"]).fillna("")
    bad_board = ~boards.str.fullmatch(r"[0-9]{5}").to_numpy(dtype=bool)
    if bad_board.any():
        raise bad_value_error(path, raw["BEVOEGD GEZAG NUMMER"], bad_board,
                              "BEVOEGD GEZAG NUMMER", "a board number of 5 digits")
    frame = pd.DataFrame({
        "school_id": ids,
        "name": blank_to_missing(raw["VESTIGINGSNAAM"]),
        "municipality_code": municipality_codes(path, raw["GEMEENTENUMMER"], "GEMEENTENUMMER"),
        "municipality_name_duo": blank_to_missing(raw["GEMEENTENAAM"]),
        "province": blank_to_missing(raw["PROVINCIE"]).replace(PROVINCE_CBS_SPELLING),
        "board_id": boards,
        "denomination": blank_to_missing(raw["DENOMINATIE"]),
        "postcode": blank_to_missing(raw["POSTCODE"]),
        "place": blank_to_missing(raw["PLAATSNAAM"]),
    })
    _check_unique(path, frame["school_id"], _address_id_column(layout))
    frame.attrs["source"] = source_record(
        path, public_file("addresses").title, public_file("addresses").url, layout=layout,
        encoding=text_format.encoding, line_ending=text_format.line_ending, rows=len(frame))
    return frame


def _address_id_column(layout: str) -> str:
    return "VESTIGINGSCODE" if layout == "current" else "VESTIGINGSNUMMER"


def _address_school_ids(raw: pd.DataFrame, layout: str) -> pd.Series:
    """The BRIN6 of each row; the older layout may hold only the 2-digit suffix."""
    if layout == "current":
        return raw["VESTIGINGSCODE"]
    location = raw["VESTIGINGSNUMMER"].str.strip()
    suffix_only = location.str.fullmatch(r"[0-9]{1,2}")
    return location.where(~suffix_only,
                          raw["BRIN NUMMER"].str.strip() + location.str.zfill(2))


def _check_unique(path: str | Path, ids: pd.Series, column: str) -> None:
    duplicated = ids.duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise bad_value_error(path, ids, duplicated, column, "each school location once")


# --- Pupil counts ------------------------------------------------------------------------------

#: Columns the historic pupil-count file must have (besides ``LEERLINGEN_<year>``).
PUPIL_COUNT_COLUMNS = ("INSTELLINGSCODE", "VESTIGINGSCODE", "NAAM_VESTIGING", "SOORT_VESTIGING",
                       "DENOMINATIE_VESTIGING", "BEVOEGD_GEZAG_NUMMER", "GEMEENTECODE_VESTIGING",
                       "GEMEENTENAAM_VESTIGING")
#: Municipality number DUO uses for locations it cannot place.
PLACEHOLDER_MUNICIPALITY = "9999"
_YEAR_COLUMN = re.compile(r"^LEERLINGEN_([0-9]{4})$")


def read_pupil_counts(path: str | Path) -> pd.DataFrame:
    """Read DUO's historic pupils per school location file as a long table.

    Parameters
    ----------
    path : path-like
        The CSV file (``06 historisch overzicht aantal leerlingen per schoolvestiging``).

    Returns
    -------
    pandas.DataFrame
        One row per location x year, columns ``school_id, school_type`` (``BO``, ``SBO``,
        ``SO``, ``VSO``, ``SO/VSO``), ``municipality_code`` (``GM`` + 4 digits, the location's
        *current* municipality), ``year`` (count date 1 October of that year), ``pupils``
        (``Int64``; missing when suppressed), ``suppressed`` (``True`` where DUO wrote ``<5``:
        1 to 4 pupils, never 0), ``name``, ``board_id``, ``denomination``. Sorted by school and
        year. DUO's placeholder rows (municipality ``9999`` / ``ONBEKEND``) are left out; their
        school ids are listed in ``attrs["placeholder_rows"]``; ``attrs["source"]`` describes
        the file.

    Raises
    ------
    SourceFormatError
        When columns are missing (names expected and found), no ``LEERLINGEN_<year>`` column
        exists, or a count is neither a number nor ``<5``.
    """
    raw, text_format = read_delimited(path)
    years = _count_years(path, raw)
    locations = _count_locations(path, raw)
    long = pd.concat([_one_year(path, raw, locations, year) for year in years],
                     ignore_index=True)
    placeholder = long["municipality_code"] == "GM" + PLACEHOLDER_MUNICIPALITY
    long = long[~placeholder.to_numpy()]
    long = long.sort_values(["school_id", "year"], kind="stable").reset_index(drop=True)
    long.attrs["placeholder_rows"] = sorted(
        locations.loc[locations["municipality_code"] == "GM" + PLACEHOLDER_MUNICIPALITY,
                      "school_id"])
    long.attrs["source"] = source_record(
        path, public_file("pupils").title, public_file("pupils").url,
        encoding=text_format.encoding, line_ending=text_format.line_ending,
        rows=len(raw), years=[years[0], years[-1]], count_date="1 October")
    return long


def _count_years(path: str | Path, raw: pd.DataFrame) -> list[int]:
    """The years of the ``LEERLINGEN_<year>`` columns, after checking the fixed columns."""
    found = list(raw.columns)
    what = "a DUO pupil-count file (historisch overzicht aantal leerlingen)"
    choose_layout(path, found, {"historic pupil counts": PUPIL_COUNT_COLUMNS}, what)
    years = sorted(int(m.group(1)) for c in found if (m := _YEAR_COLUMN.match(c)))
    if not years:
        raise SourceFormatError(f"{path}: does not look like {what}; expected columns "
                                f"LEERLINGEN_<year> (e.g. LEERLINGEN_2019); found columns "
                                f"{', '.join(found)}")
    return years


def _count_locations(path, raw: pd.DataFrame) -> pd.DataFrame:
    """The per-location columns of the pupil-count file, checked."""
    locations = pd.DataFrame({
        "school_id": school_ids(path, raw["VESTIGINGSCODE"], "VESTIGINGSCODE"),
        "school_type": raw["SOORT_VESTIGING"].str.strip().str.upper(),
        "municipality_code": municipality_codes(path, raw["GEMEENTECODE_VESTIGING"],
                                                "GEMEENTECODE_VESTIGING"),
        "name": blank_to_missing(raw["NAAM_VESTIGING"]),
        "board_id": blank_to_missing(raw["BEVOEGD_GEZAG_NUMMER"]),
        "denomination": blank_to_missing(raw["DENOMINATIE_VESTIGING"]),
    })
    _check_unique(path, locations["school_id"], "VESTIGINGSCODE")
    return locations


def _one_year(path, raw: pd.DataFrame, locations: pd.DataFrame, year: int) -> pd.DataFrame:
    column = f"LEERLINGEN_{year}"
    pupils, suppressed = counts_with_suppression(path, raw[column], column)
    return locations.assign(year=np.int64(year), pupils=pupils, suppressed=suppressed)[
        ["school_id", "school_type", "municipality_code", "year", "pupils", "suppressed",
         "name", "board_id", "denomination"]]


def regular_school_pupils(counts: pd.DataFrame, year: int) -> pd.DataFrame:
    """Pupils of regular primary schools (``BO``) on the count date of one year.

    Parameters
    ----------
    counts : pandas.DataFrame
        The result of :func:`read_pupil_counts`.
    year : int
        Count year (1 October of that year).

    Returns
    -------
    pandas.DataFrame
        ``school_id, municipality_code, pupils, suppressed`` for every ``BO`` location in the
        file (closed or not yet opened locations have 0 pupils).

    Raises
    ------
    ValueError
        When ``year`` is not in the file (names the years it has).
    """
    years = sorted(counts["year"].unique().tolist())
    if year not in years:
        raise ValueError(f"year={year}: the pupil-count file has years {years[0]}-{years[-1]}")
    chosen = counts[(counts["year"] == year) & (counts["school_type"] == "BO")]
    return chosen[["school_id", "municipality_code", "pupils", "suppressed"]].reset_index(
        drop=True)


# --- End-of-primary test scores ----------------------------------------------------------------

#: The five end-of-primary test providers in the 2018-19 file; their scales are incomparable.
END_SCORE_PROVIDERS: tuple[str, ...] = ("CET", "IEP", "ROUTE8", "DIA", "AMN")
END_SCORE_COLUMNS = ("PEILDATUM_LEERLINGEN", "BRIN_NUMMER", "VESTIGINGSNUMMER",
                     "INSTELLINGSNAAM_VESTIGING", "GEMEENTENUMMER", "SOORT_PO",
                     *(f"{p}_{part}" for p in END_SCORE_PROVIDERS for part in ("AANTAL", "GEM")))


def read_end_scores(path: str | Path) -> pd.DataFrame:
    """Read DUO's mean end-of-primary test scores per school and provider (long format).

    Parameters
    ----------
    path : path-like
        The CSV file (``gemiddelde eindscores bo sbo``): BRIN split over ``BRIN_NUMMER`` and
        a 2-digit ``VESTIGINGSNUMMER``, space-padded municipality numbers, decimal commas.

    Returns
    -------
    pandas.DataFrame
        One row per school x provider with at least one pupil tested: ``school_id``,
        ``school_year`` (starting year: count date April 2019 -> 2018 for 2018-19),
        ``school_type`` (``BO`` or ``SBO``), ``municipality_code``, ``provider`` (one of
        :data:`END_SCORE_PROVIDERS`), ``pupils`` (tested), ``mean_score`` (on the provider's own
        scale; NaN where DUO published a count but no mean). Never average ``mean_score`` across
        providers: use :func:`standardise_end_scores`.

    Raises
    ------
    SourceFormatError
        When columns are missing (names expected and found) or a value cannot be read.
    """
    raw, text_format = read_delimited(path)
    choose_layout(path, list(raw.columns), {"end scores": END_SCORE_COLUMNS},
                  "a DUO end-score file (gemiddelde eindscores bo sbo)")
    schools = pd.DataFrame({
        "school_id": school_ids(path, raw["BRIN_NUMMER"].str.strip()
                                + raw["VESTIGINGSNUMMER"].str.strip().str.zfill(2),
                                "BRIN_NUMMER + VESTIGINGSNUMMER"),
        "school_year": _school_years(path, raw["PEILDATUM_LEERLINGEN"]),
        "school_type": raw["SOORT_PO"].str.strip().str.upper(),
        "municipality_code": municipality_codes(path, raw["GEMEENTENUMMER"], "GEMEENTENUMMER"),
    })
    parts = [schools.assign(provider=provider,
                            pupils=integers(path, raw[f"{provider}_AANTAL"], f"{provider}_AANTAL"),
                            mean_score=decimal_comma_numbers(path, raw[f"{provider}_GEM"],
                                                             f"{provider}_GEM"))
             for provider in END_SCORE_PROVIDERS]
    long = pd.concat(parts, ignore_index=True)
    long = long[long["pupils"] > 0].sort_values(["school_id", "provider"], kind="stable")
    long = long.reset_index(drop=True)
    long.attrs["source"] = source_record(
        path, public_file("end_scores").title, public_file("end_scores").url,
        encoding=text_format.encoding, line_ending=text_format.line_ending, rows=len(raw),
        count_date=_iso_date(raw["PEILDATUM_LEERLINGEN"].iloc[0]) if len(raw) else "")
    return long


def _iso_date(value: str) -> str:
    value = value.strip()
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def _school_years(path, values: pd.Series) -> pd.Series:
    """School year (starting calendar year) of count dates written ``YYYYMMDD``."""
    stripped = values.str.strip()
    bad = ~stripped.str.fullmatch(r"(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-3][0-9]").to_numpy(bool)
    if bad.any():
        raise bad_value_error(path, values, bad, "PEILDATUM_LEERLINGEN", "a date YYYYMMDD")
    year = stripped.str[:4].astype("int64")
    month = stripped.str[4:6].astype("int64")
    return year - (month < 8).astype("int64")


def standardise_end_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Combine end scores of different providers into one standardised mean per school.

    Within each provider and school year, a school's mean is turned into a z-score against the
    pupil-weighted distribution of school means of that provider:
    ``z = (mean - mu) / sd`` with ``mu = sum(n * mean) / sum(n)`` and
    ``sd = sqrt(sum(n * (mean - mu)^2) / sum(n))``. The school's standardised score is then the
    pupil-weighted mean of its z-scores over providers. Raw scores are never averaged across
    providers (their scales differ: CET about 501-550, IEP 50-100, ...). Rows without a mean are
    left out; a provider whose school means do not vary gets z = 0.

    Note: the z-scores compare schools with the other schools of the *same* provider; schools
    choose their provider, so provider groups are not equal populations.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long format as from :func:`read_end_scores`: ``school_id, school_year, provider,
        pupils, mean_score``.

    Returns
    -------
    pandas.DataFrame
        One row per school x school year: ``school_id, school_year, pupils_tested`` (pupils
        whose provider published a mean), ``standardised_score`` (in standard deviations of
        school means), ``providers`` (e.g. ``"CET+IEP"``). Sorted by school and year.

    Examples
    --------
    >>> scores = pd.DataFrame({"school_id": ["AA0000", "BB0000", "AA0000", "CC0000"],
    ...                        "school_year": 2018, "provider": ["CET", "CET", "IEP", "IEP"],
    ...                        "pupils": [10, 10, 10, 10],
    ...                        "mean_score": [530.0, 540.0, 70.0, 80.0]})
    >>> standardise_end_scores(scores)["standardised_score"].tolist()
    [-1.0, 1.0, 1.0]
    """
    scored = frame.dropna(subset=["mean_score"])
    scored = scored.assign(z=_z_within_provider(scored))
    scored = scored.assign(weighted=scored["z"] * scored["pupils"])
    grouped = scored.groupby(["school_id", "school_year"], sort=True)
    result = grouped.agg(pupils_tested=("pupils", "sum"), weighted=("weighted", "sum"),
                         providers=("provider", lambda p: "+".join(sorted(p))))
    result["standardised_score"] = result["weighted"] / result["pupils_tested"]
    return result.reset_index()[["school_id", "school_year", "pupils_tested",
                                 "standardised_score", "providers"]]


def _z_within_provider(scored: pd.DataFrame) -> pd.Series:
    keys = [scored["provider"], scored["school_year"]]
    weights = scored["pupils"].astype(float)
    weighted_sum = (weights * scored["mean_score"]).groupby(keys).transform("sum")
    total = weights.groupby(keys).transform("sum")
    mu = weighted_sum / total
    variance = (weights * (scored["mean_score"] - mu) ** 2).groupby(keys).transform("sum") / total
    sd = np.sqrt(variance)
    z = (scored["mean_score"] - mu) / sd.where(sd > 0)
    return z.where(sd > 0, 0.0)
