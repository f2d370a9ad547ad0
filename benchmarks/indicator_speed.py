"""Speed and peak memory of ``compute_indicator`` (10 imputation rounds) on a national dataset.

Usage: ``python benchmarks/indicator_speed.py [DATASET_DIR] [--runs 3] [--rounds 10]``.

Without DATASET_DIR a national dataset is prepared first (not timed): Demoland
``generate("national")`` when the generator is available, else a numpy-made country of about
1.22 M pupils and 140,000 toddlers drawn from known coefficients (the indicator tests' fixture).
Each run is a fresh child process that reads the tables, times ``compute_indicator`` and reports
its own peak resident memory. Prints one line per run and, last,
``median_seconds=... peak_mb=...`` (median over runs; peak = largest). Target: 30 s, 4 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def national_dataset():
    """Demoland national when available, else the numpy-made country of the indicator tests."""
    try:
        from npo_analysis.data.demoland import generate
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from test_indicator_recovery import make_dataset

        return make_dataset(seed=1, n_municipalities=342, n_schools=6100,
                            pupils_per_school=200, n_toddlers=140_000)
    return generate("national", 20261127)


def child(directory: Path, rounds: int) -> None:
    """Run once in this process and print ``{"seconds": ..., "peak_mb": ...}``."""
    from npo_analysis.data.dataset import Dataset, DatasetInfo, read_raw_tables
    from npo_analysis.domain.indicator import compute_indicator

    tables = ["municipalities", "neighbourhoods", "schools", "pupils", "toddlers"]
    dataset = Dataset(DatasetInfo.from_file(directory / "dataset.json"),
                      read_raw_tables(directory, tables))
    start = time.perf_counter()
    compute_indicator(dataset, rounds=rounds, seed=0)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def run_once(directory: Path, rounds: int) -> dict:
    """One measurement in a child process."""
    output = subprocess.run(
        [sys.executable, __file__, str(directory), "--child", "--rounds", str(rounds)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(directory: Path, runs: int, rounds: int) -> None:
    """Print each run and the summary line."""
    results = []
    for i in range(runs):
        result = run_once(directory, rounds)
        results.append(result)
        print(f"run {i + 1}/{runs}: {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB",
              flush=True)
    median = statistics.median(r["seconds"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    print(f"median_seconds={median:.2f} peak_mb={peak:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, help="dataset directory")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.directory, args.rounds)
    elif args.directory is not None:
        measure(args.directory, args.runs, args.rounds)
    else:
        from npo_analysis.data.dataset import write_dataset

        with tempfile.TemporaryDirectory() as tmp:
            dataset = national_dataset()
            print(f"dataset {dataset.info.name}: {len(dataset['pupils'])} pupils, "
                  f"{len(dataset['toddlers'])} toddlers", flush=True)
            write_dataset(dataset, Path(tmp) / "national")
            del dataset
            measure(Path(tmp) / "national", args.runs, args.rounds)


if __name__ == "__main__":
    main()
