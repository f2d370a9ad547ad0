"""Crash safety of the warm engine: a kernel that dies and a notebook that runs too long fail
alone, with the reason; the worker gets a new kernel and the batch goes on.

The batch tests (three kernel starts, national tables) are slow; the engine test below is the
quick check of the same mechanism.

The fixture notebook (tests/fixtures/notebooks/crash_report.ipynb) kills its own kernel with
SIGKILL for the code in NPO_FIXTURE_KILL and sleeps an hour for the code in NPO_FIXTURE_HANG;
other codes print ``gemeente <code> klaar``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from npo_analysis.batch import run_reports
from npo_analysis.batch.engine import (
    ENGINE_NAME,
    KernelFailure,
    register,
    shutdown_kernels,
    warm_kernel,
)
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "crash_report.ipynb"
PROJECT_PARAMS = Path(__file__).resolve().parents[1] / "params"
TIMEOUT = 6.0


def _cell_index(notebook: nbformat.NotebookNode, text: str) -> int:
    """Index of the first cell whose source contains ``text``."""
    return next(i for i, cell in enumerate(notebook.cells) if text in cell.source)


@pytest.fixture(scope="module", params=["serial", "local"])
def batch(request, tmp_path_factory):
    """One batch over three municipalities: killed, hanging, fine (in that order), on the
    serial executor (a warm kernel in this process) and on the local one (one worker process
    with its warm kernel)."""
    root = tmp_path_factory.mktemp("crash")
    dataset = generate("tiny", 11)
    write_dataset(dataset, root / "data")
    shutil.copytree(PROJECT_PARAMS, root / "params")
    codes = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])
    killed, hanging, fine = codes[:3]
    os.environ.update(NPO_FIXTURE_KILL=killed, NPO_FIXTURE_HANG=hanging)
    try:
        summary = run_reports(root / "data", root / "out", year=2024,
                              municipalities=[killed, hanging, fine], executor=request.param,
                              workers=1,
                              timeout=TIMEOUT, notebook=NOTEBOOK, overview_notebooks=[],
                              params_dir=root / "params", verbose=False)
    finally:
        del os.environ["NPO_FIXTURE_KILL"], os.environ["NPO_FIXTURE_HANG"]
    results = {r.code: r for r in summary.results}
    return {"summary": summary, "killed": results[killed], "hanging": results[hanging],
            "fine": results[fine]}


@pytest.mark.slow
def test_a_killed_kernel_fails_its_municipality_with_the_reason(batch):
    result, run_dir = batch["killed"], batch["summary"].run_dir
    notebook = nbformat.read(run_dir / result.notebook, as_version=4)
    cell = _cell_index(notebook, "os.kill")
    assert result.status == "failed" and result.html is None
    assert result.error == f"kernel died (killed by signal 9 (SIGKILL)) in cell {cell}"
    [output] = notebook.cells[cell].outputs
    assert output.output_type == "error" and output.ename == "KernelFailure"
    assert notebook.cells[cell - 1].outputs[0].text == f"gemeente {result.code}\n"


@pytest.mark.slow
def test_a_notebook_over_the_timeout_is_stopped_and_fails(batch):
    result, run_dir = batch["hanging"], batch["summary"].run_dir
    notebook = nbformat.read(run_dir / result.notebook, as_version=4)
    cell = _cell_index(notebook, "time.sleep(3600)")
    assert result.status == "failed"
    assert result.error == (f"notebook took longer than the timeout of {TIMEOUT:g} s; "
                            f"kernel stopped in cell {cell}")
    assert TIMEOUT <= result.duration_s < TIMEOUT + 60


@pytest.mark.slow
def test_the_batch_goes_on_in_a_new_kernel(batch):
    summary, result = batch["summary"], batch["fine"]
    assert result.status == "ok" and summary.exit_code == 1
    page = (summary.run_dir / result.html).read_text()
    assert f"gemeente {result.code} klaar" in page
    index = summary.index.read_text()
    for failed in (batch["killed"], batch["hanging"]):
        assert f'<a class="failed" href="notebooks/{failed.code}.ipynb">mislukt</a>' in index


def test_kernel_failure_carries_the_partial_notebook():
    notebook = nbformat.v4.new_notebook()
    failure = KernelFailure("kernel died (exit code 1)", notebook)
    assert str(failure) == failure.reason == "kernel died (exit code 1)"
    assert failure.notebook is notebook


def _run_crash_notebook(code: str) -> nbformat.NotebookNode:
    return papermill.execute_notebook(
        str(NOTEBOOK), None, parameters={"municipality_code": code}, engine_name=ENGINE_NAME,
        kernel_name="python3", cwd=str(FIXTURES), progress_bar=False,
        request_save_on_cell_execute=False)


def test_engine_replaces_a_killed_kernel(monkeypatch):
    register()
    monkeypatch.setenv("NPO_FIXTURE_KILL", "GM0001")
    try:
        first = warm_kernel().pid
        with pytest.raises(KernelFailure) as caught:
            _run_crash_notebook("GM0001")
        cell = _cell_index(caught.value.notebook, "os.kill")
        assert caught.value.reason == f"kernel died (killed by signal 9 (SIGKILL)) in cell {cell}"
        notebook = _run_crash_notebook("GM0002")
        assert warm_kernel().pid != first
        assert notebook.cells[-1].outputs[0].text == "gemeente GM0002 klaar\n"
    finally:
        shutdown_kernels()
