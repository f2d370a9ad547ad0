"""Executors: how the batch runs its report jobs, chosen by name.

An executor is a context manager with one method, ``run(function, jobs)``, that calls the
picklable top-level ``function`` on every job and yields the results *as they finish* (in any
order). ``function`` must not raise for an expected failure: it returns a result describing it.

* ``serial``: one after the other in this process (simplest to debug);
* ``local`` (the default): a pool of local worker processes (:class:`LocalProcessExecutor`);
* ``dask``: the workers of a Dask cluster (:mod:`.dask_executor`), at ``scheduler`` or a local
  cluster on 127.0.0.1.

Whatever the executor, the notebooks run the same way: each worker (each worker thread, for
Dask; this process, for ``serial``) keeps one warm Jupyter kernel of
:mod:`npo_analysis.batch.engine` between jobs and Papermill executes every notebook in it. A
dead kernel, or a notebook over its time limit, is then the job's own result (the engine
reports it and the next job gets a new kernel); the executors shut the kernels down when they
close.

An executor may be given a ``setup`` function (picklable, no arguments) that each worker runs
once when it starts, before its first job: the batch starts the warm kernels with it, so they
boot while the batch is still checking its national tables. The local pool starts its workers
(and so runs ``setup``) when entered; ``serial`` runs it when entered; ``dask`` ignores it (a
long-lived cluster's workers keep their kernels between batches).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Protocol


class Executor(Protocol):
    """The interface every executor offers."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc) -> None: ...

    def run(self, function: Callable, jobs: Iterable) -> Iterator:
        """Yield ``function(job)`` for every job, in completion order."""
        ...


class SerialExecutor:
    """Run the jobs one after the other in this process (simplest; easiest to debug).

    Parameters
    ----------
    workers : int
        Ignored (accepted so that every executor is built the same way).
    """

    def __init__(self, workers: int = 1, setup: Callable | None = None):
        self.workers = 1
        self.setup = setup

    def __enter__(self) -> SerialExecutor:
        if self.setup is not None:
            self.setup()
        return self

    def __exit__(self, *exc) -> None:
        from npo_analysis.batch.kernel import shutdown_kernels

        shutdown_kernels()  # the warm kernel of this thread, if the jobs started one

    def run(self, function: Callable, jobs: Iterable) -> Iterator:
        """Yield ``function(job)`` for every job, in order."""
        for job in jobs:
            yield function(job)


class LocalProcessExecutor:
    """Run the jobs over a pool of local worker processes (``spawn`` start method), each
    owning one warm kernel.

    ``spawn`` gives each worker a fresh interpreter (no forked locks or threads from the parent,
    same behaviour on Linux, macOS and Windows). A worker's warm kernel is stopped when the
    worker exits (:mod:`npo_analysis.batch.kernel` registers an exit handler).

    Parameters
    ----------
    workers : int
        Number of worker processes (>= 1).
    setup : callable, optional
        Run by each worker process when it starts (see the module docstring).
    """

    def __init__(self, workers: int, setup: Callable | None = None):
        self.workers = workers
        self.setup = setup
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalProcessExecutor:
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                         initializer=self.setup)
        for _ in range(self.workers):  # a task per worker starts every worker process now
            self._pool.submit(int)  # (a spawn-context pool starts one per task, on demand)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, function: Callable, jobs: Iterable) -> Iterator:
        """Submit every job and yield the results as they finish."""
        if self._pool is None:
            raise RuntimeError("LocalProcessExecutor.run called outside its `with` block")
        futures = [self._pool.submit(function, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _dask_executor(workers: int, scheduler: str | None = None, setup: Callable | None = None):
    from npo_analysis.batch.dask_executor import DaskExecutor

    return DaskExecutor(workers, scheduler)  # ``setup`` ignored: see the module docstring


#: Executor factories by name (the ``--executor`` choices).
EXECUTORS: dict[str, Callable] = {"serial": SerialExecutor, "local": LocalProcessExecutor,
                                  "dask": _dask_executor}


def default_workers() -> int:
    """Number of worker processes by default: the number of cores (at least 1)."""
    return os.cpu_count() or 1


def get_executor(name: str, workers: int | None = None, scheduler: str | None = None,
                 setup: Callable | None = None) -> Executor:
    """Build the executor called ``name``.

    Parameters
    ----------
    name : str
        One of :data:`EXECUTORS` (``"serial"``, ``"local"``, ``"dask"``).
    workers : int, optional
        Worker processes (default: :func:`default_workers`); for ``dask`` the number of
        workers of the local cluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); only for ``dask``.
    setup : callable, optional
        Run once by each worker when it starts (see the module docstring).

    Returns
    -------
    Executor
        Use it as a context manager.

    Raises
    ------
    ValueError
        For an unknown name, ``workers < 1``, or a scheduler for another executor.
    """
    if name not in EXECUTORS:
        raise ValueError(f"executor={name!r}: expected one of {sorted(EXECUTORS)}")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers={workers!r}: expected a whole number >= 1")
    if name == "dask":
        return EXECUTORS[name](workers, scheduler, setup)
    if scheduler is not None:
        raise ValueError(f"scheduler={scheduler!r}: only the dask executor takes a scheduler "
                         f"address (executor={name!r})")
    return EXECUTORS[name](workers, setup)
