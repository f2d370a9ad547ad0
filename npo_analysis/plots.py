"""The report's charts: one function per chart kind, tidy data in, a :class:`Chart` (SVG) out.

Each function takes a tidy ``data`` frame and column names, checks them, lays the chart out and
returns a :class:`~npo_analysis.charts.Chart`; a notebook shows it with
``display(plots.bar_chart(...))`` (Jupyter uses its ``_repr_svg_``). Every chart carries its
source line (``note``: source and count date) under the plot. The only module-level state is
the language of the numbers, set by :func:`set_report_theme` (Dutch ``1.234,5`` / ``12,3%`` /
``€ 1.234`` by default) and restored by :func:`reset_theme`.

Why SVG and not matplotlib
--------------------------
A municipality report draws about 11 charts, and with matplotlib (text layout, constrained
layout, PNG encoding) one chart cost about 0.1 s: a horizontal bar chart of 11 municipalities
with a reference line took a median of 117 ms including the PNG at 90 dpi, which made charts
the largest cost of a batch of 342 reports. These charts are written directly as SVG text by
:mod:`npo_analysis.charts` in plain Python: the same bar chart takes a median of 0.6 ms, every
kind 0.4-1.6 ms (the 4 x 10 heat map is the slowest), about 10 ms for the 11 charts of a report
(``benchmarks/chart_speed.py`` prints the medians of every kind and the matplotlib comparison).
The SVG is also sharp at any zoom and in print. Importing this module imports neither
matplotlib nor seaborn.

Layout uses the embedded advance widths of DejaVu Sans
(:mod:`npo_analysis.charts.text_metrics`): the left margin fits the widest category label
(labels over 40 characters are cut with ``…``), value-axis ticks are thinned until their labels
do not touch, titles, legends and notes wrap to the chart width. Legends sit above the plot, in
rows under the title. Gridlines are light grey, on the value axis only.

Determinism and safety
----------------------
The same data and theme give byte-identical SVG: marks are drawn in the frame's order, numbers
are written with at most two decimals (never ``-0``), there is no clock, no random id and no
memory address in the SVG or in ``repr(chart)``. The SVG has no ``id`` attribute, no script, no
stylesheet and no link (only the SVG ``xmlns``), and every text is XML-escaped.

Testing
-------
Inspect a chart through its marks rather than its SVG text: ``chart.find("bar")`` lists the bars
(:class:`~npo_analysis.charts.Rect`, with ``fill``, ``x``, ``y``, ``width``, ``height`` in px and
a ``datum`` such as ``{"category": "A", "value": 0.3, "highlight": False}``);
``chart.texts("tick-label")`` the tick labels as shown; ``chart.plot`` is the plot area.
Each function's docstring lists the roles it draws and their ``datum`` keys.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from npo_analysis.charts import Chart, Line, Marker, Rect, Text
from npo_analysis.charts.axes import (
    format_value,
    horizontal_axis,
    label_width,
    tip_value,
    value_axis,
    x_grid,
    y_grid,
    year_axis,
    zero_line,
)
from npo_analysis.charts.colours import MISSING_COLOUR, colour_map, luminance, to_hex
from npo_analysis.charts.layout import (
    AXIS_LABEL,
    INK,
    LABEL_GAP,
    LABEL_SIZE,
    MUTED,
    PAD,
    ROW,
    TICKS_BELOW,
    WIDTH,
    LegendItem,
    axis_labels,
    baseline,
    category_labels,
    category_margin,
    draw_note,
    empty_text,
    frame,
)
from npo_analysis.charts.scales import BandScale, LinearScale
from npo_analysis.charts.svg import Polyline
from npo_analysis.charts.text_metrics import text_width, truncate, wrap
from npo_analysis.formatting import MISSING, check_language, is_missing

__all__ = ["PALETTE", "SERIES", "NOTE_GID", "Chart", "set_report_theme", "reset_theme",
           "value_formatter", "add_note", "bar_chart", "histogram_chart", "line_chart",
           "stacked_bar_chart", "difference_chart", "point_range_chart", "heat_map_chart",
           "dumbbell_chart"]

#: Colours of the report: main, highlight, reference, then the series palette.
PALETTE = {"main": "#5b7fa6", "highlight": "#d1495b", "reference": "#444444",
           "positive": "#3c8d5a", "negative": "#d1495b", "break": "#999999"}
SERIES = ("#2f5d8a", "#e09f3e", "#6a9f58", "#9e5c8f", "#4fa3a5", "#c26a4a")
#: Role of the source-note lines: ``chart.find(NOTE_GID)`` (one mark per wrapped line).
NOTE_GID = "note"
#: Language of the numbers of every following chart (see :func:`set_report_theme`).
_THEME: dict = {"language": "nl"}
_DEFAULT_THEME = {"language": "nl"}
#: Marker shape of the 1st, 2nd, … series of a point-range chart (matplotlib's o s ^ D).
_SHAPES = ("circle", "square", "triangle", "diamond")
_NO_DATA = {"nl": "Geen gegevens", "en": "No data"}
#: Room above a vertical plot for the half of its top tick label.
_ABOVE_VERTICAL = 8


def set_report_theme(language: str = "nl") -> None:
    """Set the language of the numbers of every following chart.

    Parameters
    ----------
    language : {"nl", "en"}
        Dutch (thousands dot, decimal comma, ``€ 1.234``) or English (``€1,234``).
    """
    _THEME["language"] = check_language(language)


def reset_theme() -> None:
    """Restore the default theme (Dutch numbers); the warm kernel calls it between reports."""
    _THEME.clear()
    _THEME.update(_DEFAULT_THEME)


def value_formatter(kind: str):
    """A formatter of single values in the theme's language.

    Parameters
    ----------
    kind : {"number", "eur", "pct", "year"}
        ``pct`` expects fractions (0.1 -> ``10%``, no decimals); ``eur`` whole euros;
        ``number`` one decimal unless the value is whole; ``year`` whole years without
        separators.

    Returns
    -------
    callable
        ``value -> str``.

    Examples
    --------
    >>> set_report_theme("nl"); value_formatter("eur")(1234567)
    '€ 1.234.567'
    """
    language = _THEME["language"]
    functions = {
        "number": lambda v: format_value(v, "number", 0 if float(v).is_integer() else 1,
                                         language),
        "eur": lambda v: format_value(v, "eur", 0, language),
        "pct": lambda v: format_value(v, "pct", 0, language),
        "year": lambda v: format_value(v, "year", 0, language),
    }
    if kind not in functions:
        raise ValueError(f"kind={kind!r}: expected one of {sorted(functions)}")
    return functions[kind]


def _check_note(note: str | None) -> str:
    if not isinstance(note, str) or not note.strip():
        raise ValueError("note: every chart needs its source and count date")
    return " ".join(note.split())


def add_note(chart: Chart, note: str) -> Chart:
    """Write the source line (source and count date) under the chart, wrapped to its width.

    The chart grows by the note's height; each wrapped line is a ``Text`` mark with role
    ``"note"`` (:data:`NOTE_GID`).

    Parameters
    ----------
    chart : Chart
        The chart.
    note : str
        The text, e.g. ``Bron: Demoland (synthetisch), teldatum 1 februari 2025``.

    Returns
    -------
    Chart
        The same chart.
    """
    return draw_note(chart, _check_note(note))


def _require(data: pd.DataFrame, *columns: str | None) -> None:
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"data: missing column(s) {missing}; it has {list(data.columns)}")


def _floats(data: pd.DataFrame, column: str) -> list[float]:
    """The column as Python floats, missing values as NaN."""
    return data[column].to_numpy(dtype=float, na_value=np.nan).tolist()


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def _label(value) -> str:
    return MISSING if is_missing(value) else str(value)


def _flag(value) -> bool:
    return False if is_missing(value) else bool(value)


class _Missing:
    """The one key of every missing value (``None``, NaN, ``pd.NA``) in a lookup table."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING_KEY = _Missing()


