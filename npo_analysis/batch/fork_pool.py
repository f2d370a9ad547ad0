"""The ``local`` executor on Linux: worker processes forked from one warm template.

Why a fork: on the project's 2-core machine a batch of eight reports spent about half of its
CPU time starting up, four times over: two worker processes importing Papermill and nbconvert,
and two kernels importing pandas and the report modules. The template pays for the imports
once, and a worker runs its notebooks in its own process, without a kernel to talk to:

1. :class:`ForkPoolExecutor` starts the template (``python -m npo_analysis.batch.fork_pool``)
   when it is entered, so that it warms up while the batch checks its national tables. The
   template imports the report modules, Papermill, nbformat and the HTML exporter, renders a
   throw-away page, creates the IPython shell the notebooks run in (:mod:`.inprocess`), records
   the :class:`.kernel_state.Baseline` and freezes its objects out of the garbage collector's
   reach (``gc.freeze``: the forked processes then share its memory pages instead of copying
   them).
2. It forks up to ``workers`` worker processes, as jobs arrive, and hands each one job at a
   time. A worker executes notebook after notebook in its shell with the Papermill engine
   ``npo-warm`` (:mod:`.engine`), which resets the process before each one exactly as it
   resets a warm kernel (:func:`.kernel_state.prepare_run`: namespace, history and execution
   counter, seeds, warning filters, options, working directory, environment ...). A worker
   whose notebook left state the reset cannot undo (:func:`.kernel_state.is_stale`) exits
   after that job, and the next job gets a new fork of the template.
3. A worker that dies (a notebook that kills its process, a crash in a C library) or runs a
   job longer than the job's ``timeout`` (the template kills it) loses that job: the template
   calls ``lost(job, reason, notebook, seconds)`` with the notebook as far as it was executed
   (the worker sends each cell as it starts and as it is done) and forks a new worker for the
   next job.

Why not a fork per notebook, which would need no reset at all: each report would then pay
again for what a process fills on its first report (table reads, caches, copied memory
pages): 0.45 CPU seconds a report instead of 0.35 (measured over four reports).

The template holds no other thread and no socket when it forks (one thread per numerical
library, ``OPENBLAS_NUM_THREADS=1`` and friends, as in a warm kernel; no background thread in
pyarrow's allocator; ``PYTHONHASHSEED=0``), and the
forked processes leave with :func:`os._exit`. Messages between the command, the template and
the workers are pickles on pipes, each preceded by its length.

Other platforms than Linux use a pool of warm kernels (:class:`.executors.LocalProcessExecutor`)
instead: Windows has no :func:`os.fork`, and macOS forbids forking a process that has loaded
some of its system frameworks.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = struct.Struct("!Q")
#: Seconds the template has to warm up and answer (generous: a busy machine).
READY_TIMEOUT = 120.0
#: Seconds to wait for the template to exit when the executor closes.
STOP_TIMEOUT = 10.0


class TemplateError(RuntimeError):
    """The template process failed (it did not start, or it stopped during the batch)."""


# --- Messages on pipes --------------------------------------------------------------------------


def send(fd: int, message) -> None:
    """Write ``message`` (pickled, with its length) to the file descriptor ``fd``."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


class MessageReader:
    """Collects bytes read from a pipe and returns the complete messages in them: as they come
    (:meth:`read`, after a ``select``) or one at a time (:meth:`next`)."""

    def __init__(self, fd: int) -> None:
        self.fd, self._buffer, self.closed = fd, bytearray(), False
        self._pending: deque = deque()

    def read(self) -> list:
        """Read what is available (one ``os.read``) and return the complete messages; sets
        :attr:`closed` at end of file."""
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.closed = True
        self._buffer += chunk
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + size:
                break
            messages.append(pickle.loads(self._buffer[_HEADER.size:_HEADER.size + size]))
            del self._buffer[:_HEADER.size + size]
        return messages

    def next(self, timeout: float | None = None):
        """The next message, waiting for it (``TimeoutError`` after ``timeout`` seconds,
        ``EOFError`` when the pipe closes first)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.fd], [], [], wait)[0]:
                raise TimeoutError(f"no message within {timeout:g} s")
            self._pending.extend(self.read())
            if self.closed and not self._pending:
                raise EOFError("the pipe closed")
        return self._pending.popleft()


# --- The template process -----------------------------------------------------------------------


def describe_exit(status: int) -> str:
    """How a process ended, from :func:`os.waitpid`'s status: ``killed by signal 9 (SIGKILL)``
    or ``exit code 1``."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"killed by signal {number} ({signal.Signals(number).name})"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


