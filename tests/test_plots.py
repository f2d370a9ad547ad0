"""The SVG chart functions: marks and their data, order, colours, Dutch numbers, safe SVG.

Expected values are worked out by hand from the test data (shares, stacks, scale proportions,
ColorBrewer colours), not copied from the code's output. Pixel positions are checked through
invariants (bars in frame order from the top, widths proportional to values, a reference line
at its share of the axis) rather than exact coordinates.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from npo_analysis import plots
from npo_analysis.charts import text_metrics
from npo_analysis.charts.scales import log_ticks, nice_ticks, year_ticks
from npo_analysis.charts.svg import Marker, Rect

NOTE = "Bron: test, teldatum 1 februari 2025"
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'s-Hertogenbosch",
           "Súdwest-Fryslân", "A & B"]


@pytest.fixture(autouse=True)
def dutch_theme():
    plots.set_report_theme("nl")
    yield
    plots.reset_theme()


def top_to_bottom(marks) -> list:
    """The marks' categories ordered by their vertical position, top first."""
    return [m.datum["category"] for m in sorted(marks, key=lambda m: m.y)]


def right_end(bar: Rect) -> float:
    return bar.x + bar.width


# --- one test per chart kind ---------------------------------------------------------------


def test_bar_chart_draws_one_bar_per_row_and_highlights():
    data = pd.DataFrame({"name": ["A", "B", "C"], "share": [0.3, 0.2, 0.1],
                         "is_self": [False, True, False]})
    chart = plots.bar_chart(data, "share", "name", highlight="is_self", reference=0.15,
                            reference_label="Nederland", value_format="pct", note=NOTE)
    assert isinstance(chart, plots.Chart) and chart.kind == "bar"
    bars = chart.find("bar")
    assert [b.datum["value"] for b in bars] == [0.3, 0.2, 0.1]
    assert [b.fill for b in bars] == [plots.PALETTE["main"], plots.PALETTE["highlight"],
                                      plots.PALETTE["main"]]
    assert top_to_bottom(bars) == ["A", "B", "C"]
    assert top_to_bottom(chart.find("category-label")) == ["A", "B", "C"]
    assert chart.texts("category-label") == ["A", "B", "C"]
    # all bars start at 0; widths proportional to the values 3 : 2 : 1
    assert len({round(b.x, 6) for b in bars}) == 1
    assert bars[0].width / bars[2].width == pytest.approx(3.0)
    assert bars[1].width / bars[2].width == pytest.approx(2.0)
    # the dashed reference line at 0.15 lies at half of bar A's length (0.3)
    (line,) = chart.find("reference")
    assert line.dash and line.x1 == line.x2
    assert (line.x1 - bars[0].x) / bars[0].width == pytest.approx(0.5)
    assert chart.texts("legend-label") == ["Nederland"]
    assert chart.texts("note") == [NOTE]  # short notes stay on one line


def test_histogram_chart_draws_bins_times_groups_bars_with_shares():
    data = pd.DataFrame({"group": ["X"] * 4 + ["Y"] * 2, "v": [0.0, 0.1, 0.1, 0.9, 0.5, 1.0]})
    chart = plots.histogram_chart(data, "v", "group", bins=5, note=NOTE)
    bars = chart.find("bar")
    assert len(bars) == 10
    x_bars = [b for b in bars if b.datum["group"] == "X"]
    y_bars = [b for b in bars if b.datum["group"] == "Y"]
    # 3 of 4 in [0, 0.2), 1 in the last bin [0.8, 1.0]
    assert [b.datum["share"] for b in x_bars] == pytest.approx([0.75, 0, 0, 0, 0.25])
    assert [b.datum["count"] for b in x_bars] == [3, 0, 0, 0, 1]
    assert sum(b.datum["share"] for b in y_bars) == pytest.approx(1.0)
    assert x_bars[0].datum["low"] == pytest.approx(0.0)
    assert x_bars[0].datum["high"] == pytest.approx(0.2)
    # bar heights proportional to the shares, bars standing on one baseline
    assert x_bars[0].height / x_bars[4].height == pytest.approx(3.0)
    assert len({round(b.y + b.height, 6) for b in bars}) == 1
    assert chart.texts("legend-label") == ["X", "Y"]
    assert all(label.endswith("%") for label in chart.texts("tick-label"))