def _key(value):
    """``value`` as a dictionary key: all missing values are one key."""
    return _MISSING_KEY if is_missing(value) else value


def _unique(values: list) -> list:
    """Values in order of first appearance (missing values once, the first one found)."""
    first: dict = {}
    for value in values:
        first.setdefault(_key(value), value)
    return list(first.values())


def _positions(values: list) -> dict:
    """Index of each distinct value (by :func:`_key`) in order of first appearance."""
    return {_key(value): i for i, value in enumerate(_unique(values))}


def _series_colours(count: int) -> list[str]:
    """Highlight and main for two series (e.g. municipality and country), else the palette."""
    if count == 2:
        return [PALETTE["highlight"], PALETTE["main"]]
    return [SERIES[i % len(SERIES)] for i in range(count)]


def _finish(chart: Chart, note: str, *, xlabel: str | None = None, ylabel: str | None = None,
            empty: bool = False) -> Chart:
    axis_labels(chart, xlabel, ylabel)
    if empty:
        empty_text(chart, _NO_DATA[_THEME["language"]])
    return draw_note(chart, note)


def _reference(chart: Chart, scale, value: float | None, label: str | None) -> None:
    """A dashed vertical line at ``value`` across the plot."""
    if not _finite(value):
        return
    plot = chart.plot
    x = scale(value)
    if plot.x - 0.5 <= x <= plot.right + 0.5:
        chart.add(Line(x, plot.y, x, plot.bottom, PALETTE["reference"], "reference", width=1.5,
                       dash="5 3", datum={"value": float(value), "label": label}))


def _horizontal(kind: str, categories: list, low: float, high: float, *, title, note, xlabel,
                value_format: str, legend=(), log: bool = False, row: float = ROW):
    """Frame of a chart with categories down and values across: labels, grid, bands."""
    language = _THEME["language"]
    shown, left = category_margin([_label(c) for c in categories])
    axis, left, right = horizontal_axis(low, high, value_format, language, left, log=log)
    below = TICKS_BELOW + (AXIS_LABEL if xlabel else 0) + 2
    chart = frame(kind, title=title, note=note, left=left, right=right, legend=legend,
                  below=below, plot_height=(len(categories) or 2) * row)
    plot = chart.plot
    scale = axis.scale(plot.x, plot.right)
    x_grid(chart, axis, scale)
    band = BandScale(len(categories), plot.y, plot.bottom)
    category_labels(chart, shown, categories, [band.center(i) for i in range(len(categories))])
    return chart, scale, band


