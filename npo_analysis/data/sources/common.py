"""What every loader of published DUO and CBS files needs: text sniffing, layouts, code clean-up.

Published files differ in encoding (UTF-8 with or without BOM, Windows-1252), separator (``;``
or ``,``), line endings (CRLF or LF) and in how they write codes (``14``, ``' 14'``, ``0014``),
empty values (a single space) and small counts (``<5``). The helpers here turn all of that into
plain values once, at the door, and raise :class:`SourceFormatError` naming the file, the row and
the column when a file is not what a loader expects.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Text that stands for a count DUO suppressed for privacy (1 to 4 pupils).
SUPPRESSED = "<5"
#: A valid school location code (BRIN6).
SCHOOL_ID_PATTERN = re.compile(r"^[0-9A-Z]{4}[0-9]{2}$")
#: DUO's province names that CBS spells differently (DUO -> CBS).
PROVINCE_CBS_SPELLING: dict[str, str] = {"Friesland": "Fryslân"}

_UTF8_BOM = b"\xef\xbb\xbf"


class SourceFormatError(ValueError):
    """A published source file does not have the layout or values a loader expects.

    The message names the file and, where it applies, the row, the column, what was expected and
    what was found.
    """


@dataclass(frozen=True)
class TextFormat:
    """How a delimited text file was written.

    Parameters
    ----------
    encoding : {"utf-8-sig", "utf-8", "cp1252"}
        The encoding that decoded the file.
    separator : {";", ","}
        The field separator.
    line_ending : {"CRLF", "LF"}
        The line ending of the first line.
    """

    encoding: str
    separator: str
    line_ending: str


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 checksum of a file as 64 hex digits.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file content, trying UTF-8 with BOM, strict UTF-8, then Windows-1252.

    Parameters
    ----------
    data : bytes
        The raw file content.

    Returns
    -------
    tuple of (str, str)
        The text and the name of the encoding that decoded it.

    Examples
    --------
    >>> decode_text("Hindoeïstisch".encode("cp1252"))
    ('Hindoeïstisch', 'cp1252')
    >>> decode_text(b"\\xef\\xbb\\xbfA;B")
    ('A;B', 'utf-8-sig')
    """
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM):].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps them to control characters instead.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "cp1252"


def sniff_separator(header: str) -> str:
    """Return ``";"`` or ``","``: whichever occurs more often in the header line."""
    return ";" if header.count(";") >= header.count(",") else ","


def read_delimited(path: str | Path) -> tuple[pd.DataFrame, TextFormat]:
    """Read a delimited text file as text columns, sniffing encoding, separator and line ending.

    Every value is kept as text (``str``), exactly as written: nothing becomes missing, nothing
    is converted to a number; the loaders decide. Fields may be quoted, with doubled quotes inside.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    tuple of (pandas.DataFrame, TextFormat)
        The rows (header as column names, surrounding spaces of names removed) and how the file
        was written.

    Raises
    ------
    SourceFormatError
        When the file is empty or a row has a different number of fields than the header.
    """
    path = Path(path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise SourceFormatError(f"{path}: the file is UTF-16 encoded (or binary); expected text in "
                                "UTF-8 or Windows-1252 – save it as 'CSV UTF-8'")
    text, encoding = decode_text(data)
    header, _, _ = text.partition("\n")
    if not header.strip():
        raise SourceFormatError(f"{path}: the file is empty; expected a header row")
    line_ending = "CRLF" if header.endswith("\r") else "LF"
    separator = sniff_separator(header)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False,
                            na_filter=False, quoting=csv.QUOTE_MINIMAL, engine="c")
    except pd.errors.ParserError as exc:
        raise SourceFormatError(f"{path}: cannot be read as a '{separator}'-separated table "
                                f"({exc})") from exc
    frame.columns = [str(name).strip() for name in frame.columns]
    return frame, TextFormat(encoding, separator, line_ending)


