"""Disclosure checks on finished outputs: small background-defined counts and CBS flags.

Reports and their Excel exports must never show a count below the disclosure limit (10) for a
group of children defined by background characteristics (target-group pupils, children or
toddlers, toddlers with a VE indication or place), and a school score based on 40 pupils or fewer
must carry the CBS unreliability flag ``a`` wherever it is shown (``../shared/domain.md`` §7).
This module reads the *outputs* (HTML pages, ``.xlsx`` workbooks), not the code that made them,
so a table added later is checked too.

How a background-defined count is recognised (the convention the report follows):

1. **Column header** – a table column (HTML ``<th>`` of the header row, or row 1 of an Excel
   sheet) whose header is one of :data:`GROUP_COUNT_HEADERS`: the Dutch and English texts of the
   label keys in :data:`GROUP_COUNT_KEYS` (:mod:`npo_analysis.report.text`).
2. **Row label** – a row whose first cell is one of those headers (key-figure tables list their
   figures down the first column).
3. **Explicit marker** – any HTML element with the attribute ``data-disclosure="group-count"``.
4. **Running text** – a number directly followed by a group noun, e.g. ``7 doelgroepleerlingen``
   or ``7 target-group pupils`` (:data:`GROUP_NOUNS`).

A count is a whole number written with or without thousands separators (``9``, ``1.234``,
``1,234``); ``<10``, ``–`` and empty cells are fine.

The flag rule applies to tables about schools (a ``School`` or ``Vestiging (BRIN6)`` column) that
show a pupils column and a score column: a row with 40 pupils or fewer needs ``a`` in its
``CBS-vlag`` column when there is one, else in the parenthesised flag of the score (``12,00 (a)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from npo_analysis.formatting import DISCLOSURE_LIMIT
from npo_analysis.report.text import LABELS

#: Label keys whose texts head a count of a background-defined group of children.
GROUP_COUNT_KEYS: tuple[str, ...] = (
    "figure.target_children", "col.target_children", "col.target_pupils",
    "col.target_toddlers", "col.ve_indicated", "col.ve_placed",
)
#: The headers (Dutch and English) of background-defined counts.
GROUP_COUNT_HEADERS: frozenset[str] = frozenset(
    text for key in GROUP_COUNT_KEYS for text in LABELS[key])
#: Nouns that make a number in running text a background-defined count.
GROUP_NOUNS = (r"doelgroep(?:leerlingen|kinderen|peuters|leerling|kind|peuter)",
               r"target-group (?:pupils?|children|child|toddlers?)",
               r"peuters? met (?:een )?VVE-indicatie", r"toddlers? with a VE indication")
#: School scores based on this many pupils or fewer need the CBS flag ``a``.
FLAG_PUPIL_LIMIT = 40
MARKER_ATTRIBUTE = ("data-disclosure", "group-count")

_COUNT = re.compile(r"^\d{1,3}(?:([.,])\d{3}(?:\1\d{3})*)?$|^\d+$")
_TEXT_COUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+|\d+)\s+(" + "|".join(GROUP_NOUNS)
                         + r")\b", re.I)
_FLAG = re.compile(r"\(\s*([abc](?:\s*,\s*[abc])*)\s*\)")
_SCHOOL_HEADERS = frozenset(LABELS["col.school"] + LABELS["col.school_id"])
_PUPIL_HEADERS = frozenset(LABELS["col.pupils"])
_SCORE_HEADERS = frozenset(LABELS["col.score"])
_FLAG_HEADERS = frozenset(LABELS["col.flag"])
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "br", "h1", "h2",
                     "h3", "h4", "h5", "h6", "caption", "section", "nav", "footer", "header",
                     "main", "title", "body", "dt", "dd", "figcaption", "pre", "blockquote"})
_SKIPPED = frozenset({"script", "style"})


@dataclass(frozen=True)
class Violation:
    """One breach of the disclosure rules in an output file.

    Attributes
    ----------
    file : str
        The HTML page or workbook.
    where : str
        Table and row (``table 3, row 2``), sheet and cell (``Scholen!D5``) or ``text``.
    column : str
        Header (or row label, or group noun) that makes the value a protected figure.
    value : str
        The offending value as shown.
    rule : {"small-count", "missing-flag", "recoverable", "small-total"}
        Which rule is broken.
    """

    file: str
    where: str
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        what = {"small-count": f"count below {DISCLOSURE_LIMIT} of a background-defined group",
                "missing-flag": f"school score of <= {FLAG_PUPIL_LIMIT} pupils without CBS "
                                "flag 'a'",
                "recoverable": "a hidden count recovered by arithmetic",
                "small-total": f"a total of 1-{DISCLOSURE_LIMIT - 1} children"}[self.rule]
        return f"{self.file}: {self.where}, {self.column!r} = {self.value!r}: {what}"


def parse_count(text) -> int | None:
    """The whole number a cell shows, or ``None`` when it shows something else.

    Parameters
    ----------
    text : object
        Cell content: an ``int`` (Excel), or text such as ``"9"``, ``"1.234"``, ``"1,234"``.

    Returns
    -------
    int or None
        ``None`` for ``"<10"``, ``"–"``, empty cells, decimals and words.

    Examples
    --------
    >>> parse_count("1.234"), parse_count("7"), parse_count("<10"), parse_count("12,5")
    (1234, 7, None, None)
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, float):
        return int(text) if text.is_integer() else None
    value = str(text).strip()
    if not _COUNT.match(value):
        return None
    return int(value.replace(".", "").replace(",", ""))


