"""Benchmark of the real-data path: the public DUO/CBS files to reports for 342 municipalities.

Steps, each in a child process (peak memory measured with ``wait4``, as in ``report_batch.py``):

1. ``npo-analysis import-public`` on the files in ``--realdata`` (2019 CBS scores, 2023
   municipality list) into ``--work``; prints the join rates between the files;
2. ``npo-analysis national``: the indicator from the published scores, budgets for every year of
   ``params/`` and the scenarios, into the batch's table cache (timed);
3. ``npo-analysis reports`` with the default engine over all municipalities (or the first
   ``--municipalities N``), reusing those tables.

Prints the wall time and peak memory of each step, the median seconds per report, report sizes
and how many reports failed (a report that fails is still counted in the wall time).

Usage::

    python benchmarks/realdata_batch.py                      # all 342 municipalities
    python benchmarks/realdata_batch.py --municipalities 8   # a quick sample
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_batch import ROOT, run_child, summarise, tables_and_reports  # noqa: E402

#: The public files, as named in ``../shared/realdata`` (see docs/real-data.md).
FILES = {
    "--addresses": "duo_02-alle-schoolvestigingen-basisonderwijs_2026.csv",
    "--pupils": "duo_06-historisch-overzicht-aantal-leerlingen-per-schoolvestiging_1996-2025.csv",
    "--scores": "cbs_achterstandsscores-scholen-2019.xlsx",
    "--municipalities": "cbs_gemeenten-alfabetisch-2023.csv",
    "--end-scores": "duo_gemiddelde-eindscores-bo-sbo-2018-2019.csv",
}


def import_args(realdata: Path, out: Path) -> list[str]:
    """Arguments of ``npo-analysis import-public`` for the files in ``realdata``."""
    missing = [name for name in FILES.values() if not (realdata / name).is_file()]
    if missing:
        raise SystemExit(f"{realdata}: missing {', '.join(missing)}; pass --realdata DIR")
    args = [part for option, name in FILES.items() for part in (option, str(realdata / name))]
    return [*args, "--out", str(out)]


def print_join_rates(data: Path) -> None:
    """The join rates of the import (``import_report.json``)."""
    report = json.loads((data / "import_report.json").read_text(encoding="utf-8"))
    for name, rate in report["join_rates"].items():
        print(f"  {name}: {rate['matched']:,} of {rate['total']:,} "
              f"({100 * rate['rate']:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    parser.add_argument("--municipalities", type=int, default=None,
                        help="only the first N municipalities (default: all)")
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "benchmark-real")
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    if not options.realdata.is_dir():  # a user's checkout has no ../shared: download the files
        print(f"skipped: no real data in {options.realdata} (see docs/real-data.md; pass "
              "--realdata DIR with the downloaded files)")
        return
    data, out = options.work / "data" / "public-2019", options.work / "reports"
    steps = {"import-public": run_child("import_public", import_args(options.realdata, data))}
    print_join_rates(data)
    steps.update(tables_and_reports(data, out, options.municipalities, options.workers))
    print(f"cores: {os.cpu_count()}; real public data (2019 scores, 342 municipalities); "
          "timings are wall-clock and noisy on a shared machine")
    summarise(out, steps)


if __name__ == "__main__":
    main()