@dataclass
class _Worker:
    """A forked worker process, and the job it runs (``None``: idle)."""

    pid: int
    jobs: int  # the pipe its jobs go down
    reader: MessageReader  # the pipe its messages come up
    job_id: int | None = None
    job: object = None
    lost: Callable | None = None
    started: float = 0.0
    deadline: float | None = None
    notebook: object = None
    cells: list = field(default_factory=list)  # (index, cell) as the cells start and finish
    retiring: bool = False  # it exits after its job: no new one


def warm_up() -> None:
    """What the template loads before it forks (see the module docstring)."""
    import npo_analysis.batch  # noqa: F401  (keeps rfc3987_syntax out: see that package)
    from npo_analysis.batch import inprocess, kernel_state
    from npo_analysis.batch.engine import register
    from npo_analysis.batch.html import warm_up as warm_exporter

    inprocess.activate()
    register()
    import papermill  # noqa: F401
    import papermill.iorw  # noqa: F401

    warm_exporter()
    kernel_state.warm_up()  # imports the report modules, records the baseline, gc.freeze


class Template:
    """The template's loop: requests from the command, forked workers, their messages.

    Parameters
    ----------
    requests, responses : int
        File descriptors of the pipes from and to the command.
    workers : int
        Worker processes at most.
    """

    def __init__(self, requests: int, responses: int, workers: int) -> None:
        self.requests, self.responses, self.size = MessageReader(requests), responses, workers
        self.queue: deque = deque()
        self.workers: dict[int, _Worker] = {}  # by the descriptor of the worker's messages

    def serve(self) -> None:
        """Handle requests until the command says ``stop`` or closes its pipe."""
        while True:
            self._assign_jobs()
            readable = select.select([self.requests.fd, *self.workers], [], [], self._wait())[0]
            for fd in readable:
                if fd == self.requests.fd:
                    if not self._handle_requests():
                        self._stop_all()
                        return
                elif fd in self.workers:  # (not removed while handling an earlier one)
                    self._read_worker(self.workers[fd])
            self._expire()

    def _wait(self) -> float | None:
        deadlines = [w.deadline for w in self.workers.values() if w.deadline is not None]
        return None if not deadlines else max(0.0, min(deadlines) - time.monotonic())

    def _handle_requests(self) -> bool:
        for message in self.requests.read():
            kind = message[0]
            if kind == "stop":
                return False
            if kind == "job":
                self.queue.append(message[1:])
        return not self.requests.closed

    def _assign_jobs(self) -> None:
        idle = [w for w in self.workers.values() if w.job_id is None and not w.retiring]
        while self.queue and (idle or self._active() < self.size):
            worker = idle.pop() if idle else self._fork_worker()
            job_id, function, lost, job = self.queue.popleft()
            timeout = getattr(job, "timeout", None)
            worker.job_id, worker.job, worker.lost = job_id, job, lost
            worker.started, worker.notebook, worker.cells = time.monotonic(), None, []
            worker.deadline = None if timeout is None else worker.started + timeout
            send(worker.jobs, ("job", function, job))

    def _active(self) -> int:
        return sum(not w.retiring for w in self.workers.values())

    def _fork_worker(self) -> _Worker:
        jobs_read, jobs_write = os.pipe()
        messages_read, messages_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            for fd in (jobs_write, messages_read, self.requests.fd, self.responses,
                       *self.workers, *(w.jobs for w in self.workers.values())):
                os.close(fd)
            _serve_jobs(jobs_read, messages_write)
        os.close(jobs_read)
        os.close(messages_write)
        worker = self.workers[messages_read] = _Worker(pid, jobs_write,
                                                       MessageReader(messages_read))
        return worker

    def _read_worker(self, worker: _Worker) -> None:
        for message in worker.reader.read():
            kind = message[0]
            if kind == "notebook":
                worker.notebook, worker.cells = message[1], []
            elif kind == "cell":
                worker.cells.append(message[1:])
            elif kind in ("result", "error"):
                send(self.responses, (kind, worker.job_id, message[1], worker.pid))
                worker.job_id = worker.job = worker.lost = worker.deadline = None
                worker.retiring = message[2]
        if worker.reader.closed:  # the worker ended: by itself when idle, else it died
            status = self._remove(worker)
            if worker.job_id is not None:
                self._report_lost(worker, f"kernel died ({describe_exit(status)})")

    def _expire(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if worker.deadline is not None and now >= worker.deadline:
                os.kill(worker.pid, signal.SIGKILL)
                self._remove(worker)
                self._report_lost(worker, f"notebook took longer than the timeout of "
                                          f"{worker.job.timeout:g} s; kernel stopped")

    def _remove(self, worker: _Worker) -> int:
        """Forget ``worker``, close its pipes and reap it; return its wait status."""
        del self.workers[worker.reader.fd]
        os.close(worker.reader.fd)
        os.close(worker.jobs)
        return os.waitpid(worker.pid, 0)[1]

    def _report_lost(self, worker: _Worker, reason: str) -> None:
        notebook = worker.notebook
        if notebook is not None:
            for index, cell in worker.cells:
                notebook.cells[index] = cell
        send(self.responses, (*_lost(worker, reason, notebook), worker.pid))

    def _stop_all(self) -> None:
        for worker in list(self.workers.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            self._remove(worker)


def _lost(worker: _Worker, reason: str, notebook) -> tuple:
    """The response for a job whose worker died: ``lost``'s result, or the reason."""
    if worker.lost is None:
        return ("error", worker.job_id, reason)
    seconds = time.monotonic() - worker.started
    try:
        return ("result", worker.job_id, worker.lost(worker.job, reason, notebook, seconds))
    except Exception as exc:
        return ("error", worker.job_id, f"{reason}; then {type(exc).__name__}: {exc}")


def _serve_jobs(jobs: int, messages: int) -> None:
    """A worker's life: run ``function(job)`` for each job that arrives, send the result; exit
    when the template closes the pipe, or after a notebook that left state the reset cannot
    undo (:func:`.kernel_state.is_stale`)."""
    from npo_analysis.batch import inprocess, kernel_state

    status = 0
    try:
        inprocess.set_listener(lambda event, index, node: _forward(messages, event, index, node))
        reader = MessageReader(jobs)
        retiring = False
        while not retiring:
            try:
                _, function, job = reader.next()
            except EOFError:
                break
            try:
                reply = ["result", function(job)]
            except Exception as exc:
                reply = ["error", f"{type(exc).__name__}: {exc}"]
            retiring = kernel_state.is_stale()
            send(messages, (*reply, retiring))
    except BaseException:  # the template reports the job as lost
        status = 1
    finally:
        os._exit(status)


def _forward(fd: int, event: str, index: int | None, node) -> None:
    """Send the template the notebook, then each cell as it starts and as it is done."""
    send(fd, ("notebook", node) if event == "notebook" else ("cell", index, node))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the template process: ``python -m npo_analysis.batch.fork_pool WORKERS``.

    The requests arrive on standard input and the responses leave on standard output; both are
    moved to other descriptors first, and the forked processes get ``/dev/null`` as standard
    input and the template's standard error as standard output.
    """
    argv = sys.argv[1:] if argv is None else argv
    workers = int(argv[0])
    # Ctrl-C reaches the whole process group: the command stops, closes its pipe, and the
    # template then stops its workers (they inherit this); no half-reported jobs
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, responses = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        warm_up()
    except Exception as exc:
        send(responses, ("failed", f"{type(exc).__name__}: {exc}"))
        raise
    send(responses, ("ready", os.getpid()))
    Template(requests, responses, workers).serve()


# --- The executor (in the batch's own process) --------------------------------------------------


#: Configuration of the jemalloc allocator inside pyarrow (unless set): without its background
#: thread, which it otherwise starts when pyarrow is imported, so the template forks with one
#: thread only.
JEMALLOC_CONFIG = {"JE_ARROW_MALLOC_CONF": "background_thread:false"}


def template_environment() -> dict[str, str]:
    """The template's environment: this one, with one thread per numerical library and no
    jemalloc background thread (unless set), ``PYTHONHASHSEED=0`` and Matplotlib's inline
    backend (as an IPython kernel has)."""
    from npo_analysis.batch.kernel import THREAD_VARIABLES

    return {**{name: "1" for name in THREAD_VARIABLES}, **JEMALLOC_CONFIG,
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            **os.environ, "PYTHONHASHSEED": "0"}


class ForkPoolExecutor:
    """Run the jobs in processes forked from a warm template (see the module docstring).

    Parameters
    ----------
    workers : int
        Jobs at most at once (>= 1).
    setup : callable, optional
        Ignored: the template warms itself up (accepted like every executor).
    log_path : path-like, optional
        File the template's standard error (and so the forked processes' output outside a
        notebook) is appended to; by default this process's standard error.
    """

    def __init__(self, workers: int, setup: Callable | None = None,
                 log_path: str | Path | None = None):
        self.workers = workers
        self.log_path = None if log_path is None else Path(log_path)
        self._process: subprocess.Popen | None = None
        self._reader: MessageReader | None = None
        self._ready = False
        #: Process id of the worker that ran each job of the last :meth:`run`, in job order.
        self.worker_pids: list[int | None] = []

    def __enter__(self) -> ForkPoolExecutor:
        log = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(self.log_path, "ab")
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "npo_analysis.batch.fork_pool", str(self.workers)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                env=template_environment(), close_fds=True)
        finally:
            if log is not None:
                log.close()
        self._reader = MessageReader(self._process.stdout.fileno())
        return self

    def __exit__(self, *exc) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if self._ready:  # it stops its workers, then itself
                send(process.stdin.fileno(), ("stop",))
                process.stdin.close()
                process.wait(STOP_TIMEOUT)
            else:  # still warming up, no job came: nothing to wait for
                process.kill()
                process.wait()
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            for pipe in (process.stdin, process.stdout):
                pipe.close()

    def _receive(self, timeout: float | None = None):
        try:
            return self._reader.next(timeout)
        except (EOFError, TimeoutError) as exc:
            raise TemplateError(self._failure(str(exc))) from None

    def _failure(self, what: str) -> str:
        code = self._process.poll() if self._process is not None else None
        where = f"; see {self.log_path}" if self.log_path is not None else ""
        state = "still running" if code is None else f"exit code {code}"
        return f"fork pool template: {what} ({state}{where})"

    def _wait_ready(self) -> None:
        if self._ready:
            return
        message = self._receive(READY_TIMEOUT)
        if message[0] != "ready":
            raise TemplateError(self._failure(f"warm-up failed: {message[1]}"))
        self._ready = True

    def run(self, function: Callable, jobs: Iterable, lost: Callable | None = None) -> Iterator:
        """Submit every job and yield ``function(job)`` as the jobs finish (any order).

        ``lost(job, reason, notebook, seconds)``, when given, makes the result of a job whose
        process died or ran out of time; without it such a job raises :class:`TemplateError`.
        """
        self._check_entered()
        self._wait_ready()
        jobs = list(jobs)
        self.worker_pids = [None] * len(jobs)
        for job_id, job in enumerate(jobs):
            send(self._process.stdin.fileno(), ("job", job_id, function, lost, job))
        for _ in jobs:
            kind, job_id, value, pid = self._receive()
            self.worker_pids[job_id] = pid
            if kind == "error":
                raise TemplateError(self._failure(f"job {job_id} failed: {value}"))
            yield value

    def _check_entered(self) -> None:
        if self._process is None:
            raise RuntimeError("ForkPoolExecutor used outside its `with` block")


if __name__ == "__main__":
    main()
