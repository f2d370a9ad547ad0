"""Shared setup of the warm engine's tests: notebooks compared without timing, and a tiny
Demoland with its national tables and a copy of the report notebook."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat

from npo_analysis.batch.engine import INJECTED_CELL_ID

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024


def without_timing(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without Papermill's and nbclient's timing metadata and the injected cell's id."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = INJECTED_CELL_ID
    return notebook


def tiny_report_inputs(root: Path, seed: int) -> dict:
    """Tiny Demoland (``seed``) in ``root/data`` with the project's parameters, its national
    tables and analyses, and a copy of the report notebook: ``root``, ``tables``, ``notebook``
    and the municipality ``codes``."""
    from npo_analysis.batch.runner import _tables
    from npo_analysis.data.dataset import write_dataset
    from npo_analysis.data.demoland import generate

    dataset = generate("tiny", seed)
    write_dataset(dataset, root / "data")
    shutil.copytree(ROOT / "params", root / "params")
    tables, _ = _tables(root / "data", root / "out", root / "params", 2, 0, verbose=False)
    notebook = Path(shutil.copy(ROOT / "notebooks" / "municipality_report.ipynb", root))
    codes = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])
    return {"root": root, "tables": tables, "notebook": notebook, "codes": codes}


def report_parameters(tiny: dict, code: str) -> dict:
    """The report notebook's parameters for ``code`` in :func:`tiny_report_inputs`."""
    root = tiny["root"]
    return {"municipality_code": code, "year": YEAR, "data_dir": str(root / "data"),
            "results_dir": str(tiny["tables"]), "params_dir": str(root / "params")}


def write_notebook(path: Path, sources: list[str]) -> Path:
    """A notebook at ``path``: a parameters cell ``label = ""``, then a code cell per source."""
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell('label = ""', metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "language": "python", "display_name": "Python 3"}}), path)
    return path
