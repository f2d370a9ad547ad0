"""The report batch on a tiny fixture notebook: parameters, failures, index, manifest, resume.

The fixture notebook (tests/fixtures/notebooks/tiny_report.ipynb) prints its parameters and the
municipality's GOAB budget, draws one figure, and raises ``ValueError`` for the codes listed in
the environment variable NPO_FIXTURE_FAIL (the kernel inherits the environment). Next to it,
``national_overview.ipynb`` is picked up as the batch's overview notebook.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from npo_analysis.batch import run_reports
from npo_analysis.batch.html import external_references
from npo_analysis.cli.reports import command as reports_command
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.formatting import format_eur

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "tiny_report.ipynb"
PROJECT_PARAMS = Path(__file__).resolve().parents[1] / "params"
YEAR = 2024


def _cli(root: Path, *args: str) -> object:
    """Run ``npo-analysis reports`` in ``root`` (data/, params/, out/ inside it)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(reports_command, [
            "--data", "data", "--out", "out", "--year", str(YEAR), "--params", "params",
            "--notebook", str(NOTEBOOK), "--quiet", *args])
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A first run over two municipalities on the local pool; the second one fails."""
    root = tmp_path_factory.mktemp("batch")
    dataset = generate("tiny", 11)
    write_dataset(dataset, root / "data")
    shutil.copytree(PROJECT_PARAMS, root / "params")
    good, bad = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])[:2]
    os.environ["NPO_FIXTURE_FAIL"] = bad
    try:
        result = _cli(root, "--municipality", bad, "--municipality", good, "--workers", "2")
    finally:
        del os.environ["NPO_FIXTURE_FAIL"]
    run_dir = (root / "out" / "latest").resolve()
    return {"root": root, "good": good, "bad": bad, "result": result, "run_dir": run_dir,
            "manifest": json.loads((run_dir / "manifest.json").read_text())}


def _entry(manifest: dict, code: str) -> dict:
    return next(r for r in manifest["reports"] if r["code"] == code)


def test_one_failure_does_not_stop_the_others_and_exit_code_is_1(first):
    result, manifest = first["result"], first["manifest"]
    assert result.exit_code == 1, result.output
    statuses = {r["code"]: r["status"] for r in manifest["reports"]}
    assert statuses == {first["good"]: "ok", first["bad"]: "failed", "national_overview": "ok"}
    failed = _entry(manifest, first["bad"])
    assert failed["error"] == f"ValueError: gemeente {first['bad']} is kapot gemaakt"
    assert (first["run_dir"] / failed["notebook"]).is_file() and failed["html"] is None
    assert f"failed: {first['bad']}" in result.output
    assert f"index: {first['run_dir'] / 'index.html'}" in result.output


def test_parameters_are_injected(first):
    good, root = first["good"], first["root"]
    page = (first["run_dir"] / "reports" / f"{good}.html").read_text()
    expected = {"code": good, "year": YEAR, "language": "nl", "peers": []}
    assert f"parameters: {json.dumps(expected)}" in html.unescape(page)  # printed, escaped
    assert _entry(first["manifest"], good)["parameters"] == {
        "municipality_code": good, "year": YEAR, "language": "nl",
        "data_dir": str((root / "data").resolve()), "params_dir": str((root / "params").resolve()),
        "results_dir": first["manifest"]["tables_dir"]}


def test_report_shows_the_municipality_budget(first):
    good = first["good"]
    tables = Path(first["manifest"]["tables_dir"])
    frame = pd.read_parquet(tables / "budgets" / str(YEAR) / "municipality_budgets.parquet")
    goab = frame.loc[frame["municipality_code"] == good, "goab_cents"].item() / 100
    page = (first["run_dir"] / "reports" / f"{good}.html").read_text()
    assert f"GOAB-budget: {format_eur(goab)}" in page
    assert external_references(page) == []


def test_manifest_records_hashes_versions_and_durations(first):
    manifest, run_dir = first["manifest"], first["run_dir"]
    assert manifest["run_id"] == run_dir.name
    assert set(manifest["versions"]) == {"npo-analysis", "pandas", "numpy", "statsmodels",
                                         "papermill", "nbconvert"}
    assert len(manifest["data_hash"]) == 64 and len(manifest["params_hash"]) == 64
    assert manifest["counts"] == {"ok": 2, "failed": 1, "reused": 0}
    assert manifest["executor"] == "local" and manifest["workers"] == 2
    for entry in manifest["reports"]:
        assert entry["duration_s"] > 0
        if entry["status"] == "ok":
            data = (run_dir / entry["html"]).read_bytes()
            assert entry["html_sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["html_bytes"] == len(data)


def test_index_lists_reports_and_the_failure(first):
    good, bad = first["good"], first["bad"]
    page = (first["run_dir"] / "index.html").read_text()
    assert f'href="reports/{good}.html"' in page
    assert f'<a class="failed" href="notebooks/{bad}.ipynb">mislukt</a>' in page
    assert f"<code>ValueError: gemeente {bad} is kapot gemaakt</code>" in page
    assert 'href="reports/national_overview.html">Landelijk overzicht</a>' in page
    assert '<html lang="nl">' in page and external_references(page) == []
    assert "Let op: deze rapporten zijn gemaakt met de synthetische demodataset" in page


def test_latest_points_at_the_run_and_no_temporary_files_remain(first):
    out = first["root"] / "out"
    assert (out / "latest").is_symlink()
    assert os.readlink(out / "latest") == first["run_dir"].name
    assert [p for p in out.rglob("*") if p.name.startswith(".")] == []


def test_resume_copies_unchanged_reports(first):
    result = _cli(first["root"], "--municipality", first["good"], "--resume",
                  "--executor", "serial")
    assert result.exit_code == 0, result.output
    run_dir = (first["root"] / "out" / "latest").resolve()
    assert run_dir != first["run_dir"]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {r["code"]: r["reused_from"] for r in manifest["reports"]} == {
        first["good"]: first["run_dir"].name, "national_overview": first["run_dir"].name}
    name = f"reports/{first['good']}.html"
    assert (run_dir / name).read_bytes() == (first["run_dir"] / name).read_bytes()
    assert "2 of 2 reports made (2 reused), 0 failed" in result.output


@pytest.mark.slow
def test_resume_reruns_a_municipality_whose_params_file_changed(first):
    good, bad, root = first["good"], first["bad"], first["root"]
    override = root / "params" / "municipalities" / f"{good}.yaml"
    override.write_text(f'code: "{good}"\npeers: ["{bad}"]\n')
    try:
        summary = run_reports(root / "data", root / "out", year=YEAR, municipalities=[good],
                              resume=True, executor="serial", notebook=NOTEBOOK,
                              overview_notebooks=[], params_dir=root / "params", verbose=False)
    finally:
        override.unlink()
    [result] = summary.results
    assert result.status == "ok" and result.reused_from is None
    assert result.parameters["peers"] == [bad]
    expected = {"code": good, "year": YEAR, "language": "nl", "peers": [bad]}
    page = (summary.run_dir / result.html).read_text()
    assert f"parameters: {json.dumps(expected)}" in html.unescape(page)  # printed, escaped


def test_bad_input_fails_before_any_run(first):
    root = first["root"]
    common = dict(notebook=NOTEBOOK, params_dir=root / "params", verbose=False)
    runs_before = sorted(p.name for p in (root / "out").iterdir())
    with pytest.raises(ValueError, match="GM9999 not in the dataset; known codes"):
        run_reports(root / "data", root / "out", year=YEAR, municipalities=["GM9999"], **common)
    with pytest.raises(ValueError, match="executor='cluster'"):
        run_reports(root / "data", root / "out", year=YEAR, executor="cluster", **common)
    with pytest.raises(ValueError, match="only the dask executor takes a scheduler"):
        run_reports(root / "data", root / "out", year=YEAR, scheduler="tcp://127.0.0.1:1",
                    **common)
    with pytest.raises(ValueError, match="timeout=0"):
        run_reports(root / "data", root / "out", year=YEAR, timeout=0, **common)
    with pytest.raises(ValueError, match=r"year=1999.*budget years"):
        run_reports(root / "data", root / "out", year=1999, **common)
    with pytest.raises(FileNotFoundError, match="report notebook not found"):
        run_reports(root / "data", root / "out", year=YEAR,
                    **{**common, "notebook": FIXTURES / "missing.ipynb"})
    assert sorted(p.name for p in (root / "out").iterdir()) == runs_before
    both = _cli(root, "--municipality", first["good"], "--all")
    assert both.exit_code == 2 and "either --municipality" in both.output


# --- The batch's own process: light reading of notebooks, data and cached figures ---------------


def test_declared_parameters_equal_papermills_inspection():
    import papermill

    from npo_analysis.batch.runner import declared_parameters

    for notebook in (NOTEBOOK, Path(__file__).resolve().parents[1] / "notebooks"
                     / "municipality_report.ipynb"):
        assert declared_parameters(notebook) == frozenset(
            papermill.inspect_notebook(str(notebook)))


def _notebook(path: Path, source: str, tags=("parameters",)) -> Path:
    cell = {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source,
            "outputs": [], "execution_count": None}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


def test_declared_parameters_by_hand(tmp_path):
    from npo_analysis.batch.runner import declared_parameters

    source = "a = 1\nb: int = 2  # annotated\nc, d = 3, 4\nimport os\nif a:\n    e = 5\n"
    # top-level names only: a and b (c, d unpack a tuple; e is inside a block)
    assert declared_parameters(_notebook(tmp_path / "p.ipynb", source)) == {"a", "b"}
    assert declared_parameters(_notebook(tmp_path / "q.ipynb", "a = 1", tags=())) == set()
    with pytest.raises(ValueError, match=r"r\.ipynb: the parameters cell is not valid Python "
                                         r"\(line 2"):
        declared_parameters(_notebook(tmp_path / "r.ipynb", "a = 1\nb = = 2\n"))


def test_key_figures_are_kept_next_to_the_tables(first, monkeypatch):
    from npo_analysis.batch import index
    from npo_analysis.national.tables import load_national_tables

    tables_dir = Path(first["manifest"]["tables_dir"])
    path = tables_dir / index.FIGURES_DIR / f"key_figures_{YEAR}.json"
    assert path.is_file()  # written by the first run
    computed = index.key_figures(first["root"] / "data", load_national_tables(tables_dir), YEAR)
    monkeypatch.setattr(index, "key_figures", None)  # a second call must read the file
    records = index.cached_key_figures(first["root"] / "data", tables_dir, YEAR)
    assert len(records) == len(computed)
    for record, (_, row) in zip(records, computed.iterrows(), strict=True):
        assert record.keys() == set(computed.columns)
        for column, value in record.items():
            assert (value is None and pd.isna(row[column])) or value == row[column]


def test_index_from_records_equals_index_from_the_frame(first):
    from npo_analysis.batch import index
    from npo_analysis.national.tables import load_national_tables

    tables_dir = Path(first["manifest"]["tables_dir"])
    frame = index.key_figures(first["root"] / "data", load_national_tables(tables_dir), YEAR)
    frame.loc[frame.index[0], "score"] = float("nan")  # a missing figure, too
    results = [_Result(code, "ok") for code in frame["municipality_code"]]
    common = dict(year=YEAR, dataset={"name": "x", "count_date": "2025-02-01"}, run_id="r",
                  created="nu", version="0")
    assert index.render_index(index.figure_records(frame), results, **common) == \
        index.render_index(frame, results, **common)


class _Result:
    """The fields of a report result the index uses."""

    def __init__(self, code: str, status: str):
        self.code, self.name, self.status, self.kind = code, code, status, "municipality"
        self.html, self.notebook, self.error = f"reports/{code}.html", "n.ipynb", None


def test_a_batch_with_ready_tables_loads_no_pandas_papermill_or_nbformat_itself(first):
    import subprocess
    import sys

    root = first["root"]
    code = f"""
