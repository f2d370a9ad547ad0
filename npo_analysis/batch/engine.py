"""``npo-warm``: a Papermill engine that runs notebook after notebook in one warm kernel.

Starting a kernel and importing pandas, Matplotlib, seaborn and the package's report modules
costs seconds before a report does any work; the report batch runs hundreds of notebooks. This
engine keeps one real IPython kernel per worker thread (:mod:`.kernel`, started with
jupyter_client), runs notebook after notebook in it with Papermill's own notebook client
(nbclient), and *resets* the kernel before each notebook. Every executor (``serial``, ``local``,
``dask``) runs its notebooks this way.

What the reset restores (user namespace, history and execution counter, Matplotlib figures,
rcParams and inline-backend settings, display formatters, random seeds, warning filters, pandas
and NumPy options, working directory, environment, ``sys.path``) is listed in
:mod:`npo_analysis.batch.kernel_state`. Every notebook, the first one in a new kernel included,
goes through the same reset, and the kernels run with ``PYTHONHASHSEED=0``, so a notebook's
output does not depend on what ran before it (tests/test_engine_isolation.py proves it on the
report notebook).

The executed notebook is written once, when it completes (also when a cell fails or the kernel
dies), not at the start and end of every cell as Papermill's default engine does.

Crash safety: when the kernel dies, or the notebook runs longer than ``notebook_timeout``
seconds (a watchdog kills the kernel), the engine raises :class:`KernelFailure` with the reason
and the partly executed notebook, and drops the kernel; the next notebook gets a new one.

Use it with Papermill by name, ``papermill.execute_notebook(..., engine_name="npo-warm",
notebook_timeout=600)`` or ``papermill --engine npo-warm``. The name is registered by the entry
point ``papermill.engine`` of the package (a stand-in, :mod:`.engine_entry`, that loads this
module on first use), and by :func:`register` for processes where the package's entry points
are not installed.
"""

from __future__ import annotations

import asyncio
import os

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.log import logger

from npo_analysis.batch.kernel import (  # noqa: F401  (re-exported: the engine's kernel API)
    STARTUP_TIMEOUT,
    WarmKernel,
    drop_kernel,
    shutdown_kernels,
    start_kernel_early,
    warm_kernel,
)

ENGINE_NAME = "npo-warm"
#: Id given to Papermill's injected-parameters cell (Papermill draws a random one).
INJECTED_CELL_ID = "injected-parameters"


class KernelFailure(RuntimeError):
    """The kernel died or the notebook ran out of time; the kernel has been dropped.

    Attributes
    ----------
    reason : str
        One line, e.g. ``kernel died (killed by signal 9) in cell 3``.
    notebook : nbformat.NotebookNode
        The notebook as far as it was executed.
    """

    def __init__(self, reason: str, notebook=None):
        super().__init__(reason)
        self.reason = reason
        self.notebook = notebook


# --- The Papermill engine -----------------------------------------------------------------------


def _name_injected_cell(notebook) -> None:
    """Give Papermill's injected-parameters cell a fixed id (outputs become reproducible)."""
    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_CELL_ID


def _last_started_cell(notebook) -> int | None:
    """Index of the last cell Papermill started (the one running when the kernel stopped)."""
    started = [index for index, cell in enumerate(notebook.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def mark_failure(notebook, reason: str) -> str:
    """Add the failure as an error output of the cell that was running; return the reason with
    that cell's number (0-based, as Papermill counts)."""
    notebook.metadata.setdefault("papermill", {})["exception"] = True
    index = _last_started_cell(notebook)
    if index is None:
        return reason
    cell = notebook.cells[index]
    cell.setdefault("outputs", []).append(nbformat.v4.new_output(
        "error", ename="KernelFailure", evalue=reason, traceback=[reason]))
    cell["metadata"]["papermill"].update(status="failed", exception=True)
    return f"{reason} in cell {index}"


class WarmEngine(Engine):
    """Papermill engine ``npo-warm``: execute in this thread's warm kernel, reset first.

    Engine keyword arguments (``papermill.execute_notebook(..., **kwargs)``):
    ``notebook_timeout`` (seconds for the whole notebook, default no limit),
    ``execution_timeout`` (seconds per cell), ``start_timeout`` (kernel start-up and
    warm-up) and ``kernel_log`` (a file for the kernel's own stderr).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=STARTUP_TIMEOUT,
                                 execution_timeout=None, notebook_timeout=None, kernel_log=None,
                                 **kwargs):
        """Execute ``nb_man.nb`` in this thread's warm kernel, reset first (see the module
        docstring), with Papermill's notebook client."""
        _name_injected_cell(nb_man.nb)
        kernel = cls._prepared_kernel(kernel_name, max(start_timeout, STARTUP_TIMEOUT),
                                      kernel_log)
        client = PapermillNotebookClient(
            nb_man, km=kernel.km, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file)
        client.kc = kernel.kc  # the kernel's client: nbclient starts one only when it has none
        # Papermill writes the notebook when each cell starts and ends (42 writes, 0.2 s a
        # report); without an output path meanwhile it is written once, when it completes.
        output_path, nb_man.output_path = nb_man.output_path, None
        with kernel.deadline(notebook_timeout) as watchdog:
            try:
                result = client.execute()
            except (Exception, asyncio.CancelledError) as exc:
                if kernel.is_alive() and not watchdog["expired"]:
                    raise
                cls._fail(kernel, nb_man.nb, watchdog["expired"], notebook_timeout, exc)
            finally:
                nb_man.output_path = output_path
        if watchdog["expired"]:  # expired just after the last cell: still too late
            cls._fail(kernel, nb_man.nb, True, notebook_timeout, None)
        kernel.notebooks_run += 1
        return result

    @staticmethod
    def _prepared_kernel(kernel_name: str, start_timeout: float, kernel_log) -> WarmKernel:
        """This thread's warm kernel, reset for the next notebook."""
        kernel = warm_kernel(kernel_name, start_timeout, kernel_log)
        kernel.prepare(os.getcwd())
        return kernel

    @staticmethod
    def _fail(kernel: WarmKernel, notebook, expired: bool, timeout, cause) -> None:
        if expired:
            reason = f"notebook took longer than the timeout of {timeout:g} s; kernel stopped"
        else:
            reason = f"kernel died ({kernel.exit_description()})"
        drop_kernel(kernel)
        raise KernelFailure(mark_failure(notebook, reason), notebook) from cause


def register() -> None:
    """Register :class:`WarmEngine` with Papermill as ``npo-warm`` in this process."""
    papermill_engines.register(ENGINE_NAME, WarmEngine)
