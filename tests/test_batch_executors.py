"""The executors behind one interface: serial, local process pool and Dask (LocalCluster on
127.0.0.1), and a small batch of reports on Dask."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest

from npo_analysis.batch import run_reports
from npo_analysis.batch.executors import EXECUTORS, get_executor

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
PROJECT_PARAMS = Path(__file__).resolve().parents[1] / "params"
JOBS = [0.0, 1.0, 4.0, 9.0, 16.0]


def test_every_executor_is_registered_by_name():
    assert sorted(EXECUTORS) == ["dask", "local", "serial"]


@pytest.mark.parametrize("name", ["serial", "local"])
def test_executor_yields_every_result(name):
    with get_executor(name, workers=2) as executor:
        results = list(executor.run(math.sqrt, JOBS))
    assert sorted(results) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_local_is_a_pool_of_worker_processes():
    from npo_analysis.batch.executors import LocalProcessExecutor

    with get_executor("local", workers=2) as executor:
        assert isinstance(executor, LocalProcessExecutor)
        pids = set(executor.run(_pid, range(8)))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def _pid(_job) -> int:
    return os.getpid()


def test_dask_local_cluster_on_loopback_yields_every_result():
    pytest.importorskip("distributed")
    with get_executor("dask", workers=1) as executor:
        addresses = list(executor._client.scheduler_info()["workers"])
        results = list(executor.run(math.sqrt, JOBS))
        assert executor.worker_threads == 1
    assert sorted(results) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert addresses and all(a.startswith("tcp://127.0.0.1:") for a in addresses)


def test_bad_executor_options_are_refused():
    with pytest.raises(ValueError, match=r"executor='pool': expected one of \['dask', 'local'"):
        get_executor("pool")
    with pytest.raises(ValueError, match="workers=0: expected a whole number >= 1"):
        get_executor("local", workers=0)
    with pytest.raises(ValueError, match="only the dask executor takes a scheduler"):
        get_executor("local", scheduler="tcp://127.0.0.1:8786")


@pytest.mark.slow
def test_reports_on_a_local_dask_cluster(tmp_path):
    pytest.importorskip("distributed")
    from npo_analysis.data.dataset import write_dataset
    from npo_analysis.data.demoland import generate

    dataset = generate("tiny", 11)
    write_dataset(dataset, tmp_path / "data")
    shutil.copytree(PROJECT_PARAMS, tmp_path / "params")
    codes = sorted(str(c) for c in dataset["municipalities"]["municipality_code"])[:2]
    summary = run_reports(tmp_path / "data", tmp_path / "out", year=2024, municipalities=codes,
                          executor="dask", workers=1, notebook=FIXTURES / "tiny_report.ipynb",
                          overview_notebooks=[], params_dir=tmp_path / "params", verbose=False)
    assert [(r.code, r.status) for r in summary.results] == [(c, "ok") for c in codes]
    manifest = json.loads(summary.manifest.read_text())
    assert manifest["executor"] == "dask" and manifest["scheduler"] is None
    for code in codes:
        assert "GOAB-budget: € " in (summary.run_dir / "reports" / f"{code}.html").read_text()
