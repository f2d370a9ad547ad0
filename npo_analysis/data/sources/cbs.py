"""Loaders for CBS publications: school disadvantage scores (workbook) and the municipality list.

``frame.attrs["source"]`` of each result describes the file read (name, SHA-256, count date) for
``dataset.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.data.sources.common import (
    SCHOOL_ID_PATTERN,
    SourceFormatError,
    bad_value_error,
    blank_to_missing,
    choose_layout,
    municipality_codes,
    read_delimited,
    source_record,
)
from npo_analysis.data.sources.fetch import public_file

#: Sheets of the CBS workbook "Achterstandsscores basisscholen" that hold the scores.
SCORE_SHEETS = ("Tabel 1", "Tabel 2")
#: Position (0-based) of the header row and the first data row in both sheets.
HEADER_ROW = 3
FIRST_DATA_ROW = 5
#: Words each header cell must contain (lower case), per sheet, left to right.
SCORE_HEADERS: dict[str, tuple[str, ...]] = {
    "Tabel 1": ("brin", "leerlingen", "achterstandsscore"),
    "Tabel 2": ("brin", "zonder drempel", "onderbouw", "bovenbouw"),
}
#: Columns of :func:`read_school_scores`.
SCHOOL_SCORE_COLUMNS = ("school_id", "pupils", "score", "flag", "score_gross",
                        "score_gross_onderbouw", "score_gross_bovenbouw", "flag_parts")
_DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                 "september", "oktober", "november", "december")
_COUNT_DATE = re.compile(r"(\d{1,2})\s+(" + "|".join(_DUTCH_MONTHS) + r")\s+(\d{4})",
                         re.IGNORECASE)


def read_school_scores(path: str | Path) -> pd.DataFrame:
    """Read the CBS workbook "Achterstandsscores basisscholen" (Tabel 1 joined with Tabel 2).

    Both sheets have a title, a header on row 4, data from row 6 and footer rows (source, notes
    on the flags); only rows whose first cell is a BRIN6 are kept. The workbook is read with the
    ``calamine`` engine (openpyxl cannot open the published file).

    Parameters
    ----------
    path : path-like
        The ``.xlsx`` workbook.

    Returns
    -------
    pandas.DataFrame
        One row per school, columns :data:`SCHOOL_SCORE_COLUMNS`: ``school_id``, ``pupils`` (E,
        funded pupils), ``score`` (after the threshold), ``flag`` (``"a"`` when based on 40
        pupils or fewer, else ``""``), ``score_gross`` (A, *zonder drempel*),
        ``score_gross_onderbouw``, ``score_gross_bovenbouw`` (A split by age), ``flag_parts``
        (``"b"``, ``"c"``, ``"b, c"`` or ``""``: onderbouw / bovenbouw based on 40 pupils or
        fewer). ``attrs["count_date"]`` holds the count date from the sheet title (ISO, or
        ``""`` when the title has none) and ``attrs["source"]`` describes the file.

    Raises
    ------
    SourceFormatError
        When a sheet is missing, a header is not the expected one (names the sheet, expected
        and found headers), a value is not a number, or the sheets hold different schools.
    """
    path = Path(path)
    sheets = _score_sheets(path)
    first = _sheet_rows(path, "Tabel 1", sheets["Tabel 1"], ["school_id", "pupils", "score",
                                                            "flag"])
    second = _sheet_rows(path, "Tabel 2", sheets["Tabel 2"],
                         ["school_id", "score_gross", "score_gross_onderbouw",
                          "score_gross_bovenbouw", "flag_parts"])
    joined = _joined(path, first, second)
    count_date = _count_date(sheets["Tabel 1"])
    joined.attrs["count_date"] = count_date
    joined.attrs["source"] = source_record(path, public_file("scores").title,
                                           public_file("scores").page, count_date=count_date,
                                           rows=len(joined))
    return joined


def _score_sheets(path: Path) -> dict[str, pd.DataFrame]:
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        raise SourceFormatError(f"{path}: cannot be opened as an Excel workbook ({exc}); "
                                f"expected the CBS workbook 'Achterstandsscores "
                                f"basisscholen'") from exc
    with workbook:
        missing = [name for name in SCORE_SHEETS if name not in workbook.sheet_names]
        if missing:
            raise SourceFormatError(
                f"{path}: does not look like the CBS workbook 'Achterstandsscores "
                f"basisscholen'; expected sheets {', '.join(SCORE_SHEETS)}; found sheets "
                f"{', '.join(workbook.sheet_names)}")
        return {name: pd.read_excel(workbook, sheet_name=name, header=None)
                for name in SCORE_SHEETS}


def _sheet_rows(path: Path, sheet_name: str, sheet: pd.DataFrame,
                columns: list[str]) -> pd.DataFrame:
    """The school rows of one sheet, checked, with ``columns`` as names."""
    _check_header(path, sheet_name, sheet)
    sheet = sheet.reindex(columns=range(len(columns)))
    first = sheet.iloc[:, 0].astype(str).str.strip()
    keep = first.str.fullmatch(SCHOOL_ID_PATTERN.pattern[1:-1]).to_numpy(dtype=bool).copy()
    keep[:FIRST_DATA_ROW] = False
    rows = sheet[keep].set_axis(columns, axis=1)
    if rows.empty:
        raise SourceFormatError(f"{path}, sheet {sheet_name!r}: no school rows (first cell a "
                                f"BRIN6 such as 00AP00) from row {FIRST_DATA_ROW + 1} on")
    numbers = {name: _numbers(path, sheet_name, rows[name], name) for name in columns[1:-1]}
    return rows.assign(
        school_id=first[keep].to_numpy(),
        **numbers,
        **{columns[-1]: blank_to_missing(rows[columns[-1]].fillna("")).fillna("")},
    ).reset_index(drop=True)


def _check_header(path: Path, sheet_name: str, sheet: pd.DataFrame) -> None:
    expected = SCORE_HEADERS[sheet_name]
    if len(sheet) <= HEADER_ROW:
        found: list[str] = []
    else:
        found = [" ".join(str(cell).split()) for cell in sheet.iloc[HEADER_ROW].dropna()]
    matches = len(found) >= len(expected) and all(
        word in cell.lower() for word, cell in zip(expected, found, strict=False))
    if not matches:
        raise SourceFormatError(
            f"{path}, sheet {sheet_name!r}: row {HEADER_ROW + 1} is not the expected header; "
            f"expected headers containing {', '.join(repr(w) for w in expected)}; found "
            f"{', '.join(repr(c) for c in found) if found else '(an empty row)'}")


def _numbers(path: Path, sheet_name: str, values: pd.Series, column: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() | (numbers < 0)).to_numpy(dtype=bool)
    if bad.any():
        raise bad_value_error(f"{path}, sheet {sheet_name!r}", values, bad, column,
                              "a number >= 0", row_numbers=values.index.to_numpy() + 1)
    if column == "pupils":
        whole = numbers == np.round(numbers)
        if not whole.all():
            raise SourceFormatError(f"{path}, sheet {sheet_name!r}, column {column}: "
                                    f"expected whole numbers of pupils")
        return numbers.astype("int64")
    return numbers.astype("float64")


def _joined(path: Path, first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    for name, rows in (("Tabel 1", first), ("Tabel 2", second)):
        duplicated = rows["school_id"].duplicated(keep=False).to_numpy()
        if duplicated.any():
            raise SourceFormatError(
                f"{path}, sheet {name!r}: schools listed more than once: "
                f"{sorted(set(rows['school_id'][duplicated]))[:5]}; expected each school once")
    joined = first.merge(second, on="school_id", how="inner", validate="one_to_one")
    if len(joined) != len(first) or len(joined) != len(second):
        only_first = sorted(set(first["school_id"]) - set(second["school_id"]))[:5]
        only_second = sorted(set(second["school_id"]) - set(first["school_id"]))[:5]
        raise SourceFormatError(
            f"{path}: Tabel 1 has {len(first)} schools and Tabel 2 {len(second)}, "
            f"{len(joined)} in both; expected the same schools (only in Tabel 1: "
            f"{only_first}; only in Tabel 2: {only_second})")
    flag_parts = joined["flag_parts"].map(_part_flags)
    return joined.assign(flag_parts=flag_parts)[list(SCHOOL_SCORE_COLUMNS)]


def _part_flags(text: str) -> str:
    """Keep the onderbouw/bovenbouw flags ``b``/``c`` of Tabel 2's flag cell (``a, b, c``)."""
    letters = [part.strip() for part in str(text).split(",")]
    return ", ".join(letter for letter in ("b", "c") if letter in letters)


