"""Inside a warm kernel: import the heavy libraries once, reset the kernel before each notebook.

This module runs *in the kernel* that executes the notebooks (a warm kernel of
:mod:`npo_analysis.batch.kernel`). The kernel calls :func:`warm_up` once after it started and
:func:`prepare_run` before every notebook, as silent executions that leave no trace in the
notebook or the kernel's history.

:func:`warm_up` imports :data:`WARM_MODULES` (what the report notebooks import: pandas,
Matplotlib's pyplot, seaborn, the package's report modules), draws one throw-away figure (fonts
and text caches get loaded), and records a :class:`Baseline` of the state a notebook can
change, and moves the objects made so far out of the garbage collector's reach (``gc.freeze``).
:func:`prepare_run` puts that state back, with the public API of each library:

* the IPython user namespace, the ``In``/``Out`` history and the execution counter
  (``InteractiveShell.reset(new_session=True)``: the first cell of every notebook is ``[1]``),
  ``sys.last_*`` tracebacks;
* Matplotlib: every figure closed, ``rcParams`` (and with them a seaborn theme), the units
  registry and the inline backend's configuration (``%config InlineBackend...``);
* IPython's display formatters (their type printers) and event callbacks;
* the global random number generators of :mod:`random` and :mod:`numpy.random` (seeded with
  :data:`SEED`: every notebook starts from the same state, a fresh kernel included);
* the warning filters (through :class:`warnings.catch_warnings`, which also forgets which
  warnings were already shown), pandas options (``pandas.reset_option("all")``: the kernel
  changes none), NumPy print options and floating-point error handling;
* the working directory, ``os.environ``, ``sys.path``, ``sys.argv`` and the root logger.

What is *not* reset: imported modules stay imported (that is the point), and caches inside
libraries persist (the table cache of :mod:`npo_analysis.table_cache` among them). That is safe
for caches that are pure functions of their inputs; a library that keeps other module-level
state between calls would leak it from one notebook to the next.
The engine's isolation test (tests/test_engine_isolation.py) renders a municipality in a fresh
kernel and in a kernel that ran others first and requires identical notebooks.
"""

from __future__ import annotations

import copy
import gc
import importlib
import io
import logging
import os
import random
import sys
import warnings
from dataclasses import dataclass

#: Imported once per kernel by :func:`warm_up` (a missing one is skipped).
WARM_MODULES: tuple[str, ...] = (
    "numpy", "pandas", "pyarrow.parquet", "yaml", "pydantic", "IPython.display",
    "matplotlib", "matplotlib.pyplot", "seaborn",
    "npo_analysis.report", "npo_analysis.report.analyses", "npo_analysis.report.plots",
    "npo_analysis.national.tables", "npo_analysis.domain.delays", "npo_analysis.domain.vve",
    "npo_analysis.domain.interventions", "npo_analysis.report.workbook",
)
#: Seed of the global random number generators at the start of every notebook.
SEED = 0

_baseline: Baseline | None = None
#: The :class:`warnings.catch_warnings` entered at the start of the current notebook.
_warnings_scope: warnings.catch_warnings | None = None


@dataclass(frozen=True)
class Baseline:
    """The kernel's state after :func:`warm_up`, restored by :func:`prepare_run`."""

    rc_params: dict
    units: dict
    inline_backend: dict
    formatters: dict
    events: dict
    numpy_print: dict
    numpy_errors: dict
    environ: dict
    sys_path: list
    argv: list
    root_logger: tuple


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> None:
    """Import ``modules``, draw one figure off-screen, and record the :class:`Baseline`.

    Parameters
    ----------
    modules : tuple of str
        Modules to import (default :data:`WARM_MODULES`; a missing one is skipped).
    """
    global _baseline
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    _draw_one_figure()
    _baseline = _capture()
    # The warm-up's objects live for good: the garbage collector leaves them out from now on, so
    # the collection of every reset (IPython's ``reset`` collects) and those during a report
    # walk only the objects the reports made.
    gc.freeze()


def _draw_one_figure() -> None:
    """Render a small figure off-screen (no pyplot state): font and text caches get loaded."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    axes = figure.add_subplot()
    axes.bar(["a", "b"], [1, 2])
    axes.set_title("warm-up")
    figure.savefig(io.BytesIO(), format="svg")


def _inline_backend():
    try:
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:
        return None
    return InlineBackend.instance()


def _shell():
    from IPython import get_ipython

    return get_ipython()


def _matplotlib_state() -> tuple[dict, dict, dict]:
    """rcParams, the units registry and the inline backend's settings."""
    import matplotlib
    import matplotlib.units

    backend = _inline_backend()
    return (copy.deepcopy(dict(matplotlib.rcParams)), dict(matplotlib.units.registry),
            {} if backend is None else copy.deepcopy(backend.trait_values(config=True)))


