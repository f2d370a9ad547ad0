"""The run's record, ``<run>/manifest.json``: what ran, with which inputs, and how it went.

Layout (keys sorted, UTF-8, indented)::

    {
      "run_id": "20261127T180512Z",
      "generated_at": "2026-11-27T19:05:12+01:00",
      "year": 2024, "language": "nl", "executor": "local", "workers": 2,
      "scheduler": null, "timeout_s": 600.0,
      "dataset": {... dataset.json ...},
      "data_hash": "...", "params_hash": "...", "tables_key": "...", "tables_dir": "...",
      "notebook": "notebooks/municipality_report.ipynb", "notebook_hash": "...",
      "versions": {"npo-analysis": ..., "pandas": ..., "numpy": ..., "statsmodels": ...,
                   "papermill": ..., "nbconvert": ...},
      "counts": {"ok": 5, "failed": 1, "reused": 0},
      "reports": [{"code": "GM0412", "name": "...", "kind": "municipality", "status": "ok",
                   "error": null, "parameters": {...}, "duration_s": 4.2,
                   "html": "reports/GM0412.html", "html_sha256": "...", "html_bytes": 312345,
                   "notebook": "notebooks/GM0412.ipynb", "input_hash": "...",
                   "reused_from": null}, ...]
    }

Paths inside a run are relative to the run directory.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from npo_analysis.atomic import write_text_atomic

MANIFEST_FILE = "manifest.json"
#: Distributions whose versions every manifest records.
VERSIONED_PACKAGES = ("npo-analysis", "pandas", "numpy", "statsmodels", "papermill", "nbconvert")


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`VERSIONED_PACKAGES` (``"not installed"`` when absent)."""
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(header: dict, results: list) -> dict:
    """Assemble the manifest from the run's header fields and its report results.

    Parameters
    ----------
    header : dict
        Run-level fields (``run_id``, ``year``, hashes ... see the module docstring).
    results : list of ReportResult
        One per report, in the order they should be listed.

    Returns
    -------
    dict
        The manifest, with ``versions``, ``counts`` and ``reports`` added.
    """
    reports = [asdict(result) for result in results]
    counts = {
        "ok": sum(r["status"] == "ok" for r in reports),
        "failed": sum(r["status"] == "failed" for r in reports),
        "reused": sum(r["reused_from"] is not None for r in reports),
    }
    return {**header, "versions": package_versions(), "counts": counts, "reports": reports}


def write_manifest(run_dir: str | Path, manifest: dict) -> Path:
    """Write ``manifest.json`` into the run directory atomically and return its path."""
    path = Path(run_dir) / MANIFEST_FILE
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    write_text_atomic(path, text + "\n")
    return path


def read_manifest(run_dir: str | Path) -> dict | None:
    """The manifest of a run directory, or ``None`` when it has none (or it is unreadable)."""
    path = Path(run_dir) / MANIFEST_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return None
