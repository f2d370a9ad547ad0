"""The report notebooks, executed with Papermill on tiny Demoland and on a tiny public
(school-level) dataset."""

from __future__ import annotations

import pandas as pd
import papermill
import pytest
from report_support import PROJECT_ROOT, build_public, build_tiny

from npo_analysis.formatting import format_eur, format_pct


def outputs_text(notebook) -> str:
    """All text and HTML the executed notebook shows."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [data.get("text/markdown", ""), data.get("text/html", ""),
                      output.get("text", "")]
    return "\n".join(str(p) for p in parts)


@pytest.mark.slow
def test_report_runs_for_one_municipality(tmp_path):
    data_dir, results_dir = build_tiny(tmp_path)
    schools = pd.read_parquet(data_dir / "schools.parquet")
    code = sorted(schools["municipality_code"])[-1]
    notebook = papermill.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / "municipality_report.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"municipality_code": code, "data_dir": str(data_dir),
                    "results_dir": str(results_dir), "export_dir": str(tmp_path / "reports")},
        cwd=str(PROJECT_ROOT / "notebooks"), kernel_name="python3", progress_bar=False)
    text = outputs_text(notebook)
    for section in ("Leerachterstanden", "Witte vlekken", "Voor- en vroegschoolse educatie",
                    "Kengetallen naast land, provincie en vergelijkbare gemeenten",
                    "Wat werkt en wat kost het?", "Plannen tegenover het beste pakket"):
        assert f"### {section}" in text
    assert (tmp_path / "reports" / f"{code}.xlsx").is_file()
    assert f"]({code}.xlsx)" in text  # the report links to the workbook next to it
    mine = schools[schools["municipality_code"] == code]
    pupils = f"{mine['pupils'].sum():,}".replace(",", ".")
    assert f"telt {pupils} leerlingen op {len(mine)} scholen" in text
    budgets = pd.read_parquet(results_dir / "budgets" / "2024" / "municipality_budgets.parquet")
    goab = budgets.loc[budgets["municipality_code"] == code, "goab_eur"].item()
    assert format_eur(goab) in text
    scores = pd.read_parquet(results_dir / "indicator" / "municipality_scores.parquet")
    row = scores[scores["municipality_code"] == code].iloc[0]
    share = row["target_children"] / (row["pupils"] + row["toddlers"])
    assert f"hoort {format_pct(share)} bij de doelgroep" in text
    for name in mine["name"]:
        assert name in text
    charts = [o["data"]["image/svg+xml"] for c in notebook.cells for o in c.get("outputs", [])
              if "image/svg+xml" in o.get("data", {})]
    assert len(charts) >= 10  # the charts: SVG outputs of npo_analysis.report.plots
    assert all('class="npo-chart"' in chart for chart in charts)
    assert not any("image/png" in o.get("data", {}) for c in notebook.cells
                   for o in c.get("outputs", []))
    errors = [o for c in notebook.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error" or o.get("name") == "stderr"]
    assert errors == []


@pytest.mark.slow
def test_wrong_code_fails_with_one_line(tmp_path):
    data_dir, results_dir = build_tiny(tmp_path)
    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(PROJECT_ROOT / "notebooks" / "municipality_report.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"municipality_code": "GM9999", "data_dir": str(data_dir),
                        "results_dir": str(results_dir)},
            cwd=str(PROJECT_ROOT / "notebooks"), kernel_name="python3", progress_bar=False)
    assert info.value.ename == "ReportParameterError"
    assert info.value.evalue.startswith("municipality_code 'GM9999' is not in dataset "
                                        "demoland-tiny; known codes: ")


def _execute(name: str, tmp_path, **parameters):
    return papermill.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
        parameters=parameters, cwd=str(PROJECT_ROOT / "notebooks"), kernel_name="python3",
        progress_bar=False)


def _problems(notebook) -> list:
    return [o for c in notebook.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error" or o.get("name") == "stderr"]


@pytest.mark.slow
def test_notebooks_on_a_public_dataset_show_notices(tmp_path):
    data_dir, results_dir = build_public(tmp_path)
    dirs = {"data_dir": str(data_dir), "results_dir": str(results_dir)}
    report = _execute("municipality_report", tmp_path, municipality_code="GM0901", **dirs)
    text = outputs_text(report)
    assert "Zuiderwold telt 155 leerlingen op 2 scholen; het aantal peuters is onbekend" in text
    for section in ("Wijken", "Leerachterstanden", "Witte vlekken",
                    "Voor- en vroegschoolse educatie (VVE)", "Plannen van de scholen",
                    "Plannen tegenover het beste pakket"):
        heading = text.index(f"### {section}")
        assert text[heading:].split("### ")[1].count("Niet beschikbaar") == 1, section
    for table in ("test_results", "activities", "toddlers", "vve_locations", "school_plans",
                  "neighbourhoods", "pupils"):
        assert f"`{table}`" in text
    assert "Onzekerheid (laag-hoog)" not in text
    overview = _execute("national_overview", tmp_path, **dirs)
    assert "`activities`" in outputs_text(overview) and "`vve_locations`" in outputs_text(overview)
    explore = _execute("explore_indicator", tmp_path, **dirs)
    assert "`pupils`" in outputs_text(explore)
    assert [_problems(nb) for nb in (report, overview, explore)] == [[], [], []]