def is_small(value, limit: int = DISCLOSURE_LIMIT) -> bool:
    """Whether a shown value is a count below ``limit`` (0 included)."""
    count = parse_count(value)
    return count is not None and count < limit


# --- Tables (shared by HTML and Excel) ----------------------------------------------------------


def _table_violations(header: list[str], rows: list[list], file: str, where, limit: int
                      ) -> list[Violation]:
    """Small counts by column header and by row label, and missing flags, in one table."""
    found = []
    header = [str(h).strip() if h is not None else "" for h in header]
    protected = [i for i, h in enumerate(header) if h in GROUP_COUNT_HEADERS]
    for r, row in enumerate(rows, start=1):
        for i in protected:
            if i < len(row) and is_small(row[i], limit):
                found.append(Violation(file, where(r, i), header[i], str(row[i]), "small-count"))
        label = str(row[0]).strip() if row and row[0] is not None else ""
        if label in GROUP_COUNT_HEADERS:
            found += [Violation(file, where(r, i), label, str(v), "small-count")
                      for i, v in enumerate(row[1:], start=1) if is_small(v, limit)]
    return (found + _flag_violations(header, rows, file, where)
            + recoverable_cells(header, rows, file, where))


# --- Differencing: hidden counts recovered by arithmetic (issue 14.2) -------------------------

#: (denominator, share, numerator) label keys: numerator = denominator x share.
SHARE_TRIPLES: tuple[tuple[str, str, str], ...] = (
    ("col.ve_indicated", "col.ve_reach", "col.ve_placed"),
    ("col.pupils", "col.target_share", "col.target_pupils"),
)
#: (whole, part) label keys whose difference counts a background-defined group.
DIFFERENCE_PAIRS: tuple[tuple[str, str], ...] = (("col.ve_indicated", "col.ve_placed"),)
#: Label keys of counts of children (any group): a total of 1-9 must show as ``<10``.
CHILD_TOTAL_KEYS: tuple[str, ...] = ("col.pupils", "col.children_0_3", "col.children_4_11",
                                     "figure.pupils", "figure.toddlers")
_CHILD_TOTALS = frozenset(t for k in CHILD_TOTAL_KEYS for t in LABELS[k])
_SUPPRESSED_TEXT = frozenset({"<10", "&lt;10", "x"})
_TOTAL_ROWS = frozenset({"Totaal", "Total", "Gemeente totaal", "Municipality total"})


def _headers(key: str) -> frozenset[str]:
    return frozenset(LABELS[key])