def _capture() -> Baseline:
    import numpy as np

    rc_params, units, inline_backend = _matplotlib_state()
    shell = _shell()
    formatters = {} if shell is None else {
        mime: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
        for mime, f in shell.display_formatter.formatters.items()}
    events = {} if shell is None else {name: list(callbacks)
                                       for name, callbacks in shell.events.callbacks.items()}
    root = logging.getLogger()
    return Baseline(
        rc_params=rc_params, units=units, inline_backend=inline_backend,
        formatters=formatters, events=events,
        numpy_print=np.get_printoptions(), numpy_errors=np.geterr(),
        environ=dict(os.environ), sys_path=list(sys.path), argv=list(sys.argv),
        root_logger=(root.level, list(root.handlers)))


def prepare_run(cwd: str, seed: int = SEED) -> None:
    """Reset the kernel to the :class:`Baseline` and change to ``cwd`` (see the module docstring).

    Parameters
    ----------
    cwd : str
        The notebook's working directory.
    seed : int
        Seed of the global random number generators.

    Raises
    ------
    RuntimeError
        When :func:`warm_up` has not run in this kernel.
    """
    if _baseline is None:
        raise RuntimeError("prepare_run: warm_up() has not run in this kernel")
    _reset_matplotlib(_baseline)
    _reset_warnings()
    _reset_libraries(_baseline)
    _reset_process(_baseline, cwd)
    _reset_shell(_baseline)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)


def _reset_matplotlib(baseline: Baseline) -> None:
    import matplotlib
    import matplotlib.pyplot as plt
    import matplotlib.units

    plt.close("all")
    changed = {k: v for k, v in baseline.rc_params.items() if matplotlib.rcParams[k] != v}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated rcParams warn when set
        matplotlib.rcParams.update(copy.deepcopy(changed))
    matplotlib.units.registry.clear()
    matplotlib.units.registry.update(baseline.units)
    backend = _inline_backend()
    if backend is not None:
        for name, value in baseline.inline_backend.items():
            if getattr(backend, name) != value:
                setattr(backend, name, copy.deepcopy(value))


def _reset_warnings() -> None:
    """Put back the warning filters of the last reset (the first: those after warm-up).

    :class:`warnings.catch_warnings` restores the filters and ``showwarning`` when it exits and
    tells every module to forget which warnings it has shown: a warning a notebook saw once is
    shown again in the next notebook, as in a fresh kernel.
    """
    global _warnings_scope
    if _warnings_scope is not None:
        _warnings_scope.__exit__(None, None, None)
    _warnings_scope = warnings.catch_warnings()
    _warnings_scope.__enter__()


def _reset_libraries(baseline: Baseline) -> None:
    import numpy as np
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated options warn when reset
        pd.reset_option("all")
    np.set_printoptions(**baseline.numpy_print)
    np.seterr(**baseline.numpy_errors)


def _reset_process(baseline: Baseline, cwd: str) -> None:
    os.chdir(cwd)
    if dict(os.environ) != baseline.environ:
        os.environ.clear()
        os.environ.update(baseline.environ)
    sys.path[:] = baseline.sys_path
    sys.argv[:] = baseline.argv
    level, handlers = baseline.root_logger
    root = logging.getLogger()
    root.setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)  # no-op for a handler that is still there
    sys.last_type = sys.last_value = sys.last_traceback = None


def _reset_shell(baseline: Baseline) -> None:
    shell = _shell()
    if shell is None:
        return
    for mime, formatter in shell.display_formatter.formatters.items():
        if mime in baseline.formatters:
            type_printers, deferred, enabled = baseline.formatters[mime]
            formatter.type_printers.clear()
            formatter.type_printers.update(type_printers)
            formatter.deferred_printers.clear()
            formatter.deferred_printers.update(deferred)
            formatter.enabled = enabled
    for name, callbacks in baseline.events.items():
        shell.events.callbacks[name][:] = callbacks
    shell.reset(new_session=True)  # namespace, In/Out history and caches; execution count 1
