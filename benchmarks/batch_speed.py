"""Benchmark: the naive Papermill + nbconvert loop against ``npo-analysis reports`` (warm engine).

On the ``national`` Demoland, with the national tables (and national analyses) computed before
any timing, for the same first N municipalities (default 8):

(a) naive: per municipality the ``papermill`` command line (default engine, a new kernel), then
    ``jupyter nbconvert --to html --no-input``, one after the other;
(b) ``npo-analysis reports --workers W`` (default 2) for those municipalities, in one run (it
    also runs the two national notebooks and writes the index and manifest).

With ``--all`` it then runs (b) for every municipality. For each run it prints the wall time and
the peak memory of the whole process tree (the sum of the resident set sizes of the command and
all its descendants: workers and kernels, polled from /proc every 0.1 s). The last line is
``speedup=<naive wall / batch wall>``.

Timings are wall-clock on a shared machine: noisy. Run it a few times and quote the median.

Usage::

    python benchmarks/batch_speed.py                  # 8 municipalities, 2 workers
    python benchmarks/batch_speed.py --all            # also every municipality (342)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "municipality_report.ipynb"
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            continue
    return total


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run ``command``; return wall seconds, peak process-tree RSS in MiB, and its stdout."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=env)
    peak, done = [0], threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(child.pid))
            done.wait(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    output = child.communicate()[0]
    done.set()
    poller.join()
    seconds = time.perf_counter() - start
    if child.returncode not in (0, 1):  # 1: some reports failed; still measured
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}\n{output}")
    return seconds, peak[0] / 2**20, output


def prepare(data: Path, out: Path) -> Path:
    """Build the dataset when absent and the batch's national tables; return the tables dir."""
    if not (data / "dataset.json").is_file():
        subprocess.run([str(BIN / "npo-analysis"), "demo", "--profile", "national", "--out",
                        str(data), "--quiet"], cwd=ROOT, check=True)
    from npo_analysis.batch.runner import _tables

    tables, _ = _tables(data.resolve(), out.resolve(), ROOT / "params", 10, 0, verbose=False)
    return tables


def codes_of(data: Path, n: int | None) -> list[str]:
    """The first ``n`` municipality codes (all when ``n`` is None)."""
    import pandas as pd

    codes = sorted(pd.read_parquet(data / "municipalities.parquet")["municipality_code"])
    return codes if n is None else codes[:n]


def naive(codes: list[str], data: Path, tables: Path, work: Path, year: int) -> float:
    """(a): papermill, then nbconvert, per municipality; the total wall seconds."""
    work.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for code in codes:
        executed = work / f"{code}.ipynb"
        seconds, _, _ = run_measured([
            str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "municipality_code",
            code, "-p", "year", str(year), "-p", "data_dir", str(data), "-p", "results_dir",
            str(tables), "-p", "params_dir", str(ROOT / "params"), "--cwd",
            str(NOTEBOOK.parent), "--no-progress-bar"])
        converted, _, _ = run_measured([str(BIN / "jupyter"), "nbconvert", "--to", "html",
                                        "--no-input", str(executed)])
        total += seconds + converted
        print(f"  naive {code}: papermill {seconds:.1f} s + nbconvert {converted:.1f} s",
              flush=True)
    return total


def batch(codes: list[str] | None, data: Path, out: Path, workers: int,
          year: int) -> tuple[float, float, str]:
    """(b): one ``npo-analysis reports`` run; wall seconds, peak MiB, last output line."""
    selection = ["--all"] if codes is None else [a for c in codes for a in ("--municipality", c)]
    seconds, peak, output = run_measured([
        str(BIN / "npo-analysis"), "reports", "--data", str(data), "--out", str(out),
        "--workers", str(workers), "--year", str(year), "--quiet", *selection])
    lines = [line for line in output.splitlines() if "reports made" in line]
    return seconds, peak, lines[-1] if lines else output.strip()[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--all", action="store_true", help="also every municipality")
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "benchmark")
    options = parser.parse_args()
    data, out = options.work / "data" / "national", options.work / "speed"
    tables = prepare(data, out)
    codes = codes_of(data, options.municipalities)
    print(f"cores: {os.cpu_count()}; {len(codes)} municipalities; tables {tables}; "
          "wall-clock timings on a shared machine are noisy", flush=True)
    naive_s = naive(codes, data.resolve(), tables, options.work / "naive", options.year)
    print(f"(a) naive papermill + nbconvert CLI: {naive_s:.1f} s "
          f"({naive_s / len(codes):.1f} s per report)", flush=True)
    batch_s, peak, line = batch(codes, data.resolve(), out, options.workers, options.year)
    print(f"(b) npo-analysis reports --workers {options.workers}: {batch_s:.1f} s, peak "
          f"memory {peak:.0f} MiB ({line})", flush=True)
    if options.all:
        all_s, all_peak, all_line = batch(None, data.resolve(), out, options.workers,
                                          options.year)
        count = len(codes_of(data, None))
        print(f"(c) every municipality ({count}), --workers {options.workers}: {all_s:.1f} s "
              f"wall ({all_s / count:.2f} s per report), peak memory {all_peak:.0f} MiB "
              f"(target: 120 s, 6 GB; {all_line})", flush=True)
    print(f"speedup={naive_s / batch_s:.2f}")


if __name__ == "__main__":
    main()