def _value_span(values: list[float], *extra, log: bool = False, zero: bool = False
                ) -> tuple[float, float]:
    """Range of the finite values (and extras), with 0 for bars; positive only for ``log``."""
    finite = [v for v in (*values, *extra) if _finite(v) and (v > 0 or not log)]
    if zero:
        finite.append(0.0)
    if not finite:
        return (1.0, 10.0) if log else (0.0, 1.0)
    return min(finite), max(finite)


def _bars_across(chart: Chart, scale, band: BandScale, categories: list, values: list[float],
                 colours: list[str], value_format: str, highlight: list[bool] | None) -> None:
    language = _THEME["language"]
    thickness = 0.7 * band.step
    zero = scale(0.0)
    for i, (category, value, colour) in enumerate(zip(categories, values, colours, strict=True)):
        if not _finite(value):
            continue
        end = scale(value)
        datum = {"category": category, "value": value}
        if highlight is not None:
            datum["highlight"] = highlight[i]
        chart.add(Rect(min(zero, end), band.center(i) - thickness / 2, abs(end - zero),
                       thickness, colour, "bar", datum=datum,
                       tip=f"{_label(category)}: {tip_value(value, value_format, language)}"))


def bar_chart(data: pd.DataFrame, x: str, y: str, *, note: str, highlight: str | None = None,
              reference: float | None = None, reference_label: str | None = None,
              value_format: str = "number", title: str | None = None,
              xlabel: str | None = None) -> Chart:
    """Horizontal bars: one bar per row, categories ``y`` down, values ``x`` across.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per bar, drawn top to bottom in the frame's order (a missing value draws no
        bar but keeps its label).
    x, y : str
        Value column and category column.
    note : str
        Source and count date.
    highlight : str, optional
        Boolean column: these bars get the highlight colour.
    reference : float, optional
        A dashed vertical reference line (e.g. the national value), with a legend entry
        ``reference_label``.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Title and value-axis label.

    Returns
    -------
    Chart
        Kind ``"bar"``, 22 px per row. Roles: ``bar`` (``category``, ``value``, and
        ``highlight`` when given), ``category-label`` (``category``), ``gridline`` and
        ``tick-label`` (``value``), ``zero-line``, ``reference`` (``value``, ``label``),
        ``legend-swatch``, ``legend-label``, ``title``, ``axis-label``, ``note``, ``empty``.
    """
    note = _check_note(note)
    _require(data, x, y, highlight)
    categories, values = data[y].tolist(), _floats(data, x)
    flags = [_flag(v) for v in data[highlight].tolist()] if highlight else None
    colours = [PALETTE["highlight"] if flags and flags[i] else PALETTE["main"]
               for i in range(len(values))]
    legend = [LegendItem(reference_label, "dashed", PALETTE["reference"])] \
        if reference_label and _finite(reference) else []
    low, high = _value_span(values, reference, zero=True)
    chart, scale, band = _horizontal("bar", categories, low, high, title=title, note=note,
                                     xlabel=xlabel, value_format=value_format, legend=legend)
    _bars_across(chart, scale, band, categories, values, colours, value_format, flags)
    zero_line(chart, scale, vertical=False)
    _reference(chart, scale, reference, reference_label)
    return _finish(chart, note, xlabel=xlabel, empty=not any(_finite(v) for v in values))


