"""Committed notebooks carry no outputs and no execution counts, and have a parameters cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert {"municipality_report.ipynb", "national_overview.ipynb",
            "explore_indicator.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_or_execution_counts(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
        assert "papermill" not in cell.metadata, f"{path.name} cell {i} has papermill metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_tagged_parameters_then_validation(path):
    cells = nbformat.read(path, as_version=4).cells
    assert "parameters" in cells[0].metadata.get("tags", [])
    assert "validate_parameters(" in cells[1].source
    for name in ("year", "data_dir", "results_dir", "language"):
        assert f"\n{name} = " in "\n" + cells[0].source


def test_report_has_the_four_section_headings():
    path = next(p for p in NOTEBOOKS if p.name == "municipality_report.ipynb")
    headings = [c.source for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "markdown"]
    assert headings == ["## Data", "## Duiden", "## Doelen", "## Doen"]