def parse_share(text) -> float | None:
    """The fraction a cell shows: ``"70%"``, ``"12,5%"`` (text) or ``0.7`` (Excel); else ``None``.

    Examples
    --------
    >>> parse_share("70%"), parse_share("12,5%"), parse_share(0.7), parse_share("–")
    (0.7, 0.125, 0.7, None)
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        return float(text)
    value = str(text).strip().replace("\xa0", "")
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*%", value)
    return float(match.group(1).replace(",", ".")) / 100 if match else None


def _is_hidden(value) -> bool:
    return isinstance(value, str) and value.strip() in _SUPPRESSED_TEXT


def recoverable_cells(header: list, rows: list[list], file: str, where) -> list[Violation]:
    """Hidden counts (``<10``) that the table gives back by arithmetic, and small totals.

    Checked per row: numerator = denominator x share (:data:`SHARE_TRIPLES`; the shown share
    is rounded as shown, so a recovered value is the nearest whole number within the rounding),
    whole - part of :data:`DIFFERENCE_PAIRS` when that difference is 1-9, and counts of children
    (:data:`CHILD_TOTAL_KEYS`) of 1-9; per column: a protected column with exactly one hidden
    cell (the column's total is a published figure, so that cell is total minus the rest).

    Parameters
    ----------
    header : list
        Column headers.
    rows : list of list
        Body rows.
    file : str
        The output's name.
    where : callable
        ``where(row, column)`` naming a cell.

    Returns
    -------
    list of Violation
        Rule ``"recoverable"`` (or ``"small-total"``).
    """
    header = [str(h).strip() if h is not None else "" for h in header]
    column = {h: i for i, h in enumerate(header)}
    found = []

    def col(key):
        return next((column[h] for h in _headers(key) if h in column), None)

    triples = [(col(d), col(s), col(n)) for d, s, n in SHARE_TRIPLES]
    pairs = [(col(w), col(p)) for w, p in DIFFERENCE_PAIRS]
    totals = [i for i, h in enumerate(header) if h in _CHILD_TOTALS]
    for r, row in enumerate(rows, start=1):
        def cell(i, row=row):
            return row[i] if i is not None and i < len(row) else None

        for d, s, n in triples:
            den, share = parse_count(cell(d)), parse_share(cell(s))
            if _is_hidden(cell(n)) and den is not None and share is not None:
                found.append(Violation(file, where(r, n), header[n],
                                       f"{den} x {cell(s)} = {round(den * share)}",
                                       "recoverable"))
        for w, p in pairs:
            whole, part = parse_count(cell(w)), parse_count(cell(p))
            if whole is not None and part is not None and 0 < whole - part < DISCLOSURE_LIMIT:
                found.append(Violation(file, where(r, p), f"{header[w]} - {header[p]}",
                                       f"{whole} - {part} = {whole - part}", "recoverable"))
        for i in totals:
            count = parse_count(cell(i))
            if count is not None and 0 < count < DISCLOSURE_LIMIT:
                found.append(Violation(file, where(r, i), header[i], str(cell(i)),
                                       "small-total"))
    body = [row for row in rows if not (row and str(row[0]).strip() in _TOTAL_ROWS)]
    if len(body) > 1:
        for i, h in enumerate(header):
            if h not in GROUP_COUNT_HEADERS and h not in _CHILD_TOTALS:
                continue
            hidden = [r for r, row in enumerate(body, start=1) if i < len(row)
                      and _is_hidden(row[i])]
            if len(hidden) == 1:
                found.append(Violation(file, where(hidden[0], i), h,
                                       "total - other rows", "recoverable"))
    return found


def _column(header: list[str], names: frozenset[str]) -> int | None:
    return next((i for i, h in enumerate(header) if h in names), None)


def _flag_violations(header: list[str], rows: list[list], file: str, where) -> list[Violation]:
    if not _SCHOOL_HEADERS.intersection(header):
        return []
    pupils, score = _column(header, _PUPIL_HEADERS), _column(header, _SCORE_HEADERS)
    if pupils is None or score is None:
        return []
    flag = _column(header, _FLAG_HEADERS)
    found = []
    for r, row in enumerate(rows, start=1):
        count = parse_count(row[pupils]) if pupils < len(row) else None
        if count is None or count > FLAG_PUPIL_LIMIT:
            continue
        shown = row[flag] if flag is not None else _flag_in(row[score])
        if "a" not in _flags(shown):
            column = header[flag] if flag is not None else header[score]
            cell = row[flag] if flag is not None else row[score]
            found.append(Violation(file, where(r, flag if flag is not None else score), column,
                                   "" if cell is None else str(cell), "missing-flag"))
    return found


def _flag_in(score_text) -> str:
    match = _FLAG.search(str(score_text or ""))
    return match.group(1) if match else ""


def _flags(text) -> set[str]:
    return {part.strip() for part in str(text or "").split(",")}


def text_violations(text: str, file: str, limit: int = DISCLOSURE_LIMIT) -> list[Violation]:
    """Small counts in running text: a number followed by a group noun (``7 doelgroepkinderen``).

    Parameters
    ----------
    text : str
        One block of text (a paragraph, a table cell).
    file : str
        Name of the output, for the report.
    limit : int
        The disclosure limit.

    Returns
    -------
    list of Violation
    """
    return [Violation(file, "text", m.group(2), m.group(0), "small-count")
            for m in _TEXT_COUNT.finditer(text) if is_small(m.group(1), limit)]


# --- HTML ---------------------------------------------------------------------------------------


class _PageReader(HTMLParser):
    """Collects the tables (header row, body rows), text blocks and marked elements of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.blocks: list[str] = [""]
        self.marked: list[str] = []
        self._stack: list[dict] = []  # open tables
        self._cell: list[str] | None = None
        self._marker_depth: list[tuple[str, list[str]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip += 1
        if tag in _BLOCKS:
            self.blocks.append("")
        if MARKER_ATTRIBUTE in attrs:
            self._marker_depth.append((tag, []))
        if tag == "table":
            self._stack.append({"header": None, "rows": [], "row": None, "row_is_header": True})
        elif self._stack and tag == "tr":
            self._stack[-1]["row"], self._stack[-1]["row_is_header"] = [], True
        elif self._stack and tag in ("td", "th"):
            self._cell = []
            if tag == "td":
                self._stack[-1]["row_is_header"] = False

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self._skip:
            self._skip -= 1
        if tag in _BLOCKS:
            self.blocks.append("")
        if self._marker_depth and self._marker_depth[-1][0] == tag:
            self.marked.append("".join(self._marker_depth.pop()[1]).strip())
        if not self._stack:
            return
        table = self._stack[-1]
        if tag in ("td", "th") and self._cell is not None and table["row"] is not None:
            table["row"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and table["row"] is not None:
            self._end_row(table)
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def _end_row(self, table: dict) -> None:
        if table["row_is_header"] and not table["rows"]:
            table["header"] = table["row"]
        else:
            table["rows"].append(table["row"])
        table["row"] = None

    def handle_data(self, data):
        if self._skip:
            return
        self.blocks[-1] += data
        if self._cell is not None:
            self._cell.append(data)
        for _, parts in self._marker_depth:
            parts.append(data)


def scan_html(page: str, file: str = "<page>", limit: int = DISCLOSURE_LIMIT) -> list[Violation]:
    """Every disclosure violation in an HTML page (see the module docstring for the rules).

    Parameters
    ----------
    page : str
        The page.
    file : str
        Its name, for the report.
    limit : int
        The disclosure limit (10).

    Returns
    -------
    list of Violation
        Empty when the page is clean.
    """
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    found = []
    for n, table in enumerate(reader.tables, start=1):
        header = table["header"] or (table["rows"][0] if table["rows"] else [])
        rows = table["rows"] if table["header"] else table["rows"][1:]
        found += _table_violations(header, rows, file,
                                   lambda r, c, n=n: f"table {n}, row {r}, column {c + 1}", limit)
    found += [Violation(file, "marked element", "data-disclosure", text, "small-count")
              for text in reader.marked if is_small(text, limit)]
    for block in reader.blocks:
        found += text_violations(block, file, limit)
    return found


# --- Excel --------------------------------------------------------------------------------------


def scan_workbook(path: str | Path, limit: int = DISCLOSURE_LIMIT) -> list[Violation]:
    """Every disclosure violation in an ``.xlsx`` workbook (row 1 of each sheet is its header).

    Parameters
    ----------
    path : path-like
        The workbook.
    limit : int
        The disclosure limit (10).

    Returns
    -------
    list of Violation
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    found = []
    try:
        for sheet in workbook.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if not rows:
                continue

            def where(r, c, title=sheet.title):
                return f"{title}!{get_column_letter(c + 1)}{r + 1}"

            found += _table_violations(rows[0], rows[1:], str(path), where, limit)
            found += [v for row in rows for cell in row if isinstance(cell, str)
                      for v in text_violations(cell, str(path), limit)]
    finally:
        workbook.close()
    return found


def scan_outputs(directory: str | Path, limit: int = DISCLOSURE_LIMIT) -> list[Violation]:
    """Scan every ``*.html`` and ``*.xlsx`` file under ``directory`` (recursively, sorted).

    Parameters
    ----------
    directory : path-like
        A run directory (``<out>/<run>``) or any folder of outputs.
    limit : int
        The disclosure limit (10).

    Returns
    -------
    list of Violation
    """
    directory = Path(directory)
    found = []
    for path in sorted(directory.rglob("*")):
        if path.suffix == ".html" and path.is_file():
            found += scan_html(path.read_text(encoding="utf-8"), str(path), limit)
        elif path.suffix == ".xlsx" and path.is_file() and not path.name.startswith("~$"):
            found += scan_workbook(path, limit)
    return found
