"""Value axes: domain, ticks and their labels in the report's language, gridlines.

A value axis runs from its first tick to its last (:func:`npo_analysis.charts.scales.nice_ticks`
or :func:`~npo_analysis.charts.scales.log_ticks`). Its labels show as many decimals as the tick
step needs (``0%  2,5%  5,0%`` … would be ``0,0%``: one decimal for every tick), in Dutch or
English. Along a horizontal axis, fewer ticks are taken until no two labels touch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from npo_analysis.charts.layout import (
    AXIS,
    GRID,
    LABEL_GAP,
    LABEL_SIZE,
    MUTED,
    PAD,
    WIDTH,
    baseline,
)
from npo_analysis.charts.scales import (
    LinearScale,
    LogScale,
    is_power_of_ten,
    log_ticks,
    nice_ticks,
    year_ticks,
)
from npo_analysis.charts.svg import Chart, Line, Text
from npo_analysis.charts.text_metrics import text_width
from npo_analysis.formatting import format_eur, format_number, format_pct

#: Value formats of an axis.
FORMATS = ("number", "eur", "pct", "year")


def decimals_of(step: float, most: int = 3) -> int:
    """Fewest decimals that write ``step`` (and so every multiple of it) exactly."""
    for decimals in range(most + 1):
        scaled = abs(step) * 10 ** decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return decimals
    return most


def format_value(value: float, kind: str, decimals: int, language: str) -> str:
    """``value`` as ``kind`` (``number``, ``eur``, ``pct`` as a fraction, ``year``)."""
    if kind == "pct":
        return format_pct(value, decimals, language)
    if kind == "eur":
        return format_eur(value, decimals, language)
    if kind == "year":
        return str(int(round(value)))
    return format_number(value, decimals, language)


def tick_labels(ticks: list[float], kind: str, language: str, log: bool = False) -> list[str]:
    """Labels of ``ticks``: one number of decimals for a linear axis, the fewest per tick on a
    logarithmic one."""
    if kind not in FORMATS:
        raise ValueError(f"value_format={kind!r}: expected one of {list(FORMATS)}")
    factor = 100 if kind == "pct" else 1
    if log:
        return [format_value(t, kind, decimals_of(t * factor), language) for t in ticks]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = decimals_of(step * factor)
    if kind == "eur" and decimals:
        decimals = 2
    return [format_value(t, kind, decimals, language) for t in ticks]


def tip_value(value: float, kind: str, language: str) -> str:
    """A value for a tooltip: three significant digits (at least whole units)."""
    if kind == "year":
        return str(int(round(value)))
    size = abs(value) * (100 if kind == "pct" else 1)
    decimals = 0 if size == 0 else min(4, max(0, 2 - math.floor(math.log10(size))))
    if kind == "eur":
        decimals = 0 if size >= 100 or decimals == 0 else 2
    return format_value(value, kind, decimals, language)


@dataclass(frozen=True, slots=True)
class Axis:
    """A value axis: the scale (set once the plot's size is known), ticks and labels."""

    domain: tuple[float, float]
    ticks: list[float]
    labels: list[str]
    log: bool = False

    def scale(self, start: float, end: float) -> LinearScale | LogScale:
        """The scale onto px ``start`` (first tick) to ``end`` (last tick)."""
        kind = LogScale if self.log else LinearScale
        return kind(self.domain, (start, end))


def value_axis(low: float, high: float, kind: str, language: str, log: bool = False,
               nbins: int = 5) -> Axis:
    """The axis covering ``low`` to ``high`` (positive for ``log``)."""
    if log:
        domain, ticks = log_ticks(low, high)
    else:
        ticks = nice_ticks(low, high, nbins=nbins)
        domain = (ticks[0], ticks[-1])
    return Axis(domain, ticks, tick_labels(ticks, kind, language, log), log)


def _fits(axis: Axis, left: float, right: float, width: int) -> bool:
    scale = axis.scale(left, width - right)
    widths = [text_width(label, LABEL_SIZE) for label in axis.labels if label]
    places = [scale(t) for t, label in zip(axis.ticks, axis.labels, strict=True) if label]
    return all(places[i + 1] - places[i] >= (widths[i] + widths[i + 1]) / 2 + 10
               for i in range(len(places) - 1))


def horizontal_axis(low: float, high: float, kind: str, language: str, left: float,
                    log: bool = False, width: int = WIDTH) -> tuple[Axis, float, float]:
    """A value axis along x whose labels do not touch, with the margins its end labels need.

    Parameters
    ----------
    low, high : float
        Range of the data.
    kind : {"number", "eur", "pct"}
        Label format.
    language : {"nl", "en"}
        Language of the labels.
    left : float
        Left margin the category labels need.
    log : bool
        Logarithmic axis.
    width : int
        Chart width.

    Returns
    -------
    (Axis, float, float)
        The axis, and the left and right margins (widened so the first and last tick labels,
        centred on the plot's edges, stay inside the chart).
    """
    axis = None
    for nbins in (5, 4, 3, 2, 1):
        axis = value_axis(low, high, kind, language, log=log, nbins=nbins)
        first = text_width(axis.labels[0], LABEL_SIZE) / 2
        last = text_width(axis.labels[-1], LABEL_SIZE) / 2
        margin_left, margin_right = max(left, PAD + first), max(PAD + 4.0, last + 4)
        if log:
            axis = _thin_log_labels(axis, margin_left, margin_right, width)
            break
        if _fits(axis, margin_left, margin_right, width):
            break
    return axis, margin_left, margin_right


def _thin_log_labels(axis: Axis, left: float, right: float, width: int) -> Axis:
    """Blank the labels of 2 and 5 multiples (then every other decade) until labels fit."""
    for keep in (lambda t: True, is_power_of_ten, lambda t: is_power_of_ten(t) and _even_decade(t)):
        labels = [label if keep(t) else "" for t, label in zip(axis.ticks, axis.labels,
                                                                 strict=True)]
        thinned = Axis(axis.domain, axis.ticks, labels, axis.log)
        if _fits(thinned, left, right, width):
            return thinned
    return thinned


def _even_decade(value: float) -> bool:
    return round(math.log10(value)) % 2 == 0


def x_grid(chart: Chart, axis: Axis, scale, lines: bool = True) -> None:
    """Vertical gridlines at the ticks (unless not ``lines``) and their labels under the plot."""
    plot = chart.plot
    for tick in axis.ticks if lines else ():
        x = scale(tick)
        chart.add(Line(x, plot.y, x, plot.bottom, GRID, "gridline", datum={"value": tick}))
    y = baseline(plot.bottom + LABEL_GAP + LABEL_SIZE / 2, LABEL_SIZE)
    for tick, label in zip(axis.ticks, axis.labels, strict=True):
        if label:
            chart.add(Text(scale(tick), y, label, "tick-label", size=LABEL_SIZE,
                           anchor="middle", fill=MUTED, datum={"value": tick}))


def y_grid(chart: Chart, axis: Axis, scale) -> None:
    """Horizontal gridlines at the ticks and their labels left of the plot."""
    plot = chart.plot
    for tick in axis.ticks:
        y = scale(tick)
        chart.add(Line(plot.x, y, plot.right, y, GRID, "gridline", datum={"value": tick}))
    for tick, label in zip(axis.ticks, axis.labels, strict=True):
        chart.add(Text(plot.x - LABEL_GAP, baseline(scale(tick), LABEL_SIZE), label,
                       "tick-label", size=LABEL_SIZE, anchor="end", fill=MUTED,
                       datum={"value": tick}))


def label_width(labels: list[str]) -> float:
    """Width of the widest label."""
    return max((text_width(label, LABEL_SIZE) for label in labels), default=0.0)


def year_axis(chart: Chart, scale, low: float, high: float) -> list[int]:
    """Whole-year labels under the plot (every year, or a round step when they would touch)."""
    plot = chart.plot
    ticks = year_ticks(low, high)
    while len(ticks) > 2:
        spacing = abs(scale(ticks[1]) - scale(ticks[0]))
        if spacing >= label_width([str(t) for t in ticks]) + 8:
            break
        ticks = ticks[::2]
    y = baseline(plot.bottom + LABEL_GAP + LABEL_SIZE / 2, LABEL_SIZE)
    for tick in ticks:
        chart.add(Text(scale(tick), y, str(tick), "tick-label", size=LABEL_SIZE,
                       anchor="middle", fill=MUTED, datum={"value": tick}))
    return ticks


def zero_line(chart: Chart, scale, vertical: bool) -> None:
    """The line the bars grow from (value 0), when 0 is on the axis."""
    plot = chart.plot
    position = scale(0.0)
    if vertical:
        if plot.y - 0.5 <= position <= plot.bottom + 0.5:
            chart.add(Line(plot.x, position, plot.right, position, AXIS, "zero-line",
                           datum={"value": 0.0}))
    elif plot.x - 0.5 <= position <= plot.right + 0.5:
        chart.add(Line(position, plot.y, position, plot.bottom, AXIS, "zero-line",
                       datum={"value": 0.0}))
