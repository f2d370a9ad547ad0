"""Execute a notebook in this process's IPython shell, with the outputs a kernel would give.

The fork pool (:mod:`.fork_pool`) runs each notebook in a process forked from a warm template,
so there is no separate kernel process to talk to: the notebook's cells run in an IPython
:class:`~IPython.core.interactiveshell.InteractiveShell` inside the forked process itself, and
this module collects what an IPython kernel would have sent to Papermill, in the same form:

* ``display_data`` (with ``update_display_data`` and ``clear_output``) from the display
  publisher, and ``execute_result`` (with the cell's execution count) from the display hook;
* ``stream`` outputs of ``stdout`` and ``stderr`` (warnings among them), each flushed into an
  output before a display, a result or an error, and at the end of the cell, stdout first, as
  the kernel's streams are;
* ``error`` outputs with the formatted traceback; Papermill then stops at that cell;
* every value as it would arrive after the kernel protocol's JSON (bytes as base64 text, tuples
  as lists);
* the notebook's ``language_info`` and the cells' execution counts and timing metadata.

The shell formats like the kernel's (IPython's display formatter, with every MIME type active)
and names its cells as the kernel does (``/tmp/ipykernel_<pid>/<hash>.py`` in warnings and
tracebacks), so the report's outputs are identical to a kernel run:
tests/test_fork_pool.py compares the report notebook run both ways. What differs is timing
only: the kernel flushes a stream that keeps printing every 0.2 s, this shell at the next
display or the end of the cell, so a cell that prints slowly has fewer stream outputs here.

:func:`activate` (called once by the template) makes the ``npo-warm`` engine execute here
instead of in a warm kernel; :func:`set_listener` lets the fork pool follow the progress.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import json
import sys
from collections.abc import Callable

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbclient.exceptions import CellExecutionError

#: What an IPython kernel reports as ``language_info`` (ipykernel's ``IPythonKernel``).
LANGUAGE_INFO = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}
ALLOW_ERRORS_TAG = "raises-exception"

_active = False
_listener: Callable | None = None


def activate() -> None:
    """Make the ``npo-warm`` engine run notebooks in this process (see the module docstring)."""
    global _active
    _active = True
    shell()  # created now, so that forked processes inherit it ready


def is_active() -> bool:
    """Whether :func:`activate` was called in this process."""
    return _active


def set_listener(listener: Callable | None) -> None:
    """Call ``listener(event, index, node)`` as the notebook runs: ``("notebook", None, nb)``
    before the first cell, ``("start", index, cell)`` and ``("done", index, cell)`` around each
    cell (``None``: no listener)."""
    global _listener
    _listener = listener


def _notify(event: str, index: int | None, node) -> None:
    if _listener is not None:
        _listener(event, index, node)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _json_default(value):
    if isinstance(value, bytes):
        return binascii.b2a_base64(value, newline=False).decode("ascii")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "__iter__"):
        return list(value)
    return str(value)


def as_sent(value):
    """``value`` as it arrives after the kernel protocol's JSON encoding."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


# --- What the cells send ------------------------------------------------------------------------