def test_line_chart_one_line_per_hue_and_break_markers():
    data = pd.DataFrame({"year": [2020, 2021, 2022] * 2, "value": [1, 2, 3, 2, 2, 2],
                         "series": ["a"] * 3 + ["b"] * 3})
    breaks = pd.DataFrame({"year": [2021], "position": [2020.5], "text": ["2019: methode"]})
    chart = plots.line_chart(data, "year", "value", hue="series", breaks=breaks, note=NOTE)
    lines = chart.find("line")
    assert [line.datum["series"] for line in lines] == ["a", "b"]
    assert lines[0].datum["y"] == [1, 2, 3]
    (marker,) = chart.find("break")
    assert marker.datum["position"] == 2020.5 and marker.dash
    # the break line is halfway between the points of 2020 and 2021
    (x2020, _), (x2021, _) = lines[0].points[:2]
    assert marker.x1 == pytest.approx((x2020 + x2021) / 2)
    assert chart.texts("break-label") == ["2019: methode"]
    assert chart.texts("legend-label") == ["a", "b"]
    assert {"2020", "2021", "2022"} <= set(chart.texts("tick-label"))
    # line a rises: higher values are higher up (smaller y)
    assert [y for _, y in lines[0].points] == sorted((y for _, y in lines[0].points),
                                                     reverse=True)


def test_line_chart_has_headroom_for_break_labels():
    data = pd.DataFrame({"year": [2020, 2021], "value": [0.0, 100.0]})
    breaks = pd.DataFrame({"position": [2020.5], "text": ["breuk"]})
    chart = plots.line_chart(data, "year", "value", breaks=breaks, note=NOTE)
    (line,) = chart.find("line")
    top_point = min(y for _, y in line.points)
    # 25% headroom: the highest point is at most 1 / 1.25 = 80% of the plot height up
    assert (chart.plot.bottom - top_point) / chart.plot.height <= 0.8 + 1e-9
    assert top_point > max(t.y for t in chart.find("break-label"))


def test_stacked_bar_chart_stacks_components():
    data = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "eur": [100.0, 50.0, 200.0, 0.0],
                         "component": ["goab", "npo"] * 2})
    chart = plots.stacked_bar_chart(data, "year", "eur", "component", note=NOTE,
                                    labels={"goab": "GOAB", "npo": "NPO"})
    bars = chart.find("bar")
    assert len(bars) == 4
    by_key = {(b.datum["category"], b.datum["series"]): b for b in bars}
    npo_2020, goab_2020 = by_key[(2020, "npo")], by_key[(2020, "goab")]
    assert (npo_2020.datum["bottom"], npo_2020.datum["value"]) == (100.0, 50.0)
    assert by_key[(2021, "goab")].datum["bottom"] == 0.0
    # npo sits on goab: its bottom edge is goab's top edge, half its height
    assert npo_2020.y + npo_2020.height == pytest.approx(goab_2020.y)
    assert npo_2020.height / goab_2020.height == pytest.approx(0.5)
    assert chart.texts("legend-label") == ["GOAB", "NPO"]
    assert {"2020", "2021"} <= set(chart.texts("tick-label"))


def test_difference_chart_colours_gains_and_losses():
    data = pd.DataFrame({"name": ["A", "B"], "diff": [120.0, -80.0]})
    chart = plots.difference_chart(data, "diff", "name", note=NOTE)
    gain, loss = chart.find("bar")
    assert [gain.fill, loss.fill] == [plots.PALETTE["positive"], plots.PALETTE["negative"]]
    (zero,) = chart.find("zero-line")
    assert gain.x == pytest.approx(zero.x1)  # gains grow right of zero
    assert right_end(loss) == pytest.approx(zero.x1)  # losses left of it
    assert gain.width / loss.width == pytest.approx(120 / 80)


