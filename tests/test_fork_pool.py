"""The fork pool (the ``local`` executor on Linux): messages, outputs equal to a kernel's,
isolation on the report notebook, and the state probe.

The executor's crash safety (a killed worker, a notebook over its timeout) is tested with the
warm kernels' in tests/test_engine_crash.py, which runs its batch on both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import re
import signal
import sys
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest
from engine_support import (
    matplotlib_notebooks,
    report_parameters,
    tiny_report_inputs,
    without_timing,
    write_notebook,
)

from npo_analysis.batch.fork_pool import (
    ForkPoolExecutor,
    MessageReader,
    TemplateError,
    describe_exit,
    send,
)
from npo_analysis.batch.html import ReportContext, export_html
from npo_analysis.batch.inprocess import LANGUAGE_INFO, as_sent
from npo_analysis.batch.kernel_state import SEED, WARM_MODULES
from npo_analysis.batch.runner import ReportJob, execute_job, lost_job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the fork pool is the local executor on Linux only")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
CONTEXT = ReportContext("Rapport", "demoland-tiny", True, "2023-10-01",
                        dt.datetime(2026, 12, 1, 9, 0))


def _in_kernel(notebook: Path, parameters: dict, cwd: Path) -> nbformat.NotebookNode:
    """``notebook`` run by Papermill's default engine in a new kernel."""
    return papermill.execute_notebook(str(notebook), None, parameters=parameters,
                                      kernel_name="python3", cwd=str(cwd), progress_bar=False,
                                      request_save_on_cell_execute=False)


def _job(notebook: Path, code: str, parameters: dict, run_dir: Path,
         timeout: float | None = 120.0) -> ReportJob:
    return ReportJob(code=code, name=code, kind="overview", notebook=str(notebook),
                     parameters=parameters, run_dir=str(run_dir), context=CONTEXT,
                     input_hash="-", timeout=timeout)


def _in_pool(jobs: list[ReportJob], run_dir: Path, workers: int = 1):
    """Run ``jobs`` in a fork pool; return the results (in job order), the executed notebooks
    and the pid of the worker that ran each job."""
    with ForkPoolExecutor(workers, log_path=run_dir / "logs" / "pool.log") as pool:
        by_code = {r.code: r for r in pool.run(execute_job, jobs, lost=lost_job)}
        pids = pool.worker_pids
    results = [by_code[job.code] for job in jobs]
    notebooks = [nbformat.read(run_dir / r.notebook, as_version=4) for r in results]
    return results, notebooks, pids


# --- Messages -----------------------------------------------------------------------------------


def test_messages_arrive_whole_also_when_split_over_reads():
    read_end, write_end = os.pipe()
    try:
        send(write_end, ("job", 1, {"code": "GM0001"}))
        send(write_end, ("stop",))
        reader = MessageReader(read_end)
        assert reader.next(5) == ("job", 1, {"code": "GM0001"})
        assert reader.next(5) == ("stop",)
        import pickle
        import struct

        data = pickle.dumps(["split", 2])
        os.write(write_end, struct.pack("!Q", len(data)) + data[:3])  # half a message
        assert reader.read() == []
        os.write(write_end, data[3:])
        assert reader.read() == [["split", 2]]
        with pytest.raises(TimeoutError):
            reader.next(0.05)
    finally:
        os.close(write_end)
    with pytest.raises(EOFError):
        reader.next(5)
    os.close(read_end)


def test_exit_descriptions_name_the_signal_or_the_code():
    def status_of(action) -> int:
        pid = os.fork()
        if pid == 0:
            action()
            os._exit(0)
        return os.waitpid(pid, 0)[1]

    assert describe_exit(status_of(lambda: os.kill(os.getpid(), signal.SIGKILL))) == \
        "killed by signal 9 (SIGKILL)"
    assert describe_exit(status_of(lambda: os._exit(3))) == "exit code 3"


