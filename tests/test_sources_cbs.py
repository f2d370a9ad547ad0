"""CBS loaders on hand-made files in the published formats (workbook built here with openpyxl)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from npo_analysis.data.sources import SourceFormatError
from npo_analysis.data.sources.cbs import read_municipalities, read_school_scores

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"

#: Invented schools: (BRIN6, E, score, flag) and (BRIN6, A, A onderbouw, A bovenbouw, flags).
TABLE_1 = [("99AA00", 120, 0, None), ("99AB00", 200, 111.3, None), ("99AB01", 35, 15.64, "a"),
           ("99AD00", 90, 0, None), ("99AF00", 60, 28.24, None)]
TABLE_2 = [("99AA00", 80, 30, 50, None), ("99AB00", 250.5, 100.25, 150.25, None),
           ("99AB01", 40, 15, 25, "a, b, c"), ("99AD00", 10, 4, 6, "b"),
           ("99AF00", 70, 30, 40, "b")]


def write_score_workbook(path: Path, table_1=TABLE_1, table_2=TABLE_2,
                         title_date: str = "1 oktober 2019", sheets=("Tabel 1", "Tabel 2"),
                         header_1: tuple = ("School (BRIN vestiging)",
                                            "Aantal bekostigde leerlingen",
                                            "Achterstandsscore", None)) -> Path:
    """Write a small workbook laid out like CBS "Achterstandsscores basisscholen"."""
    book = openpyxl.Workbook()
    book.active.title = "Voorblad"
    book.active["A1"] = "Achterstandsscores basisscholen (verzonnen testbestand)"
    layouts = {
        "Tabel 1": (f"Achterstandsscore per basisschoolvestiging, {title_date}", header_1,
                    table_1, ["a De achterstandsscore is onvoldoende betrouwbaar (40 of minder "
                              "leerlingen)."]),
        "Tabel 2": (f"Achterstandsscore zonder drempel per basisschoolvestiging, {title_date}",
                    ("School (BRIN vestiging)", "Achterstandsscore zonder drempel",
                     "Achterstandsscore zonder drempel \n(onderbouw)",
                     "Achterstandsscore zonder drempel \n(bovenbouw)", None),
                    table_2, ["a Zie tabel 1.", "b Onderbouw 40 of minder leerlingen.",
                              "c Bovenbouw 40 of minder leerlingen."]),
    }
    for name in sheets:
        title, header, rows, notes = layouts[name]
        sheet = book.create_sheet(name)
        sheet.append([name])
        sheet.append([title])
        sheet.append([])
        sheet.append(list(header))
        sheet.append([])
        for row in rows:
            sheet.append(list(row))
        sheet.append([])
        sheet.append(["Bron: CBS"])
        for note in notes:
            sheet.append([note])
    book.save(path)
    return path


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_score_workbook(tmp_path / "achterstandsscores.xlsx")


def test_school_scores_keep_school_rows_only(workbook):
    scores = read_school_scores(workbook)
    assert scores["school_id"].tolist() == ["99AA00", "99AB00", "99AB01", "99AD00", "99AF00"]
    assert list(scores.columns) == ["school_id", "pupils", "score", "flag", "score_gross",
                                    "score_gross_onderbouw", "score_gross_bovenbouw",
                                    "flag_parts"]


def test_school_scores_values_and_flags(workbook):
    scores = read_school_scores(workbook).set_index("school_id")
    assert scores.loc["99AB00", ["pupils", "score", "score_gross"]].tolist() == [200, 111.3, 250.5]
    assert scores["pupils"].dtype == "int64"
    assert scores["flag"].tolist() == ["", "", "a", "", ""]
    # Tabel 2's "a" belongs to Tabel 1's flag; flag_parts keeps the onderbouw/bovenbouw letters.
    assert scores["flag_parts"].tolist() == ["", "", "b, c", "b", "b"]
    # Invariant of the publication: onderbouw + bovenbouw = total.
    parts = scores["score_gross_onderbouw"] + scores["score_gross_bovenbouw"]
    assert (parts - scores["score_gross"]).abs().max() < 1e-9


def test_school_scores_count_date_and_source(workbook):
    scores = read_school_scores(workbook)
    assert scores.attrs["count_date"] == "2019-10-01"
    assert scores.attrs["source"]["file"] == "achterstandsscores.xlsx"
    assert len(scores.attrs["source"]["sha256"]) == 64


def test_school_scores_february_count_date(tmp_path):
    path = write_score_workbook(tmp_path / "s.xlsx", title_date="1 februari 2024")
    assert read_school_scores(path).attrs["count_date"] == "2024-02-01"


def test_school_scores_missing_sheet_names_found_sheets(tmp_path):
    path = write_score_workbook(tmp_path / "one.xlsx", sheets=("Tabel 1",))
    with pytest.raises(SourceFormatError, match=r"one\.xlsx.*expected sheets Tabel 1, Tabel 2; "
                                                r"found sheets Voorblad, Tabel 1"):
        read_school_scores(path)


def test_school_scores_wrong_header_names_expected_and_found(tmp_path):
    path = write_score_workbook(tmp_path / "h.xlsx",
                                header_1=("Vestiging", "Leerlingen", "Score", None))
    with pytest.raises(SourceFormatError) as info:
        read_school_scores(path)
    message = str(info.value)
    assert "h.xlsx" in message and "'Tabel 1'" in message and "row 4" in message
    assert "'brin'" in message and "'Vestiging'" in message


def test_school_scores_text_in_number_column_names_excel_row(tmp_path):
    rows = [*TABLE_1[:2], ("99AB01", "onbekend", 15.64, "a"), *TABLE_1[3:]]
    path = write_score_workbook(tmp_path / "t.xlsx", table_1=rows)
    with pytest.raises(SourceFormatError, match=r"column pupils.*row 8: 'onbekend'"):
        read_school_scores(path)


def test_school_scores_sheets_with_different_schools(tmp_path):
    path = write_score_workbook(tmp_path / "d.xlsx", table_2=TABLE_2[:-1])
    with pytest.raises(SourceFormatError, match=r"Tabel 1 has 5 schools and Tabel 2 4.*"
                                                r"only in Tabel 1: \['99AF00'\]"):
        read_school_scores(path)


def test_school_scores_not_a_workbook():
    with pytest.raises(SourceFormatError, match="cannot be opened as an Excel workbook"):
        read_school_scores(FIXTURES / "municipalities.csv")


def test_municipalities_csv():
    municipalities = read_municipalities(FIXTURES / "municipalities.csv")
    assert municipalities.to_dict("list") == {
        "municipality_code": ["GM0901", "GM0902", "GM0903"],
        "name": ["Zuiderwold", "'s-Gravenwaard", "Bergen aan Zee (NH.)"],
        "province": ["Fryslân", "Zuid-Holland", "Noord-Holland"],
    }
    assert municipalities.attrs["source"]["encoding"] == "utf-8"


def test_municipalities_xlsx_with_numeric_codes(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Gemeentecode", "GemeentecodeGM", "Gemeentenaam", "Provinciecode",
                  "ProvinciecodePV", "Provincienaam"])
    sheet.append([902, "GM0902", "'s-Gravenwaard", 28, "PV28", "Zuid-Holland"])
    sheet.append([14, "GM0014", "Noorderdorp", 21, "PV21", "Fryslân"])
    book.save(tmp_path / "gemeenten.xlsx")
    municipalities = read_municipalities(tmp_path / "gemeenten.xlsx")
    assert municipalities["municipality_code"].tolist() == ["GM0014", "GM0902"]


def test_municipalities_codes_that_disagree(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("Gemeentecode,GemeentecodeGM,Gemeentenaam,Provinciecode,ProvinciecodePV,"
                    "Provincienaam\n0901,GM0909,Zuiderwold,21,PV21,Fryslân\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"g\.csv, column GemeentecodeGM.*row 2"):
        read_municipalities(path)


def test_municipalities_wrong_layout():
    with pytest.raises(SourceFormatError) as info:
        read_municipalities(FIXTURES / "wrong_layout.csv")
    message = str(info.value)
    assert "wrong_layout.csv" in message and "GemeentecodeGM" in message
    assert "found columns SCHOOL, NAAM, PLAATS" in message