def test_point_range_chart_draws_a_point_and_range_per_row():
    data = pd.DataFrame({"domain": ["R", "R", "S", "S"], "area": ["G", "NL", "G", "NL"],
                         "v": [2.0, 1.0, 0.5, 0.4], "lo": [1.0, 0.8, -0.5, 0.3],
                         "hi": [3.0, 1.2, 1.5, 0.5]})
    chart = plots.point_range_chart(data, "v", "lo", "hi", "domain", hue="area", reference=0,
                                    note=NOTE)
    points = chart.find("point")
    assert sorted(p.datum["series"] for p in points) == ["G", "G", "NL", "NL"]
    assert {p.shape for p in points if p.datum["series"] == "G"} == {"circle"}
    assert {p.shape for p in points if p.datum["series"] == "NL"} == {"square"}
    ranges = chart.find("range")
    assert sorted((r.datum["low"], r.datum["high"]) for r in ranges) == [
        (-0.5, 1.5), (0.3, 0.5), (0.8, 1.2), (1.0, 3.0)]
    assert top_to_bottom(chart.find("category-label")) == ["R", "S"]
    # the G series is drawn above the NL one within a category
    g_r = next(p for p in points if p.datum == {"category": "R", "series": "G", "value": 2.0})
    nl_r = next(p for p in points if p.datum["category"] == "R" and p.datum["series"] == "NL")
    assert g_r.y < nl_r.y
    # a range runs from its low to its high end on the axis of the tick labels
    position = axis_mapping(chart)
    wide = next(r for r in ranges if r.datum["low"] == 1.0)
    assert (wide.x1, wide.x2) == pytest.approx((position(1.0), position(3.0)))
    (reference,) = chart.find("reference")
    assert reference.x1 == pytest.approx(position(0.0))
    assert chart.texts("legend-label") == ["G", "NL"]
    assert chart.texts("note") == [NOTE]


def axis_mapping(chart):
    """Value -> x from two gridlines and their tick values (independent of the scale code)."""
    grid = chart.find("gridline")
    (a, xa), (b, xb) = [(g.datum["value"], g.x1) for g in (grid[0], grid[-1])]
    return lambda v: xa + (v - a) * (xb - xa) / (b - a)


def test_point_range_chart_log_axis_has_decade_ticks():
    data = pd.DataFrame({"i": ["a", "b", "c"], "v": [0.05, 1.0, 30.0], "lo": [0.02, 0.5, 10.0],
                         "hi": [0.1, 2.0, 60.0]})
    chart = plots.point_range_chart(data, "v", "lo", "hi", "i", log=True, note=NOTE)
    ticks = [g.datum["value"] for g in chart.find("gridline")]
    assert [0.1, 1.0, 10.0] == [t for t in ticks if 0.1 <= t <= 10]
    xs = {g.datum["value"]: g.x1 for g in chart.find("gridline")}
    assert xs[10.0] - xs[1.0] == pytest.approx(xs[1.0] - xs[0.1])  # equal room per decade
    assert {"0,1", "1", "10"} <= set(chart.texts("tick-label"))
    point = next(p for p in chart.find("point") if p.datum["value"] == 1.0)
    assert point.x == pytest.approx(xs[1.0])


