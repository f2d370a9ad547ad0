"""Benchmark: the naive Papermill + nbconvert loop against ``npo-analysis reports`` (warm engine).

On the ``national`` Demoland, with the national tables (and national analyses) computed before
any timing, for the same first N municipalities (default 8), in one run of this script:

(a) naive: per municipality the ``papermill`` command line (default engine, a new kernel), then
    ``jupyter nbconvert --to html --no-input``, one after the other;
(b) ``npo-analysis reports --workers W --no-overviews --no-workbooks`` (default 2 workers)
    for those municipalities: what (a) makes, an executed notebook and an HTML page per
    municipality (and the batch's index and manifest on top);
(b') the same with the Excel workbooks the batch writes by default (``--workbooks``), which
    (a) does not make: printed for comparison.

``--repeat R`` runs each R times (default 3) and the figures are medians. With ``--all`` it then
runs the whole job for every municipality (``npo-analysis reports --all``, the two national
notebooks included). With ``--dask-rerun`` it also starts a Dask scheduler and two
single-threaded workers on 127.0.0.1 and runs (b) on them twice: the second run finds warm
kernels, as a researcher's rerun on a long-lived cluster does.

For each run it prints the wall time and the peak memory of the whole process tree (the sum of
the resident set sizes of the command and all its descendants: workers and kernels, polled from
/proc every 0.05 s). For (b) it also prints the CPU seconds of the command's own process, of
the worker processes and of their kernels (user + system time from /proc, the last value seen
before each process ended: at most one polling interval is missed per process), and how many
cores that kept busy on average: the batch is bound by CPU when that is close to the number of
cores. Every command runs with one BLAS/OpenMP thread (as ``make`` sets it). The
last line is ``speedup=<median naive wall / median batch wall>`` for the N municipalities.

Targets on the project's 2-core machine: ``speedup`` at least 8 with ``--municipalities 32``;
with ``--all`` the whole country within 240 s wall and 6 GB peak.

Timings are wall-clock on a shared machine: noisy, hence the medians.

Usage::

    python benchmarks/batch_speed.py                      # 8 municipalities, 2 workers
    python benchmarks/batch_speed.py --municipalities 40  # a larger sample
    python benchmarks/batch_speed.py --all --dask-rerun   # also every municipality, and Dask
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "municipality_report.ipynb"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
POLL_S = 0.05
#: The environment of every measured command: one thread per numerical library, as the
#: Makefile sets it (the batch parallelises over processes; so does nothing in the naive loop).
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "MKL_NUM_THREADS": "1"}


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


def _kind(pid: int, root: int) -> str:
    """``command``, ``worker`` (a spawned worker process), ``kernel`` (an IPython kernel) or
    ``other``."""
    if pid == root:
        return "command"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return "other"
    return ("kernel" if b"ipykernel" in command else
            "worker" if b"multiprocessing" in command else "other")


def tree_sample(pid: int, cpu: dict) -> int:
    """Resident bytes of ``pid`` and all its descendants; records each process's CPU seconds
    so far in ``cpu`` (pid -> (kind, seconds))."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{current}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        kind = cpu[current][0] if current in cpu else _kind(current, pid)
        cpu[current] = (kind, (int(fields[11]) + int(fields[12])) / TICKS)
    return total


def cpu_by_kind(cpu: dict) -> dict[str, float]:
    """CPU seconds per process kind (from :func:`tree_sample`'s record)."""
    totals: dict[str, float] = {}
    for kind, seconds in cpu.values():
        totals[kind] = totals.get(kind, 0.0) + seconds
    return totals


def run_measured(command: list[str], env: dict | None = None,
                 cpu: dict | None = None) -> tuple[float, float, str]:
    """Run ``command``; return wall seconds, peak process-tree RSS in MiB, and its stdout.

    ``cpu``, when given, receives the CPU seconds of every process of the tree (see
    :func:`tree_sample`).
    """
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=env or ENV)
    peak, done, seen = [0], threading.Event(), {} if cpu is None else cpu

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_sample(child.pid, seen))
            done.wait(POLL_S)

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
    return total


def batch(codes: list[str] | None, data: Path, out: Path, workers: int, year: int,
          extra: tuple[str, ...] = (), cpu: list | None = None) -> tuple[float, float, str]:
    """(b): one ``npo-analysis reports`` run; wall seconds, peak MiB, its summary line.

    ``cpu``, when given, gets the run's CPU seconds per process kind appended.
    """
    selection = ["--all"] if codes is None else [a for c in codes for a in ("--municipality", c)]
    record: dict = {}
    seconds, peak, output = run_measured([
        str(BIN / "npo-analysis"), "reports", "--data", str(data), "--out", str(out),
        "--workers", str(workers), "--year", str(year), "--quiet", *extra, *selection],
        cpu=record)
    if cpu is not None:
        cpu.append({**cpu_by_kind(record), "wall": seconds})
    lines = [line for line in output.splitlines() if "reports made" in line]
    return seconds, peak, lines[-1] if lines else output.strip()[-300:]


