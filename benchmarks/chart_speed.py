"""Speed of the report charts: median milliseconds per chart kind (matplotlib figure + SVG text).

Usage: ``python benchmarks/chart_speed.py [--runs 30] [--svg-dir DIR]``.

Each chart kind is drawn ``--runs`` times on report-sized data (11 bars, a 4 x 10 heat map, 4
domains x 2 areas of point ranges, 7 years x 3 stacked budget components, 25 differences …) in
the report theme (Agg backend) and the median wall and CPU time of one chart, from the call to
the finished SVG text of :func:`npo_analysis.report.plots.to_svg` (constrained layout and SVG encoding
included, figure closed), is printed with the size of its SVG. The goal is at most 50 ms per
kind. ``--svg-dir`` also writes one SVG of every kind there, for a visual check. Prints one line
per kind and, last, ``median_ms_per_report=...``: the sum of the medians of the 11 charts of a
typical municipality report. The maps (:mod:`map_speed`'s drawings, on Demoland ``small``'s
municipality with the most neighbourhoods) follow, with ``maps_median_ms_per_report=...`` for
the 4 maps of a report (two choropleths, the white-spot map and the locator map) and the
national choropleth of the overview.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from map_speed import demoland_map_data, map_drawings  # noqa: E402

from npo_analysis.report import plots  # noqa: E402

NOTE = ("Bron: demoland-small (synthetisch), teldatum 1 februari 2025; budgetten 2024: "
        "params/2024.yaml; berekening npo-analysis 0.1.0")
PEERS = ["Súdwest-Fryslân", "'s-Hertogenbosch", "Alphen aan den Rijn", "Bergen op Zoom",
         "Capelle aan den IJssel", "Gemeente Demostad", "Hollands Kroon", "Midden-Groningen",
         "Nissewaard", "Oost Gelre", "Westerkwartier"]
WIJKEN = ["Centrum", "Oude Noorden", "De Esch-Zuid", "Kralingen-West", "Nieuw Crooswijk",
          "Prinsenland", "Het Lage Land", "Ommoord", "Zevenkamp", "Oosterflank"]


def examples() -> dict[str, tuple]:
    """Per chart name: the plots function and its keyword arguments (report-sized data)."""
    rng = np.random.default_rng(7)
    peers = pd.DataFrame({"name": PEERS, "target_share": rng.uniform(0.04, 0.22, 11).round(3),
                          "is_self": [name == "Gemeente Demostad" for name in PEERS]})
    distribution = pd.DataFrame({
        "target_share": np.concatenate([rng.beta(2, 9, 40), rng.beta(2, 12, 400)]),
        "group": ["Demostad"] * 40 + ["Nederland"] * 400})
    years = list(range(2019, 2026))
    breaks = pd.DataFrame({"year": [2021, 2023], "position": [2020.5, 2022.5],
                           "text": ["breuk 2021", "breuk 2023"]})
    trend = pd.DataFrame({"year": years, "share": np.linspace(0.0031, 0.0042, 7).round(5)})
    budgets = pd.DataFrame({
        "year": [y for y in years for _ in range(3)],
        "component": ["goab", "npo", "vve"] * 7,
        "eur": [v for y in years for v in (2.1e6 + 4e4 * (y - 2019),
                                           1.4e6 if 2021 <= y <= 2024 else 0.0, 6.5e5)]})
    domains = ["Rekenen", "Begrijpend lezen", "Technisch lezen", "Spelling"]
    delays = pd.DataFrame({
        "domain": [d for d in domains for _ in range(2)],
        "area": ["Demostad", "Nederland"] * 4,
        "delay_months": [2.1, 1.2, 1.4, 0.9, -0.3, 0.2, 0.8, 0.6]})
    delays["ci_low"] = delays["delay_months"] - [1.1, 0.2, 0.9, 0.2, 0.8, 0.2, 0.7, 0.1]
    delays["ci_high"] = delays["delay_months"] + [1.1, 0.2, 0.9, 0.2, 0.8, 0.2, 0.7, 0.1]
    columns = ["Cognitief", "Executief", "Sociaal", "Emotioneel"]
    cells = pd.DataFrame({"neighbourhood": [w for w in WIJKEN for _ in columns],
                          "domain": columns * len(WIJKEN),
                          "shown": rng.uniform(0, 1, 40).round(2)})
    cells.loc[[5, 17, 30], "shown"] = np.nan
    cells["text"] = [("<10" if np.isnan(v) else f"{v:.0%}") for v in cells["shown"]]
    cells["white_spot"] = cells["shown"] < 0.25
    schools = pd.DataFrame({"name": [f"Basisschool De Regenboog {i}" for i in range(25)],
                            "difference_eur": rng.normal(0, 40_000, 25).round(-2)})
    plans = pd.DataFrame({"name": ["Tutoring in kleine groepen", "Feedback", "Lezen",
                                   "Metacognitie", "Ouderbetrokkenheid", "Zomerschool"],
                          "amount_eur": [412_000.0, 250_500.0, 198_000.0, 120_000.0, 64_000.0,
                                         15_000.0]})
    effects = pd.DataFrame({"intervention": [f"Interventie {c}" for c in "ABCDEFGHIJKL"],
                            "months": rng.lognormal(0, 1.1, 12).round(3)})
    effects["low"], effects["high"] = effects["months"] / 2.5, effects["months"] * 2.2
    dumbbell = pd.DataFrame({"name": [f"School {c}" for c in "ABCDEFGH"],
                             "plan": rng.uniform(1, 9, 8).round(1), "best": [13.3] * 8})
    return {
        "bar": (plots.bar_chart, dict(
            data=peers, x="target_share", y="name", highlight="is_self", value_format="pct",
            reference=0.112, reference_label="Nederland", note=NOTE,
            title="Aandeel doelgroepkinderen: gemeente en vergelijkbare gemeenten")),
        "bar_eur": (plots.bar_chart, dict(
            data=plans, x="amount_eur", y="name", value_format="eur", note=NOTE,
            title="NPO-plannen van de scholen per interventie")),
        "histogram": (plots.histogram_chart, dict(
            data=distribution, value="target_share", group="group", note=NOTE,
            title="Aandeel doelgroepleerlingen per school", xlabel="Aandeel doelgroepleerlingen",
            ylabel="Aandeel van de scholen")),
        "line": (plots.line_chart, dict(
            data=trend, x="year", y="share", breaks=breaks, value_format="pct", note=NOTE,
            title="Aandeel in het landelijke GOAB-budget per begrotingsjaar",
            ylabel="Aandeel landelijk GOAB-budget")),
        "stacked_bar": (plots.stacked_bar_chart, dict(
            data=budgets, x="year", y="eur", hue="component", breaks=breaks, note=NOTE,
            labels={"goab": "GOAB", "npo": "NPO", "vve": "Specifieke uitkering VVE"},
            title="Budgetten per begrotingsjaar")),
        "difference": (plots.difference_chart, dict(
            data=schools, x="difference_eur", y="name", note=NOTE,
            title="Wat het scenario verandert per school (hooguit de 25 grootste verschillen)")),
        "point_range": (plots.point_range_chart, dict(
            data=delays, x="delay_months", low="ci_low", high="ci_high", y="domain", hue="area",
            reference=0, note=NOTE, xlabel="Maanden achter op de verwachte groei",
            title="Leerachterstand in maanden bij de laatste meting (95%-interval)")),
        "point_range_log": (plots.point_range_chart, dict(
            data=effects, x="months", low="low", high="high", y="intervention", log=True,
            note=NOTE, xlabel="Maanden per € 1.000 per leerling (logaritmische schaal)",
            title="Leermaanden per € 1.000 per leerling (bandbreedte van de schattingen)")),
        "heat_map": (plots.heat_map_chart, dict(
            data=cells, x="domain", y="neighbourhood", value="shown", text="text",
            mark="white_spot", vmin=0, vmax=1, note=NOTE,
            title="Dekking van de behoefte aan activiteiten per wijk en domein")),
        "dumbbell": (plots.dumbbell_chart, dict(
            data=dumbbell, start="plan", end="best", y="name", labels=("Plannen", "Beste pakket"),
            note=NOTE, title="Leermaanden per leerling: plannen en beste pakket, zelfde geld")),
    }


#: How often each chart appears in a typical municipality report (11 charts).
PER_REPORT = {"bar": 2, "bar_eur": 1, "histogram": 1, "line": 1, "stacked_bar": 1,
              "difference": 1, "point_range": 1, "point_range_log": 1, "heat_map": 1,
              "dumbbell": 1}
#: How often each map appears in a municipality report (4 maps).
MAPS_PER_REPORT = {"neighbourhood_map": 2, "white_spot_map": 1, "locator_map": 1}


def median_ms(function, runs: int) -> tuple[float, float]:
    """Median wall and CPU time of ``function()`` in milliseconds over ``runs`` calls (after
    one); the CPU time of this process shows the cost when other processes share the cores."""
    function()
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def chart_svg(function, kwargs, alt: str | None = None, title: str | None = None) -> str:
    """One chart from the call to the finished SVG text, its figure closed (as in a report)."""
    ax = function(**kwargs)
    svg = plots.to_svg(ax, alt=alt, title=title)
    plt.close(ax.figure)
    return svg


def report(name: str, function, kwargs, runs: int, svg_dir: Path | None, **text) -> float:
    """Print the median time, CPU time and SVG size of one chart kind; return the median."""
    median, cpu = median_ms(lambda: chart_svg(function, kwargs, **text), runs)
    svg = chart_svg(function, kwargs, **text)
    print(f"{name:20s} median_ms={median:.1f} cpu_ms={cpu:.1f} "
          f"svg_kb={len(svg.encode()) / 1024:.1f}")
    if svg_dir is not None:
        svg_dir.mkdir(parents=True, exist_ok=True)
        (svg_dir / f"{name}.svg").write_text(svg, encoding="utf-8")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--svg-dir", type=Path, default=None)
    args = parser.parse_args()
    plots.set_report_theme("nl")
    cases = examples()
    medians = {}
    for name, (function, kwargs) in cases.items():
        medians[name] = report(name, function, kwargs, args.runs, args.svg_dir)
    per_report = sum(medians[name] * count for name, count in PER_REPORT.items())
    print(f"median_ms_per_report={per_report:.1f} ({sum(PER_REPORT.values())} charts)")
    for name, draw in map_drawings(demoland_map_data("small")).items():
        medians[name] = report(name, draw, {}, max(3, args.runs // 5), args.svg_dir,
                               alt="Kaart", title=name)
    per_report = sum(medians[name] * count for name, count in MAPS_PER_REPORT.items())
    print(f"maps_median_ms_per_report={per_report:.1f} ({sum(MAPS_PER_REPORT.values())} maps)")
    plots.reset_theme()


if __name__ == "__main__":
    main()