def difference_chart(data: pd.DataFrame, x: str, y: str, *, note: str,
                     value_format: str = "eur", title: str | None = None,
                     xlabel: str | None = None) -> Chart:
    """Horizontal bars of differences: gains in green to the right, losses in red to the left.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, drawn top to bottom in the frame's order.
    x, y : str
        Difference column and label column.
    note : str
        Source and count date.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"difference"``. Roles: ``bar`` (``category``, ``value``; fill
        ``PALETTE["positive"]`` for >= 0, ``PALETTE["negative"]`` below), ``zero-line`` at 0,
        ``category-label``, ``gridline``, ``tick-label``, ``title``, ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, x, y)
    categories, values = data[y].tolist(), _floats(data, x)
    colours = [PALETTE["positive"] if v >= 0 else PALETTE["negative"] for v in values]
    low, high = _value_span(values, zero=True)
    chart, scale, band = _horizontal("difference", categories, low, high, title=title, note=note,
                                     xlabel=xlabel, value_format=value_format)
    _bars_across(chart, scale, band, categories, values, colours, value_format, None)
    zero_line(chart, scale, vertical=False)
    return _finish(chart, note, xlabel=xlabel, empty=not any(_finite(v) for v in values))


def _vertical(kind: str, low: float, high: float, value_format: str, *, title, note, xlabel,
              ylabel, legend=()) -> tuple[Chart, LinearScale, float]:
    """Frame of a chart with values up: the value axis at the left, room for x labels below.

    Returns the chart, the value scale and the right margin used.
    """
    language = _THEME["language"]
    axis = value_axis(low, high, value_format, language)
    left = PAD + (AXIS_LABEL if ylabel else 0) + label_width(axis.labels) + LABEL_GAP
    right = PAD + 4
    below = TICKS_BELOW + (AXIS_LABEL if xlabel else 0) + 2
    chart = frame(kind, title=title, note=note, left=left, right=right, legend=legend,
                  above=_ABOVE_VERTICAL, below=below)
    scale = axis.scale(chart.plot.bottom, chart.plot.y)
    y_grid(chart, axis, scale)
    return chart, scale, right


def histogram_chart(data: pd.DataFrame, value: str, group: str, *, note: str, bins: int = 10,
                    value_format: str = "pct", title: str | None = None,
                    xlabel: str | None = None, ylabel: str | None = None) -> Chart:
    """Distributions side by side: per bin, one bar per group with its share of the group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per observation, ``group`` names its group (missing values are left
        out).
    value, group : str
        Value column and group column (groups drawn in order of first appearance).
    note : str
        Source and count date.
    bins : int
        Number of equal-width bins over the range of all values.
    value_format : {"number", "eur", "pct"}
        Format of the value axis; the share axis is always a percentage.
    title, xlabel, ylabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"histogram"``: ``bins x groups`` ``bar`` marks, group by group (``group``,
        ``low`` and ``high`` of the bin, ``count``, ``share`` of the group); ``gridline`` on
        the share axis only, ``tick-label`` on both axes, ``zero-line``, ``legend-swatch`` and
        ``legend-label`` per group, ``title``, ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, value, group)
    language = _THEME["language"]
    values = np.asarray(_floats(data, value))
    finite = np.isfinite(values)
    edges = np.histogram_bin_edges(values[finite] if finite.any() else [0.0, 1.0], bins=bins)
    codes, found = pd.factorize(data[group], use_na_sentinel=True)  # missing: -1, one group
    order = pd.unique(codes).tolist()  # groups in order of first appearance
    groups = [found[c] if c >= 0 else data[group][codes < 0].iloc[0] for c in order]
    shares = []
    for code in order:
        own = values[(codes == code) & finite]
        counts = np.histogram(own, bins=edges)[0]
        total = counts.sum()
        shares.append((counts.tolist(), (counts / total if total else counts * 0.0).tolist()))
    colours = _series_colours(len(groups))
    legend = [LegendItem(_label(g), "rect", c, g) for g, c in zip(groups, colours, strict=True)]
    top = max((max(s) for _, s in shares if s), default=0.0) or 1.0
    chart, yscale, right = _vertical("histogram", 0.0, top, "pct", title=title, note=note,
                                     xlabel=xlabel, ylabel=ylabel, legend=legend)
    plot = chart.plot
    axis, _, _ = horizontal_axis(float(edges[0]), float(edges[-1]), value_format, language,
                                 plot.x)
    xscale = axis.scale(plot.x, plot.right)
    x_grid(chart, axis, xscale, lines=False)
    width = (edges[1] - edges[0]) * 0.9 / max(len(groups), 1)
    base = yscale(0.0)
    edge_list = edges.tolist()
    for i, (name, (counts, share)) in enumerate(zip(groups, shares, strict=True)):
        for k, (count, part) in enumerate(zip(counts, share, strict=True)):
            start = edge_list[k] + (edge_list[k + 1] - edge_list[k]) * 0.05 + i * width
            x0, x1, y1 = xscale(start), xscale(start + width), yscale(part)
            chart.add(Rect(x0, y1, x1 - x0, base - y1, colours[i], "bar",
                           datum={"group": name, "low": edge_list[k], "high": edge_list[k + 1],
                                  "count": int(count), "share": part},
                           tip=f"{_label(name)}: {tip_value(part, 'pct', language)}"))
    zero_line(chart, yscale, vertical=True)
    return _finish(chart, note, xlabel=xlabel, ylabel=ylabel, empty=not finite.any())


def _breaks(chart: Chart, scale, breaks: pd.DataFrame | None) -> None:
    """Dotted vertical lines at method breaks (``position``, ``text``), labelled at the top."""
    if breaks is None or breaks.empty:
        return
    plot = chart.plot
    for i, (position, text) in enumerate(zip(_floats(breaks, "position"),
                                             breaks["text"].tolist(), strict=True)):
        if not _finite(position):
            continue
        x = scale(position)
        chart.add(Line(x, plot.y, x, plot.bottom, PALETTE["break"], "break", width=1.2,
                       dash="1.5 2.5", datum={"position": position, "text": text}))
        label = truncate(_label(text), plot.width / 2, 10, max_chars=60)
        y = baseline(plot.y + 8 + 12 * (i % 2), 10)
        width = text_width(label, 10)
        start = x + 4 if x + 4 + width <= plot.right else x - 4 - width
        chart.add(Rect(start - 2, y - 9, width + 4, 12, "#ffffff", "break-label-background"))
        chart.add(Text(start, y, label, "break-label", size=10, fill=MUTED,
                       datum={"position": position, "text": text}))