def test_values_are_sent_as_the_kernel_protocol_would():
    assert as_sent({"image/png": b"\x89PNG", "shape": (2, 3), "n": 1}) == \
        {"image/png": "iVBORw==", "shape": [2, 3], "n": 1}
    assert LANGUAGE_INFO["name"] == "python" and LANGUAGE_INFO["pygments_lexer"] == "ipython3"


# --- Outputs as a kernel gives them -------------------------------------------------------------


OUTPUT_CELLS = [
    'print("een")\nprint("twee")',
    'import sys\nprint("let op", file=sys.stderr)\nprint("daarna")',
    'from IPython.display import HTML, Markdown, display\ndisplay(HTML("<b>vet</b>"))\n'
    'print("tussen")\ndisplay(Markdown("*schuin*"))',
    'handle = display(HTML("<i>eerst</i>"), display_id="d1")\nhandle.update(HTML("<i>daarna</i>"))',
    'from IPython.display import clear_output\nprint("weg")\nclear_output()\nprint("blijft")',
    '6 * 7',
    'x = 6 * 7;',
    'display({"image/png": b"\\x89PNG\\r\\n", "text/plain": "plaatje"}, raw=True)',
    'import warnings\nwarnings.warn("pas op")',
    '{"a": (1, 2)}',
    '',
    'raise ValueError("mag, deze cel")',
]


