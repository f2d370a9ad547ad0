"""Inside a warm kernel: import the heavy libraries once, reset the process before each notebook.

This module runs *in the process that executes the notebooks*: a warm kernel of
:mod:`npo_analysis.batch.engine`, or a worker of the fork pool (:mod:`.fork_pool`). The engine
calls :func:`warm_up` once after starting the kernel (the fork pool: once in its template) and
:func:`prepare_run` before every notebook (in a kernel as silent executions that leave no trace
in the notebook or the kernel's history).

:func:`warm_up` imports :data:`WARM_MODULES` (what the report notebooks import: pandas, the
package's report modules; no Matplotlib, the reports draw SVG charts with
:mod:`npo_analysis.plots`), draws one throw-away chart, records a :class:`Baseline` of the process
state a notebook can change, and freezes the warm-up's objects out of the garbage collector's
reach (``gc.freeze``: collections during a report, and the reset's own, then only walk the
objects the reports made). :func:`prepare_run` puts that state back:

* the IPython user namespace, the ``In``/``Out`` history and the execution counter (a new
  session: the first cell of every notebook is ``[1]``), ``sys.last_*`` tracebacks;
* the chart theme of :mod:`npo_analysis.plots` (the language of the numbers);
* Matplotlib, when it was imported at warm-up (``NPO_WARM_MODULES`` naming it, for notebooks of
  one's own that plot with it): every figure closed, ``rcParams`` (so also a seaborn theme), the
  units registry and the inline backend's configuration (``%config InlineBackend...``);
* IPython's display formatters and event callbacks;
* the global random number generators of :mod:`random` and :mod:`numpy.random` (seeded with
  :data:`SEED`: every notebook starts from the same state, a fresh kernel included);
* the warning filters (and with them the "shown once" registries of every module), pandas
  options, NumPy print options and floating-point error handling;
* the working directory, ``os.environ``, ``sys.path``, ``sys.argv`` and the root logger.

A notebook that imports Matplotlib in a kernel that did not load it at warm-up leaves state
there is no baseline for: :func:`prepare_run` then raises :class:`StaleKernelError` and the
engine replaces the kernel before the next notebook (correct, only slower).

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

#: Environment variable that replaces :data:`WARM_MODULES`: comma-separated module names
#: (empty: import nothing up front, e.g. for notebooks that need none of them).
WARM_MODULES_VARIABLE = "NPO_WARM_MODULES"
#: Imported once per kernel by :func:`warm_up`.
WARM_MODULES: tuple[str, ...] = (
    "numpy", "pandas", "pyarrow.parquet", "yaml", "pydantic", "IPython.display",
    "npo_analysis.report", "npo_analysis.report.analyses", "npo_analysis.plots",
    "npo_analysis.national", "npo_analysis.delays", "npo_analysis.vve",
    "npo_analysis.interventions", "npo_analysis.export",
)
#: Modules with global state :func:`prepare_run` resets only when they were warmed up.
RESETTABLE_MODULES: tuple[str, ...] = ("matplotlib",)
#: Seed of the global random number generators at the start of every notebook.
SEED = 0

_baseline: Baseline | None = None


class StaleKernelError(RuntimeError):
    """The last notebook imported a module with global state that has no baseline here."""


@dataclass(frozen=True)
class Baseline:
    """The process state after :func:`warm_up`, restored by :func:`prepare_run`.

    ``rc_params``, ``units`` and ``inline_backend`` are empty when Matplotlib was not warmed up.
    """

    warmed: frozenset
    rc_params: dict
    units: dict
    inline_backend: dict
    formatters: dict
    events: dict
    pandas_options: dict
    numpy_print: dict
    numpy_errors: dict
    warning_filters: list
    warning_functions: tuple
    environ: dict
    sys_path: list
    argv: list
    root_logger: tuple


def warm_modules() -> tuple[str, ...]:
    """The modules to import: :data:`WARM_MODULES_VARIABLE` when set, else :data:`WARM_MODULES`."""
    configured = os.environ.get(WARM_MODULES_VARIABLE)
    if configured is None:
        return WARM_MODULES
    return tuple(name.strip() for name in configured.split(",") if name.strip())


def warm_up(modules: tuple[str, ...] | None = None) -> None:
    """Import ``modules``, load Matplotlib's fonts, and record the :class:`Baseline`.

    Parameters
    ----------
    modules : tuple of str, optional
        Modules to import (default: :func:`warm_modules`; a missing one is skipped).
    """
    global _baseline
    for name in warm_modules() if modules is None else modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    _draw_one_chart()
    if "matplotlib.pyplot" in sys.modules:
        _draw_one_figure()
    _baseline = _capture()
    # The warm-up's objects live for good: later collections skip them, and forked workers
    # share their pages. No collection first: it found 23 unreachable objects of 127,000 and
    # took 53 ms of the fork pool template's warm-up.
    gc.freeze()


def _draw_one_chart() -> None:
    """Render a small chart of :mod:`npo_analysis.plots` (its first use fills lazy caches)."""
    if "npo_analysis.plots" not in sys.modules:
        return
    import pandas as pd
    from matplotlib.figure import Figure

    from npo_analysis import plots

    frame = pd.DataFrame({"name": ["a", "b"], "value": [1.0, 2.0]})
    ax = Figure(layout="constrained").add_subplot()  # no pyplot figure: nothing to close
    plots.to_svg(plots.bar_chart(frame, "value", "name", note="warm-up", title="warm-up", ax=ax))
    plots.reset_theme()


def _draw_one_figure() -> None:
    """Render a small figure off-screen (no pyplot state): font and text caches get loaded."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(["a", "b"], [1, 2])
    axes.set_title("warm-up")
    figure.savefig(io.BytesIO(), format="png", dpi=50)


