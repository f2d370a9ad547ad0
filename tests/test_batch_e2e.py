"""End to end with the real report notebook on the tiny Demoland, and plain Papermill.

The figures in each HTML report are checked against the library's figures for that
municipality, computed here from the national tables and formatted the Dutch way. (That the
committed notebooks carry no outputs is checked in test_notebooks_clean.py.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from npo_analysis.batch import run_reports
from npo_analysis.batch.html import MAX_REPORT_BYTES, external_references, section_links
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.formatting import format_count, format_eur, format_pct
from npo_analysis.national.tables import load_national_tables

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
BANNER = ("Let op: dit rapport is gemaakt met de synthetische demodataset Demoland; "
          "de cijfers zijn niet echt.")


def _row(page: str, label: str) -> str:
    """The municipality's own value (first figure column) of a key-figures row."""
    match = re.search(rf"<td>{re.escape(label)}</td>\s*<td>([^<]*)</td>", page)
    assert match, f"key figure {label!r} not found"
    return match.group(1)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    dataset = generate("tiny", 20261127)
    write_dataset(dataset, root / "data")
    params = Path(shutil.copytree(ROOT / "params", root / "params"))
    codes = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])
    return {"root": root, "data": root / "data", "params": params, "codes": codes}


@pytest.mark.slow
def test_every_tiny_municipality_with_one_broken(tiny):
    broken = tiny["codes"][-1]
    (tiny["params"] / "municipalities" / f"{broken}.yaml").write_text(
        f'code: "{broken}"\npeers: ["GM9999"]\n')  # a peer that is not in the dataset
    summary = run_reports(tiny["data"], tiny["root"] / "out", year=YEAR,
                          notebook=ROOT / "notebooks" / "municipality_report.ipynb",
                          params_dir=tiny["params"], workers=2, verbose=False)
    status = {r.code: r.status for r in summary.results}
    assert status == {**{c: "ok" for c in tiny["codes"]}, broken: "failed",
                      "national_overview": "ok", "explore_indicator": "ok"}
    [failure] = summary.failed
    assert failure.error.startswith("ReportParameterError: peers 'GM9999' is not in dataset")
    index = summary.index.read_text()
    assert f'<a class="failed" href="notebooks/{broken}.ipynb">mislukt</a>' in index
    tables = load_national_tables(summary.tables_dir)
    scores = tables.municipality_scores.set_index("municipality_code")
    budgets = tables.budgets(YEAR).municipalities.set_index("municipality_code")
    for code in tiny["codes"][:-1]:
        page = (summary.run_dir / "reports" / f"{code}.html").read_text()
        assert external_references(page) == [] and BANNER in page
        assert len(page.encode()) < MAX_REPORT_BYTES
        assert [a for a, _ in section_links(page)] == ["Data", "Duiden", "Doelen", "Doen"]
        s, b = scores.loc[code], budgets.loc[code]
        assert _row(page, "Leerlingen") == format_count(s["pupils"])
        share = s["target_children"] / (s["pupils"] + s["toddlers"])
        assert _row(page, "Aandeel doelgroepkinderen") == format_pct(share)
        assert _row(page, "GOAB-budget") == format_eur(b["goab_cents"] / 100)
        assert _row(page, "NPO-budget scholen") == format_eur(b["npo_schools_cents"] / 100)


@pytest.mark.slow
def test_plain_papermill_for_one_municipality(tiny, tmp_path):
    code = tiny["codes"][0]
    out = tmp_path / "out.ipynb"
    papermill = str(Path(sys.executable).with_name("papermill"))
    missing = subprocess.run(
        [papermill, str(ROOT / "notebooks" / "municipality_report.ipynb"), str(out),
         "-p", "municipality_code", code, "-p", "data_dir", str(tiny["data"]),
         "-p", "results_dir", str(tmp_path / "tables"), "-p", "params_dir", str(tiny["params"]),
         "--cwd", str(ROOT / "notebooks")], capture_output=True, text=True, timeout=600)
    assert missing.returncode != 0  # a report never computes the national tables: it says so
    assert "holds no national tables; build them first with `npo-analysis national" in (
        missing.stderr)
    subprocess.run([str(Path(sys.executable).with_name("npo-analysis")), "national", "--data",
                    str(tiny["data"]), "--out", str(tmp_path / "tables"), "--params",
                    str(tiny["params"])], check=True, capture_output=True, timeout=600)
    command = [papermill,
               str(ROOT / "notebooks" / "municipality_report.ipynb"), str(out),
               "-p", "municipality_code", code, "-p", "year", str(YEAR),
               "-p", "data_dir", str(tiny["data"]), "-p", "results_dir", str(tmp_path / "tables"),
               "-p", "params_dir", str(tiny["params"]), "--cwd", str(ROOT / "notebooks")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    notebook = nbformat.read(out, as_version=4)
    text = "".join(str(o.get("data", o.get("text", ""))) for c in notebook.cells
                   if c.cell_type == "code" for o in c.outputs)
    goab = load_national_tables(tmp_path / "tables").budgets(YEAR, code).municipalities
    assert format_eur(goab["goab_cents"].item() / 100) in text