def choose_layout(path: str | Path, found: Sequence[str],
                  layouts: Mapping[str, Sequence[str]], what: str) -> str:
    """Return the name of the first layout whose columns are all present.

    Parameters
    ----------
    path : path-like
        The file, for the error message.
    found : sequence of str
        The columns the file has.
    layouts : mapping of str to sequence of str
        Layout name -> the columns that identify it.
    what : str
        What the file should be, e.g. ``"a DUO school address file"``.

    Raises
    ------
    SourceFormatError
        When no layout fits; names the file, every expected layout and the columns found.
    """
    present = set(found)
    for name, columns in layouts.items():
        if set(columns) <= present:
            return name
    expected = "; or ".join(f"{name}: {', '.join(columns)}" for name, columns in layouts.items())
    raise SourceFormatError(
        f"{path}: does not look like {what}; expected the columns of layout {expected}; "
        f"found columns {', '.join(found) if len(found) else '(none)'}"
    )


def blank_to_missing(values: pd.Series) -> pd.Series:
    """Strip surrounding spaces; text that is then empty (DUO's single space) becomes missing."""
    stripped = values.astype(str).str.strip()
    return stripped.where(stripped != "")


def bad_value_error(path: str | Path, values: pd.Series, bad: np.ndarray, column: str,
                    expected: str, row_offset: int = 2,
                    row_numbers: np.ndarray | None = None) -> SourceFormatError:
    """Build the error for values that fail a check, naming the first offending file rows.

    Parameters
    ----------
    path : path-like
        The file.
    values : pandas.Series
        The column as read (positional order = file order).
    bad : numpy.ndarray of bool
        Which values fail.
    column : str
        The column name in the file.
    expected : str
        What a valid value looks like.
    row_offset : int
        File row number of position 0 (2 for a CSV with one header row, 1-based).
    row_numbers : numpy.ndarray of int, optional
        File row number of each position, when rows are not consecutive (overrides
        ``row_offset``).
    """
    positions = np.flatnonzero(bad)
    numbers = (np.asarray(row_numbers) if row_numbers is not None
               else np.arange(len(values)) + row_offset)
    shown = ", ".join(f"row {int(numbers[p])}: {values.iloc[int(p)]!r}"
                      for p in positions[:5])
    more = f" (and {len(positions) - 5} more)" if len(positions) > 5 else ""
    return SourceFormatError(f"{path}, column {column}: {len(positions)} invalid value(s), "
                             f"{shown}{more}; expected {expected}")


def municipality_codes(path: str | Path, values: pd.Series, column: str,
                       row_offset: int = 2) -> pd.Series:
    """Normalise municipality numbers to CBS codes ``GM`` + 4 digits.

    Accepts ``14``, ``' 14'``, ``0014`` and ``GM0014``.

    Parameters
    ----------
    path : path-like
        The file, for error messages.
    values : pandas.Series of str
        The codes as written.
    column : str
        Column name in the file, for error messages.
    row_offset : int
        File row number of position 0.

    Returns
    -------
    pandas.Series of str

    Raises
    ------
    SourceFormatError
        When a value is not 1 to 4 digits (optionally after ``GM``).

    Examples
    --------
    >>> municipality_codes("f.csv", pd.Series([" 14", "363", "GM0599"]), "X").tolist()
    ['GM0014', 'GM0363', 'GM0599']
    """
    digits = values.astype(str).str.strip().str.removeprefix("GM")
    bad = ~digits.str.fullmatch(r"[0-9]{1,4}").to_numpy(dtype=bool)
    if bad.any():
        raise bad_value_error(path, values, bad, column, "a municipality number of 1 to 4 "
                              "digits such as 14, ' 14', 0014 or GM0014", row_offset)
    return "GM" + digits.str.zfill(4)


def school_ids(path: str | Path, values: pd.Series, column: str,
               row_offset: int = 2) -> pd.Series:
    """Check that values are BRIN6 school codes (``00AP00``); return them stripped.

    Raises
    ------
    SourceFormatError
        Naming the first rows whose value is not a BRIN6.
    """
    stripped = values.astype(str).str.strip().str.upper()
    bad = ~stripped.str.fullmatch(SCHOOL_ID_PATTERN.pattern[1:-1]).to_numpy(dtype=bool)
    if bad.any():
        raise bad_value_error(path, values, bad, column,
                              "a BRIN6: 4 letters/digits and 2 digits, e.g. 00AP00", row_offset)
    return stripped