def _count_date(sheet: pd.DataFrame) -> str:
    """ISO count date from the sheet title (``..., 1 oktober 2019``), or ``""``."""
    title = " ".join(str(cell) for cell in sheet.iloc[:HEADER_ROW, 0].dropna())
    match = _COUNT_DATE.search(title)
    if not match:
        return ""
    month = _DUTCH_MONTHS.index(match.group(2).lower()) + 1
    return f"{int(match.group(3)):04d}-{month:02d}-{int(match.group(1)):02d}"


# --- Municipalities ----------------------------------------------------------------------------

#: Columns of the CBS list "Gemeenten alfabetisch" (CSV or xlsx).
MUNICIPALITY_LIST_COLUMNS = ("Gemeentecode", "GemeentecodeGM", "Gemeentenaam", "Provinciecode",
                             "ProvinciecodePV", "Provincienaam")


def read_municipalities(path: str | Path) -> pd.DataFrame:
    """Read the CBS municipality list "Gemeenten alfabetisch" (CSV or ``.xlsx``).

    Parameters
    ----------
    path : path-like
        The file: CSV (``,`` or ``;``, any of the sniffed encodings) or an Excel workbook whose
        first sheet has the same columns.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``municipality_code`` (``GM`` + 4 digits), ``name`` (official
        spelling, e.g. ``'s-Gravenhage``), ``province`` (e.g. ``Fryslân``), sorted by code.
        ``attrs["source"]`` describes the file.

    Raises
    ------
    SourceFormatError
        When columns are missing (names expected and found), a code is not valid, the two code
        columns disagree, or a municipality appears twice.
    """
    path = Path(path)
    raw, encoding = _municipality_rows(path)
    choose_layout(path, list(raw.columns), {"gemeenten alfabetisch": MUNICIPALITY_LIST_COLUMNS},
                  "a CBS municipality list (gemeenten alfabetisch)")
    codes = municipality_codes(path, raw["GemeentecodeGM"], "GemeentecodeGM")
    numbers = municipality_codes(path, raw["Gemeentecode"], "Gemeentecode")
    disagree = (codes != numbers).to_numpy()
    if disagree.any():
        raise bad_value_error(path, raw["GemeentecodeGM"], disagree, "GemeentecodeGM",
                              "'GM' + the 4 digits of Gemeentecode on the same row")
    duplicated = codes.duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise bad_value_error(path, codes, duplicated, "GemeentecodeGM", "each code once")
    frame = pd.DataFrame({"municipality_code": codes,
                          "name": blank_to_missing(raw["Gemeentenaam"]),
                          "province": blank_to_missing(raw["Provincienaam"])})
    frame = frame.sort_values("municipality_code", kind="stable").reset_index(drop=True)
    frame.attrs["source"] = source_record(path, public_file("municipalities").title,
                                          public_file("municipalities").url, encoding=encoding,
                                          rows=len(frame))
    return frame


