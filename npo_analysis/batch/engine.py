"""``npo-warm``: a Papermill engine that runs notebook after notebook in one warm kernel.

Starting a kernel and importing pandas and the package's report modules costs seconds before a
report does any work; the report batch runs hundreds of notebooks. This engine keeps one
kernel per worker (per thread, strictly) alive between notebooks and *resets* it before each one.

Why a reset and not a fork from a warm template process: a forked child must still start an
IPython kernel (sockets, threads, shell: a few hundred milliseconds) and the template may not
hold threads or ZeroMQ state when it forks, whereas a reset costs a few milliseconds. What the
reset restores (user namespace, history and execution counter, Matplotlib figures, rcParams and
inline-backend settings, display formatters, random seeds, warning filters, pandas and NumPy
options, working directory, environment, ``sys.path``) is listed in
:mod:`npo_analysis.batch.kernel_state`, which runs inside the kernel. Every notebook, the first
one in a new kernel included, goes through the same reset, and the kernel runs with
``PYTHONHASHSEED=0``, so a notebook's output does not depend on what ran before it
(tests/test_engine_isolation.py proves it on the report notebook). A notebook that leaves state
the reset cannot undo (Matplotlib imported in a kernel that did not warm it up) gets the kernel
replaced before the next notebook runs.

Crash safety: when the kernel dies, or the notebook runs longer than ``notebook_timeout``
seconds (a watchdog kills the kernel), the engine raises :class:`KernelFailure` with the reason
and the partly executed notebook, and drops the kernel; the next notebook gets a new one.

Use it with Papermill by name, ``papermill.execute_notebook(..., engine_name="npo-warm",
notebook_timeout=600)`` or ``papermill --engine npo-warm``. The name is registered by the entry
point ``papermill.engine`` of the package, and by :func:`register` for processes where the
package's entry points are not installed.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.log import logger

ENGINE_NAME = "npo-warm"
#: Seconds to wait for a new kernel to answer (and for its warm-up imports).
STARTUP_TIMEOUT = 120.0
#: Id given to Papermill's injected-parameters cell (Papermill draws a random one).
INJECTED_CELL_ID = "injected-parameters"
#: Thread pools of numerical libraries, one thread each in a warm kernel unless the environment
#: says otherwise: the batch runs one kernel per core, and an idle OpenBLAS thread spin-waits
#: (measured: 0.1 s of CPU per report, a sixth of the kernel's work, with two threads).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_WARM_UP = "import npo_analysis.batch.kernel_state as _k; _k.warm_up(); del _k"
_PREPARE = "__import__('npo_analysis.batch.kernel_state').batch.kernel_state.prepare_run({cwd!r})"
_local = threading.local()


class KernelCodeError(RuntimeError):
    """Code the engine ran silently in the kernel raised; ``ename`` is the exception's name."""

    def __init__(self, message: str, ename: str | None):
        super().__init__(message)
        self.ename = ename


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


def _run_sync(coroutine):
    from jupyter_core.utils import run_sync

    async def wrapper():
        return await coroutine

    return run_sync(wrapper)()


