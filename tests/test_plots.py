"""The chart functions: matplotlib Axes with the right bars, points, labels, colours and SVG.

Expected values are worked out by hand from the test data (shares of a group, stack bottoms,
Dutch number formats, ColorBrewer colours through matplotlib's own colour map), not copied from
the code's output. Charts are inspected through the public matplotlib API (``ax.patches``,
``ax.collections``, ``ax.lines``, tick labels, texts, the legend).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from npo_analysis.report import plots

NOTE = "Bron: test, teldatum 1 februari 2025"
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'s-Hertogenbosch",
           "Súdwest-Fryslân", "A & B"]


@pytest.fixture(autouse=True)
def dutch_theme():
    plots.set_report_theme("nl")
    yield
    plots.reset_theme()
    plt.close("all")


def colours(patches) -> list[str]:
    return [to_hex(p.get_facecolor()) for p in patches]


def tick_texts(labels) -> list[str]:
    return [t.get_text() for t in labels if t.get_text()]


def drawn(ax):
    """``ax`` after its figure is laid out (tick labels are set when drawing)."""
    ax.figure.draw_without_rendering()
    return ax


def centres(patches) -> list[float]:
    return [p.get_y() + p.get_height() / 2 for p in patches]


# --- horizontal charts ------------------------------------------------------------------------


def test_bar_chart_draws_one_bar_per_row_in_order_and_highlights():
    data = pd.DataFrame({"name": ["A", "B", "C"], "share": [0.3, 0.2, 0.1],
                         "is_self": [False, True, False]})
    ax = plots.bar_chart(data, "share", "name", highlight="is_self", reference=0.15,
                         reference_label="Nederland", value_format="pct", note=NOTE,
                         title="Aandeel")
    assert isinstance(ax, matplotlib.axes.Axes)
    assert [p.get_width() for p in ax.patches] == [0.3, 0.2, 0.1]
    assert colours(ax.patches) == [plots.PALETTE["main"], plots.PALETTE["highlight"],
                                   plots.PALETTE["main"]]
    assert tick_texts(ax.get_yticklabels()) == ["A", "B", "C"]
    top, bottom = ax.get_ylim()[1], ax.get_ylim()[0]
    assert top < bottom  # the first row on top
    assert centres(ax.patches) == [0.0, 1.0, 2.0]
    reference = [line for line in ax.lines if list(line.get_xdata()) == [0.15, 0.15]]
    assert len(reference) == 1 and reference[0].get_linestyle() == "--"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Nederland"]
    assert ax.figure.get_suptitle() == "Aandeel"
    assert ax.figure.get_supxlabel() == NOTE
    labels = tick_texts(drawn(ax).get_xticklabels())
    assert "10%" in labels and "20%" in labels and "0%" in labels


def test_bar_chart_keeps_the_label_of_a_missing_value_and_writes_dutch_euros():
    data = pd.DataFrame({"name": ["Feedback", "Lezen", "Zomerschool"],
                         "eur": [250_000.0, None, 100_000.0]})
    ax = drawn(plots.bar_chart(data, "eur", "name", value_format="eur", note=NOTE))
    assert tick_texts(ax.get_yticklabels()) == ["Feedback", "Lezen", "Zomerschool"]
    assert [p.get_width() for p in ax.patches] == [250_000.0, 100_000.0]
    assert centres(ax.patches) == [0.0, 2.0]
    assert {"€ 0", "€ 100.000", "€ 200.000"} <= set(tick_texts(ax.get_xticklabels()))


def test_empty_bar_chart_says_so():
    data = pd.DataFrame({"name": ["A"], "share": [np.nan]})
    ax = plots.bar_chart(data, "share", "name", note=NOTE)
    assert len(ax.patches) == 0 and "Geen gegevens" in [t.get_text() for t in ax.texts]


def test_difference_chart_colours_gains_and_losses():
    data = pd.DataFrame({"name": ["Noord", "Zuid", "Oost"], "diff": [1200.0, -300.0, 0.0]})
    ax = plots.difference_chart(data, "diff", "name", note=NOTE)
    assert [p.get_width() for p in ax.patches] == [1200.0, -300.0, 0.0]
    assert colours(ax.patches) == [plots.PALETTE["positive"], plots.PALETTE["negative"],
                                   plots.PALETTE["positive"]]
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines)  # the zero line


def test_point_range_chart_dodges_series_first_on_top_with_shapes():
    data = pd.DataFrame({"domain": ["Rekenen", "Rekenen", "Lezen", "Lezen"],
                         "area": ["Demostad", "Nederland"] * 2,
                         "delay": [2.0, 1.0, -0.5, 0.25],
                         "low": [1.0, 0.5, -1.5, 0.0], "high": [3.0, 1.5, 0.5, 0.5]})
    ax = plots.point_range_chart(data, "delay", "low", "high", "domain", hue="area",
                                 reference=0, reference_label="Geen achterstand", note=NOTE)
    ranges, points = ax.collections[:2], ax.collections[2:]
    assert [c.get_label() for c in points] == ["Demostad", "Nederland"]
    first, second = (c.get_offsets() for c in points)
    assert list(first[:, 0]) == [2.0, -0.5] and list(second[:, 0]) == [1.0, 0.25]
    assert all(first[:, 1] < second[:, 1])  # the first series above the second in each row
    assert list(np.round(first[:, 1])) == [0.0, 1.0]  # Rekenen on top, Lezen below
    segments = ranges[0].get_segments()
    assert [list(s[:, 0]) for s in segments] == [[1.0, 3.0], [-1.5, 0.5]]
    assert [to_hex(c.get_facecolor()[0]) for c in points] == [plots.PALETTE["highlight"],
                                                             plots.PALETTE["main"]]
    markers = [c.get_paths()[0].vertices.shape[0] for c in points]
    assert markers[0] != markers[1]  # circle and square
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Demostad", "Nederland", "Geen achterstand"]


def test_point_range_chart_on_a_log_axis_leaves_out_values_at_or_below_zero():
    data = pd.DataFrame({"name": ["A", "B", "C"], "x": [0.5, 20.0, 0.0],
                         "low": [0.2, -1.0, 0.0], "high": [1.0, 40.0, 0.0]})
    ax = drawn(plots.point_range_chart(data, "x", "low", "high", "name", log=True, note=NOTE))
    assert ax.get_xscale() == "log"
    assert ax.get_xlim() == (0.1, 100.0)  # whole decades around 0.2 .. 40
    assert list(ax.collections[1].get_offsets()[:, 0]) == [0.5, 20.0]
    assert [list(s[:, 0]) for s in ax.collections[0].get_segments()] == [[0.2, 1.0],
                                                                        [0.1, 40.0]]
    labels = tick_texts(ax.get_xticklabels())
    assert {"0,1", "1", "10", "100"} <= set(labels)  # one label per decade over three
    assert "0,5" not in labels


def test_dumbbell_chart_joins_start_and_end():
    data = pd.DataFrame({"school": ["A", "B"], "plan": [2.0, 5.0], "best": [6.0, 5.5]})
    ax = plots.dumbbell_chart(data, "plan", "best", "school", labels=("Plan", "Beste"),
                              note=NOTE)
    connectors, starts, ends = ax.collections
    assert [list(s[:, 0]) for s in connectors.get_segments()] == [[2.0, 6.0], [5.0, 5.5]]
    assert list(starts.get_offsets()[:, 0]) == [2.0, 5.0]
    assert list(ends.get_offsets()[:, 0]) == [6.0, 5.5]
    assert to_hex(ends.get_facecolor()[0]) == plots.PALETTE["positive"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Plan", "Beste"]


# --- vertical charts --------------------------------------------------------------------------


def test_histogram_shows_each_groups_share_per_bin():
    # Range 0.06 .. 0.24 in two bins of 0.09: [0.06, 0.15) and [0.15, 0.24].
    data = pd.DataFrame({"share": [0.06, 0.16, 0.17, 0.24, 0.06, 0.10],
                         "group": ["Demostad"] * 4 + ["Nederland"] * 2})
    ax = plots.histogram_chart(data, "share", "group", bins=2, note=NOTE)
    by_colour: dict[str, list] = {}
    for patch in sorted(ax.patches, key=lambda p: p.get_x()):
        by_colour.setdefault(to_hex(patch.get_facecolor()), []).append(patch.get_height())
    assert by_colour == {plots.PALETTE["highlight"]: [0.25, 0.75],
                         plots.PALETTE["main"]: [1.0, 0.0]}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Demostad", "Nederland"]
    labels = tick_texts(drawn(ax).get_yticklabels())
    assert "50%" in labels and "100%" in labels


def test_line_chart_breaks_at_a_missing_value_and_marks_method_breaks():
    data = pd.DataFrame({"year": [2021, 2019, 2020, 2022], "share": [0.3, 0.1, np.nan, 0.4]})
    breaks = pd.DataFrame({"position": [2020.5], "text": ["breuk 2021"]})
    ax = drawn(plots.line_chart(data, "year", "share", breaks=breaks, value_format="pct",
                                note=NOTE))
    line = ax.lines[0]
    assert list(line.get_xdata()) == [2019, 2020, 2021, 2022]  # in order of the year
    assert np.isnan(line.get_ydata()[1])  # matplotlib breaks the line there
    dotted = [x for x in ax.lines if list(x.get_xdata()) == [2020.5, 2020.5]]
    assert len(dotted) == 1 and dotted[0].get_linestyle() != "-"
    assert "breuk 2021" in [t.get_text().strip() for t in ax.texts]
    low, high = ax.get_ylim()
    assert low == 0 and high >= 0.4 * 1.25  # headroom for the break labels
    assert {"2019", "2020", "2022"} <= set(tick_texts(ax.get_xticklabels()))  # no separators


def test_line_chart_draws_one_line_per_series():
    data = pd.DataFrame({"year": [2020, 2021] * 2, "value": [1.0, 2.0, 3.0, 4.0],
                         "area": ["Demostad", "Demostad", "Nederland", "Nederland"]})
    ax = plots.line_chart(data, "year", "value", hue="area", note=NOTE)
    assert [list(line.get_ydata()) for line in ax.lines[:2]] == [[1.0, 2.0], [3.0, 4.0]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Demostad", "Nederland"]


def test_stacked_bars_add_up_repeated_rows_and_stack_in_order():
    data = pd.DataFrame({"year": [2024, 2024, 2025, 2025, 2024],
                         "component": ["goab", "npo", "goab", "npo", "goab"],
                         "eur": [100.0, 50.0, 120.0, np.nan, 10.0]})
    ax = plots.stacked_bar_chart(data, "year", "eur", "component",
                                 labels={"goab": "GOAB", "npo": "NPO"}, note=NOTE)
    goab, npo = ax.containers
    assert [p.get_height() for p in goab] == [110.0, 120.0]  # 100 + 10 in 2024
    assert [p.get_y() for p in npo] == [110.0, 120.0]  # on top of GOAB
    assert [p.get_height() for p in npo] == [50.0, 0.0]  # a missing value counts as 0
    assert [p.get_x() + p.get_width() / 2 for p in goab] == [2024.0, 2025.0]
    assert colours(goab)[0] == plots.SERIES[0] and colours(npo)[0] == plots.SERIES[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GOAB", "NPO"]


# --- heat map ---------------------------------------------------------------------------------


def test_heat_map_colours_cells_writes_texts_and_marks():
    data = pd.DataFrame({"wijk": ["Noord", "Noord", "Zuid", "Zuid"],
                         "domain": ["Taal", "Rekenen", "Taal", "Rekenen"],
                         "value": [0.0, 1.0, 0.5, np.nan],
                         "text": ["0%", "100%", "50%", "<10"],
                         "spot": [True, False, False, False]})
    ax = plots.heat_map_chart(data, "domain", "wijk", "value", text="text", mark="spot",
                              vmin=0, vmax=1, note=NOTE)
    mesh = ax.collections[0]
    cmap = matplotlib.colormaps["RdYlGn"]
    faces = [to_hex(c) for c in mesh.get_facecolors() if c[3] > 0]
    # Row by row, the missing cell (Zuid, Rekenen) masked: three coloured cells.
    assert faces == [to_hex(cmap(0.0)), to_hex(cmap(1.0)), to_hex(cmap(0.5))]
    assert to_hex(cmap(0.0)) == "#a50026"  # ColorBrewer RdYlGn's darkest red
    assert to_hex(ax.get_facecolor()) == plots.MISSING_COLOUR
    texts = {t.get_text(): to_hex(t.get_color()) for t in ax.texts}
    assert texts["0%"] == "#ffffff" and texts["50%"] == to_hex(".15")  # white on dark red
    assert tick_texts(ax.get_yticklabels()) == ["Noord", "Zuid"]
    assert tick_texts(ax.get_xticklabels()) == ["Taal", "Rekenen"]
    marks = [p for p in ax.patches if p.get_linewidth() == 2.5]
    assert [(round(p.get_x()), round(p.get_y())) for p in marks] == [(0, 0)]


# --- checks -----------------------------------------------------------------------------------


def test_every_chart_needs_its_note_and_its_columns():
    data = pd.DataFrame({"name": ["A"], "share": [0.1]})
    with pytest.raises(ValueError, match="note"):
        plots.bar_chart(data, "share", "name", note="  ")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['value'\]"):
        plots.bar_chart(data, "value", "name", note=NOTE)
    with pytest.raises(ValueError, match="value_format='percent'"):
        plots.bar_chart(data, "share", "name", note=NOTE, value_format="percent")


def test_draws_into_a_given_axes():
    figure, ax = plt.subplots()
    data = pd.DataFrame({"name": ["A", "B"], "share": [0.1, 0.2]})
    assert plots.bar_chart(data, "share", "name", note=NOTE, ax=ax) is ax
    assert len(figure.axes) == 1 and len(ax.patches) == 2


def test_numbers_in_dutch_and_english():
    formatter = plots.ReportFormatter("pct")
    assert formatter.format_ticks([0.0, 0.025, 0.05]) == ["0,0%", "2,5%", "5,0%"]
    assert plots.ReportFormatter("eur").format_ticks([0, 500_000, 1_000_000]) == [
        "€ 0", "€ 500.000", "€ 1.000.000"]
    assert plots.ReportFormatter("number").format_ticks([0.0, 0.5, 1.0]) == ["0,0", "0,5",
                                                                            "1,0"]
    assert plots.ReportFormatter("number", log=True).format_ticks([0.01, 0.1, 1.0, 10.0]) == [
        "0,01", "0,1", "1", "10"]
    plots.set_report_theme("en")
    assert plots.value_formatter("eur")(1234567) == "€1,234,567"
    assert plots.ReportFormatter("number").format_ticks([1000.0, 1500.0]) == ["1,000",
                                                                              "1,500"]


def test_theme_sets_svg_text_and_reset_restores_rcparams():
    plots.reset_theme()
    before = dict(matplotlib.rcParams)
    plots.set_report_theme("nl")
    assert matplotlib.rcParams["svg.fonttype"] == "none"
    assert matplotlib.rcParams["svg.hashsalt"] == "npo-analysis"
    assert matplotlib.rcParams["font.size"] == 12
    plots.reset_theme()
    assert dict(matplotlib.rcParams) == before


# --- SVG --------------------------------------------------------------------------------------


def _bar(names=("A", "B"), title="Aandeel"):
    data = pd.DataFrame({"name": list(names), "share": np.linspace(0.1, 0.3, len(names))})
    return plots.bar_chart(data, "share", "name", value_format="pct", note=NOTE, title=title)


def test_svg_is_inline_ready_with_title_description_and_text_as_text():
    svg = plots.to_svg(_bar(HOSTILE))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="npo-chart" ')
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [0-9.]+ [0-9.]+", root.get("viewBox"))
    assert root.find(f"{SVG_NS}title").text == "Aandeel"
    description = root.find(f"{SVG_NS}desc").text
    assert description.startswith("Staafdiagram: 5 rijen, van <script>alert(1)</script> 10%")
    assert root.get("aria-label") == f"Aandeel. {description}"
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert all(name in texts for name in HOSTILE)  # escaped in the SVG, the same text parsed
    assert "<script" not in svg and "dc:date" not in svg and "Matplotlib v" not in svg
    assert 'id="figure_1"' not in svg and 'id="axes_1"' not in svg


def test_svg_is_deterministic_and_ids_differ_between_charts():
    first, again = plots.to_svg(_bar()), plots.to_svg(_bar())
    assert first == again
    other = plots.to_svg(_bar(title="Ander"))

    def ids(svg):
        return set(re.findall(r' id="([^"]+)"', svg))

    assert ids(first) and not ids(first) & ids(other)


def test_to_svg_wants_a_title_and_takes_an_own_alternative():
    ax = plots.bar_chart(pd.DataFrame({"name": ["A"], "share": [0.1]}), "share", "name",
                         note=NOTE)
    with pytest.raises(ValueError, match="title"):
        plots.to_svg(ax)
    svg = plots.to_svg(ax, title="Eigen titel", alt="Eén staaf van 10%.")
    assert "<desc>Eén staaf van 10%.</desc>" in svg and "<title>Eigen titel</title>" in svg


def test_show_displays_svg_once_and_closes_the_figure(capsys):
    ax = _bar()
    assert plt.fignum_exists(ax.figure.number)
    assert plots.show(ax) is None
    assert not plt.fignum_exists(ax.figure.number)
    assert capsys.readouterr().out.strip() == "<chart: Aandeel>"  # display() outside Jupyter
    shown = plots.InlineSVG("<svg/>", "t")
    assert shown._repr_svg_() == "<svg/>"


def test_a_batch_of_charts_leaves_no_figure_open():
    for i in range(12):
        plots.show(_bar(title=f"Grafiek {i}"))
    assert plt.get_fignums() == []