def _municipality_rows(path: Path) -> tuple[pd.DataFrame, str]:
    if path.suffix.lower() in {".xlsx", ".xls", ".xlsm"}:
        try:
            sheet = pd.read_excel(path, engine="calamine", dtype=str)
        except Exception as exc:  # calamine raises its own error types for non-workbooks
            raise SourceFormatError(f"{path}: cannot be opened as an Excel workbook ({exc}); "
                                    f"expected the CBS list 'gemeenten alfabetisch'") from exc
        sheet.columns = [str(name).strip() for name in sheet.columns]
        return sheet.fillna(""), "xlsx"
    raw, text_format = read_delimited(path)
    return raw, text_format.encoding


def _checked(values, name: str) -> np.ndarray:
    """``values`` as a 1-d float array without NaN or negative numbers."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a one-dimensional array, got shape {array.shape}")
    bad = np.isnan(array) | (array < 0)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{position}] = {array[position]}: expected a number >= 0 "
                         f"({int(bad.sum())} such value(s))")
    return array


def _checked_pair(score_gross, pupils) -> tuple[np.ndarray, np.ndarray]:
    gross = _checked(score_gross, "score_gross")
    counts = _checked(pupils, "pupils")
    if len(gross) != len(counts):
        raise ValueError(f"score_gross has {len(gross)} values but pupils has {len(counts)}; "
                         f"expected one of each per school")
    return gross, counts


def estimate_c_minus_g(score_gross, pupils, target_share: float = 0.15) -> float:
    """Estimate C - G from the gross scores and pupil counts of all schools in the country.

    Parameters
    ----------
    score_gross : array-like of float
        A (score zonder drempel) of every school.
    pupils : array-like of int
        E (pupils) of every school.
    target_share : float
        Share of all pupils in the target group (0.15).

    Returns
    -------
    float
        sum(A) / (target_share x sum(E)).

    Examples
    --------
    >>> round(estimate_c_minus_g([30.0, 0.0], [100, 100], target_share=0.15), 4)
    1.0
    """
    gross, counts = _checked_pair(score_gross, pupils)
    if not 0 < target_share <= 1:
        raise ValueError(f"target_share={target_share}: expected a share in (0, 1]")
    if counts.sum() == 0:
        raise ValueError("pupils: the counts sum to 0; expected at least one pupil")
    return float(gross.sum() / (target_share * counts.sum()))
