"""The report on a public, school-level dataset (no microdata, no local tables).

The dataset is built from the hand-made files in the published formats
(:func:`report_support.build_public`). Expected figures come from the invented workbook of
``test_sources_cbs`` by hand: GM0901 holds 99AA00 (E 120, A 80) and 99AB01 (E 35, A 40),
GM0902 holds 99AB00 (E 200, A 250.5) and 99AF00 (E 60, A 70); so sum A = 440.5, sum E = 415 and
C - G = 440.5 / (0.15 x 415) (``../shared/domain.md`` section 2).
"""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from report_support import PARAMS_DIR, build_public, build_tiny

from npo_analysis.data.schema import TABLES
from npo_analysis.report import (
    ReportParameterError,
    availability,
    key_figures,
    load_report_data,
    spread,
    validate_parameters,
    view,
)
from npo_analysis.report.analyses import ReportAnalyses
from npo_analysis.report.indicator_view import diagnostics_display
from npo_analysis.report.inputs import read_slice
from npo_analysis.report.workbook import write_report_workbook

YEAR = 2024
CODE = "GM0901"
#: C - G of the whole score file (99AD00, unplaced, included): sum A 450.5, sum E 505.
C_MINUS_G = 450.5 / (0.15 * 505)
#: Target-group pupils of GM0901 estimated as A / (C - G), over its 155 pupils.
TARGET_SHARE_0901 = (80 + 40) / C_MINUS_G / 155
#: Tables an import of the public files never holds.
LOCAL_TABLES = ("toddlers", "vve_locations", "activities", "school_plans")


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    return build_public(tmp_path_factory.mktemp("public"))


def _data(dirs, code=CODE, **extra):
    data_dir, results_dir = dirs
    params = validate_parameters(municipality_code=code, year=YEAR, data_dir=str(data_dir),
                                 results_dir=str(results_dir), params_dir=str(PARAMS_DIR),
                                 **extra)
    return load_report_data(params)


@pytest.fixture(scope="module")
def data(public):
    return _data(public)


@pytest.fixture(scope="module")
def results(data):
    return ReportAnalyses(data)


def test_every_section_needing_absent_tables_gives_a_notice(data):
    expected_tables = {
        "delays": ("test_results",), "challenge": ("test_results",),
        "white_spots": ("activities", "neighbourhoods", "pupils", "toddlers"),
        "vve": ("toddlers", "vve_locations", "neighbourhoods"),
        "plans": ("school_plans",), "plans_vs_optimum": ("school_plans",),
        "neighbourhoods": ("neighbourhoods", "schools"), "uncertainty": ("pupils",),
        "indicator_model": ("pupils",), "municipal_score": ("toddlers",),
        "peers": ("municipalities",),
    }
    assert set(expected_tables) == set(availability.SECTION_NEEDS)
    for section, tables in expected_tables.items():
        notice = data.notice(section)
        assert notice is not None and notice.tables == tables, section
        assert notice.text.startswith("**Niet beschikbaar")
        for table in tables:
            assert f"`{table}" in notice.text
        assert "](" not in notice.text  # no relative link: it would break in the HTML report
        assert "`docs/data-model.md`, onderdeel" in notice.text


def test_absent_tables_read_as_empty_frames_with_the_model_columns(data, public):
    for table in LOCAL_TABLES:
        frame = getattr(data, table)
        assert frame.empty and list(frame.columns) == TABLES[table].column_names
    empty = read_slice(public[0], "test_results", "school_id", ["99AA00"])
    assert empty.empty and list(empty.columns) == TABLES["test_results"].column_names


def test_sections_without_their_tables_compute_empty_instead_of_failing(results):
    assert results.delays is None and results.challenge_schools is None
    assert results.plans.empty and results.plans_vs_optimum is None
    assert results.white_spots.empty and results.neighbourhoods.empty
    assert results.vve_hours.empty
    assert results.scenarios and results.goals is not None
    assert len(results.budgets) > 0 and not results.cost_effectiveness.empty


def test_key_figures_show_toddlers_as_unknown(data, results):
    figures = results.key_figures.set_index("figure")
    assert math.isnan(figures.loc["toddlers", "municipality"])
    assert math.isnan(figures.loc["toddlers", "netherlands"])
    assert figures.loc["pupils", "municipality"] == 155
    assert figures.loc["target_share", "municipality"] == pytest.approx(TARGET_SHARE_0901)
    # 15% of the whole score file by definition; the placed schools lack 99AD00 (A 10, E 90)
    assert figures.loc["target_share", "netherlands"] == pytest.approx(
        (450.5 - 10) / C_MINUS_G / (505 - 90))
    table = key_figures.key_figures_table(results.key_figures, view.group_names(data))
    toddlers = table[table["Kengetal"] == "Peuters (2,5-4 jaar)"].iloc[0].tolist()
    assert toddlers[1:] == ["onbekend"] * 4
    text = view.key_figures_markdown(data)
    share = f"{TARGET_SHARE_0901 * 100:.1f}".replace(".", ",")
    assert text.startswith("Zuiderwold telt 155 leerlingen op 2 scholen; het aantal peuters is "
                           "onbekend")
    assert f"Van de leerlingen hoort {share}% bij de doelgroep (Nederland: 17,8%)" in text
    assert "0 peuters" not in text


