"""A killed batch resumes: the manifest grows as reports finish, and the next run finds it.

While a run works, ``<run>/manifest.json`` is rewritten atomically after every finished report
with ``"complete": false`` and the process id; only the end of the run writes
``"complete": true`` (:func:`npo_analysis.batch.runner.run_reports`). A run folder whose manifest
is missing or incomplete and whose process is gone was interrupted (killed, crashed, a full
disk). ``--resume`` reuses the finished reports of the newest such run (each one only when its
inputs are unchanged: the per-report input hash) before those of ``latest``;
:func:`incomplete_runs` lists the interrupted folders and :func:`remove_runs` cleans them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from npo_analysis.batch.manifest import (
    MANIFEST_FILE,
    build_manifest,
    read_manifest,
    write_manifest,
)


def is_run_folder(path: Path) -> bool:
    """A run folder: a directory named by its timestamp (``20261127T180512Z``, ``-02`` ...)."""
    name = path.name
    return path.is_dir() and not path.is_symlink() and name[:8].isdigit() and name[8:9] == "T"


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_complete(run_dir: Path) -> bool:
    """Whether the run finished (a manifest without ``complete`` predates this field: done)."""
    manifest = read_manifest(run_dir)
    return manifest is not None and manifest.get("complete", True) is True


def incomplete_runs(out_dir: Path, exclude: Path | None = None) -> list[Path]:
    """Interrupted run folders of ``out_dir``, oldest first (runs still working are left out).

    Parameters
    ----------
    out_dir : pathlib.Path
        The ``--out`` folder.
    exclude : pathlib.Path, optional
        A run folder to leave out (the current run).

    Returns
    -------
    list of pathlib.Path
    """
    if not out_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in out_dir.iterdir() if is_run_folder(p)):
        if exclude is not None and path.resolve() == exclude.resolve():
            continue
        manifest = read_manifest(path)
        if manifest is None and (path / MANIFEST_FILE).exists():
            continue  # being replaced this instant: not ours to judge
        if manifest is None or (manifest.get("complete", True) is False
                                and not _alive(manifest.get("pid"))):
            found.append(path)
    return found


def newest_incomplete(out_dir: Path, exclude: Path | None = None) -> tuple[dict, Path] | None:
    """The manifest and folder of the newest interrupted run that finished any report."""
    for path in reversed(incomplete_runs(out_dir, exclude)):
        manifest = read_manifest(path)
        if manifest is not None and manifest.get("reports"):
            return manifest, path
    return None


def remove_runs(paths: list[Path]) -> None:
    """Delete interrupted run folders (:func:`incomplete_runs`)."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def write_progress(run_dir: Path, run_id: str, results: list) -> Path:
    """Rewrite the run's manifest with the reports finished so far (``complete: false``)."""
    header = {"run_id": run_id, "complete": False, "pid": os.getpid()}
    return write_manifest(run_dir, build_manifest(header, results))
