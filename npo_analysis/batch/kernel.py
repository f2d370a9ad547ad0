"""A warm IPython kernel: started once per worker thread, warmed up, reset before each notebook.

:class:`WarmKernel` starts a kernel (with one thread per numerical library and
``PYTHONHASHSEED=0``), imports the heavy libraries in it (:func:`.kernel_state.warm_up`),
resets it before each notebook (:func:`.kernel_state.prepare_run`) and can kill it from another
thread (the per-notebook deadline). :func:`warm_kernel` keeps one per thread and kernel name,
:func:`start_kernel_early` starts it before a worker's first job. The Papermill engine that runs
notebooks in it is :mod:`.engine`; this module needs only jupyter_client, so a worker can start
its kernel before it imports Papermill and nbconvert.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty

#: Seconds to wait for a new kernel to answer (and for its warm-up imports).
STARTUP_TIMEOUT = 120.0
#: Thread pools of numerical libraries, one thread each in a warm kernel unless the environment
#: says otherwise: the batch runs one kernel per core, and an idle OpenBLAS thread spin-waits
#: (measured: 0.1 s of CPU per report, a sixth of the kernel's work, with two threads).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_WARM_UP = "__import__('npo_analysis.batch.kernel_state').batch.kernel_state.warm_up()"
_PREPARE = "__import__('npo_analysis.batch.kernel_state').batch.kernel_state.prepare_run({cwd!r})"
_local = threading.local()


class KernelCodeError(RuntimeError):
    """Code the engine ran silently in the kernel raised; ``ename`` is the exception's name."""

    def __init__(self, message: str, ename: str | None):
        super().__init__(message)
        self.ename = ename


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
        with stderr_to(self.log_path):
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
def stderr_to(path: str | Path | None) -> Iterator[None]:
    """Point file descriptor 2 (this process's stderr, and that of the processes it starts
    meanwhile) at the file ``path``, appending; ``None`` changes nothing."""
    if path is None:
        yield
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "ab") as handle:
            os.dup2(handle.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
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


def start_kernel_early(kernel_name: str, log_path: str | Path | None = None) -> None:
    """Start this thread's warm kernel now, before its first notebook (a worker's setup).

    A kernel that fails to start is not an error here: the first notebook then starts one and
    reports the failure as its own.
    """
    try:
        warm_kernel(kernel_name, STARTUP_TIMEOUT, log_path)
    except Exception as exc:  # the first job tries again and records the reason
        print(f"npo-warm: the kernel did not start early ({exc}); the first notebook retries",
              file=sys.stderr)


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
                kernel.kc.stop_channels()
                kernel.km.cleanup_connection_file()
        kernels.clear()


atexit.register(_shutdown_all_at_exit)  # also in the local pool's spawned workers