def test_heat_map_chart_grid_masks_missing_and_marks_cells():
    data = pd.DataFrame({"wijk": ["A", "A", "B", "B"], "domein": ["x", "y", "x", "y"],
                         "v": [0.2, 1.0, float("nan"), 0.6], "t": ["20%", "100%", "<10", "60%"],
                         "spot": [True, False, False, False]})
    chart = plots.heat_map_chart(data, "domein", "wijk", "v", text="t", mark="spot", vmin=0,
                                 vmax=1, note=NOTE)
    cells = {(c.datum["row"], c.datum["column"]): c for c in chart.find("cell")}
    assert set(cells) == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    assert cells[("B", "x")].fill == "#e6e6e6" and cells[("B", "x")].datum["value"] is None
    assert cells[("A", "x")].datum["value"] == pytest.approx(0.2)
    assert cells[("A", "y")].fill == "#006837"  # the top of ColorBrewer RdYlGn
    # rows down, columns across
    assert cells[("A", "x")].y < cells[("B", "x")].y and cells[("A", "x")].x < cells[("A", "y")].x
    assert chart.texts("cell-text") == ["20%", "100%", "<10", "60%"]
    colours = {(t.datum["row"], t.datum["column"]): t.fill for t in chart.find("cell-text")}
    # #006837: 0.587 * 104/255 + 0.114 * 55/255 = 0.26 < 0.5 -> white; grey cell -> black
    assert colours[("A", "y")] == "#ffffff" and colours[("B", "x")] == "#000000"
    (mark,) = chart.find("cell-mark")
    assert mark.datum == {"row": "A", "column": "x"} and mark.fill == "none"
    a_x = cells[("A", "x")]
    assert a_x.x <= mark.x and right_end(mark) <= right_end(a_x)
    # column labels on top of the grid
    assert chart.texts("column-label") == ["x", "y"]
    assert all(t.y < a_x.y for t in chart.find("column-label"))


def test_heat_map_colours_match_matplotlib_rdylgn():
    colors = pytest.importorskip("matplotlib.colors")
    matplotlib = pytest.importorskip("matplotlib")
    values = [0.0, 0.07, 0.2, 0.33, 0.5, 0.61, 0.8, 0.95, 1.0]
    data = pd.DataFrame({"r": ["a"] * len(values), "c": list(range(len(values))), "v": values})
    chart = plots.heat_map_chart(data, "c", "r", "v", vmin=0, vmax=1, note=NOTE)
    expected = [colors.to_hex(matplotlib.colormaps["RdYlGn"](v)) for v in values]
    assert [c.fill for c in chart.find("cell")] == expected


def test_dumbbell_chart_joins_two_values_per_row():
    data = pd.DataFrame({"school": ["A", "B"], "plan": [1.0, 5.5], "best": [13.3, 13.3]})
    chart = plots.dumbbell_chart(data, "plan", "best", "school", labels=("Plannen", "Beste"),
                                 note=NOTE)
    connectors = chart.find("connector")
    assert [(c.datum["start"], c.datum["end"]) for c in connectors] == [(1.0, 13.3), (5.5, 13.3)]
    assert chart.texts("legend-label") == ["Plannen", "Beste"]
    points = chart.find("point")
    assert [p.datum["series"] for p in points] == ["Plannen", "Plannen", "Beste", "Beste"]
    first = connectors[0]
    ends = [(p.x, p.y) for p in points if p.datum["category"] == "A"]
    assert ends == [pytest.approx((first.x1, first.y1)), pytest.approx((first.x2, first.y2))]
    assert [c.datum["category"] for c in sorted(connectors, key=lambda c: c.y1)] == ["A", "B"]
    assert {c.stroke for c in connectors} == {"#bbbbbb"}


# --- numbers in the theme's language -------------------------------------------------------


def test_theme_sets_dutch_separators_on_axes():
    assert plots.value_formatter("eur")(1234567) == "€ 1.234.567"
    assert plots.value_formatter("pct")(0.25) == "25%"
    assert plots.value_formatter("number")(2.5) == "2,5"
    assert plots.value_formatter("year")(2024.0) == "2024"
    plots.set_report_theme("en")
    assert plots.value_formatter("eur")(1234567) == "€1,234,567"
    plots.reset_theme()
    assert plots.value_formatter("number")(1234.5) == "1.234,5"
    with pytest.raises(ValueError, match="kind"):
        plots.value_formatter("money")
    with pytest.raises(ValueError, match="language"):
        plots.set_report_theme("de")


