"""The chart functions: Axes out, the expected bars, lines and notes, Dutch tick labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from npo_analysis import plots  # noqa: E402

NOTE = "Bron: test, teldatum 1 februari 2025"


@pytest.fixture(autouse=True)
def dutch_theme():
    plots.set_report_theme("nl")
    yield
    plt.close("all")


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def notes(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == plots.NOTE_GID]


def test_bar_chart_draws_one_bar_per_row_and_highlights():
    data = pd.DataFrame({"name": ["A", "B", "C"], "share": [0.3, 0.2, 0.1],
                         "is_self": [False, True, False]})
    ax = plots.bar_chart(data, "share", "name", highlight="is_self", reference=0.15,
                         value_format="pct", note=NOTE)
    drawn = bars(ax)
    assert len(drawn) == 3
    assert [round(b.get_width(), 3) for b in drawn] == [0.3, 0.2, 0.1]
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in drawn]
    assert colours[1] == plots.PALETTE["highlight"]
    assert colours[0] == colours[2] == plots.PALETTE["main"]
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                     strict=True))
    assert [ticks[p] for p in sorted(ticks, reverse=True)] == ["A", "B", "C"]  # top to bottom
    assert notes(ax) == [NOTE]  # short notes stay on one line


def test_histogram_chart_draws_bins_times_groups_bars_with_shares():
    data = pd.DataFrame({"group": ["X"] * 4 + ["Y"] * 2, "v": [0.0, 0.1, 0.1, 0.9, 0.5, 1.0]})
    ax = plots.histogram_chart(data, "v", "group", bins=5, note=NOTE)
    drawn = bars(ax)
    assert len(drawn) == 10
    x_heights = [b.get_height() for b in drawn[:5]]
    assert x_heights == pytest.approx([0.75, 0, 0, 0, 0.25])  # 3 of 4 in [0, 0.2), 1 in last
    assert sum(b.get_height() for b in drawn[5:]) == pytest.approx(1.0)


def test_line_chart_one_line_per_hue_and_break_markers():
    data = pd.DataFrame({"year": [2020, 2021, 2022] * 2, "value": [1, 2, 3, 2, 2, 2],
                         "series": ["a"] * 3 + ["b"] * 3})
    breaks = pd.DataFrame({"year": [2021], "position": [2020.5], "text": ["2019: methode"]})
    ax = plots.line_chart(data, "year", "value", hue="series", breaks=breaks, note=NOTE)
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(solid) == 2 and len(dotted) == 1
    assert list(dotted[0].get_xdata()) == [2020.5, 2020.5]
    assert "2019: methode" in [t.get_text() for t in ax.texts]


def test_stacked_bar_chart_stacks_components():
    data = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "eur": [100.0, 50.0, 200.0, 0.0],
                         "component": ["goab", "npo"] * 2})
    ax = plots.stacked_bar_chart(data, "year", "eur", "component", note=NOTE,
                                 labels={"goab": "GOAB", "npo": "NPO"})
    drawn = bars(ax)
    assert len(drawn) == 4
    npo_2020 = drawn[2]
    assert (npo_2020.get_y(), npo_2020.get_height()) == (100.0, 50.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GOAB", "NPO"]


def test_difference_chart_colours_gains_and_losses():
    data = pd.DataFrame({"name": ["A", "B"], "diff": [120.0, -80.0]})
    ax = plots.difference_chart(data, "diff", "name", note=NOTE)
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars(ax)]
    assert colours == [plots.PALETTE["positive"], plots.PALETTE["negative"]]


def test_theme_sets_dutch_separators_on_axes():
    fmt = plots.value_formatter("eur")
    assert fmt(1234567, 0) == "€ 1.234.567"
    assert plots.value_formatter("pct")(0.25, 0) == "25%"
    assert plots.value_formatter("number")(2.5, 0) == "2,5"
    plots.set_report_theme("en")
    assert plots.value_formatter("eur")(1234567, 0) == "€1,234,567"


def test_ticks_are_drawn_in_dutch():
    data = pd.DataFrame({"name": ["A"], "amount": [2_500_000.0]})
    ax = plots.bar_chart(data, "amount", "name", value_format="eur", note=NOTE)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "€ 1.000.000" in labels


def test_every_chart_needs_a_note_and_its_columns():
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    with pytest.raises(ValueError, match="source and count date"):
        plots.bar_chart(data, "v", "name", note=" ")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['w'\]"):
        plots.bar_chart(data, "w", "name", note=NOTE)


def test_draws_on_the_given_axes():
    _, ax = plt.subplots()
    data = pd.DataFrame({"name": ["A"], "v": [1.0]})
    assert plots.bar_chart(data, "v", "name", note=NOTE, ax=ax) is ax


def test_point_range_chart_draws_a_point_and_range_per_row():
    data = pd.DataFrame({"domain": ["R", "R", "S", "S"], "area": ["G", "NL", "G", "NL"],
                         "v": [2.0, 1.0, 0.5, 0.4], "lo": [1.0, 0.8, -0.5, 0.3],
                         "hi": [3.0, 1.2, 1.5, 0.5]})
    ax = plots.point_range_chart(data, "v", "lo", "hi", "domain", hue="area", reference=0,
                                 note=NOTE)
    markers = [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]
    assert sorted(len(line.get_xdata()) for line in markers) == [2, 2]
    segments = [s for c in ax.collections for s in c.get_segments()]
    assert sorted((s[0][0], s[1][0]) for s in segments) == [(-0.5, 1.5), (0.3, 0.5),
                                                            (0.8, 1.2), (1.0, 3.0)]
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                     strict=True))
    assert [ticks[p] for p in sorted(ticks, reverse=True)] == ["R", "S"]  # top to bottom
    assert notes(ax) == [NOTE]


def test_heat_map_chart_grid_masks_missing_and_marks_cells():
    data = pd.DataFrame({"wijk": ["A", "A", "B", "B"], "domein": ["x", "y", "x", "y"],
                         "v": [0.2, 1.0, float("nan"), 0.6], "t": ["20%", "100%", "<10", "60%"],
                         "spot": [True, False, False, False]})
    ax = plots.heat_map_chart(data, "domein", "wijk", "v", text="t", mark="spot", vmin=0,
                              vmax=1, note=NOTE)
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 2)
    assert grid.mask.tolist() == [[False, False], [True, False]]
    assert grid[0, 0] == pytest.approx(0.2)
    assert [t.get_text() for t in ax.texts if t.get_gid() != plots.NOTE_GID] == \
        ["20%", "100%", "<10", "60%"]
    assert len([p for p in ax.patches if not p.get_fill()]) == 1  # one marked cell


def test_dumbbell_chart_joins_two_values_per_row():
    data = pd.DataFrame({"school": ["A", "B"], "plan": [1.0, 5.5], "best": [13.3, 13.3]})
    ax = plots.dumbbell_chart(data, "plan", "best", "school", labels=("Plannen", "Beste"),
                              note=NOTE)
    segments = ax.collections[0].get_segments()
    assert [(s[0][0], s[1][0]) for s in segments] == [(1.0, 13.3), (5.5, 13.3)]
    assert [line.get_label() for line in ax.get_lines()] == ["Plannen", "Beste"]
