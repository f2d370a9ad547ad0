"""Disclosure control (issue 8.1): no count below 10 of a background-defined group and no
unflagged school score of <= 40 pupils in any HTML or Excel output.

The scanner (:mod:`npo_analysis.report.disclosure`) is first checked on hand-written pages and workbooks
whose violations are known, then run over every output of a ``tiny`` and a ``small`` batch.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from npo_analysis.report.disclosure import parse_count, scan_html, scan_outputs, scan_workbook
from tests.trust_support import shared_batch

HEAD = "<html><body>{}</body></html>"


def _table(header: list[str], *rows: list[str]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@pytest.mark.parametrize(("text", "expected"), [
    ("9", 9), ("0", 0), ("1.234", 1234), ("1,234", 1234), (12, 12), (7.0, 7),
    ("<10", None), ("–", None), ("", None), ("12,5", None), ("18,5%", None), ("€ 7", None),
    ("1.23", None), (None, None), (True, None),
])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_small_counts_in_protected_columns_are_found():
    page = HEAD.format(_table(
        ["Wijk", "Scholen", "Doelgroepleerlingen", "Doelgroeppeuters", "Peuters met VVE-indicatie"],
        ["Noord", "3", "12", "&lt;10", "9"],    # 9 indicated toddlers: violation
        ["Zuid", "1", "0", "1.204", "&lt;10"],  # 0 target pupils: violation; 1 school is fine
    ))
    found = scan_html(page, "wijken.html")
    assert {(v.where, v.column, v.value, v.rule) for v in found} == {
        ("table 1, row 1, column 5", "Peuters met VVE-indicatie", "9", "small-count"),
        ("table 1, row 2, column 3", "Doelgroepleerlingen", "0", "small-count"),
        # a lone <10 in its column is the published total minus the other rows
        ("table 1, row 1, column 4", "Doelgroeppeuters", "total - other rows", "recoverable"),
        ("table 1, row 2, column 5", "Peuters met VVE-indicatie", "total - other rows",
         "recoverable"),
    }
    assert all(v.file == "wijken.html" for v in found)


def test_english_headers_row_labels_markers_and_text():
    key_figures = _table(["Figure", "Town", "Netherlands"],
                         ["Pupils", "8", "6.921"],                  # not background-defined
                         ["Target-group children", "7", "1.235"])   # 7: violation
    page = HEAD.format(
        key_figures
        + "<p>Aim first at <strong>3</strong> target-group pupils, then 40 pupils.</p>"
        + "<p>Er zijn 12 doelgroepkinderen en 2 peuters met een VVE-indicatie.</p>"
        + '<span data-disclosure="group-count">4</span>'
        + '<span data-disclosure="group-count">&lt;10</span>'
        + "<script>var x = '5 doelgroepleerlingen';</script>")
    found = sorted((v.where, v.value) for v in scan_html(page))
    assert found == [("marked element", "4"), ("table 1, row 2, column 2", "7"),
                     ("text", "2 peuters met een VVE-indicatie"), ("text", "3 target-group pupils")]


def test_school_scores_of_40_pupils_or_fewer_need_flag_a():
    page = HEAD.format(_table(
        ["School", "Leerlingen", "Achterstandsscore"],
        ["A", "40", "12,00 (a)"], ["B", "41", "3,00"], ["C", "14", "0,00 (a, b, c)"],
        ["D", "22", "48,27"],        # violation: 22 pupils, no flag
        ["E", "35", "5,00 (b)"],     # violation: b is not a
    ))
    found = scan_html(page, "r.html")
    assert [(v.where, v.value, v.rule) for v in found] == [
        ("table 1, row 4, column 3", "48,27", "missing-flag"),
        ("table 1, row 5, column 3", "5,00 (b)", "missing-flag"),
    ]
    # The municipal index (no school column) is not held to the school rule.
    assert scan_html(HEAD.format(_table(["Gemeente", "Leerlingen", "Achterstandsscore"],
                                        ["Klein", "30", "0,00"]))) == []


def test_workbook_is_scanned_by_header_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Duiden - Scholen"
    sheet.append(["School", "Leerlingen", "Doelgroepleerlingen", "Achterstandsscore", "CBS-vlag"])
    sheet.append(["A", 120, 12, 50.5, ""])
    sheet.append(["B", 30, "<10", 0.0, "a, b"])
    sheet.append(["C", 25, 6, 1.0, ""])  # two violations: 6 pupils, and no flag
    other = workbook.create_sheet("Data - Kengetallen")
    other.append(["Kengetal", "Gemeente", "Nederland"])
    other.append(["Doelgroepkinderen", 3, 1235])  # violation
    other.append(["Leerlingen", 5, 6921])
    path = tmp_path / "GM0001.xlsx"
    workbook.save(path)
    found = sorted((v.where, v.column, v.value, v.rule) for v in scan_workbook(path))
    assert found == [("Data - Kengetallen!B2", "Doelgroepkinderen", "3", "small-count"),
                     ("Duiden - Scholen!C3", "Doelgroepleerlingen", "total - other rows",
                      "recoverable"),  # the only <10 of its column
                     ("Duiden - Scholen!C4", "Doelgroepleerlingen", "6", "small-count"),
                     ("Duiden - Scholen!E4", "CBS-vlag", "", "missing-flag")]
    assert [v.value for v in scan_outputs(tmp_path)] == ["6", "", "total - other rows",
                                                         "3"]  # sheet order


def test_differencing_finds_hidden_counts_recovered_by_arithmetic():
    page = HEAD.format(_table(
        ["Wijk", "Doelgroeppeuters", "Peuters met VVE-indicatie", "Met VVE-plaats", "VVE-bereik",
         "Kinderen 0-3"],
        ["A", "40", "10", "&lt;10", "70%", "3"],   # 10 x 70% = 7; 3 children: a small total
        ["B", "50", "30", "25", "83%", "120"],     # 30 - 25 = 5 toddlers without a place
        ["C", "&lt;10", "40", "x", "–", "80"],     # with B's <10 two hidden: not recoverable
        ["D", "&lt;10", "45", "45", "100%", "90"],
    ))
    found = sorted((v.where, v.value, v.rule) for v in scan_html(page))
    assert found == [
        ("table 1, row 1, column 4", "10 x 70% = 7", "recoverable"),
        ("table 1, row 1, column 6", "3", "small-total"),
        ("table 1, row 2, column 4", "30 - 25 = 5", "recoverable"),
    ]


def test_the_report_tables_hide_what_arithmetic_would_give_back():
    from npo_analysis.report.suppression import NEIGHBOURHOOD_RULE, hidden_cells

    frame = pd.DataFrame({"neighbourhood_code": ["A", "B", "C", "D"],
                          "ve_indicated": [10, 30, 40, 8], "ve_placed": [7, 25, 38, 8],
                          "ve_reach": [0.7, 25 / 30, 0.95, 1.0],
                          "children_0_3": [3, 120, 80, 90]})
    hidden = hidden_cells(frame, NEIGHBOURHOOD_RULE)
    # placed: A (7 < 10), B (30 - 25 = 5), C (40 - 38 = 2), D (8); indicated: D, then the
    # smallest other (A: 10) so that D is not the total minus the rest
    assert hidden["ve_placed"].tolist() == [True, True, True, True]
    assert hidden["ve_indicated"].tolist() == [True, False, False, True]
    assert hidden["ve_reach"].tolist() == [True, True, True, True]
    # children 0-3: 3 is a small total; the second hidden cell is the smallest other (80)
    assert hidden["children_0_3"].tolist() == [True, False, True, False]


def _assert_clean_and_meaningful(run_dir, data_dir):
    outputs = sorted(p.name for p in run_dir.rglob("*") if p.suffix in (".html", ".xlsx"))
    assert "index.html" in outputs and len(outputs) > 3
    violations = scan_outputs(run_dir)
    assert violations == [], "\n".join(map(str, violations[:20]))
    # Not vacuous: the demo data has small groups and small schools, and the reports show them.
    pages = "".join(p.read_text(encoding="utf-8") for p in (run_dir / "reports").glob("GM*.html"))
    assert "&lt;10" in pages
    schools = pd.read_parquet(data_dir / "schools.parquet")
    assert (schools["pupils"] <= 40).any() and "(a" in pages


@pytest.mark.slow
def test_tiny_batch_outputs_disclose_nothing(tmp_path_factory):
    run_dir = shared_batch(tmp_path_factory, "tiny")
    _assert_clean_and_meaningful(run_dir, run_dir.parents[1] / "data")


@pytest.mark.slow
def test_small_batch_outputs_disclose_nothing(tmp_path_factory):
    run_dir = shared_batch(tmp_path_factory, "small")
    _assert_clean_and_meaningful(run_dir, run_dir.parents[1] / "data")