def test_ticks_are_drawn_in_dutch_then_english():
    data = pd.DataFrame({"name": ["A"], "amount": [2_500_000.0]})
    labels = plots.bar_chart(data, "amount", "name", value_format="eur",
                             note=NOTE).texts("tick-label")
    assert "€ 1.000.000" in labels and "€ 0" in labels
    plots.set_report_theme("en")
    labels = plots.bar_chart(data, "amount", "name", value_format="eur",
                             note=NOTE).texts("tick-label")
    assert "€1,000,000" in labels


def test_tick_labels_share_their_decimals():
    data = pd.DataFrame({"name": ["A", "B"], "share": [0.1, 0.25]})
    labels = plots.bar_chart(data, "share", "name", value_format="pct",
                             note=NOTE).texts("tick-label")
    # 0 to 0.25 in at most 5 steps: the smallest round step >= 0.05 is 0.05
    assert labels == ["0%", "5%", "10%", "15%", "20%", "25%"]
    data = pd.DataFrame({"name": ["A"], "v": [0.003]})
    labels = plots.bar_chart(data, "v", "name", value_format="pct", note=NOTE).texts("tick-label")
    # 0 to 0.003: steps of 0.0006 round up to 0.001, i.e. 0.1 percentage point
    assert labels == ["0,0%", "0,1%", "0,2%", "0,3%"]


# --- checks, empty data, missing values ---------------------------------------------------

BUILDERS = {
    "bar": lambda d, **k: plots.bar_chart(d, "v", "name", **k),
    "difference": lambda d, **k: plots.difference_chart(d, "v", "name", **k),
    "histogram": lambda d, **k: plots.histogram_chart(d, "v", "name", **k),
    "line": lambda d, **k: plots.line_chart(d, "year", "v", hue="name", **k),
    "stacked-bar": lambda d, **k: plots.stacked_bar_chart(d, "year", "v", "name", **k),
    "point-range": lambda d, **k: plots.point_range_chart(d, "v", "lo", "hi", "name", **k),
    "heat-map": lambda d, **k: plots.heat_map_chart(d, "year", "name", "v", text="t",
                                                    mark="flag", **k),
    "dumbbell": lambda d, **k: plots.dumbbell_chart(d, "lo", "hi", "name", **k),
}


def sample(names=("Amsterdam", "Súdwest-Fryslân", "'s-Hertogenbosch")) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({"name": list(names), "v": [0.3, -0.1, 0.2][:n] + [0.1] * (n - 3),
                         "lo": [0.1] * n, "hi": [0.5] * n, "year": [2020, 2021, 2022][:n]
                         + [2023] * (n - 3), "t": ["30%"] * n, "flag": [True] + [False] * (n - 1)})


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_needs_a_note_and_its_columns(kind):
    with pytest.raises(ValueError, match="source and count date"):
        BUILDERS[kind](sample(), note=" ")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['name'\]"):
        BUILDERS[kind](sample().drop(columns="name"), note=NOTE)


@pytest.mark.parametrize("kind", BUILDERS)
def test_empty_data_still_gives_a_chart(kind):
    chart = BUILDERS[kind](sample().iloc[:0], note=NOTE, title="Leeg")
    assert chart.kind == kind and chart.texts("note") == [NOTE]
    assert chart.texts("empty") == ["Geen gegevens"]
    ET.fromstring(chart.svg())


@pytest.mark.parametrize("kind", BUILDERS)
def test_missing_values_are_skipped(kind):
    data = sample()
    data.loc[1, ["v", "lo", "hi"]] = float("nan")
    chart = BUILDERS[kind](data, note=NOTE)
    ET.fromstring(chart.svg())
    for mark in chart.marks:
        for value in (mark.datum or {}).values():
            assert not (isinstance(value, float) and math.isnan(value)), mark


@pytest.mark.parametrize("kind", BUILDERS)
def test_missing_categories_do_not_crash(kind):
    data = sample(("A", None, "C", float("nan")))
    chart = BUILDERS[kind](data, note=NOTE)
    ET.fromstring(chart.svg())
    names = chart.texts("category-label") + chart.texts("legend-label")
    assert "A" in names and "–" in names  # a missing name is shown as an en dash
    if kind not in ("bar", "difference", "dumbbell"):  # one row per frame row there
        assert names.count("–") == 1  # None and NaN are one missing category


