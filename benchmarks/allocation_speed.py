"""Benchmark: the full budget allocation of one year for a national-size synthetic country.

342 municipalities x 6,100 schools with random scores; times ``allocate_year`` (GOAB with a
phase-in from a previous year, NPO per school, NPO municipal grants) and prints the median of 5
runs. Target: median < 2 s. The timing runs in a child process so that its peak memory can be
read with ``resource.getrusage(RUSAGE_CHILDREN)``.

Usage: ``python benchmarks/allocation_speed.py``
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.domain.budgets import allocate_year
from npo_analysis.domain.params import load_params

PARAMS_DIR = Path(__file__).resolve().parents[1] / "params"
N_MUNICIPALITIES, N_SCHOOLS, YEAR, REPEATS, SEED = 342, 6_100, 2022, 5, 20261127
TARGET_SECONDS = 2.0


def synthetic_scores(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random school and municipality scores shaped roughly like the 2019 figures."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"GM{i:04d}" for i in range(1, N_MUNICIPALITIES + 1)])
    size = rng.lognormal(0, 1, N_MUNICIPALITIES)
    schools = pd.DataFrame({
        "school_id": [f"{i:04d}00" for i in range(N_SCHOOLS)],
        "municipality_code": rng.choice(codes, N_SCHOOLS, p=size / size.sum()),
        "pupils": rng.integers(40, 800, N_SCHOOLS),
        "score": np.round(rng.gamma(0.4, 400, N_SCHOOLS) * (rng.random(N_SCHOOLS) > 0.59), 2),
    })
    per_municipality = schools.groupby("municipality_code")[["pupils", "score"]].sum()
    municipalities = per_municipality.reindex(codes, fill_value=0).rename_axis(
        "municipality_code").reset_index()
    return schools, municipalities


def time_runs() -> list[float]:
    """Seconds per full allocation, ``REPEATS`` times."""
    params = load_params(YEAR, PARAMS_DIR)
    params = params.model_copy(update={
        "goab": params.goab.model_copy(update={"phase_in_max_change": 0.5})})
    schools, municipalities = synthetic_scores(SEED)
    previous_schools, previous_municipalities = synthetic_scores(SEED + 1)
    previous = allocate_year(previous_schools, previous_municipalities, params).municipalities
    previous = previous.rename(columns={"goab_cents": "budget_cents"})
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        allocate_year(schools, municipalities, params, previous)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    if "--child" in sys.argv:
        seconds = time_runs()
        print(f"runs_seconds={','.join(f'{s:.3f}' for s in seconds)}")
        print(f"median_seconds={statistics.median(seconds):.3f}")
        print(f"target_seconds={TARGET_SECONDS} met={statistics.median(seconds) < TARGET_SECONDS}")
        return
    print(f"allocation: {N_MUNICIPALITIES} municipalities x {N_SCHOOLS} schools, year {YEAR}, "
          f"median of {REPEATS}")
    subprocess.run([sys.executable, __file__, "--child"], check=True)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(f"peak_rss_mb={peak_kib / 1024:.0f}")


if __name__ == "__main__":
    main()
