"""The municipality's Excel workbook on tiny Demoland: sheets, Dutch headers, suppression."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from report_support import PARAMS_DIR, build_tiny

from npo_analysis.report import load_report_data, validate_parameters
from npo_analysis.report import workbook as export
from npo_analysis.report.analyses import ReportAnalyses


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def workbook(tiny, tmp_path_factory):
    data_dir, results_dir = tiny
    schools = pd.read_parquet(data_dir / "schools.parquet")
    counts = schools.groupby("municipality_code").size()
    code = sorted(counts[counts == counts.max()].index)[0]
    out = tmp_path_factory.mktemp("reports")
    params = validate_parameters(municipality_code=code, year=2024, data_dir=str(data_dir),
                                 results_dir=str(results_dir), params_dir=str(PARAMS_DIR),
                                 export_dir=str(out))
    path = export.write_report_workbook(ReportAnalyses(load_report_data(params)),
                                        params.export_dir)
    return code, path, schools[schools["municipality_code"] == code]


def rows(sheet) -> list[dict]:
    values = list(sheet.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_workbook_has_a_sheet_per_section_next_to_the_report(workbook):
    code, path, _ = workbook
    assert path.name == f"{code}.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(export.SHEETS)  # tiny has data for every section
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert book.sheetnames[0] == "Toelichting"
    prefixes = {name.split(" - ")[0] for name in book.sheetnames[1:]}
    assert prefixes == {"Data", "Duiden", "Doelen", "Doen"}


def test_school_sheet_equals_the_dataset_and_suppresses_small_counts(workbook, tiny):
    code, path, schools = workbook
    sheet = rows(openpyxl.load_workbook(path)["Duiden - scholen"])
    assert sorted(r["Vestiging (BRIN6)"] for r in sheet) == sorted(schools["school_id"])
    assert sum(r["Leerlingen"] for r in sheet) == schools["pupils"].sum()
    scores = pd.read_parquet(tiny[1] / "indicator" / "school_scores.parquet")
    target = scores.set_index("school_id")["target_pupils"]
    for row in sheet:
        expected = int(target[row["Vestiging (BRIN6)"]])
        if expected < 10:
            assert row["Doelgroepleerlingen"] == "<10" and row["Aandeel doelgroep"] is None
        else:
            assert row["Doelgroepleerlingen"] == expected
    assert any(r["Doelgroepleerlingen"] == "<10" for r in sheet)  # tiny has a small school


def test_suppression_helpers():
    assert export.suppressed_counts([0, 9, 10, None]) == ["<10", "<10", 10, None]
    assert export.unless_suppressed([0.5, 0.25], [9, 40]) == [None, 0.25]


def test_export_dir_must_be_usable(tiny):
    from npo_analysis.report import ReportParameterError

    data_dir, results_dir = tiny
    with pytest.raises(ReportParameterError, match="export_dir '/nonexistent/x' is neither"):
        validate_parameters(municipality_code="", year=2024, data_dir=str(data_dir),
                            results_dir=str(results_dir), params_dir=str(PARAMS_DIR),
                            export_dir="/nonexistent/x")