def _inline_backend():
    try:
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:
        return None
    return InlineBackend.instance()


def _shell():
    from IPython import get_ipython

    return get_ipython()


def _pandas_options() -> dict:
    import pandas as pd

    options = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in sorted(pd._config.config._registered_options):
            if key not in pd._config.config._deprecated_options:
                options[key] = copy.deepcopy(pd.get_option(key))
    return options


def _matplotlib_state() -> tuple[dict, dict, dict]:
    """rcParams, the units registry and the inline backend's settings (empty without
    Matplotlib)."""
    if "matplotlib" not in sys.modules:
        return {}, {}, {}
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
        warmed=frozenset(name for name in RESETTABLE_MODULES if name in sys.modules),
        rc_params=rc_params, units=units, inline_backend=inline_backend,
        formatters=formatters, events=events, pandas_options=_pandas_options(),
        numpy_print=np.get_printoptions(), numpy_errors=np.geterr(),
        warning_filters=list(warnings.filters),
        warning_functions=(warnings.showwarning, warnings.formatwarning),
        environ=dict(os.environ), sys_path=list(sys.path), argv=list(sys.argv),
        root_logger=(root.level, list(root.handlers)))


def stale_modules() -> list[str]:
    """Modules of :data:`RESETTABLE_MODULES` imported after :func:`warm_up` (their state has no
    baseline); empty before :func:`warm_up`."""
    if _baseline is None:
        return []
    return [m for m in RESETTABLE_MODULES if m in sys.modules and m not in _baseline.warmed]


def is_stale() -> bool:
    """Whether a notebook left state :func:`prepare_run` cannot reset (:func:`stale_modules`)."""
    return bool(stale_modules())


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
        When :func:`warm_up` has not run in this process.
    StaleKernelError
        When a notebook imported a module of :data:`RESETTABLE_MODULES` that was not warmed up.
    """
    if _baseline is None:
        raise RuntimeError("prepare_run: warm_up() has not run in this kernel")
    stale = stale_modules()
    if stale:
        raise StaleKernelError(f"{', '.join(stale)} was imported after warm-up: its state cannot "
                               "be reset; start a new kernel")
    if "matplotlib" in _baseline.warmed:
        _reset_matplotlib(_baseline)
    if "npo_analysis.plots" in sys.modules:
        sys.modules["npo_analysis.plots"].reset_theme()
    _reset_libraries(_baseline)
    _reset_process(_baseline, cwd)
    _reset_shell(_baseline)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)


def _reset_matplotlib(baseline: Baseline) -> None:
    import matplotlib
    import matplotlib.units

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    changed = {k: v for k, v in baseline.rc_params.items() if matplotlib.rcParams[k] != v}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(copy.deepcopy(changed))
    matplotlib.units.registry.clear()
    matplotlib.units.registry.update(baseline.units)
    backend = _inline_backend()
    if backend is not None:
        for name, value in baseline.inline_backend.items():
            if getattr(backend, name) != value:
                setattr(backend, name, copy.deepcopy(value))
        inline = sys.modules["matplotlib_inline.backend_inline"]
        inline.show._to_draw = []
        inline.show._draw_called = False


def _reset_libraries(baseline: Baseline) -> None:
    import numpy as np
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in baseline.pandas_options.items():
            if pd.get_option(key) != value:
                pd.set_option(key, copy.deepcopy(value))
    np.set_printoptions(**baseline.numpy_print)
    np.seterr(**baseline.numpy_errors)
    warnings.filters[:] = baseline.warning_filters
    warnings.showwarning, warnings.formatwarning = baseline.warning_functions
    warnings._filters_mutated()  # invalidates every module's "already shown" registry


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
    root.handlers[:] = handlers
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