def test_bar_chart_skips_a_missing_value_but_keeps_its_label():
    data = pd.DataFrame({"name": ["A", "B", "C"], "v": [1.0, float("nan"), 3.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE)
    assert [b.datum["category"] for b in chart.find("bar")] == ["A", "C"]
    assert chart.texts("category-label") == ["A", "B", "C"]


# --- the SVG ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", BUILDERS)
def test_svg_is_deterministic_self_contained_xml(kind):
    first = BUILDERS[kind](sample(), note=NOTE, title="Titel").svg()
    assert BUILDERS[kind](sample(), note=NOTE, title="Titel").svg() == first
    root = ET.fromstring(first)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.get("role") == "img" and root.get("aria-label") == "Titel"
    assert root.find(f"{SVG_NS}title").text == "Titel"
    assert not re.search(r"\sid=", first)
    assert "<script" not in first and "<style" not in first and "href" not in first
    assert "url(" not in first and "@import" not in first
    without_ns = first.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http" not in without_ns and "//" not in without_ns
    numbers = re.findall(r'\s(?:x|y|x1|x2|y1|y2|width|height|cx|cy|r)="([^"]*)"', first)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d{1,2})?", n) and n != "-0" for n in numbers)


def test_repr_is_deterministic_and_names_the_chart():
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE, title="Vergelijkbare gemeenten")
    assert repr(chart) == f"<Chart bar 'Vergelijkbare gemeenten' 680x{chart.height}>"
    assert chart._repr_svg_() == chart.svg()


def test_hostile_names_stay_text():
    data = pd.DataFrame({"name": HOSTILE, "v": [1.0, 2.0, 3.0, 4.0, 5.0],
                         "kind": HOSTILE[::-1], "t": HOSTILE})
    charts = [
        plots.bar_chart(data, "v", "name", note=HOSTILE[1], title=HOSTILE[0],
                        reference=2.0, reference_label=HOSTILE[2]),
        plots.heat_map_chart(data, "kind", "name", "v", text="t", note=NOTE, title=HOSTILE[1]),
        plots.line_chart(data.assign(year=range(5)), "year", "v", hue="name", note=NOTE),
    ]
    for chart in charts:
        svg = chart.svg()
        root = ET.fromstring(svg)
        texts = {"".join(e.itertext()) for e in root.iter(f"{SVG_NS}text")}
        assert "<script>alert(1)</script>" in texts | {root.get("aria-label")}
        assert "<script>" not in svg and "<img" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
        assert not any(e.tag.endswith(("script", "img", "foreignObject")) for e in root.iter())
    assert "'s-Hertogenbosch" in charts[0].texts("category-label")
    assert "Súdwest-Fryslân" in charts[0].texts("category-label")
    assert '"><img src=x onerror=alert(1)>' in charts[0].texts("note")


def test_add_note_writes_more_lines_under_the_chart():
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE)
    height = chart.height
    assert plots.add_note(chart, "Toelichting") is chart
    assert chart.texts("note") == [NOTE, "Toelichting"] and chart.height > height
    assert chart.find(plots.NOTE_GID)[-1].y > chart.find(plots.NOTE_GID)[0].y
    with pytest.raises(ValueError, match="source and count date"):
        plots.add_note(chart, "")


def test_unknown_formats_and_colour_maps_are_refused():
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    with pytest.raises(ValueError, match="value_format='money'"):
        plots.bar_chart(data, "v", "name", value_format="money", note=NOTE)
    with pytest.raises(ValueError, match="cmap='viridis'"):
        plots.heat_map_chart(data.assign(c="x"), "c", "name", "v", cmap="viridis", note=NOTE)


