"""Time of the learning-delay model: one municipality's fit, the national fit, a cold first fit.

Usage: ``python benchmarks/delay_speed.py [--profile small] [--municipalities 20] [--runs 5]``.

A municipality report fits the model once on its own schools (``estimate_delays(rows,
by_grade=False, growth=national_growth)``: one fit per test domain); the national fit runs once
per batch. Prints the median seconds of a municipality fit (over the first ``--municipalities``
municipalities with test results, each timed ``--runs`` times, median per municipality, then the
median and the largest of those), the median of the national fit, and the time a fresh process
takes to import :mod:`npo_analysis.domain.delays` and make its first municipality fit (the import of
the statistics libraries included), as ``name=seconds`` lines. BLAS runs on one thread, as in the
batch's report kernels (:data:`npo_analysis.batch.kernel.THREAD_VARIABLES`), unless the
environment says otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COLD = """
import sys, time
from npo_analysis.data.demoland import generate
data = generate(sys.argv[1], seed=int(sys.argv[2]))
tests, schools = data["test_results"], data["schools"]
code = sys.argv[3]
rows = tests[tests["school_id"].isin(schools.loc[schools["municipality_code"] == code,
                                                 "school_id"])]
start = time.perf_counter()
from npo_analysis.domain import delays
delays.estimate_delays(rows, by_grade=False, growth=delays.expected_growth(tests))
print(time.perf_counter() - start)
"""


def median_time(function, runs: int) -> float:
    """Median wall time of ``function()`` over ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="small")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--municipalities", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # before numpy loads; the cold runs inherit it

    from npo_analysis.data.demoland import generate
    from npo_analysis.domain import delays

    data = generate(args.profile, seed=args.seed)
    tests, schools = data["test_results"], data["schools"]
    growth = delays.expected_growth(tests)
    codes = sorted(schools.loc[schools["school_id"].isin(tests["school_id"]),
                               "municipality_code"].unique())[: args.municipalities]
    per_municipality, sizes = [], []
    for code in codes:
        rows = tests[tests["school_id"].isin(
            schools.loc[schools["municipality_code"] == code, "school_id"])]
        sizes.append(len(rows))
        per_municipality.append(median_time(
            lambda rows=rows: delays.estimate_delays(rows, by_grade=False, growth=growth),
            args.runs))
    national = median_time(
        lambda: delays.estimate_delays(tests, by_grade=False, growth=growth), args.runs)
    cold = [float(subprocess.run([sys.executable, "-c", COLD, args.profile, str(args.seed),
                                  codes[0]], check=True, capture_output=True, text=True
                                 ).stdout.split()[-1]) for _ in range(3)]
    print(f"municipalities={len(codes)} rows_median={statistics.median(sizes):.0f}")
    print(f"municipality_fit_median={statistics.median(per_municipality):.4f}")
    print(f"municipality_fit_max={max(per_municipality):.4f}")
    print(f"national_fit_median={national:.4f}")
    print(f"cold_import_and_first_fit_median={statistics.median(cold):.4f}")


if __name__ == "__main__":
    main()