def cpu_line(runs: list[dict]) -> str:
    """Median CPU seconds per process kind over ``runs``, and the mean busy cores."""
    labels = {"command": "the command", "worker": "workers", "kernel": "kernels",
              "other": "other processes"}
    total = statistics.median(sum(r.get(k, 0.0) for k in labels) for r in runs)
    busy = statistics.median(sum(r.get(k, 0.0) for k in labels) / r["wall"] for r in runs)
    parts = [f"{label} {statistics.median(r.get(kind, 0.0) for r in runs):.2f}"
             for kind, label in labels.items() if any(kind in r for r in runs)]
    return (f"    CPU seconds (medians): {', '.join(parts)}; total {total:.2f}: {busy:.2f} of "
            f"{os.cpu_count()} cores busy on average")


def repeated(label: str, repeat: int, measure) -> tuple[float, float, str]:
    """Run ``measure()`` (returning seconds, peak MiB, note) ``repeat`` times; print each run,
    return the median seconds, the largest peak and the last note."""
    runs = []
    for i in range(repeat):
        runs.append(measure())
        print(f"  {label} run {i + 1}: {runs[-1][0]:.1f} s, peak {runs[-1][1]:.0f} MiB",
              flush=True)
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-threaded worker processes on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": ENV,
             "cwd": ROOT}
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--dashboard-address", ":0"], **quiet)
    worker = subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers",
                               str(workers), "--nthreads", "1", "--no-dashboard"], **quiet)
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--all", action="store_true", help="also every municipality")
    parser.add_argument("--dask-rerun", action="store_true",
                        help="also (b) twice on a local Dask cluster (the second run warm)")
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "benchmark")
    options = parser.parse_args()
    data, out = (options.work / "data" / "national").resolve(), options.work / "speed"
    tables = prepare(data, out)
    codes = codes_of(data, options.municipalities)
    print(f"cores: {os.cpu_count()}; {len(codes)} municipalities; tables {tables}; "
          f"medians of {options.repeat} runs; wall-clock timings on a shared machine are noisy",
          flush=True)
    naive_s, _, _ = repeated("(a) naive", options.repeat, lambda: (
        naive(codes, data, tables, options.work / "naive", options.year), 0.0, ""))
    print(f"(a) naive papermill + nbconvert CLI: {naive_s:.1f} s "
          f"({naive_s / len(codes):.2f} s per report)", flush=True)
    cpu_runs: list[dict] = []
    same = ("--no-overviews", "--no-workbooks")
    batch_s, peak, line = repeated("(b) batch", options.repeat, lambda: batch(
        codes, data, out, options.workers, options.year, same, cpu_runs))
    print(f"(b) npo-analysis reports --workers {options.workers} {' '.join(same)}: "
          f"{batch_s:.1f} s ({batch_s / len(codes):.2f} s per report), peak memory {peak:.0f} "
          f"MiB ({line})", flush=True)
    print(cpu_line(cpu_runs), flush=True)
    books_s, _, _ = repeated("(b') with workbooks", options.repeat, lambda: batch(
        codes, data, out, options.workers, options.year, ("--no-overviews",)))
    print(f"(b') the same with the Excel workbooks (--workbooks, not made by (a)): {books_s:.1f} s"
          f" (speedup over (a) {naive_s / books_s:.2f})", flush=True)
    if options.all:
        count = len(codes_of(data, None))
        all_s, all_peak, all_line = repeated("(c) all", options.repeat, lambda: batch(
            None, data, out, options.workers, options.year))
        print(f"(c) every municipality ({count}) and the 2 national notebooks, --workers "
              f"{options.workers}: {all_s:.1f} s wall ({all_s / count:.2f} s per report), peak "
              f"memory {all_peak:.0f} MiB (target: 240 s, 6 GB; {all_line})", flush=True)
    if options.dask_rerun:
        with dask_cluster(options.workers) as address:
            extra = ("--no-overviews", "--executor", "dask", "--scheduler", address)
            first = batch(codes, data, out, options.workers, options.year, extra)
            warm_s, _, warm_line = repeated("(d) dask rerun", options.repeat, lambda: batch(
                codes, data, out, options.workers, options.year, extra))
        print(f"(d) the same on a running Dask cluster ({options.workers} workers): first run "
              f"{first[0]:.1f} s, rerun with warm kernels {warm_s:.1f} s "
              f"(speedup over (a) {naive_s / warm_s:.2f}; {warm_line})", flush=True)
    print(f"speedup={naive_s / batch_s:.2f}")


if __name__ == "__main__":
    main()
