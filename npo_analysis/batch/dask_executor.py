"""The ``dask`` executor: report jobs on the workers of a Dask cluster.

With a scheduler address (``--executor dask --scheduler tcp://host:8786``) the jobs go to that
cluster's workers; without one a local cluster is started on 127.0.0.1 (one single-threaded
worker process per ``workers``, no dashboard) and closed afterwards. Workers need only the
installed ``npo-analysis`` package and the same paths for data, parameters, notebook and output
(shared storage): jobs carry absolute paths, and each worker writes its reports straight into
the run directory. Each worker thread keeps one warm kernel (:mod:`npo_analysis.batch.engine`)
between jobs, also between batches on a long-lived cluster.

Needs the ``distributed`` package (``pip install "dask[distributed]"``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ValueError("executor='dask' needs the distributed package: "
                         'pip install "dask[distributed]"') from exc
    return distributed


class DaskExecutor:
    """Run the jobs on a Dask cluster (see the module docstring).

    Parameters
    ----------
    workers : int
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a running scheduler; ``None`` starts a local cluster on 127.0.0.1.
    """

    def __init__(self, workers: int, scheduler: str | None = None):
        _import_distributed()
        self.workers = workers
        self.scheduler = scheduler
        self._cluster = None
        self._client = None

    def __enter__(self) -> DaskExecutor:
        distributed = _import_distributed()
        if self.scheduler is None:
            self._cluster = distributed.LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            self._client = distributed.Client(self._cluster)
        else:
            self._client = distributed.Client(self.scheduler, timeout="30s")
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def worker_threads(self) -> int:
        """Worker threads of the connected cluster (each runs one notebook at a time)."""
        if self._client is None:
            raise RuntimeError("DaskExecutor.worker_threads used outside its `with` block")
        workers = self._client.scheduler_info()["workers"].values()
        return sum(worker["nthreads"] for worker in workers)

    def run(self, function: Callable, jobs: Iterable) -> Iterator:
        """Submit every job to the cluster and yield the results as they finish."""
        if self._client is None:
            raise RuntimeError("DaskExecutor.run called outside its `with` block")
        distributed = _import_distributed()
        futures = self._client.map(function, list(jobs), pure=False)
        for future in distributed.as_completed(futures):
            yield future.result()
