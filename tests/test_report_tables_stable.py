"""The tables of the `small` Demoland reports show the same numbers as before the stack change.

The stack change (charts on matplotlib and seaborn, statistics on statsmodels, HTML by nbconvert,
one execution path, the layers) was to change no figure. The reference is what the code of commit
25ac730, the last one before it, showed in every table of the 40 municipality reports of
Demoland `small` (seed 20261127, budget year 2024): `tests/fixtures/report_tables/` (its README
says how it was made). That code is an independent implementation of the same reports (its own
SVG charts, its own OLS, its own table writer), so agreement is a check, not a copy.

A cell is compared by municipality, column header and row label (the row's first cell), wherever
the table now stands on the page. A value may since have been hidden by the disclosure rules of
the trust issue (``<10``, ``x``, or ``–`` for a share of a hidden count); any other difference
fails. Free text (cells longer than :data:`FREE_TEXT` characters: goal sentences, which now
leave out hidden neighbourhoods) is not compared.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from npo_analysis.formatting import MISSING
from npo_analysis.report.suppression import PRIMARY, SECONDARY
from trust_support import shared_batch

BEFORE = (Path(__file__).resolve().parent / "fixtures" / "report_tables"
          / "small_2024_before_stack.json.gz")
#: What a hidden value shows now.
HIDDEN = {PRIMARY, SECONDARY, MISSING}
#: Cells longer than this are sentences, not figures.
FREE_TEXT = 60


def _text(element) -> str:
    return " ".join(element.get_text(" ").split())


def report_tables(path: Path) -> list[dict]:
    """Every table of a report page: the heading above it, its header cells, its body rows."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for table in soup.find_all("table"):
        heading = table.find_previous(["h2", "h3"])
        header = table.find("thead") or table
        body = table.find("tbody") or table
        rows = [[_text(cell) for cell in row.find_all(["td", "th"])]
                for row in body.find_all("tr")]
        tables.append({"section": _text(heading) if heading else "",
                       "heads": [_text(th) for th in header.find_all("th")],
                       "rows": [row for row in rows if row]})
    return tables


def cells(tables: list[dict]) -> dict[tuple[str, str], set[str]]:
    """(column header, row label) -> the values shown there (a label can head several tables)."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for table in tables:
        heads = table["heads"]
        for row in table["rows"]:
            if len(row) != len(heads):
                continue
            for head, value in zip(heads[1:], row[1:]):
                if len(value) <= FREE_TEXT:
                    found[(head, row[0])].add(value)
    return found


def compare(before: dict[str, list[dict]], now: dict[str, list[dict]]):
    """Counts of equal, hidden, changed and no longer found cells, and the changed ones."""
    counts = {"equal": 0, "hidden": 0, "changed": 0, "not found": 0}
    changed = []
    for code, tables in before.items():
        now_cells = cells(now[code])
        for key, values in cells(tables).items():
            shown = now_cells.get(key)
            if shown is None:
                counts["not found"] += 1
            elif values & shown:
                counts["equal"] += 1
            elif shown <= HIDDEN:
                counts["hidden"] += 1
            else:
                counts["changed"] += 1
                changed.append((code, key, sorted(values), sorted(shown)))
    return counts, changed


def test_compare_tells_hidden_from_changed():
    """The comparison itself, on a hand-made pair of tables."""
    before = {"GM0001": [{"section": "Scholen", "heads": ["School", "Leerlingen", "Aandeel"],
                          "rows": [["A", "120", "5,0%"], ["B", "9", "11,1%"],
                                   ["C", "300", "2,0%"]]}]}
    now = {"GM0001": [{"section": "Elders", "heads": ["School", "Leerlingen", "Aandeel"],
                       "rows": [["A", "120", "5,0%"], ["B", "<10", "–"],
                                ["C", "301", "2,0%"]]}]}
    counts, changed = compare(before, now)
    assert counts == {"equal": 3, "hidden": 2, "changed": 1, "not found": 0}
    assert changed == [("GM0001", ("Leerlingen", "C"), ["300"], ["301"])]


@pytest.mark.slow
def test_small_reports_show_the_numbers_they_showed_before(tmp_path_factory):
    run_dir = shared_batch(tmp_path_factory, "small")
    with gzip.open(BEFORE, "rt", encoding="utf-8") as handle:
        before = json.load(handle)
    now = {code: report_tables(run_dir / "reports" / f"{code}.html") for code in before}
    counts, changed = compare(before, now)
    print(counts)
    assert changed == []
    compared = counts["equal"] + counts["hidden"]
    # Nearly every figure of before is still on the page (the rest moved or folded away).
    assert compared >= 0.9 * sum(counts.values()), counts
    # The disclosure rules hide a few per cent of the cells, not most of them.
    assert counts["hidden"] < 0.1 * compared, counts
