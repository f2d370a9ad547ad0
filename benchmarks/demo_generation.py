"""Benchmark: generate the national Demoland profile in child processes; print time and memory.

Each repeat runs in a fresh child process (so imports and peak memory are measured per run).
Prints per run the generation seconds, the seconds to write the dataset, and the child's peak
resident memory (``ru_maxrss``); then ``median_seconds=... peak_mb=...`` and the calibration
statistics of the generated dataset next to the real 2019 figures.

Targets: generation within 60 s and 4 GB peak memory on a 2-core machine. Timings on a shared
machine are noisy: compare medians.

Usage: ``python benchmarks/demo_generation.py [--profile national] [--seed N] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys

CHILD = """
import json, resource, sys, tempfile, time
from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.data.demoland.calibration import format_statistics, statistics
profile, seed, with_stats = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
start = time.perf_counter()
dataset = generate(profile, seed)
seconds = time.perf_counter() - start
start = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    write_dataset(dataset, tmp + "/demo")
write_seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
report = {"seconds": seconds, "write_seconds": write_seconds, "peak_mb": peak_mb,
          "pupils": len(dataset["pupils"]), "schools": len(dataset["schools"])}
if with_stats:
    report["statistics"] = format_statistics(statistics(dataset))
print(json.dumps(report))
"""


def run_child(profile: str, seed: int, with_stats: bool) -> dict:
    """Generate once in a fresh Python process and return its report."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, profile, str(seed), "1" if with_stats else "0"],
        check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse the options, run the repeats and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="national", choices=["tiny", "small", "national"])
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats={args.repeats} must be >= 1")
    runs = []
    for k in range(args.repeats):
        report = run_child(args.profile, args.seed, with_stats=(k == 0))
        runs.append(report)
        print(f"run {k + 1}: generate {report['seconds']:.2f} s, write "
              f"{report['write_seconds']:.2f} s, peak {report['peak_mb']:.0f} MB "
              f"({report['pupils']:,} pupils, {report['schools']:,} schools)", flush=True)
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\ncalibration statistics ({args.profile}, seed {args.seed}):")
    print(runs[0]["statistics"])
    print(f"\nmax ru_maxrss over children (RUSAGE_CHILDREN): {children_peak:.0f} MB")
    median = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    print(f"median_seconds={median:.2f} peak_mb={peak:.0f}")


if __name__ == "__main__":
    main()
