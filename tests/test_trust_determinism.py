"""Determinism (issue 8.4): the same inputs give byte-identical Parquet outputs and HTML that
differs only in the line saying when it was made.

Each command runs twice, in separate subprocesses and into separate folders (so no cache is
shared), and the two outputs are compared file by file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.trust_support import PARAMS, SEED, YEAR, npo, run_batch, shared_batch, without_timestamps


def _files(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob(pattern)) if p.is_file()}


def _ok(done) -> None:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _pipeline(root: Path) -> Path:
    """demo -> indicator -> allocate into ``root``; each step from the command line."""
    _ok(npo("demo", "--profile", "tiny", "--seed", SEED, "--out", root / "data", "--quiet"))
    _ok(npo("indicator", "--data", root / "data", "--out", root / "scores", "--rounds", 2))
    _ok(npo("allocate", "--data", root / "data", "--scores", root / "scores", "--year", YEAR,
            "--params", PARAMS, "--out", root / "budgets"))
    return root


@pytest.fixture(scope="module")
def two_pipelines(tmp_path_factory) -> tuple[Path, Path]:
    return (_pipeline(tmp_path_factory.mktemp("first")),
            _pipeline(tmp_path_factory.mktemp("second")))


@pytest.mark.parametrize("step", ["data", "scores", "budgets"])
def test_parquet_outputs_are_identical(two_pipelines, step):
    first, second = (_files(root / step, "*.parquet") for root in two_pipelines)
    assert first, f"{step}: no Parquet output"
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == [], f"{step}: files differ between two runs: {different}"


@pytest.mark.slow
def test_two_report_batches_differ_only_in_their_timestamp(tmp_path_factory, tmp_path):
    first = shared_batch(tmp_path_factory, "tiny")
    data = first.parents[1] / "data"
    _ok(run_batch(data, tmp_path / "out", "--all"))
    second = (tmp_path / "out" / "latest").resolve()
    pages = _files(first, "*.html")
    assert sorted(pages) == sorted(_files(second, "*.html")) and len(pages) > 3
    for name in pages:
        a = (first / name).read_text(encoding="utf-8")
        b = (second / name).read_text(encoding="utf-8")
        assert without_timestamps(a) == without_timestamps(b), f"{name} differs"
        assert len(a.splitlines()) - len(without_timestamps(a)) == 1, f"{name}: timestamp lines"
    tables = [first.parent / "tables", second.parent / "tables"]
    first_tables, second_tables = (_files(t, "*.parquet") for t in tables)
    assert first_tables and first_tables == second_tables