def _headroom(low: float, high: float, breaks: pd.DataFrame | None) -> float:
    """The top of the value axis: 25% more room when break labels go above the data."""
    return low + (high - low) * 1.25 if breaks is not None and not breaks.empty else high


def _year_domain(xs: list[float], breaks: pd.DataFrame | None) -> tuple[float, float]:
    """Years from half a year before the first to half a year after the last (and breaks)."""
    places = [v for v in xs if _finite(v)]
    if breaks is not None and not breaks.empty:
        places += [v for v in _floats(breaks, "position") if _finite(v)]
    if not places:
        return (-0.5, 0.5)
    return min(places) - 0.5, max(places) + 0.5


def line_chart(data: pd.DataFrame, x: str, y: str, *, note: str, hue: str | None = None,
               breaks: pd.DataFrame | None = None, value_format: str = "number",
               title: str | None = None, ylabel: str | None = None) -> Chart:
    """Lines over years (one per ``hue`` value), with dotted markers at method breaks.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per point (drawn in order of the year; a missing value breaks the line).
    x, y : str
        Year column and value column.
    note : str
        Source and count date.
    hue : str, optional
        Series column (one line per value, in order of first appearance, with a legend).
    breaks : pandas.DataFrame, optional
        ``position`` and ``text`` of each break
        (:func:`npo_analysis.report.trends.break_markers`); the value axis gets 25% headroom
        for their labels.
    value_format : {"number", "eur", "pct"}
        Format of the value axis (which starts at 0).
    title, ylabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"line"``. Roles: ``line`` (a polyline per series and unbroken run: ``series``,
        ``x``, ``y`` lists), ``point`` (``series``, ``x``, ``y``), ``break`` and
        ``break-label`` (``position``, ``text``), ``gridline``/``tick-label`` (values and
        years), ``zero-line``, ``legend-swatch``/``legend-label``, ``title``, ``axis-label``,
        ``note``.
    """
    note = _check_note(note)
    _require(data, x, y, hue)
    language = _THEME["language"]
    xs, ys = _floats(data, x), _floats(data, y)
    names = [None] * len(xs) if hue is None else data[hue].tolist()
    series = [None] if hue is None else _unique(names)
    colours = [SERIES[i % len(SERIES)] for i in range(len(series))]
    legend = [] if hue is None else [LegendItem(_label(s), "line-point", c, s)
                                     for s, c in zip(series, colours, strict=True)]
    low, high = _value_span(ys, zero=True)
    chart, yscale, _ = _vertical("line", low, _headroom(low, high, breaks), value_format,
                                 title=title, note=note, xlabel=None, ylabel=ylabel,
                                 legend=legend)
    plot = chart.plot
    domain = _year_domain(xs, breaks)
    xscale = LinearScale(domain, (plot.x, plot.right))
    if any(_finite(v) for v in xs):
        year_axis(chart, xscale, *domain)
    zero_line(chart, yscale, vertical=True)
    _breaks(chart, xscale, breaks)
    for name, colour in zip(series, colours, strict=True):
        own = _key(name)
        points = sorted(((px, py) for px, py, n in zip(xs, ys, names, strict=True)
                         if _key(n) == own and _finite(px)), key=lambda point: point[0])
        for run in _runs(points):
            chart.add(Polyline(tuple((xscale(px), yscale(py)) for px, py in run), colour, "line",
                               width=2.0, datum={"series": name, "x": [p[0] for p in run],
                                                 "y": [p[1] for p in run]}))
        for px, py in points:
            if _finite(py):
                tip = f"{format_value(px, 'year', 0, language)}: " \
                      f"{tip_value(py, value_format, language)}"
                chart.add(Marker(xscale(px), yscale(py), "circle", colour, "point", size=7,
                                 datum={"series": name, "x": px, "y": py}, tip=tip))
    return _finish(chart, note, ylabel=ylabel, empty=not any(_finite(v) for v in ys))


