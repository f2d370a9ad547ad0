"""The report batch: national tables once, then the report notebook per municipality.

:func:`run_reports` is the pipeline (:mod:`.runner`); executors (:mod:`.executors`,
:mod:`.dask_executor`) run the notebooks serially, over a local process pool or on a Dask
cluster; every worker executes its notebooks with the Papermill engine ``npo-warm``
(:mod:`.engine`), reset before each notebook (:mod:`.kernel_state`): in its own process, forked
from a warm template (:mod:`.fork_pool`, :mod:`.inprocess`; the local pool on Linux), or in one
warm kernel (:mod:`.kernel`; elsewhere); :mod:`.html`
exports an executed notebook to self-contained HTML, :mod:`.index` writes the index page and
:mod:`.manifest` the run's record.

The names below are imported lazily (PEP 562), so ``import npo_analysis.batch.hashing`` (used by
:mod:`npo_analysis.national` inside report kernels) does not load papermill and nbconvert.

Importing this package also keeps one optional module out of the batch's processes:
``rfc3987_syntax``. jsonschema (which nbformat, papermill and nbconvert import) loads it, when it
is installed, to check the ``iri`` string format, and it compiles a grammar at import: 0.93 s of
jsonschema's 1.04 s import on this machine, in the command's process and in every worker. No
notebook schema uses that format, and only the processes that import ``npo_analysis.batch``
(the batch's own: command, workers, kernels) are affected.
"""

from __future__ import annotations

import importlib
import sys

#: Optional modules the batch's processes do without (see the module docstring).
SKIPPED_OPTIONAL_MODULES = ("rfc3987_syntax",)
for _name in SKIPPED_OPTIONAL_MODULES:
    sys.modules.setdefault(_name, None)  # ``import`` of it raises ImportError: jsonschema skips it

_EXPORTS = {"run_reports": "runner", "RunSummary": "runner", "ReportResult": "runner",
            "EXECUTORS": "executors", "get_executor": "executors"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
    return getattr(module, name)
