"""Proof of isolation of the warm engine: a notebook's output does not depend on what ran before.

Fast: ``state_probe.ipynb`` prints the state a notebook could inherit (names, figures, rcParams,
random draws, working directory, environment, filters, options, history); it runs in a new warm
kernel, then ``state_polluter.ipynb`` changes all of that, then the probe runs again in the same
kernel: both probes must print the same, and the values a fresh interpreter has.

Slow: the real report notebook for municipality X in a *fresh kernel* (Papermill's default
engine, a new kernel) and in a warm kernel right after the polluter and two other
municipalities: the executed notebooks are identical apart from timing metadata (and the id
Papermill draws for its injected cell), the HTML pages apart from their timestamp line.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest
from engine_support import report_parameters, tiny_report_inputs, without_timing

from npo_analysis.batch.engine import ENGINE_NAME, register, shutdown_kernels, warm_kernel
from npo_analysis.batch.html import ReportContext, export_html
from npo_analysis.batch.kernel_state import SEED

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"


def _execute(notebook: Path, parameters: dict, engine: str | None = ENGINE_NAME,
             cwd: Path = FIXTURES) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(notebook), None, parameters=parameters,
                                      engine_name=engine, kernel_name="python3", cwd=str(cwd),
                                      progress_bar=False, request_save_on_cell_execute=False)


def _stdout(notebook: nbformat.NotebookNode) -> str:
    return "".join(o.text for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def _printed(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The probe's ``key: value`` lines."""
    return dict(line.split(": ", 1) for line in _stdout(notebook).splitlines())


@pytest.fixture(scope="module")
def probes():
    """The probe in a new warm kernel, the polluter, and the probe again in that kernel."""
    register()
    pid = warm_kernel().pid
    try:
        first = _execute(FIXTURES / "state_probe.ipynb", {"label": "probe"})
        _execute(FIXTURES / "state_polluter.ipynb", {"label": "polluter"})
        second = _execute(FIXTURES / "state_probe.ipynb", {"label": "probe"})
        assert warm_kernel().pid == pid, "the kernel was replaced: the test proves nothing"
    finally:
        shutdown_kernels()
    return first, second


def test_probe_prints_the_same_before_and_after_the_polluter(probes):
    first, second = probes
    assert without_timing(first) == without_timing(second)


def test_probe_sees_a_fresh_state_after_the_polluter(probes):
    printed = _printed(probes[1])
    assert printed["user_names"] == str(sorted(["label", "matplotlib", "np", "os", "pd", "plt",
                                                "random", "sys", "warnings"]))
    assert printed["figures"] == "[]"
    assert printed["random"] == str(random.Random(SEED).random())
    assert printed["numpy_random"] == str(float(np.random.RandomState(SEED).rand()))
    assert printed["cwd"] == str(FIXTURES)
    assert printed["environ_probe"] == "None"
    assert printed["sys_path_tail"] != "/nonexistent/polluter"
    assert printed["argv"] != "['--polluted']"
    assert printed["pandas_precision"] == "6" and printed["numpy_precision"] == "8"
    assert printed["numpy_errors"] == "warn"
    assert "'figure.dpi': '100.0'" in printed["rc"] and "'font.size': '10.0'" in printed["rc"]
    assert printed["history"] == "4"  # In[0] = "" plus the three cells run so far


def test_each_notebook_starts_at_execution_count_one_and_sees_its_warning(probes):
    for notebook in probes:
        counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        stderr = "".join(o.text for c in notebook.cells if c.cell_type == "code"
                         for o in c.outputs if o.output_type == "stream" and o.name == "stderr")
        assert "shown in every notebook, never filtered by a previous one" in stderr
        assert "divide by zero" in stderr
        figure = notebook.cells[-1].outputs[-1]
        assert "image/png" in figure.data and "image/svg+xml" not in figure.data


# --- The real report notebook ------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_tables(tmp_path_factory) -> dict:
    """Tiny Demoland with its national tables and analyses, and a copy of the report notebook."""
    return tiny_report_inputs(tmp_path_factory.mktemp("isolation"), 20261127)


@pytest.mark.slow
def test_report_in_a_warm_kernel_equals_the_report_in_a_fresh_kernel(tiny_tables):
    tiny, notebooks = tiny_tables, ROOT / "notebooks"
    x, others = tiny["codes"][0], tiny["codes"][1:3]
    fresh = _execute(tiny["notebook"], report_parameters(tiny, x), engine=None, cwd=notebooks)
    register()
    try:
        _execute(FIXTURES / "state_polluter.ipynb", {"label": "polluter"})
        for code in others:
            _execute(tiny["notebook"], report_parameters(tiny, code), cwd=notebooks)
        warm = _execute(tiny["notebook"], report_parameters(tiny, x), cwd=notebooks)
        assert warm_kernel().notebooks_run == 4
    finally:
        shutdown_kernels()
    assert without_timing(fresh) == without_timing(warm)

    def page(notebook, when):
        context = ReportContext("Rapport", "demoland-tiny", True, "2023-10-01", when)
        return export_html(notebook, context).splitlines()

    first = page(fresh, dt.datetime(2026, 11, 27, 9, 0))
    second = page(warm, dt.datetime(2026, 12, 24, 17, 30))
    assert len(first) == len(second)
    assert [(a, b) for a, b in zip(first, second, strict=True) if a != b] == [
        ("<p>Gemaakt op 27 november 2026 om 09:00.</p>",
         "<p>Gemaakt op 24 december 2026 om 17:30.</p>")]
