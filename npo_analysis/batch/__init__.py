"""The report batch: national tables once, then the report notebook per municipality.

:func:`run_reports` is the pipeline (:mod:`.runner`); executors (:mod:`.executors`,
:mod:`.dask_executor`) run the notebooks serially, over a local pool of worker processes or on
a Dask cluster. Every worker executes its notebooks with Papermill and the engine ``npo-warm``
(:mod:`.engine`): one warm Jupyter kernel per worker (:mod:`.kernel`), reset before each
notebook (:mod:`.kernel_state`); :mod:`.html` exports an executed notebook to self-contained
HTML with nbconvert, :mod:`.index` writes the index page and :mod:`.manifest` the run's record.

The names below are imported lazily (PEP 562), so ``import npo_analysis.hashing`` (used by
:mod:`npo_analysis.national.tables` inside report kernels) does not load papermill and nbconvert.
"""

from __future__ import annotations

import importlib

_EXPORTS = {"run_reports": "runner", "RunSummary": "runner", "ReportResult": "runner",
            "EXECUTORS": "executors", "get_executor": "executors"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
    return getattr(module, name)