def _without_pids(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """:func:`without_timing`, and the process id in cell file names (``ipykernel_<pid>``,
    in warnings and tracebacks) replaced: it differs between any two kernels."""
    text = re.sub(r"ipykernel_\d+", "ipykernel_PID", nbformat.writes(without_timing(notebook)))
    return nbformat.reads(text, as_version=4)


@pytest.mark.slow
def test_a_notebook_in_the_pool_has_the_outputs_a_kernel_gives(tmp_path):
    # the last cell is not run: the one before it fails
    notebook = write_notebook(tmp_path / "outputs.ipynb", [*OUTPUT_CELLS, 'print("niet meer")'])
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(str(notebook), str(tmp_path / "kernel.ipynb"),
                                   parameters={"label": "x"}, kernel_name="python3",
                                   cwd=str(tmp_path), progress_bar=False)
    kernel = nbformat.read(tmp_path / "kernel.ipynb", as_version=4)
    [result], [pooled], _ = _in_pool([_job(notebook, "outputs", {"label": "x"}, tmp_path)],
                                     tmp_path)
    assert result.status == "failed" and result.error == "ValueError: mag, deze cel"
    assert pooled.metadata.language_info == kernel.metadata.language_info
    for ours, theirs in zip(_without_pids(pooled).cells, _without_pids(kernel).cells,
                            strict=True):
        if "papermill-error-cell-tag" in theirs.metadata.get("tags", []):
            ours.id = theirs.id  # Papermill's error banner cells get random ids
        assert ours == theirs, ours.source


# --- Isolation on the report notebook -----------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """Tiny Demoland with its national tables and analyses, and a copy of the report notebook."""
    return tiny_report_inputs(tmp_path_factory.mktemp("fork_isolation"), 20261201)


@pytest.mark.slow
def test_report_after_others_in_one_worker_equals_the_report_in_a_fresh_kernel(tiny,
                                                                               monkeypatch):
    x, others = tiny["codes"][0], tiny["codes"][1:3]
    notebook, run_dir = tiny["notebook"], tiny["root"] / "run"
    fresh = _in_kernel(notebook, report_parameters(tiny, x), ROOT / "notebooks")
    # the polluter plots with Matplotlib and seaborn: the template warms them up, so the reset
    # covers them and the same worker goes on
    monkeypatch.setenv("NPO_WARM_MODULES", ",".join((*WARM_MODULES, "matplotlib.pyplot",
                                                     "seaborn")))
    jobs = [_job(FIXTURES / "state_polluter.ipynb", "polluter", {"label": "polluter"}, run_dir)]
    jobs += [_job(notebook, code, report_parameters(tiny, code), run_dir)
             for code in (*others, x)]
    results, notebooks, pids = _in_pool(jobs, run_dir)
    assert [r.status for r in results] == ["ok"] * 4, [r.error for r in results]
    assert len(set(pids)) == 1, "the worker was replaced: the test proves nothing"
    assert without_timing(notebooks[-1]) == without_timing(fresh)
    first = export_html(fresh, CONTEXT).splitlines()
    later = dataclasses.replace(CONTEXT, generated_at=dt.datetime(2026, 12, 24, 17, 30))
    second = export_html(notebooks[-1], later).splitlines()
    assert [(a, b) for a, b in zip(first, second, strict=True) if a != b] == [
        ("<p>Gemaakt op 1 december 2026 om 09:00.</p>",
         "<p>Gemaakt op 24 december 2026 om 17:30.</p>")]


# --- The state probe ----------------------------------------------------------------------------


def _printed(notebook: nbformat.NotebookNode) -> dict[str, str]:
    text = "".join(o.text for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream" and o.name == "stdout")
    return dict(line.split(": ", 1) for line in text.splitlines())


@pytest.mark.slow
def test_probe_in_one_worker_sees_a_fresh_state_after_the_polluter(tmp_path, monkeypatch):
    monkeypatch.setenv("NPO_WARM_MODULES", "numpy,pandas,matplotlib.pyplot,seaborn")
    probe, polluter = FIXTURES / "state_probe.ipynb", FIXTURES / "state_polluter.ipynb"
    jobs = [_job(probe, "probe1", {"label": "probe"}, tmp_path),
            _job(polluter, "polluter", {"label": "polluter"}, tmp_path),
            _job(probe, "probe2", {"label": "probe"}, tmp_path)]
    results, (first, _, second), pids = _in_pool(jobs, tmp_path)
    assert [r.status for r in results] == ["ok"] * 3, [r.error for r in results]
    assert len(set(pids)) == 1
    assert without_timing(first) == without_timing(second)
    printed = _printed(second)
    assert printed["figures"] == "[]"
    assert printed["random"] == str(random.Random(SEED).random())
    assert printed["numpy_random"] == str(float(np.random.RandomState(SEED).rand()))
    assert printed["cwd"] == str(FIXTURES)
    assert printed["environ_probe"] == "None"
    assert printed["pandas_precision"] == "6" and printed["numpy_precision"] == "8"
    assert printed["history"] == "4"
    counts = [c.execution_count for c in second.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.slow
def test_a_notebook_importing_matplotlib_unwarmed_retires_its_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("NPO_WARM_MODULES", "numpy")

    probe, plotter = matplotlib_notebooks(tmp_path)
    jobs = [_job(probe, "p1", {"label": "1"}, tmp_path),
            _job(plotter, "p2", {"label": "2"}, tmp_path),
            _job(probe, "p3", {"label": "3"}, tmp_path)]
    results, notebooks, pids = _in_pool(jobs, tmp_path)
    assert [r.status for r in results] == ["ok"] * 3
    assert pids[0] == pids[1] != pids[2]
    assert _printed(notebooks[0]) == _printed(notebooks[2]) == {"matplotlib": "False"}


def test_a_template_that_stops_is_an_error_naming_its_log(tmp_path):
    log = tmp_path / "pool.log"
    with ForkPoolExecutor(1, log_path=log) as pool:
        os.kill(pool._process.pid, signal.SIGKILL)
        pool._process.wait()
        with pytest.raises(TemplateError, match=rf"fork pool template: .*exit code -9; see {log}"):
            list(pool.run(abs, [-1]))


def test_the_template_has_one_thread_when_it_forks(tmp_path):
    with ForkPoolExecutor(1, log_path=tmp_path / "pool.log") as pool:
        assert list(pool.run(abs, [-2])) == [2]  # the template has warmed up and forked
        assert len(os.listdir(f"/proc/{pool._process.pid}/task")) == 1


def test_a_pool_left_before_its_first_job_stops_at_once(tmp_path):
    with ForkPoolExecutor(1, log_path=tmp_path / "pool.log") as pool:
        template = pool._process
    assert template.returncode == -signal.SIGKILL  # stopped, not waited for until it was warm