def integers(path: str | Path, values: pd.Series, column: str, row_offset: int = 2) -> pd.Series:
    """Parse whole non-negative numbers written as text (surrounding spaces allowed).

    Returns
    -------
    pandas.Series of int64

    Raises
    ------
    SourceFormatError
        Naming the first rows that are not whole numbers >= 0.
    """
    stripped = values.astype(str).str.strip()
    bad = ~stripped.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool)
    if bad.any():
        raise bad_value_error(path, values, bad, column, "a whole number >= 0", row_offset)
    return stripped.astype("int64")


def counts_with_suppression(path: str | Path, values: pd.Series, column: str,
                            row_offset: int = 2) -> tuple[pd.Series, pd.Series]:
    """Parse pupil counts where ``<5`` marks a suppressed count of 1 to 4.

    A suppressed count becomes missing (never 0) and is flagged.

    Returns
    -------
    tuple of (pandas.Series of Int64, pandas.Series of bool)
        The counts (``<NA>`` where suppressed) and the ``suppressed`` flags.

    Raises
    ------
    SourceFormatError
        Naming the first rows that are neither a whole number nor ``<5``.

    Examples
    --------
    >>> counts, flags = counts_with_suppression("f.csv", pd.Series(["12", "<5", "0"]), "N")
    >>> counts.tolist(), flags.tolist()
    ([12, <NA>, 0], [False, True, False])
    """
    stripped = values.astype(str).str.strip()
    suppressed = (stripped == SUPPRESSED).to_numpy(dtype=bool)
    numeric = stripped.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool)
    bad = ~(suppressed | numeric)
    if bad.any():
        raise bad_value_error(path, values, bad, column, f"a whole number >= 0 or {SUPPRESSED!r}",
                              row_offset)
    counts = pd.array(np.where(numeric, stripped.where(numeric, "0"), "0").astype("int64"),
                      dtype="Int64")
    counts[suppressed] = pd.NA
    return pd.Series(counts, index=values.index), pd.Series(suppressed, index=values.index)


def decimal_comma_numbers(path: str | Path, values: pd.Series, column: str,
                          row_offset: int = 2) -> pd.Series:
    """Parse numbers written with a decimal comma; empty or single-space values become NaN.

    Returns
    -------
    pandas.Series of float64

    Raises
    ------
    SourceFormatError
        Naming the first rows that are not numbers.

    Examples
    --------
    >>> decimal_comma_numbers("f.csv", pd.Series(["538,5", " ", "12"]), "GEM").tolist()
    [538.5, nan, 12.0]
    """
    stripped = blank_to_missing(values)
    number = r"-?[0-9]+(,[0-9]+)?"
    bad = (stripped.notna() & ~stripped.fillna("").str.fullmatch(number)).to_numpy(dtype=bool)
    if bad.any():
        raise bad_value_error(path, values, bad, column,
                              "a number with a decimal comma (538,25) or a blank", row_offset)
    return pd.to_numeric(stripped.str.replace(",", ".", regex=False)).astype("float64")


def source_record(path: str | Path, name: str, url: str = "", **extra) -> dict:
    """Describe a source file for ``dataset.json``: name, file name, size, SHA-256, URL.

    Parameters
    ----------
    path : path-like
        The file read.
    name : str
        What the source is, for people (e.g. ``"DUO schoolvestigingen basisonderwijs"``).
    url : str
        Where it can be downloaded.
    **extra
        Further keys (``count_date``, ``layout``, ``encoding``, ...).

    Returns
    -------
    dict
    """
    path = Path(path)
    record = {"name": name, "file": path.name, "sha256": file_sha256(path),
              "bytes": path.stat().st_size, "url": url}
    record.update(extra)
    return record
