"""The frame every chart shares: title and legend on top, the plot area, axes, the note below.

All sizes are SVG px (the chart is 680 px wide by default and scales down with the page). The
layout measures every text with :mod:`npo_analysis.charts.text_metrics`, so margins fit the
widest category or tick label, titles and notes wrap to the chart width, and legends wrap into
rows above the plot instead of covering the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from npo_analysis.charts.svg import Box, Chart, Line, Marker, Rect, Text
from npo_analysis.charts.text_metrics import text_width, truncate, wrap

WIDTH, HEIGHT = 680, 350
#: Outer margin.
PAD = 12
TITLE_SIZE, TITLE_LINE = 14, 18
LABEL_SIZE = 11
LEGEND_LINE = 18
NOTE_SIZE, NOTE_LINE = 10, 13
#: Height of one row of a horizontal chart (bar, difference, point range, dumbbell).
ROW = 22
#: Smallest plot height of a vertical chart.
MIN_PLOT_HEIGHT = 140
#: Room under the plot for a tick label row, and for an axis label.
TICKS_BELOW, AXIS_LABEL = 21, 16
#: Gap between tick or category labels and the plot.
LABEL_GAP = 6
#: Colours of text and axes.
INK, MUTED, GRID, AXIS = "#333333", "#555555", "#dddddd", "#888888"
#: The longest category label kept whole (characters).
MAX_LABEL_CHARS = 40


def baseline(center: float, size: float) -> float:
    """Baseline that centres a line of capitals and digits of ``size`` px on ``center``."""
    return center + 0.36 * size


@dataclass(frozen=True, slots=True)
class LegendItem:
    """One legend entry: ``swatch`` is ``rect``, ``line``, ``dashed``, ``dotted``,
    ``line-point`` or a marker shape (``circle``, ``square``, ``triangle``, ``diamond``)."""

    label: str
    swatch: str
    colour: str
    series: object = None


def note_height(note: str, width: int = WIDTH) -> float:
    """Height in px that :func:`draw_note` adds under a chart of ``width``."""
    return 6 + NOTE_LINE * len(wrap(note, width - 2 * PAD, NOTE_SIZE)) + 6


def draw_note(chart: Chart, note: str) -> Chart:
    """Write ``note`` (wrapped to the chart's width) under everything and grow the chart."""
    top = chart.height + 6
    lines = wrap(note, chart.width - 2 * PAD, NOTE_SIZE)
    for i, line in enumerate(lines):
        chart.add(Text(PAD, baseline(top + NOTE_LINE * (i + 0.5), NOTE_SIZE), line, "note",
                       size=NOTE_SIZE, fill=MUTED))
    chart.height = int(round(top + NOTE_LINE * len(lines) + 6))
    return chart


def _swatch_width(item: LegendItem) -> float:
    return 12 if item.swatch in ("rect", "circle", "square", "triangle", "diamond") else 20


def _legend_rows(items: list[LegendItem], room: float) -> list[list[tuple[LegendItem, str]]]:
    """Legend entries flowed into rows of at most ``room`` px; too long labels truncated."""
    rows: list[list[tuple[LegendItem, str]]] = [[]]
    used = 0.0
    for item in items:
        swatch = _swatch_width(item) + 5
        label = truncate(item.label, room - swatch, LABEL_SIZE, max_chars=80)
        width = swatch + text_width(label, LABEL_SIZE)
        if rows[-1] and used + width > room:
            rows.append([])
            used = 0.0
        rows[-1].append((item, label))
        used += width + 16
    return rows if rows[0] else []


def _draw_legend(chart: Chart, rows, top: float) -> None:
    for r, row in enumerate(rows):
        center = top + LEGEND_LINE * (r + 0.5)
        x = float(PAD)
        for item, label in row:
            swatch = _swatch_width(item)
            for mark in _swatch_marks(item, x, center):
                chart.add(mark)
            datum = None if item.series is None else {"series": item.series}
            chart.add(Text(x + swatch + 5, baseline(center, LABEL_SIZE), label, "legend-label",
                           size=LABEL_SIZE, fill=INK, datum=datum))
            x += swatch + 5 + text_width(label, LABEL_SIZE) + 16


def _swatch_marks(item: LegendItem, x: float, center: float) -> list:
    role, colour = "legend-swatch", item.colour
    if item.swatch == "rect":
        return [Rect(x, center - 6, 12, 12, colour, role)]
    if item.swatch in ("line", "dashed", "dotted", "line-point"):
        dash = {"dashed": "5 3", "dotted": "1.5 2.5"}.get(item.swatch)
        width = 2.0 if item.swatch in ("line", "line-point") else 1.5
        marks = [Line(x, center, x + 20, center, colour, role, width=width, dash=dash)]
        if item.swatch == "line-point":
            marks.append(Marker(x + 10, center, "circle", colour, role, size=7))
        return marks
    return [Marker(x + 6, center, item.swatch, colour, role, size=9)]


def frame(kind: str, *, title: str | None, note: str, left: float, right: float,
          legend: list[LegendItem] | tuple = (), above: float = 0, below: float = 0,
          plot_height: float | None = None, width: int = WIDTH,
          height: int = HEIGHT) -> Chart:
    """A chart with its title, legend and note drawn and its plot area (``chart.plot``) set.

    Parameters
    ----------
    kind : str
        Chart kind (``"bar"`` …).
    title : str or None
        Wrapped to the width, bold, left-aligned at the top.
    note : str
        Source line, wrapped under everything.
    left, right : float
        Margins of the plot area (room for category or tick labels).
    legend : list of LegendItem
        Entries, in rows under the title.
    above, below : float
        Room between the legend and the plot (e.g. column labels), and under the plot (tick
        labels, axis label).
    plot_height : float, optional
        Fixed plot height (horizontal charts grow with their rows); without it the plot takes
        what is left of ``height`` (but at least :data:`MIN_PLOT_HEIGHT`).
    width, height : int
        Size of the chart, note included.

    Returns
    -------
    Chart
    """
    title = " ".join((title or "").split())
    chart = Chart(kind, width, height, title)
    top = float(PAD)
    for line in wrap(title, width - 2 * PAD, TITLE_SIZE, bold=True):
        chart.add(Text(PAD, baseline(top + TITLE_LINE / 2, TITLE_SIZE), line, "title",
                       size=TITLE_SIZE, fill="#222222", bold=True))
        top += TITLE_LINE
    if title:
        top += 8
    rows = _legend_rows(list(legend), width - 2 * PAD)
    _draw_legend(chart, rows, top)
    top += LEGEND_LINE * len(rows) + (4 if rows else 0) + above
    if plot_height is None:
        plot_height = max(MIN_PLOT_HEIGHT, height - top - below - note_height(note, width))
    chart.plot = Box(left, top, max(width - left - right, 40.0), plot_height)
    chart.height = int(round(top + plot_height + below))
    return chart


def category_margin(labels: list[str], width: int = WIDTH) -> tuple[list[str], float]:
    """Category labels cut to fit and the left margin they need (label + gap + outer pad)."""
    room = 0.4 * width
    shown = [truncate(label, room, LABEL_SIZE, max_chars=MAX_LABEL_CHARS) for label in labels]
    widest = max((text_width(label, LABEL_SIZE) for label in shown), default=0.0)
    return shown, PAD + widest + LABEL_GAP + 2


def category_labels(chart: Chart, labels: list[str], originals: list, centers: list[float]
                    ) -> None:
    """Category labels right-aligned left of the plot, one per row centre."""
    x = chart.plot.x - LABEL_GAP
    for label, original, center in zip(labels, originals, centers, strict=True):
        chart.add(Text(x, baseline(center, LABEL_SIZE), label, "category-label", size=LABEL_SIZE,
                       anchor="end", fill=INK, datum={"category": original}))


def axis_labels(chart: Chart, xlabel: str | None, ylabel: str | None,
                x_below: float = TICKS_BELOW) -> None:
    """The value-axis label under the tick labels and the vertical axis label at the left."""
    plot = chart.plot
    if xlabel:
        text = truncate(xlabel, chart.width - 2 * PAD, LABEL_SIZE, max_chars=120)
        chart.add(Text(plot.x + plot.width / 2,
                       baseline(plot.bottom + x_below + AXIS_LABEL / 2, LABEL_SIZE), text,
                       "axis-label", size=LABEL_SIZE, anchor="middle", fill=INK))
    if ylabel:
        text = truncate(ylabel, plot.height + 40, LABEL_SIZE, max_chars=120)
        chart.add(Text(PAD + 0.8 * LABEL_SIZE, plot.y + plot.height / 2, text, "axis-label",
                       size=LABEL_SIZE, anchor="middle", fill=INK, rotate=-90))


def empty_text(chart: Chart, text: str) -> None:
    """A grey ``text`` in the middle of an empty plot."""
    plot, size = chart.plot, LABEL_SIZE + 1
    width = text_width(text, size)
    centre_x, centre_y = plot.x + plot.width / 2, plot.y + plot.height / 2
    chart.add(Rect(centre_x - width / 2 - 6, centre_y - size, width + 12, 2 * size, "#ffffff",
                   "empty-background"))
    chart.add(Text(centre_x, baseline(centre_y, size), text, "empty", size=size,
                   anchor="middle", fill=MUTED))