class WarmKernel:
    """One IPython kernel, started once, warmed up, and reset before each notebook.

    Parameters
    ----------
    kernel_name : str
        Kernel spec name (``python3``).
    startup_timeout : float
        Seconds to wait for the kernel to start and warm up.
    log_path : path-like, optional
        File the kernel's own stderr (start-up messages, crashes) is appended to.
    """

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = STARTUP_TIMEOUT,
                 log_path: str | Path | None = None):
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.log_path = None if log_path is None else Path(log_path)
        self.km = self.kc = None
        self.notebooks_run = 0

    def start(self) -> WarmKernel:
        """Start the kernel and import the heavy libraries in it; return ``self``."""
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        environment = {**{name: "1" for name in THREAD_VARIABLES}, **os.environ,
                       "PYTHONHASHSEED": "0"}
        with _stderr_to(self.log_path):
            _run_sync(self.km.start_kernel(
                extra_arguments=["--HistoryManager.enabled=False"], env=environment))
        self.kc = self.km.client()
        self.kc.start_channels()
        _run_sync(self.kc.wait_for_ready(timeout=self.startup_timeout))
        self.run_silently(_WARM_UP, self.startup_timeout)
        return self

    @property
    def pid(self) -> int | None:
        """Process id of the kernel (``None`` before :meth:`start`)."""
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def is_alive(self) -> bool:
        """Whether the kernel process is running."""
        return self.km is not None and bool(_run_sync(self.km.is_alive()))

    def exit_description(self) -> str:
        """How the kernel process ended, e.g. ``killed by signal 9`` or ``exit code 1``."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = None if process is None else process.poll()
        if code is None:
            return "exit status unknown"
        if code < 0:
            return f"killed by signal {-code} ({signal.Signals(-code).name})"
        return f"exit code {code}"

    def run_silently(self, code: str, timeout: float) -> None:
        """Execute ``code`` without output, history or execution count; raise when it fails."""
        reply = _run_sync(self._execute(code, timeout))
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelCodeError(f"warm kernel: {content.get('ename')}: {content.get('evalue')} "
                                  f"(while running {code[:60]!r})", content.get("ename"))

    async def _execute(self, code: str, timeout: float) -> dict:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = await self.kc.get_shell_msg(timeout=0.5)
            except Empty:
                if not await self.km.is_alive():
                    raise RuntimeError(f"warm kernel died ({self.exit_description()})") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply
        raise TimeoutError(f"warm kernel: no answer within {timeout:.0f} s")

    def prepare(self, cwd: str | Path) -> None:
        """Reset the kernel for the next notebook (see :mod:`.kernel_state`) in ``cwd``."""
        self.run_silently(_PREPARE.format(cwd=str(cwd)), self.startup_timeout)

    def kill(self) -> None:
        """Kill the kernel process at once (safe to call from another thread)."""
        pid = self.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def shutdown(self) -> None:
        """Stop the kernel and close the connection (quietly, also when it is dead)."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                _run_sync(self.km.shutdown_kernel(now=True))
            with contextlib.suppress(Exception):
                _run_sync(self.km.cleanup_resources())
        self.km = self.kc = None

    @contextlib.contextmanager
    def deadline(self, seconds: float | None) -> Iterator[dict]:
        """Kill the kernel when the block runs longer than ``seconds`` (``None``: no limit).

        Yields a dict whose ``"expired"`` is True once the watchdog fired.
        """
        state = {"expired": False}
        if seconds is None:
            yield state
            return

        def expire() -> None:
            state["expired"] = True
            self.kill()

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        timer.start()
        try:
            yield state
        finally:
            timer.cancel()


@contextlib.contextmanager
def _stderr_to(path: Path | None) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` while a kernel process is started (it inherits it)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    try:
        with open(path, "ab") as handle:
            os.dup2(handle.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# --- One warm kernel per thread -----------------------------------------------------------------


def _kernels() -> dict:
    if not hasattr(_local, "kernels"):
        _local.kernels = {}
        _all_threads_kernels.append(_local.kernels)
    return _local.kernels


_all_threads_kernels: list[dict] = []


def warm_kernel(kernel_name: str = "python3", startup_timeout: float = STARTUP_TIMEOUT,
                log_path: str | Path | None = None) -> WarmKernel:
    """This thread's warm kernel for ``kernel_name``, started when there is none or it died.

    Parameters
    ----------
    kernel_name : str
        Kernel spec name.
    startup_timeout : float
        Seconds allowed for start-up and warm-up.
    log_path : path-like, optional
        Where a newly started kernel's stderr goes.

    Returns
    -------
    WarmKernel
    """
    kernels = _kernels()
    kernel = kernels.get(kernel_name)
    if kernel is not None and not kernel.is_alive():
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = kernels[kernel_name] = WarmKernel(kernel_name, startup_timeout,
                                                   log_path).start()
    return kernel


def drop_kernel(kernel: WarmKernel) -> None:
    """Shut ``kernel`` down and forget it (the next notebook starts a new one)."""
    kernels = _kernels()
    for name in [n for n, k in kernels.items() if k is kernel]:
        del kernels[name]
    kernel.shutdown()


def shutdown_kernels() -> None:
    """Shut down every warm kernel this thread started (called at exit, too)."""
    kernels = _kernels()
    for kernel in list(kernels.values()):
        kernel.shutdown()
    kernels.clear()


def _shutdown_all_at_exit() -> None:
    """Kill every thread's kernels and remove their connection files (no waiting at exit)."""
    for kernels in _all_threads_kernels:
        for kernel in list(kernels.values()):
            kernel.kill()
            with contextlib.suppress(Exception):
                kernel.km.cleanup_connection_file()
        kernels.clear()


atexit.register(_shutdown_all_at_exit)
try:  # worker processes of multiprocessing skip atexit; their finalizers do run
    from multiprocessing.util import Finalize

    Finalize(None, _shutdown_all_at_exit, exitpriority=10)
except ImportError:  # pragma: no cover - multiprocessing is always there on CPython
    pass


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


def _mark_failure(notebook, reason: str) -> str:
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
        """Execute ``nb_man.nb`` in the warm kernel (see the module docstring)."""
        kernel = cls._prepared_kernel(kernel_name, max(start_timeout, STARTUP_TIMEOUT),
                                      kernel_log)
        _name_injected_cell(nb_man.nb)
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
        raise KernelFailure(_mark_failure(notebook, reason), notebook) from cause


def register() -> None:
    """Register :class:`WarmEngine` with Papermill as ``npo-warm`` in this process."""
    papermill_engines.register(ENGINE_NAME, WarmEngine)
