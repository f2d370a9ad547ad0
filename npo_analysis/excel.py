"""Writing Excel workbooks for municipalities: Dutch headers, euro formats, atomic and reproducible.

A workbook is written to a temporary file and renamed into place (:mod:`npo_analysis.atomic`).
Timestamps that Excel files normally carry (document properties, zip entry dates) are fixed, so
the same tables give a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from npo_analysis.atomic import atomic_path

#: Number format of euro columns (columns whose header contains "(€)").
EURO_FORMAT = '"€" #,##0.00'
#: Date written into the document properties and zip entries instead of the current time.
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _add_sheet(workbook: Workbook, title: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` as a sheet: bold header row, frozen, euro format, fitted column widths."""
    sheet = workbook.create_sheet(title=title)
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                      for v in row])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        sheet[f"{letter}1"].font = Font(bold=True)
        widest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(500)])
        sheet.column_dimensions[letter].width = min(max(widest + 2, 10), 60)
        if "(€)" in str(column):
            for cell in sheet[letter][1:]:
                cell.number_format = EURO_FORMAT


def _fix_timestamps(source: Path, target: Path) -> None:
    """Copy the zip ``source`` to ``target`` with fixed entry dates and document timestamps."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(entry, data)


def write_workbook(target: str | os.PathLike, sheets: Mapping[str, pd.DataFrame],
                   headers: Mapping[str, str] | None = None) -> Path:
    """Write DataFrames as the sheets of one ``.xlsx`` workbook, atomically.

    Parameters
    ----------
    target : path-like
        The workbook to write (parent directories are created).
    sheets : mapping of str to pandas.DataFrame
        Sheet name (at most 31 characters) -> table, in the order the sheets should appear.
    headers : mapping of str to str, optional
        Column name -> header shown in the workbook (e.g. ``"goab_eur"`` -> ``"GOAB-budget (€)"``).
        Columns without an entry keep their name. Columns whose header contains ``(€)`` get a
        euro number format.

    Returns
    -------
    pathlib.Path
        The workbook path.

    Raises
    ------
    ValueError
        When there are no sheets or a sheet name is empty or longer than 31 characters.
    """
    if not sheets:
        raise ValueError("sheets: a workbook needs at least one sheet")
    for name in sheets:
        if not name or len(name) > 31:
            raise ValueError(f"sheet name {name!r} must have 1 to 31 characters")
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "npo-analysis"
    workbook.properties.created = FIXED_TIMESTAMP
    for name, frame in sheets.items():
        _add_sheet(workbook, name, frame.rename(columns=dict(headers or {})))
    target = Path(target)
    with atomic_path(target, suffix=".xlsx") as tmp:
        raw = tmp.with_name(tmp.name + ".raw.xlsx")
        try:
            workbook.save(raw)
            _fix_timestamps(raw, tmp)
        finally:
            raw.unlink(missing_ok=True)
    return target
