"""``npo-warm``: a Papermill engine that runs notebook after notebook in one warm kernel.

Starting a kernel and importing pandas and the package's report modules costs seconds before a
report does any work; the report batch runs hundreds of notebooks. This engine runs notebook
after notebook in one warm process and *resets* it before each one. Where it runs:

* in a worker of the fork pool (:mod:`.fork_pool`, the ``local`` executor on Linux): in the
  worker's own process, forked from a warm template, with the IPython shell of
  :mod:`.inprocess` (the outputs are those a kernel would send);
* elsewhere (``serial``, ``dask``, the kernel pool): in one warm IPython kernel per worker
  (per thread, strictly; :mod:`.kernel`), kept alive between notebooks.

Why a reset and not a fresh fork of the template for every notebook: a process's first report
pays for table reads, caches and copied memory pages again (0.45 CPU seconds a report instead
of 0.35), whereas a reset costs a few milliseconds. What the reset restores (user namespace,
history and execution counter, Matplotlib figures, rcParams and inline-backend settings,
display formatters, random seeds, warning filters, pandas and NumPy options, working directory,
environment, ``sys.path``) is listed in :mod:`npo_analysis.batch.kernel_state`. Every notebook,
the first one in a new process included, goes through the same reset, and the processes run
with ``PYTHONHASHSEED=0``, so a notebook's output does not depend on what ran before it
(tests/test_engine_isolation.py and tests/test_fork_pool.py prove it on the report notebook).
A notebook that leaves state the reset cannot undo (Matplotlib imported in a process that did
not warm it up) gets its kernel, or its worker, replaced before the next notebook runs.

Crash safety: when the kernel dies, or the notebook runs longer than ``notebook_timeout``
seconds (a watchdog kills the kernel), the engine raises :class:`KernelFailure` with the reason
and the partly executed notebook, and drops the kernel; the next notebook gets a new one. In the
fork pool the worker itself dies or is killed, and the template reports it the same way.

Use it with Papermill by name, ``papermill.execute_notebook(..., engine_name="npo-warm",
notebook_timeout=600)`` or ``papermill --engine npo-warm``. The name is registered by the entry
point ``papermill.engine`` of the package (a stand-in, :mod:`.engine_entry`, that loads this
module on first use), and by :func:`register` for processes where the package's entry points
are not installed.
"""

from __future__ import annotations

import asyncio
import os
import sys

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.log import logger

from npo_analysis.batch.kernel import (  # noqa: F401  (re-exported: the engine's kernel API)
    STARTUP_TIMEOUT,
    KernelCodeError,
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


#: Fields of each output message type, as :func:`nbformat.v4.output_from_msg` reads them.
_OUTPUT_FIELDS = {"execute_result": ("metadata", "data", "execution_count"),
                  "display_data": ("metadata", "data"), "stream": ("name", "text"),
                  "error": ("ename", "evalue", "traceback")}


def output_node(message: dict) -> nbformat.NotebookNode | None:
    """The notebook output of a kernel's IOPub message, as :func:`nbformat.v4.output_from_msg`
    makes it but without validating it against the schema (``None``: not an output message).

    nbformat checks every output with jsonschema's pure-Python validator, about a third of a
    millisecond each and sixty outputs a report; Papermill validates the whole notebook when it
    writes it, so nothing goes unchecked.
    """
    kind = message["header"]["msg_type"]
    if kind not in _OUTPUT_FIELDS:
        return None
    content = message["content"]
    return nbformat.from_dict({"output_type": kind,
                               **{name: content[name] for name in _OUTPUT_FIELDS[kind]}})


class WarmNotebookClient(PapermillNotebookClient):
    """Papermill's notebook client with outputs built by :func:`output_node`."""

    def output(self, outs, msg, display_id, cell_index):
        """Append the output of ``msg`` to ``outs`` (nbclient's logic, see :func:`output_node`)."""
        if self.output_hook_stack[msg["parent_header"].get("msg_id")]:
            return super().output(outs, msg, display_id, cell_index)  # a widget's output hook
        out = output_node(msg)
        if out is None:
            return super().output(outs, msg, display_id, cell_index)  # nbclient logs it
        if self.clear_before_next_output:
            outs[:] = []
            self.clear_display_id_mapping(cell_index)
            self.clear_before_next_output = False
        if display_id:
            self._display_id_map.setdefault(display_id, {}).setdefault(cell_index, []).append(
                len(outs))
        outs.append(out)
        return out


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
        """Execute ``nb_man.nb`` in the warm kernel (see the module docstring), or in this
        process when it is a fork of the fork pool's template (:mod:`.inprocess`)."""
        _name_injected_cell(nb_man.nb)
        inprocess = sys.modules.get("npo_analysis.batch.inprocess")
        if inprocess is not None and inprocess.is_active():
            from npo_analysis.batch.kernel_state import prepare_run

            prepare_run(os.getcwd())
            return inprocess.execute_managed_notebook(nb_man)
        kernel = cls._prepared_kernel(kernel_name, max(start_timeout, STARTUP_TIMEOUT),
                                      kernel_log)
        client = WarmNotebookClient(
            nb_man, km=kernel.km, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file)
        client.kc = kernel.kc
        with kernel.deadline(notebook_timeout) as watchdog:
            try:
                result = client.execute()
            except (Exception, asyncio.CancelledError) as exc:
                if kernel.is_alive() and not watchdog["expired"]:
                    raise
                cls._fail(kernel, nb_man.nb, watchdog["expired"], notebook_timeout, exc)
        if watchdog["expired"]:  # expired just after the last cell: still too late
            cls._fail(kernel, nb_man.nb, True, notebook_timeout, None)
        kernel.notebooks_run += 1
        return result

    @staticmethod
    def _prepared_kernel(kernel_name: str, start_timeout: float, kernel_log) -> WarmKernel:
        """This thread's warm kernel, reset for the next notebook; a new one when the last
        notebook left state that cannot be reset (:class:`.kernel_state.StaleKernelError`)."""
        kernel = warm_kernel(kernel_name, start_timeout, kernel_log)
        try:
            kernel.prepare(os.getcwd())
        except KernelCodeError as exc:
            if exc.ename != "StaleKernelError":
                raise
            drop_kernel(kernel)
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
