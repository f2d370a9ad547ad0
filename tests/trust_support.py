"""Shared helpers of the trust tests (issue 8): the CLI in a subprocess, Demoland on disk, one
report batch per profile per test session, and a small HTML reader."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"
NOTEBOOK = ROOT / "notebooks" / "municipality_report.ipynb"
BIN = Path(sys.executable).parent
SEED = 20261127
YEAR = 2024
#: Lines of a page that may differ between two runs on the same inputs (the creation time).
TIMESTAMP_MARKERS = ("Gemaakt op", "Made on")

_BATCHES: dict[str, Path] = {}


def cli_env() -> dict[str, str]:
    """The environment of CLI subprocesses: one BLAS thread (as the Makefile sets)."""
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def npo(*args, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``npo-analysis ARGS`` in a subprocess; return it with its text stdout and stderr."""
    command = [str(BIN / "npo-analysis"), *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=cli_env(), stdin=subprocess.DEVNULL)


def start_npo(*args, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """Start ``npo-analysis ARGS`` in its own process group (stdout and stderr to ``log``)."""
    handle = open(log, "wb")  # noqa: SIM115 - closed by stop_group / the child's end
    return subprocess.Popen([str(BIN / "npo-analysis"), *map(str, args)], cwd=cwd,
                            stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=cli_env(), start_new_session=True)


def stop_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group of ``process`` and wait until its leader has ended."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)
    if sig != signal.SIGKILL:  # workers may outlive a SIGTERM-ed parent briefly
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def write_demoland(directory: Path, profile: str = "tiny", rename=None) -> Path:
    """Write Demoland ``profile`` (seed :data:`SEED`) to ``directory``, optionally renamed.

    Parameters
    ----------
    directory : pathlib.Path
        The dataset directory to create.
    profile : str
        ``tiny`` or ``small``.
    rename : callable, optional
        ``rename(tables)`` changes the generated tables (a dict of DataFrames) in place.

    Returns
    -------
    pathlib.Path
        ``directory``.
    """
    dataset = generate(profile, SEED)
    if rename is not None:
        rename(dataset.tables)
    write_dataset(dataset, directory)
    return directory


def run_batch(data: Path, out: Path, *options) -> subprocess.CompletedProcess:
    """``npo-analysis reports`` over ``data`` into ``out`` for :data:`YEAR` (2 workers)."""
    return npo("reports", "--data", data, "--out", out, "--year", YEAR, "--params", PARAMS,
               "--notebook", NOTEBOOK, "--workers", 2, "--quiet", *options)


def shared_batch(tmp_path_factory, profile: str = "tiny") -> Path:
    """The run directory of one complete batch of ``profile``, made once per test process."""
    if profile not in _BATCHES:
        root = tmp_path_factory.mktemp(f"batch-{profile}")
        data = write_demoland(root / "data", profile)
        done = run_batch(data, root / "out", "--all")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        _BATCHES[profile] = (root / "out" / "latest").resolve()
    return _BATCHES[profile]


def without_timestamps(page: str) -> list[str]:
    """The page's lines without those naming when it was made."""
    return [line for line in page.splitlines()
            if not any(marker in line for marker in TIMESTAMP_MARKERS)]


class PageElements(HTMLParser):
    """Every start tag (with attributes) and the visible text of a page.

    Attributes
    ----------
    tags : list of (str, dict)
        Tag names and attributes in document order.
    text : str
        The text outside ``<script>`` and ``<style>``, entities decoded.
    scripts : list of str
        The content of every ``<script>`` element.
    """

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._parts: list[str] = []
        self._in: str | None = None
        self.feed(page)
        self.close()
        self.text = "".join(self._parts)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in is None:
            self._parts.append(data)