class _Outputs:
    """The outputs of the running cell, and the display ids seen in the notebook."""

    def __init__(self) -> None:
        self.cell_outputs: list = []
        self.displays: dict[str, list] = {}
        self.clear_on_next = False
        self.streams = {"stdout": _Stream("stdout", self), "stderr": _Stream("stderr", self)}

    def begin_notebook(self) -> None:
        self.displays.clear()  # display ids name outputs of this notebook only

    def begin_cell(self, outputs: list) -> None:
        self.cell_outputs, self.clear_on_next = outputs, False

    def add(self, node) -> None:
        if self.clear_on_next:
            self.cell_outputs[:] = []
            self.clear_on_next = False
        self.cell_outputs.append(node)

    def flush_streams(self) -> None:
        for name in ("stdout", "stderr"):
            self.streams[name].flush()


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` of a running cell: text is buffered and becomes one
    ``stream`` output when flushed."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str, outputs: _Outputs) -> None:
        self.name, self._outputs, self._parts = name, outputs, []

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._parts.append(text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._parts:
            text, self._parts = "".join(self._parts), []
            self._outputs.add(nbformat.from_dict(
                {"output_type": "stream", "name": self.name, "text": text}))

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("a notebook's output stream has no file descriptor")

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False


class _Publisher(DisplayPublisher):
    """Display publisher that turns ``display(...)`` into ``display_data`` outputs."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs):
        outputs = _state()
        outputs.flush_streams()
        data, metadata = as_sent(data), as_sent(metadata or {})
        display_id = (transient or {}).get("display_id")
        if update:
            for node in outputs.displays.get(display_id, []):
                node["data"], node["metadata"] = data, metadata
            return
        node = nbformat.from_dict({"output_type": "display_data", "data": data,
                                   "metadata": metadata})
        if display_id:
            outputs.displays.setdefault(display_id, []).append(node)
        outputs.add(node)

    def clear_output(self, wait=False):
        outputs = _state()
        outputs.flush_streams()
        if wait:
            outputs.clear_on_next = True
        else:
            outputs.cell_outputs[:] = []


class _Hook(DisplayHook):
    """Display hook that turns a cell's last value into an ``execute_result`` output."""

    def start_displayhook(self):
        self._bundle = ({}, {})

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self._bundle = (format_dict, md_dict or {})

    def finish_displayhook(self):
        outputs = _state()
        outputs.flush_streams()
        data, metadata = self._bundle
        outputs.add(nbformat.from_dict({
            "output_type": "execute_result", "data": as_sent(data),
            "metadata": as_sent(metadata), "execution_count": self.prompt_count}))


class _Shell(InteractiveShell):
    """The shell the notebooks run in: outputs collected, no history file."""

    def _showtraceback(self, etype, evalue, stb):
        outputs = _state()
        outputs.flush_streams()
        outputs.add(nbformat.from_dict({"output_type": "error", "ename": str(etype.__name__),
                                        "evalue": str(evalue), "traceback": list(stb)}))


_outputs: _Outputs | None = None


def _state() -> _Outputs:
    global _outputs
    if _outputs is None:
        _outputs = _Outputs()
    return _outputs


def shell() -> InteractiveShell:
    """This process's notebook shell (created on first use)."""
    if not _Shell.initialized():
        from ipykernel.compiler import XCachingCompiler  # the kernel's cell file names
        from traitlets.config import Config

        config = Config({"HistoryManager": {"enabled": False}})
        _Shell.instance(config=config, display_pub_class=_Publisher, displayhook_class=_Hook,
                        compiler_class=XCachingCompiler)
    return _Shell.instance()


# --- The engine's work --------------------------------------------------------------------------


def execute_managed_notebook(nb_man, **ignored) -> nbformat.NotebookNode:
    """Execute ``nb_man.nb`` cell by cell in :func:`shell`, as Papermill's kernel client would:
    ``nb_man.cell_start`` / ``cell_complete`` around every cell, ``cell_exception`` and stop at
    the first error (unless the cell is tagged ``raises-exception``)."""
    notebook, ipython = nb_man.nb, shell()
    _state().begin_notebook()
    _notify("notebook", None, notebook)
    for index, cell in enumerate(notebook.cells):
        try:
            nb_man.cell_start(cell, index)
            _notify("start", index, cell)
            _execute_cell(ipython, cell)
        except CellExecutionError as exc:
            nb_man.cell_exception(notebook.cells[index], cell_index=index, exception=exc)
            break
        finally:
            nb_man.cell_complete(notebook.cells[index], cell_index=index)
            _notify("done", index, notebook.cells[index])
    notebook.metadata["language_info"] = dict(LANGUAGE_INFO)
    return notebook


def _execute_cell(ipython: InteractiveShell, cell) -> None:
    if cell.cell_type != "code" or not cell.source.strip():
        return
    timing = cell["metadata"]["execution"] = {"iopub.status.busy": _now()}
    outputs = _state()
    cell.outputs = []
    outputs.begin_cell(cell.outputs)
    cell["execution_count"] = ipython.execution_count
    timing["iopub.execute_input"] = _now()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = outputs.streams["stdout"], outputs.streams["stderr"]
    try:
        result = ipython.run_cell(cell.source, store_history=True)
    finally:
        outputs.flush_streams()
        sys.stdout, sys.stderr = saved
    timing["shell.execute_reply"] = timing["iopub.status.idle"] = _now()
    if not result.success and ALLOW_ERRORS_TAG not in cell.metadata.get("tags", []):
        error = next((o for o in cell.outputs if o.output_type == "error"), None)
        content = {"ename": error.ename, "evalue": error.evalue,
                   "traceback": error.traceback} if error else \
            {"ename": "Error", "evalue": "the cell failed", "traceback": []}
        raise CellExecutionError.from_cell_and_msg(cell, content)