def test_a_missing_highlight_flag_is_not_highlighted():
    data = pd.DataFrame({"name": ["A", "B"], "v": [1.0, 2.0], "self": [None, True]})
    fills = [b.fill for b in plots.bar_chart(data, "v", "name", highlight="self",
                                             note=NOTE).find("bar")]
    assert fills == [plots.PALETTE["main"], plots.PALETTE["highlight"]]


def test_control_characters_do_not_break_the_xml():
    data = pd.DataFrame({"name": ["bell\x07name", "tab\tname"], "v": [1.0, 2.0]})
    ET.fromstring(plots.bar_chart(data, "v", "name", note=NOTE).svg())


# --- layout ---------------------------------------------------------------------------------


def test_category_labels_end_left_of_the_plot_and_stay_inside():
    names = ["A", "Gemeente met een heel lange naam aan de rivier", "Súdwest-Fryslân"]
    data = pd.DataFrame({"name": names, "v": [1.0, 2.0, 3.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE)
    plot_left = min(b.x for b in chart.find("bar"))
    for label in chart.find("category-label"):
        assert label.anchor == "end"
        assert label.x < plot_left  # right edge before the plot
        assert label.x - text_metrics.text_width(label.text, label.size) >= 0  # not cut off
    for label in chart.find("tick-label"):
        half = text_metrics.text_width(label.text, label.size) / 2
        assert 0 <= label.x - half and label.x + half <= chart.width


def test_long_labels_are_truncated_and_keep_their_category():
    long = "Stichting voor Openbaar Primair Onderwijs in de Regio Zuidoost-Brabant"
    data = pd.DataFrame({"name": [long, "B"], "v": [1.0, 2.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE)
    shown = chart.find("category-label")[0]
    assert shown.text.endswith("…") and len(shown.text) <= 40
    assert long.startswith(shown.text[:-1])
    assert shown.datum["category"] == long


def test_tick_labels_along_x_do_not_touch():
    data = pd.DataFrame({"name": ["A", "B"], "v": [-1_234_567.0, 98_765_432.0]})
    chart = plots.bar_chart(data, "v", "name", value_format="eur", note=NOTE)
    labels = sorted(chart.find("tick-label"), key=lambda t: t.x)
    assert 2 <= len(labels) <= 6
    for left, right in zip(labels, labels[1:], strict=False):
        room = right.x - left.x
        assert room > (text_metrics.text_width(left.text, 11)
                       + text_metrics.text_width(right.text, 11)) / 2


def test_long_title_and_note_wrap_to_the_chart_width():
    title = "Wat het scenario verandert per school (hooguit de 25 grootste verschillen) " * 2
    note = NOTE + "; budgetten 2024: params/2024.yaml; berekening npo-analysis 0.1.0 " * 3
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    chart = plots.bar_chart(data, "v", "name", note=note, title=title)
    titles, notes = chart.find("title"), chart.find("note")
    assert len(titles) >= 2 and len(notes) >= 2
    assert " ".join(t.text for t in titles) == " ".join(title.split())
    assert " ".join(t.text for t in notes) == " ".join(note.split())
    for mark in titles + notes:
        assert mark.x + text_metrics.text_width(mark.text, mark.size, mark.bold) <= chart.width
    assert max(t.y for t in titles) < chart.plot.y < chart.plot.bottom < min(t.y for t in notes)
    assert max(t.y for t in notes) < chart.height


def test_legend_sits_above_the_plot():
    data = pd.DataFrame({"year": [2020, 2021] * 3, "v": [1.0, 2.0] * 3,
                         "series": ["een", "een", "twee", "twee", "drie", "drie"]})
    chart = plots.line_chart(data, "year", "v", hue="series", note=NOTE, title="T")
    assert chart.texts("legend-label") == ["een", "twee", "drie"]
    assert all(t.y < chart.plot.y for t in chart.find("legend-label"))
    swatches = chart.find("legend-swatch")
    assert swatches and all(getattr(m, "y", getattr(m, "y1", None)) < chart.plot.y
                            for m in swatches)


def test_horizontal_charts_grow_22_px_per_row():
    def height(n):
        data = pd.DataFrame({"name": [f"n{i}" for i in range(n)], "v": [1.0] * n})
        return plots.bar_chart(data, "v", "name", note=NOTE).height

    assert height(20) - height(10) == 220
    assert height(11) < 350 + 22


def test_only_the_value_axis_has_gridlines():
    data = pd.DataFrame({"name": ["A", "B"], "v": [1.0, 2.0]})
    chart = plots.bar_chart(data, "v", "name", note=NOTE)
    assert chart.find("gridline") and all(g.x1 == g.x2 for g in chart.find("gridline"))
    assert {g.stroke for g in chart.find("gridline")} == {"#dddddd"}
    data = pd.DataFrame({"year": [2020, 2021], "v": [1.0, 2.0]})
    chart = plots.line_chart(data, "year", "v", note=NOTE)
    assert all(g.y1 == g.y2 for g in chart.find("gridline"))


# --- building blocks ------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high"), [(0, 1), (0, 0.3), (0, 2_500_000), (-80, 120),
                                           (0.15, 1.05), (0, 13.3), (3, 3), (-0.5, 3),
                                           (0, 7e-4), (1990, 2024)])
def test_nice_ticks_cover_the_range_with_at_most_six_round_ticks(low, high):
    ticks = nice_ticks(low, high)
    assert 2 <= len(ticks) <= 6
    assert ticks[0] <= low and ticks[-1] >= high
    step = ticks[1] - ticks[0]
    assert all(b - a == pytest.approx(step) for a, b in zip(ticks, ticks[1:], strict=False))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(mantissa == pytest.approx(s) for s in (1, 2, 2.5, 5))


def test_year_and_log_ticks():
    assert year_ticks(2019.5, 2025.5) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert all(isinstance(t, int) for t in year_ticks(1980, 2024))
    assert len(year_ticks(1980, 2024)) <= 12
    assert log_ticks(0.3, 4)[1] == [0.2, 0.5, 1.0, 2.0, 5.0]  # under two decades: 1, 2, 5
    assert log_ticks(0.002, 40)[1] == [0.01, 0.1, 1.0, 10.0]  # powers of ten only


def test_text_widths_are_embedded_from_the_font():
    pytest.importorskip("matplotlib.ft2font")
    assert text_metrics.font_table("regular") == text_metrics.REGULAR_UNITS
    assert text_metrics.font_table("bold") == text_metrics.BOLD_UNITS
    # DejaVu Sans: "a" is 1255 of 2048 units wide, the digits 1303
    assert text_metrics.text_width("a", 2048) == 1255
    assert text_metrics.text_width("0123456789", 10) == pytest.approx(10 * 1303 / 2048 * 10)
    for char in "éëïöüáúâ’–€…":
        assert ord(char) in text_metrics.CODE_POINTS


def test_text_width_of_unknown_characters_is_sensible():
    assert text_metrics.text_width("ŵ", 10) == text_metrics.text_width("w", 10)  # base letter
    assert text_metrics.text_width("漢", 10) == 10  # East Asian wide
    assert text_metrics.wrap("", 100, 10) == []
    assert all(text_metrics.text_width(line, 10) <= 50
               for line in text_metrics.wrap("Onderwijsachterstandenbeleid in de regio", 50, 10))


def test_marker_shapes_are_svg_elements():
    from npo_analysis.charts import Chart

    chart = Chart("test", 100, 100)
    for i, shape in enumerate(("circle", "square", "triangle", "diamond")):
        chart.add(Marker(10 + 20 * i, 50, shape, "#000000", "point"))
    tags = [e.tag.removeprefix(SVG_NS) for e in ET.fromstring(chart.svg()).iter()]
    assert tags.count("circle") == 1 and tags.count("polygon") == 2


def test_importing_the_charts_does_not_import_matplotlib():
    code = ("import sys; import npo_analysis.plots; "
            "print(any(m.split('.')[0] in ('matplotlib', 'seaborn') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