import sys
from npo_analysis.batch import run_reports
summary = run_reports({str(root / 'data')!r}, {str(root / 'out')!r}, year={YEAR},
                      municipalities=[{first['good']!r}], workers=1, notebook={str(NOTEBOOK)!r},
                      overview_notebooks=[], params_dir={str(root / 'params')!r}, verbose=False)
assert summary.exit_code == 0, summary.failed
print(sorted(m for m in ("pandas", "papermill", "nbformat", "nbconvert") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_missing_municipalities_table_is_named(tmp_path, first):
    from npo_analysis.errors import DatasetError

    data = tmp_path / "data"
    shutil.copytree(first["root"] / "data", data)
    (data / "municipalities.parquet").unlink()
    with pytest.raises(DatasetError, match=r"municipalities\.parquet: table 'municipalities' "
                                           r"is missing"):
        run_reports(data, tmp_path / "out", year=YEAR, notebook=NOTEBOOK, resume=True,
                    params_dir=first["root"] / "params", executor="serial", verbose=False)


def test_workbooks_are_asked_for_only_when_wanted_and_declared(tmp_path):
    import datetime as dt

    from npo_analysis.batch.runner import EXPORT_PARAMETER, _common_parameters, _Inputs

    def parameters(notebook: Path, workbooks: bool) -> dict:
        inputs = _Inputs(tmp_path / "data", tmp_path / "params", tmp_path / "tables", YEAR, "nl",
                         {}, "hash", dt.datetime(2026, 12, 1), tmp_path / "run", None, workbooks)
        return _common_parameters(notebook, inputs)

    report = Path(__file__).resolve().parents[1] / "notebooks" / "municipality_report.ipynb"
    assert parameters(report, True)[EXPORT_PARAMETER] == str(tmp_path / "run" / "reports")
    assert EXPORT_PARAMETER not in parameters(report, False)
    assert EXPORT_PARAMETER not in parameters(NOTEBOOK, True)  # it declares no export_dir


def test_no_empty_logs_are_left(first):
    logs = first["run_dir"] / "logs"
    assert not logs.exists() or all(p.stat().st_size > 0 for p in logs.iterdir())


def test_a_report_without_its_workbook_is_not_reused_for_one_with_it():
    from npo_analysis.batch.runner import _hashed

    one = {"municipality_code": "GM0001", "export_dir": "/out/20261201T120000Z/reports"}
    other_run = {"municipality_code": "GM0001", "export_dir": "/out/20261202T080000Z/reports"}
    assert _hashed(one) == _hashed(other_run)  # the run's folder does not count
    assert _hashed(one) != _hashed({"municipality_code": "GM0001"})  # a workbook does
