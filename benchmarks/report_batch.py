"""Benchmark of the report batch: national Demoland, national tables, every municipality report.

Steps, each in a child process (so that peak memory can be measured):

1. ``npo-analysis demo --profile PROFILE`` into ``--work`` (skipped when the dataset exists);
2. ``npo-analysis national`` into the batch's table cache ``<out>/tables/<key>`` (timed);
3. ``npo-analysis reports`` with the default executor (``local``, one worker per core, each with
   a warm kernel of the ``npo-warm`` engine) over all municipalities (or the first
   ``--municipalities N``), reusing those tables.

Prints the wall time of each step, the median seconds per report (from the manifest: the time one
worker spends on one report: kernel reset, execution, HTML export; the first report of a worker
also pays its kernel's start), the peak memory per step (the sum of the resident set sizes of
the step's whole process tree, polled from /proc: workers and kernels together), and report
sizes.

Usage::

    python benchmarks/report_batch.py                      # national, every municipality
    python benchmarks/report_batch.py --municipalities 8   # a quick sample
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from batch_speed import run_measured  # benchmarks/ is this script's directory: on sys.path

ROOT = Path(__file__).resolve().parents[1]


def run_child(command: str, args: list[str]) -> tuple[float, float]:
    """Run ``npo-analysis <command> <args>`` in a child process.

    Returns
    -------
    (float, float)
        Wall time in seconds and the peak resident memory in MiB of the step's process tree
        (the child and its descendants: workers, kernels), see ``batch_speed.run_measured``.
    """
    code = f"from npo_analysis.cli.{command} import command; command()"
    seconds, peak, output = run_measured([sys.executable, "-c", code, *args])
    print(output.strip().splitlines()[-1] if output.strip() else "", flush=True)
    return seconds, peak


def sample_codes(data: Path, n: int | None) -> list[str]:
    """The first ``n`` municipality codes of the dataset (all when ``n`` is None)."""
    import pandas as pd

    codes = sorted(pd.read_parquet(data / "municipalities.parquet")["municipality_code"])
    return codes if n is None else codes[:n]


def tables_dir(data: Path, out: Path) -> Path:
    """The cache directory the batch uses for these inputs (see npo_analysis.batch.runner)."""
    from npo_analysis.hashing import json_sha256
    from npo_analysis.national.tables import national_inputs

    return out.resolve() / "tables" / json_sha256(national_inputs(data.resolve(),
                                                                  ROOT / "params"))[:16]


def summarise(out: Path, steps: dict[str, tuple[float, float]]) -> None:
    """Print the figures of the steps and of the run ``out/latest``."""
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    executed = [r for r in manifest["reports"] if r["reused_from"] is None]
    durations = [r["duration_s"] for r in executed if r["kind"] == "municipality"]
    sizes = [r["html_bytes"] for r in manifest["reports"]
             if r["kind"] == "municipality" and r["html_bytes"]]
    print(f"{'step':<28}{'wall':>10}{'peak memory':>16}")
    for step, (seconds, mib) in steps.items():
        print(f"{step:<28}{seconds:8.1f} s{mib:12.0f} MiB")
    print(f"{'reports (ok / failed)':<28}{manifest['counts']['ok']:>6} / "
          f"{manifest['counts']['failed']}  (workers {manifest['workers']}, "
          f"{len(executed)} notebooks executed incl. the national ones)")
    if durations:
        print(f"{'median s per report':<28}{statistics.median(durations):8.1f} s "
              f"(min {min(durations):.1f}, max {max(durations):.1f}; one worker)")
        print(f"{'wall s per notebook':<28}{steps['reports'][0] / len(executed):8.1f} s")
    if sizes:
        print(f"{'report size median / max':<28}{statistics.median(sizes) / 1e6:8.2f} / "
              f"{max(sizes) / 1e6:.2f} MB (limit 1.5 MB)")


def tables_and_reports(data: Path, out: Path, municipalities: int | None,
                       workers: int | None) -> dict:
    """Run ``npo-analysis national`` then ``npo-analysis reports`` in child processes.

    Returns the two steps' measurements (``"national tables"``, ``"reports"``) for
    :func:`summarise`; ``municipalities`` limits the batch to the first N codes (all when None).
    """
    steps = {"national tables": run_child("national", ["--data", str(data), "--out",
                                                        str(tables_dir(data, out))])}
    args = ["--data", str(data), "--out", str(out), "--quiet"]
    args += [a for code in sample_codes(data, municipalities)
             for a in ("--municipality", code)] if municipalities else ["--all"]
    args += ["--workers", str(workers)] if workers else []
    steps["reports"] = run_child("reports", args)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="national", choices=["tiny", "small", "national"])
    parser.add_argument("--municipalities", type=int, default=None,
                        help="only the first N municipalities (default: all)")
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "benchmark")
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    data, out = options.work / "data" / options.profile, options.work / "reports"
    steps = {}
    if not (data / "dataset.json").is_file():
        steps["demo data"] = run_child("demo", ["--profile", options.profile, "--out",
                                          str(data), "--quiet"])
    steps.update(tables_and_reports(data, out, options.municipalities, options.workers))
    print(f"cores: {os.cpu_count()}; profile {options.profile}; timings are wall-clock and "
          "noisy on a shared machine")
    summarise(out, steps)


if __name__ == "__main__":
    main()