def _runs(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Runs of points with a finite value (a missing value breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if _finite(point[1]):
            runs[-1].append(point)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def stacked_bar_chart(data: pd.DataFrame, x: str, y: str, hue: str, *, note: str,
                      breaks: pd.DataFrame | None = None, labels: dict | None = None,
                      value_format: str = "eur", title: str | None = None,
                      ylabel: str | None = None) -> Chart:
    """Vertical bars per ``x`` (e.g. year), stacked by ``hue`` (e.g. budget component).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per ``x`` and ``hue`` (several rows of one pair are added up; missing
        values count as 0).
    x, y, hue : str
        Category, value and stack columns (``x`` sorted; stacks in order of first appearance,
        the first at the bottom).
    note : str
        Source and count date.
    breaks : pandas.DataFrame, optional
        Method breaks (``position``, ``text``) on a numeric ``x``.
    labels : dict, optional
        Legend text per ``hue`` value.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, ylabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"stacked-bar"``: ``len(x values) x len(hue values)`` ``bar`` marks, stack by
        stack (``category`` = the ``x`` value, ``series`` = the ``hue`` value, ``value``,
        ``bottom``); ``legend-swatch``/``legend-label`` (``series``) above the plot in stack
        order, ``break``/``break-label``, ``gridline``, ``tick-label``, ``zero-line``,
        ``category-label`` for a non-numeric ``x``, ``title``, ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, x, y, hue)
    language = _THEME["language"]
    numeric = pd.api.types.is_numeric_dtype(data[x])
    keys, stacks, amounts = data[x].tolist(), data[hue].tolist(), _floats(data, y)
    categories = _sorted([k for k in _unique(keys) if not is_missing(k)])
    series = _unique(stacks)
    totals: dict = {}
    for key, stack, amount in zip(keys, stacks, amounts, strict=True):
        if _finite(amount) and not is_missing(key):
            pair = (key, _key(stack))
            totals[pair] = totals.get(pair, 0.0) + amount
    bottoms = dict.fromkeys(categories, 0.0)
    bars = []
    for name in series:
        for key in categories:
            amount = totals.get((key, _key(name)), 0.0)
            bars.append((key, name, amount, bottoms[key]))
            bottoms[key] += amount
    ends = [b + a for _, _, a, b in bars] + [b for _, _, _, b in bars]
    low, high = _value_span(ends, zero=True)
    colours = {_key(name): SERIES[i % len(SERIES)] for i, name in enumerate(series)}
    legend = [LegendItem((labels or {}).get(name, _label(name)), "rect", colours[_key(name)],
                         name) for name in series]
    chart, yscale, _ = _vertical("stacked-bar", low, _headroom(low, high, breaks), value_format,
                                 title=title, note=note, xlabel=None, ylabel=ylabel,
                                 legend=legend)
    plot = chart.plot
    if numeric:
        domain = _year_domain([float(k) for k in categories], breaks)
        xscale = LinearScale(domain, (plot.x, plot.right))
        centre = {k: xscale(float(k)) for k in categories}
        thickness = 0.7 * abs(xscale(1.0) - xscale(0.0))
        if categories:
            year_axis(chart, xscale, *domain)
    else:
        band = BandScale(len(categories), plot.x, plot.right)
        centre = {k: band.center(i) for i, k in enumerate(categories)}
        thickness = 0.7 * band.step
        _labels_under(chart, categories, [centre[k] for k in categories], band.step)
    for key, name, amount, bottom in bars:
        y0, y1 = yscale(bottom), yscale(bottom + amount)
        label = (labels or {}).get(name, _label(name))
        chart.add(Rect(centre[key] - thickness / 2, min(y0, y1), thickness, abs(y1 - y0),
                       colours[_key(name)], "bar",
                       datum={"category": key, "series": name, "value": amount,
                              "bottom": bottom},
                       tip=f"{_label(key)}, {label}: {tip_value(amount, value_format, language)}"))
    zero_line(chart, yscale, vertical=True)
    if numeric:
        _breaks(chart, xscale, breaks)
    return _finish(chart, note, ylabel=ylabel, empty=not bars)


def _sorted(values: list) -> list:
    try:
        return sorted(values)
    except TypeError:
        return values


def _labels_under(chart: Chart, categories: list, centres: list[float], room: float) -> None:
    y = baseline(chart.plot.bottom + LABEL_GAP + LABEL_SIZE / 2, LABEL_SIZE)
    for category, centre in zip(categories, centres, strict=True):
        label = truncate(_label(category), room - 4, LABEL_SIZE)
        chart.add(Text(centre, y, label, "category-label", size=LABEL_SIZE, anchor="middle",
                       fill=INK, datum={"category": category}))


def point_range_chart(data: pd.DataFrame, x: str, low: str, high: str, y: str, *, note: str,
                      hue: str | None = None, reference: float | None = None,
                      reference_label: str | None = None, log: bool = False,
                      value_format: str = "number", title: str | None = None,
                      xlabel: str | None = None) -> Chart:
    """Points with horizontal ranges (e.g. estimates with 95% intervals), categories down.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per point; categories ``y`` drawn top to bottom in order of first
        appearance.
    x, low, high, y : str
        Point, lower end, upper end and category columns (missing ends draw no range).
    note : str
        Source and count date.
    hue : str, optional
        Series column: one marker shape (circle, square, triangle, diamond) and colour per
        value, dodged within a category, the first series on top (the first series gets the
        highlight colour when there are two).
    reference : float, optional
        A dashed vertical reference line, with a legend entry ``reference_label``.
    log : bool
        Logarithmic value axis (for ranges spanning orders of magnitude; values <= 0 are left
        out and range ends <= 0 run to the axis start).
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"point-range"``, at least 22 px per category (16 px per series). Roles:
        ``range`` (``category``, ``series``, ``low``, ``high``), ``point`` (``category``,
        ``series``, ``value``), ``reference`` (``value``, ``label``), ``category-label``,
        ``gridline``, ``tick-label``, ``legend-swatch``/``legend-label``, ``title``,
        ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, x, low, high, y, hue)
    language = _THEME["language"]
    xs, lows, highs = _floats(data, x), _floats(data, low), _floats(data, high)
    keys = data[y].tolist()
    names = [None] * len(xs) if hue is None else data[hue].tolist()
    categories, series = _unique(keys), [None] if hue is None else _unique(names)
    colours = _series_colours(len(series))
    legend = [] if hue is None else [
        LegendItem(_label(s), _SHAPES[i % 4], colours[i], s) for i, s in enumerate(series)]
    if reference_label and _finite(reference) and (reference > 0 or not log):
        legend.append(LegendItem(reference_label, "dashed", PALETTE["reference"]))
    span = _value_span(xs + lows + highs, reference, log=log)
    row = max(ROW, 16 * len(series))
    chart, scale, band = _horizontal("point-range", categories, *span, title=title, note=note,
                                     xlabel=xlabel, value_format=value_format, legend=legend,
                                     log=log, row=row)
    if not log or (_finite(reference) and reference > 0):
        _reference(chart, scale, reference, reference_label)
    row_of, series_of = _positions(keys), _positions(names)
    step = 0.6 * band.step / max(len(series), 1)
    where = []
    for key, name, value, start, end in zip(keys, names, xs, lows, highs, strict=True):
        index = series_of[_key(name)]
        centre = band.center(row_of[_key(key)]) + (index - (len(series) - 1) / 2) * step
        where.append((key, name, index, centre, value, start, end))
    for key, name, index, centre, _, start, end in where:
        if _finite(start) and _finite(end) and (not log or end > 0):
            x0, x1 = scale(start if start > 0 or not log else scale.domain[0]), scale(end)
            chart.add(Line(x0, centre, x1, centre, colours[index], "range", width=2.5,
                           opacity=0.6, datum={"category": key, "series": name, "low": start,
                                               "high": end}))
    for key, name, index, centre, value, _, _ in where:
        if _finite(value) and (value > 0 or not log):
            tip = f"{_label(key)}{'' if name is None else ', ' + _label(name)}: " \
                  f"{tip_value(value, value_format, language)}"
            chart.add(Marker(scale(value), centre, _SHAPES[index % 4], colours[index], "point",
                             size=8, datum={"category": key, "series": name, "value": value},
                             tip=tip))
    return _finish(chart, note, xlabel=xlabel, empty=not any(_finite(v) for v in xs))


def heat_map_chart(data: pd.DataFrame, x: str, y: str, value: str, *, note: str,
                   text: str | None = None, mark: str | None = None,
                   vmin: float | None = None, vmax: float | None = None, cmap: str = "RdYlGn",
                   title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None) -> Chart:
    """A grid of coloured cells: rows ``y`` down, columns ``x`` across, colour by ``value``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per cell; rows and columns in order of first appearance. A missing
        ``value`` (or a missing row and column pair) leaves the cell grey ``#e6e6e6`` (e.g. no
        need, or a suppressed small group).
    x, y, value : str
        Column, row and value columns.
    note : str
        Source and count date.
    text : str, optional
        Column with the text written in each cell (e.g. ``"45%"`` or ``"<10"``): black on
        light cells, white on dark ones.
    mark : str, optional
        Boolean column: these cells get a thick black border (e.g. white spots).
    vmin, vmax : float, optional
        Ends of the colour scale (default the range of the values).
    cmap : {"RdYlGn", "RdYlGn_r"}
        Colour map (default red = low, green = high), interpolated like matplotlib's.
    title, xlabel, ylabel : str, optional
        Labels (the column labels are above the grid, the x label under it).

    Returns
    -------
    Chart
        Kind ``"heat-map"``, 26 px per row. Roles: ``cell`` (``row``, ``column``, ``value``;
        ``None`` when missing), ``cell-text`` (``row``, ``column``), ``cell-mark`` (``row``,
        ``column``), ``category-label`` (the rows: ``category``), ``column-label``
        (``column``), ``title``, ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, x, y, value, text, mark)
    column_keys, row_keys = data[x].tolist(), data[y].tolist()
    columns, rows = _unique(column_keys), _unique(row_keys)
    values = _floats(data, value)
    finite = [v for v in values if _finite(v)]
    low = vmin if vmin is not None else min(finite, default=0.0)
    high = vmax if vmax is not None else max(finite, default=1.0)
    colour_of = colour_map(cmap, low, high)
    shown, left = category_margin([_label(r) for r in rows])
    left += AXIS_LABEL if ylabel else 0
    room = (WIDTH - left - PAD) / max(len(columns), 1)
    heads = [_column_label(_label(c), room - 6) for c in columns]
    lines = max((len(h) for h in heads), default=1)
    below = (AXIS_LABEL + 8) if xlabel else 2
    chart = frame("heat-map", title=title, note=note, left=left, right=PAD, legend=(),
                  above=lines * 13 + 6, below=below, plot_height=(len(rows) or 2) * 26)
    plot = chart.plot
    across, down = BandScale(len(columns), plot.x, plot.right), BandScale(len(rows), plot.y,
                                                                           plot.bottom)
    for column, head, j in zip(columns, heads, range(len(columns)), strict=True):
        for k, line in enumerate(head):
            y_line = plot.y - 6 - 13 * (len(head) - 1 - k) - 3
            chart.add(Text(across.center(j), y_line, line, "column-label", size=LABEL_SIZE,
                           anchor="middle", fill=INK, datum={"column": column}))
    category_labels(chart, shown, rows, [down.center(i) for i in range(len(rows))])
    row_of, column_of = _positions(row_keys), _positions(column_keys)
    last = {}  # the row of the frame that fills each cell: the last one, as in a grid
    for k, (row, column) in enumerate(zip(row_keys, column_keys, strict=True)):
        last[(row_of[_key(row)], column_of[_key(column)])] = k
    texts = data[text].tolist() if text else None
    flags = [_flag(v) for v in data[mark].tolist()] if mark else None
    language, fills = _THEME["language"], {}
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            k = last.get((i, j))
            v = values[k] if k is not None else math.nan
            rgb = fills[(i, j)] = colour_of(v) if _finite(v) else None
            shown = _label(texts[k]) if texts is not None and k is not None else \
                (format_value(v, "number", 2, language) if _finite(v) else MISSING)
            chart.add(Rect(across.start + j * across.step, down.start + i * down.step,
                           across.step, down.step, to_hex(rgb) if rgb else MISSING_COLOUR,
                           "cell", datum={"row": row, "column": column,
                                          "value": v if _finite(v) else None},
                           stroke="#ffffff", stroke_width=1,
                           tip=f"{_label(row)}, {_label(column)}: {shown}"))
    for (i, j), k in sorted(last.items(), key=lambda item: item[1]):
        if texts is None:
            break
        rgb = fills[(i, j)]
        colour = "#ffffff" if rgb is not None and luminance(rgb) < 0.5 else "#000000"
        chart.add(Text(across.center(j), baseline(down.center(i), LABEL_SIZE),
                       truncate(_label(texts[k]), across.step - 4, LABEL_SIZE), "cell-text",
                       size=LABEL_SIZE, anchor="middle", fill=colour,
                       datum={"row": rows[i], "column": columns[j]}))
    for (i, j), k in sorted(last.items(), key=lambda item: item[1]):
        if flags is not None and flags[k]:
            chart.add(Rect(across.start + j * across.step + 1.5, down.start + i * down.step + 1.5,
                           across.step - 3, down.step - 3, "none", "cell-mark",
                           datum={"row": rows[i], "column": columns[j]}, stroke="#000000",
                           stroke_width=2.5))
    axis_labels(chart, xlabel, ylabel, x_below=4)
    if not len(data):
        empty_text(chart, _NO_DATA[_THEME["language"]])
    return draw_note(chart, note)


def _column_label(label: str, room: float) -> list[str]:
    """A column label in at most two lines of ``room`` px (the rest cut with ``…``)."""
    lines = wrap(label, room, LABEL_SIZE) or [""]
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [truncate(line, room, LABEL_SIZE) for line in lines]


def dumbbell_chart(data: pd.DataFrame, start: str, end: str, y: str, *, note: str,
                   labels: tuple[str, str] = ("start", "end"), value_format: str = "number",
                   title: str | None = None, xlabel: str | None = None) -> Chart:
    """Two values per category joined by a line (e.g. plan and optimum per school).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per category, drawn top to bottom in the frame's order.
    start, end, y : str
        The two value columns and the category column.
    note : str
        Source and count date.
    labels : (str, str)
        Legend text of the start (circle) and end (diamond) markers.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    Chart
        Kind ``"dumbbell"``. Roles: ``connector`` (``category``, ``start``, ``end``; grey),
        ``point`` (``category``, ``series`` = the label, ``value``), ``category-label``,
        ``gridline``, ``tick-label``, ``legend-swatch``/``legend-label``, ``title``,
        ``axis-label``, ``note``.
    """
    note = _check_note(note)
    _require(data, start, end, y)
    language = _THEME["language"]
    categories, firsts, seconds = data[y].tolist(), _floats(data, start), _floats(data, end)
    styles = (("circle", PALETTE["main"]), ("diamond", PALETTE["positive"]))
    legend = [LegendItem(str(label), shape, colour)
              for label, (shape, colour) in zip(labels, styles, strict=True)]
    span = _value_span(firsts + seconds)
    chart, scale, band = _horizontal("dumbbell", categories, *span, title=title, note=note,
                                     xlabel=xlabel, value_format=value_format, legend=legend)
    for i, (key, first, second) in enumerate(zip(categories, firsts, seconds, strict=True)):
        if _finite(first) and _finite(second):
            chart.add(Line(scale(first), band.center(i), scale(second), band.center(i),
                           "#bbbbbb", "connector", width=2.5,
                           datum={"category": key, "start": first, "end": second}))
    for (shape, colour), label, column in zip(styles, labels, (firsts, seconds), strict=True):
        for i, (key, v) in enumerate(zip(categories, column, strict=True)):
            if _finite(v):
                chart.add(Marker(scale(v), band.center(i), shape, colour, "point", size=9,
                                 datum={"category": key, "series": label, "value": v},
                                 tip=f"{_label(key)}, {label}: "
                                     f"{tip_value(v, value_format, language)}"))
    return _finish(chart, note, xlabel=xlabel, empty=not any(_finite(v) for v in firsts + seconds))
