"""Speed of the report charts: median milliseconds per chart kind (build + SVG text).

Usage: ``python benchmarks/chart_speed.py [--runs 200] [--svg-dir DIR]``.

Each chart kind is drawn ``--runs`` times on report-sized data (11 bars, a 4 x 10 heat map,
4 domains x 2 areas of point ranges, 7 years x 3 stacked budget components, 25 differences …)
and the median time of one chart, from the call to the finished SVG text, is printed. For
comparison, a comparable horizontal bar chart is drawn with matplotlib (constrained layout,
rendered to PNG at 90 dpi, as the reports did before the SVG charts) when matplotlib can be
imported. ``--svg-dir`` also writes one SVG of every kind there, for a visual check. Prints one
line per kind and, last, ``median_ms_per_report=...``: the sum of the medians of the 11 charts
of a typical municipality report.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis import plots

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


def median_ms(function, runs: int) -> float:
    """Median wall time of ``function()`` in milliseconds over ``runs`` calls (after one)."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def matplotlib_bar_png(data: pd.DataFrame) -> bytes:
    """The bar chart as the reports drew it before: matplotlib, constrained layout, PNG."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = plt.subplots(figsize=(7.0, max(2.0, 0.28 * len(data) + 1.2)), dpi=90,
                           layout="constrained")
    positions = np.arange(len(data))[::-1]
    colours = ["#d1495b" if flag else "#5b7fa6" for flag in data["is_self"]]
    ax.barh(positions, data["target_share"].to_numpy(dtype=float), color=colours, height=0.7)
    ax.set_yticks(positions, [str(v) for v in data["name"]])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.axvline(0.112, color="#444444", linestyle="--", linewidth=1, label="Nederland")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_title("Aandeel doelgroepkinderen: gemeente en vergelijkbare gemeenten",
                 loc="left", fontsize=10, fontweight="bold")
    ax.annotate(NOTE, xy=(0, 0), xycoords="axes fraction", xytext=(0, -30),
                textcoords="offset points", va="top", ha="left", fontsize=7, color="#555555",
                annotation_clip=False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--svg-dir", type=Path, default=None)
    args = parser.parse_args()
    plots.reset_theme()
    cases = examples()
    medians = {}
    for name, (function, kwargs) in cases.items():
        medians[name] = median_ms(lambda f=function, k=kwargs: f(**k).svg(), args.runs)
        chart = function(**kwargs)
        print(f"{name:16s} median_ms={medians[name]:.2f} marks={len(chart.marks)} "
              f"svg_kb={len(chart.svg().encode()) / 1024:.1f} size={chart.width}x{chart.height}")
        if args.svg_dir is not None:
            args.svg_dir.mkdir(parents=True, exist_ok=True)
            (args.svg_dir / f"{name}.svg").write_text(chart.svg(), encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print("matplotlib not importable: no comparison")
    else:
        data = cases["bar"][1]["data"]
        runs = max(10, args.runs // 10)
        old = median_ms(lambda: matplotlib_bar_png(data), runs)
        print(f"{'matplotlib_bar':16s} median_ms={old:.2f} (PNG at 90 dpi, {runs} runs; "
              f"{old / medians['bar']:.0f}x the SVG bar chart)")
    per_report = sum(medians[name] * count for name, count in PER_REPORT.items())
    print(f"median_ms_per_report={per_report:.2f} ({sum(PER_REPORT.values())} charts)")


if __name__ == "__main__":
    main()
