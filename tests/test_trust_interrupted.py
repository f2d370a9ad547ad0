"""Interrupted batch (issue 8.5): killing ``npo-analysis reports`` mid-run and rerunning it with
``--resume`` completes the batch, and no file under its final name is corrupt or partial.

The batch runs in its own process group; the whole group (the command, its worker processes and
their kernels) is sent SIGKILL while notebooks run, or SIGTERM while the national tables are
being built.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow.parquet as pq
import pytest

from npo_analysis.batch.manifest import read_manifest
from tests.trust_support import (
    NOTEBOOK,
    PARAMS,
    YEAR,
    PageElements,
    run_batch,
    start_npo,
    stop_group,
    without_timestamps,
    write_demoland,
)


def _wait_for(condition, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the batch never reached the point to interrupt"
        time.sleep(0.2)


def _runs(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and p.name[0].isdigit())


def _first_report_exists(out: Path, before: list[Path]) -> bool:
    new = [r for r in _runs(out) if r not in before] if out.is_dir() else []
    return any((r / "reports").glob("GM*.html") for r in new)


def _tables_started(out: Path) -> bool:
    return (out / "tables").is_dir() and any((out / "tables").iterdir())


def _assert_complete_files(folder: Path) -> None:
    """Every visible file under ``folder`` is whole: pages end properly, notebooks and
    manifests parse, Parquet files read."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in
                                     path.relative_to(folder).parts):
            continue
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8")
            assert page.rstrip().endswith("</html>"), f"{path}: partial page"
            PageElements(page)
        elif path.suffix == ".ipynb":
            nbformat.read(path, as_version=4)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".parquet":
            pq.read_table(path)


def _assert_resumed_run_is_complete(out: Path, codes: list[str]) -> dict:
    run = (out / "latest").resolve()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    status = {r["code"]: r["status"] for r in manifest["reports"] if r["kind"] == "municipality"}
    assert status == {code: "ok" for code in codes}
    assert sorted(p.stem for p in (run / "reports").glob("GM*.html")) == codes
    leftovers = [p.name for p in run.rglob("*") if ".tmp" in p.name]
    assert leftovers == [], f"temporary files left in the finished run: {leftovers}"
    _assert_complete_files(run)
    _assert_complete_files(out / "tables")
    return manifest


@pytest.fixture
def tiny(tmp_path) -> tuple[Path, list[str]]:
    data = write_demoland(tmp_path / "data", "tiny")
    codes = sorted(pd.read_parquet(data / "municipalities.parquet")["municipality_code"])
    return data, codes


def _start(data: Path, out: Path, log: Path, *options):
    return start_npo("reports", "--data", data, "--out", out, "--year", YEAR, "--params", PARAMS,
                     "--notebook", NOTEBOOK, "--workers", 2, "--quiet", *options, log=log)


@pytest.mark.slow
def test_sigkill_while_notebooks_run_then_resume(tiny, tmp_path):
    data, codes = tiny
    out = tmp_path / "out"
    first = run_batch(data, out, "--municipality", codes[0], "--municipality", codes[1])
    assert first.returncode == 0, first.stderr[-2000:]
    good = (out / "latest").resolve()
    before = _runs(out)
    batch = _start(data, out, tmp_path / "killed.log", "--all", "--resume")
    try:
        _wait_for(lambda: _first_report_exists(out, before))
    finally:
        stop_group(batch, signal.SIGKILL)
    [killed] = [r for r in _runs(out) if r not in before]
    assert (out / "latest").resolve() == good, "latest moved to an unfinished run"
    _assert_complete_files(killed)
    _assert_complete_files(good)
    resumed = run_batch(data, out, "--all", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    manifest = _assert_resumed_run_is_complete(out, codes)
    assert manifest["counts"]["reused"] >= 2  # the two reports of the first, finished run


@pytest.mark.slow
def test_sigterm_while_tables_are_built_then_resume(tiny, tmp_path):
    data, codes = tiny
    out = tmp_path / "out"
    batch = _start(data, out, tmp_path / "killed.log", "--all")
    try:
        _wait_for(lambda: _tables_started(out))
    finally:
        stop_group(batch, signal.SIGTERM)
    assert not (out / "latest").exists()
    _assert_complete_files(out)
    resumed = run_batch(data, out, "--all", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    _assert_resumed_run_is_complete(out, codes)


def _reports_done(run_dir: Path, n: int) -> bool:
    manifest = read_manifest(run_dir)
    return manifest is not None and len(manifest.get("reports", [])) >= n


@pytest.mark.slow
def test_a_killed_batch_resumes_its_finished_reports(tiny, tmp_path):
    """Issue 14.4: SIGKILL after some reports, --resume reuses them, the pages equal a clean
    run's (apart from the timestamp line); the killed folder is listed, then cleaned."""
    data, codes = tiny
    out = tmp_path / "out"
    batch = _start(data, out, tmp_path / "killed.log", "--all", "--no-overviews")
    try:
        _wait_for(lambda: out.is_dir() and any(_reports_done(r, 2) for r in _runs(out)))
    finally:
        stop_group(batch, signal.SIGKILL)
    [killed] = _runs(out)
    partial = read_manifest(killed)
    assert partial["complete"] is False and not (out / "latest").exists()
    finished = {r["code"] for r in partial["reports"] if r["status"] == "ok"}
    assert len(finished) >= 2
    resumed = run_batch(data, out, "--all", "--no-overviews", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"interrupted run folder(s) in {out}: {killed.name}" in resumed.stdout
    manifest = read_manifest(out / "latest")
    assert manifest["complete"] is True and len(manifest["reports"]) == len(codes)
    reused = {r["code"] for r in manifest["reports"] if r["reused_from"] == killed.name}
    assert reused >= finished
    clean = run_batch(data, tmp_path / "clean", "--all", "--no-overviews")
    assert clean.returncode == 0
    for code in codes:
        pages = [without_timestamps((root / "latest" / "reports" / f"{code}.html")
                                    .read_text(encoding="utf-8"))
                 for root in (out, tmp_path / "clean")]
        assert pages[0] == pages[1], code
    cleaned = run_batch(data, out, "--municipality", codes[0], "--clean-incomplete")
    assert f"removed 1 interrupted run folder(s): {killed.name}" in cleaned.stdout
    assert not killed.exists()