def test_data_section_says_how_the_scores_were_obtained(data):
    text = view.public_data_markdown(data)
    assert text.startswith("De achterstandsscores van de scholen zijn de gepubliceerde "
                           "CBS-scores (teldatum 1 oktober 2019)")
    assert f"({C_MINUS_G:.4f}, uit 5 scholen)".replace(".", ",") in text
    # only 99AA00 reproduces: max(0, 80 - 120 x 0.12 x (C - G)) = 0 as published; the invented
    # published scores of the others (111.3, 15.64, 28.24) do not follow the formula
    assert "1 van de 4 herberekende schoolscores" in text
    # Nederland = GM0901 max(0, 120 - 155 x 0.12 x (C - G)) + GM0902 max(0, 320.5 - 260 x 0.12
    # x (C - G)) + GM0903 0
    municipal = round(120 - 155 * 0.12 * C_MINUS_G, 2) + round(320.5 - 260 * 0.12 * C_MINUS_G, 2)
    assert (f"Nederland de som van deze benaderde gemeentelijke scores "
            f"({municipal:.2f})".replace(".", ",")) in text
    assert "> **Niet beschikbaar: de gemeentelijke achterstandsscore met de peuters" in text
    assert "`toddlers`" in text
    assert "doelgroepleerlingen / leerlingen" in view.definitions_markdown(data)


def test_school_table_has_no_uncertainty_column(data, results):
    shown = spread.school_table_display(results.schools)
    assert "Onzekerheid (laag-hoog)" not in shown.columns
    assert shown["Vestiging (BRIN6)"].tolist() == ["99AB01", "99AA00"]  # highest score first
    # Published as published: the workbook's 15.64 and 0, not the recomputed
    # max(0, 40 - 35 x 0.12 x (C - G)) = 15.02 of 99AB01.
    assert results.schools["score"].tolist() == [15.64, 0.0]
    notes = view.school_notes_markdown(data, results.schools)
    assert "Onzekerheid:" not in notes
    assert "onzekerheidsmarge van de schoolscores" in notes and "`pupils`" in notes


def test_peer_text_names_only_the_characteristics_used(data):
    text = view.peers_markdown(data)
    assert "in twee kenmerken die even zwaar tellen: de omvang (aantal leerlingen" in text
    assert "stedelijkheid" not in text and "laag inkomen" not in text
    assert data.peers == ["GM0902"]  # GM0903 has no pupils: it cannot be compared


def test_indicator_diagnostics_from_published_scores(data):
    shown = diagnostics_display(data.national.model).set_index("Kengetal")["Waarde"]
    assert shown["C - G, geschat: som A / (doelgroep x som E)"] == \
        f"{C_MINUS_G:.4f}".replace(".", ",")
    assert shown["Leerlingen (E)"] == "415"
    assert shown["Scholen waaruit C - G is geschat (hele gepubliceerde bestand)"] == "5"
    assert shown["Scores na drempel gelijk aan de publicatie (tot op 0,01)"] == "1 van 4"


def test_workbook_export_works_without_local_tables(results, tmp_path):
    workbook = write_report_workbook(results, tmp_path)
    assert workbook.name == f"{CODE}.xlsx"
    assert openpyxl.load_workbook(workbook, read_only=True).sheetnames


def test_docs_url_links_the_notices(public):
    data = _data(public, docs_url="https://example.org/npo/docs/")
    text = data.notice("delays").text
    assert "[docs/data-model.md#test_results](https://example.org/npo/docs/data-model.md" \
           "#test_results)" in text


def test_relative_docs_url_is_refused(public):
    with pytest.raises(ReportParameterError, match="docs_url 'docs' is not an absolute address"):
        _data(public, docs_url="docs")


def test_demoland_report_shows_no_notice(tmp_path):
    tiny = build_tiny(tmp_path)
    schools = pd.read_parquet(tiny[0] / "schools.parquet")
    demo = _data(tiny, code=sorted(schools["municipality_code"])[0])
    assert all(demo.notice(section) is None for section in availability.SECTION_NEEDS)
    assert view.public_data_markdown(demo) == ""
    shown = spread.school_table_display(ReportAnalyses(demo).schools)
    assert "Onzekerheid (laag-hoog)" in shown.columns
    assert "vier kenmerken" in view.peers_markdown(demo)


def test_left_out_school_is_named_in_the_report(data):
    from npo_analysis.data.left_out import left_out_markdown

    # 99AD00 (GM0999, in no municipality) is left out: the country's figures miss it, not
    # Zuiderwold's; its published score is 0
    assert left_out_markdown(data) == (
        "Let op: 1 school met een gepubliceerde CBS-score (samen 0,00) ontbreekt in de cijfers "
        "van Nederland: de import kon ze niet in een gemeente plaatsen of vond geen "
        "leerlingaantal.")
