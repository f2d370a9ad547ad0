"""The report's charts: matplotlib figures in the report's theme, one function per chart kind.

Every function follows seaborn's convention: a tidy ``data`` frame and column names in, an
optional ``ax=``, the :class:`matplotlib.axes.Axes` out. Without ``ax`` a new pyplot figure of
the report's width is made (with constrained layout), so in JupyterLab a chart is an ordinary
matplotlib figure: restyle it through the Axes, save it with ``ax.figure.savefig(...)``. The
chart's title (``Figure.suptitle``) and its source note (``note``: source and count date,
``Figure.supxlabel`` under the plot) belong to the figure, so pass ``ax`` of a figure that holds
one chart; the legend is the Axes' legend, in a row above the plot.

The theme is set in one place, :func:`set_report_theme`: seaborn's ``whitegrid`` theme with the
report's fonts, colours (:data:`PALETTE`, :data:`SERIES`) and sizes, SVG text kept as text
(``svg.fonttype: none``) and a fixed ``svg.hashsalt``. Axis numbers are written in the theme's
language by :class:`ReportFormatter` (a matplotlib tick formatter: Dutch ``1.234,5`` / ``12,3%``
/ ``€ 1.234`` by default). :func:`reset_theme` restores the rcParams from before.

A report shows a chart with :func:`show` (``plots.show(plots.bar_chart(...))``): it displays the
figure as inline SVG (:class:`InlineSVG`, MIME type ``image/svg+xml``, which nbconvert puts into
the page as markup) with a ``<title>`` and a ``<desc>`` (the chart's text alternative, written
by the chart function from its data, or ``alt=``), and closes the figure so a batch of reports
does not collect them. :func:`to_svg` gives the SVG text.

The SVG
-------
Drawn by matplotlib's SVG backend through ``Figure.savefig`` with ``metadata`` (the title; no
date, creator or format), then one small post-step (:func:`to_svg`): the XML prolog goes, the
root element gets ``class="npo-chart"``, ``width="100%"`` (it scales with the page, at most its
natural width), ``role="img"`` and an ``aria-label``; a ``<desc>`` follows the ``<title>``; and
the automatic group ids (``figure_1``, ``axes_1``, ``patch_3`` …, the same in every figure) are
dropped, so several charts share a page without repeating ids; the font family, DejaVu Sans (the
font matplotlib measured), gets Verdana, Arial and ``sans-serif`` as fallbacks. The ids that
``<use>`` and ``clip-path`` refer to are hashes salted per chart (title and text alternative),
so they differ between charts and not between runs: the same data and theme give byte-identical
SVG.

Testing
-------
Inspect the Axes, not the SVG: ``ax.patches`` (bars: ``get_width()``, ``get_height()``,
``get_facecolor()``), ``ax.get_yticklabels()``, ``ax.texts``, ``ax.lines``, ``ax.collections``
(points, ranges, the heat map's mesh), ``ax.get_legend()``, ``ax.figure.get_suptitle()``,
``ax.figure.get_supxlabel()``.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
import textwrap
import weakref

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import Formatter, LogLocator, MaxNLocator

from npo_analysis.formatting import (
    MISSING,
    check_language,
    format_eur,
    format_number,
    format_pct,
    is_missing,
)

__all__ = ["PALETTE", "SERIES", "MISSING_COLOUR", "REPORT_RC", "ReportFormatter", "InlineSVG",
           "set_report_theme", "reset_theme", "value_formatter", "add_note", "describe",
           "to_svg", "show", "bar_chart", "histogram_chart", "line_chart", "stacked_bar_chart",
           "difference_chart", "point_range_chart", "heat_map_chart", "dumbbell_chart"]

#: Colours of the report: main, highlight, reference, gains, losses, method breaks.
PALETTE = {"main": "#5b7fa6", "highlight": "#d1495b", "reference": "#444444",
           "positive": "#3c8d5a", "negative": "#d1495b", "break": "#999999"}
#: Colours of the series of a chart (seaborn's palette in the theme).
SERIES = ("#2f5d8a", "#e09f3e", "#6a9f58", "#9e5c8f", "#4fa3a5", "#c26a4a")
#: Colour of a heat-map cell without a value.
MISSING_COLOUR = "#e6e6e6"
INK, MUTED, GRID, AXIS = "#333333", "#555555", "#dddddd", "#888888"
#: Width of a chart in px (SVG user units; matplotlib's SVG unit is 1/72 inch). On a 390 px
#: phone the chart shrinks to about 358 px: 12 px labels stay above 9 px.
WIDTH = 460
#: Height of one category row of a horizontal chart, in px.
ROW = 24
#: Room around the plot of a horizontal chart: title, legend, ticks, note (px).
_FRAME = 120
TITLE_SIZE, LABEL_SIZE, NOTE_SIZE = 15, 12, 11.5
#: The longest category label kept whole (characters).
MAX_LABEL_CHARS = 40
#: Marker of the 1st, 2nd, … series of a point-range chart: circle, square, triangle, diamond.
_SHAPES = ("o", "s", "^", "D")

#: rcParams of the report theme (on top of seaborn's ``whitegrid``).
REPORT_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "npo-analysis",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "figure.titlesize": TITLE_SIZE,
    "figure.titleweight": "bold",
    "figure.labelsize": NOTE_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "xtick.labelsize": LABEL_SIZE,
    "ytick.labelsize": LABEL_SIZE,
    "legend.fontsize": LABEL_SIZE,
    "legend.frameon": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.edgecolor": AXIS,
    "grid.color": GRID,
    "figure.dpi": 72,
    "savefig.dpi": 72,
    "figure.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_THEME: dict = {"language": "nl", "saved": None}
_NO_DATA = {"nl": "Geen gegevens", "en": "No data"}
#: The text alternative each chart function wrote for its figure (see :func:`describe`).
_DESCRIPTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KINDS = {
    "bar": ("Staafdiagram", "Bar chart"), "difference": ("Verschillen", "Differences"),
    "histogram": ("Verdeling", "Distribution"), "line": ("Lijndiagram", "Line chart"),
    "stacked-bar": ("Gestapelde staven", "Stacked bars"),
    "point-range": ("Punten met bandbreedte", "Points with ranges"),
    "heat-map": ("Tabel in kleuren", "Heat map"), "dumbbell": ("Twee waarden per rij",
                                                              "Two values per row"),
}
_WORDS = {"nl": {"rows": "rijen", "from": "van", "to": "tot", "reference": "referentielijn",
                 "series": "reeksen", "cells": "cellen", "marked": "gemarkeerd",
                 "highlighted": "uitgelicht"},
          "en": {"rows": "rows", "from": "from", "to": "to", "reference": "reference line",
                 "series": "series", "cells": "cells", "marked": "marked",
                 "highlighted": "highlighted"}}


# --- Theme and numbers --------------------------------------------------------------------------


def set_report_theme(language: str = "nl") -> None:
    """Set the report theme: seaborn ``whitegrid``, the report's rcParams, numbers in ``language``.

    Parameters
    ----------
    language : {"nl", "en"}
        Dutch (thousands dot, decimal comma, ``€ 1.234``) or English (``€1,234``) numbers on
        every following chart.
    """
    _THEME["language"] = check_language(language)
    if _THEME["saved"] is None:
        _THEME["saved"] = dict(mpl.rcParams)
    sns.set_theme(style="whitegrid", palette=list(SERIES), rc=REPORT_RC)


def reset_theme() -> None:
    """Restore the rcParams from before :func:`set_report_theme` and Dutch numbers."""
    if _THEME["saved"] is not None:
        mpl.rcParams.update(_THEME["saved"])
    _THEME.update(language="nl", saved=None)


def _format(value: float, kind: str, decimals: int, language: str) -> str:
    if kind == "pct":
        return format_pct(value, decimals, language)
    if kind == "eur":
        return format_eur(value, decimals, language)
    if kind == "year":
        return str(int(round(value)))
    return format_number(value, decimals, language)


def _decimals_of(step: float, most: int = 3) -> int:
    """Fewest decimals that write ``step`` (and so every multiple of it) exactly."""
    for decimals in range(most + 1):
        scaled = abs(step) * 10 ** decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return decimals
    return most


class ReportFormatter(Formatter):
    """Tick labels in the theme's language, with as many decimals as the tick step needs.

    Parameters
    ----------
    kind : {"number", "eur", "pct", "year"}
        ``pct`` expects fractions (``0.025`` -> ``2,5%``); ``year`` writes whole years.
    language : {"nl", "en"}, optional
        Default: the theme's language.
    log : bool
        Fewest decimals per tick (for a logarithmic axis) instead of one count for all.
    """

    KINDS = ("number", "eur", "pct", "year")

    def __init__(self, kind: str = "number", language: str | None = None, log: bool = False):
        if kind not in self.KINDS:
            raise ValueError(f"value_format={kind!r}: expected one of {list(self.KINDS)}")
        self.kind, self.log = kind, log
        self.language = check_language(language or _THEME["language"])
        self.decimals = 0

    def _factor(self) -> int:
        return 100 if self.kind == "pct" else 1

    def format_ticks(self, values):
        values = list(values)
        if not self.log:
            steps = np.diff(values)
            self.decimals = _decimals_of(float(steps[0]) * self._factor()) if len(steps) else 0
            if self.kind == "eur" and self.decimals:
                self.decimals = 2
        return [self(v, i) for i, v in enumerate(values)]

    def __call__(self, x, pos=None):
        decimals = _decimals_of(x * self._factor()) if self.log else self.decimals
        return _format(x, self.kind, decimals, self.language)


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
    if kind not in ReportFormatter.KINDS:
        raise ValueError(f"kind={kind!r}: expected one of {sorted(ReportFormatter.KINDS)}")
    if kind == "number":
        return lambda v: _format(v, kind, 0 if float(v).is_integer() else 1, language)
    return lambda v: _format(v, kind, 0, language)


def _short(value: float, kind: str) -> str:
    """A value for a text alternative: whole percents and euros, two significant digits else."""
    language = _THEME["language"]
    size = abs(value) * (100 if kind == "pct" else 1)
    if kind in ("year", "eur") or size >= 10 or size == 0:
        return _format(value, kind, 0, language)
    return _format(value, kind, 1 if size >= 1 else 2, language)


# --- Checks and small helpers -------------------------------------------------------------------


def _check_note(note: str | None) -> str:
    if not isinstance(note, str) or not note.strip():
        raise ValueError("note: every chart needs its source and count date")
    return " ".join(note.split())


def _require(data: pd.DataFrame, *columns: str | None) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"data: missing column(s) {missing}; it has {list(data.columns)}")


def _floats(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as floats, missing values as NaN."""
    return data[column].to_numpy(dtype=float, na_value=np.nan)


def _label(value) -> str:
    return MISSING if is_missing(value) else str(value)


def _category_label(value) -> str:
    text = _label(value)
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "…"


def _flags(data: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.zeros(len(data), dtype=bool)
    return np.array([False if is_missing(v) else bool(v) for v in data[column]], dtype=bool)


def _unique_labels(values) -> list[str]:
    """Labels in order of first appearance (all missing values are one label)."""
    return list(dict.fromkeys(_label(v) for v in values))


def _series_colours(count: int) -> list[str]:
    """Highlight and main for two series (e.g. municipality and country), else the palette."""
    if count == 2:
        return [PALETTE["highlight"], PALETTE["main"]]
    return [SERIES[i % len(SERIES)] for i in range(count)]


def _wrap(text: str, size: float, em: float = 0.55) -> str:
    """``text`` in lines that fit the chart's width (``em``: mean character width in em; DejaVu
    Sans about 0.55, its bold about 0.65)."""
    return textwrap.fill(text, max(20, int((WIDTH - 24) / (em * size))))


# --- Figure, title, legend, note ----------------------------------------------------------------


def _axes(ax: Axes | None, height: float) -> Axes:
    """``ax``, or the Axes of a new figure of the report's width and ``height`` px."""
    if ax is not None:
        return ax
    figure = plt.figure(figsize=(WIDTH / 72, height / 72), layout="constrained")
    return figure.add_subplot()


def add_note(ax: Axes, note: str) -> Axes:
    """Write the source line (source and count date) under the figure, wrapped to its width.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        An Axes of the figure.
    note : str
        The text, e.g. ``Bron: Demoland (synthetisch), teldatum 1 februari 2025``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    ax.figure.supxlabel(_wrap(_check_note(note), NOTE_SIZE), x=0.012, ha="left",
                        fontsize=NOTE_SIZE, color=MUTED, linespacing=1.3)
    return ax


def _finish(ax: Axes, kind: str, note: str, *, title: str | None, legend: list | None = None,
            xlabel: str | None = None, ylabel: str | None = None, empty: bool = False,
            description: str = "") -> Axes:
    figure = ax.figure
    if title:
        figure.suptitle(_wrap(title, TITLE_SIZE, em=0.65), x=0.012, ha="left")
    if legend:
        handles, labels = zip(*legend, strict=True)
        ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01),
                  ncols=min(len(labels), 3), borderaxespad=0.0, handlelength=1.6,
                  columnspacing=1.4)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if empty:
        ax.text(0.5, 0.5, _NO_DATA[_THEME["language"]], transform=ax.transAxes, ha="center",
                va="center", color=MUTED, fontsize=LABEL_SIZE + 1)
    add_note(ax, note)
    name = _KINDS[kind][0 if _THEME["language"] == "nl" else 1]
    _DESCRIPTIONS[figure] = f"{name}{': ' if description else ''}{description}."
    return ax


def describe(ax: Axes | Figure) -> str | None:
    """The text alternative a chart function wrote for the figure of ``ax`` (``None`` if none).

    It names the chart kind and what it shows (rows, the lowest and highest value, the
    highlighted rows, the reference line), in the theme's language.
    """
    figure = ax if isinstance(ax, Figure) else ax.figure
    return _DESCRIPTIONS.get(figure)


def _extremes(labels: list[str], values: np.ndarray, kind: str) -> str:
    """``van A 1% tot B 9%``: the lowest and highest finite value and their labels."""
    finite = np.flatnonzero(np.isfinite(values))
    if not len(finite):
        return _NO_DATA[_THEME["language"]].lower()
    low, high = finite[np.argmin(values[finite])], finite[np.argmax(values[finite])]
    words = _WORDS[_THEME["language"]]
    return (f"{words['from']} {labels[low]} {_short(values[low], kind)} {words['to']} "
            f"{labels[high]} {_short(values[high], kind)}").replace("  ", " ")


def _range(values: np.ndarray, kind: str) -> str:
    """``van 1% tot 9%``: the lowest and highest of finite ``values``."""
    words = _WORDS[_THEME["language"]]
    return (f"{words['from']} {_short(values.min(), kind)} {words['to']} "
            f"{_short(values.max(), kind)}")


def _reference_line(ax: Axes, value, label: str | None, legend: list, value_format: str,
                    log: bool = False) -> str:
    """A dashed vertical reference line; returns its part of the text alternative."""
    if value is None or not np.isfinite(value) or (log and value <= 0):
        return ""
    line = ax.axvline(value, color=PALETTE["reference"], linestyle=(0, (5, 3)), linewidth=1.5,
                      zorder=3)
    if label:
        legend.append((line, label))
    words = _WORDS[_THEME["language"]]
    return f"; {words['reference']} {label or ''} {_short(value, value_format)}".replace("  ", " ")


# --- Horizontal charts (categories down) --------------------------------------------------------


def _categories_down(ax: Axes, labels: list[str], value_format: str, log: bool = False) -> None:
    """Category labels down the left (first on top), values across with report ticks."""
    ax.set_yticks(range(len(labels)), [_category_label(v) for v in labels])
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
    ax.yaxis.grid(False)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(ReportFormatter(value_format, log=log))
    if not log:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))


def _row_height(rows: int, per_row: float = ROW, legend: bool = False) -> float:
    return max(rows, 2) * per_row + _FRAME + (20 if legend else 0)


def _bars_across(ax: Axes, values: np.ndarray, colours: list[str]) -> None:
    shown = np.flatnonzero(np.isfinite(values))
    ax.barh(shown, values[shown], height=0.7, color=[colours[i] for i in shown], zorder=2)
    ax.axvline(0, color=AXIS, linewidth=1, zorder=2.5)


def bar_chart(data: pd.DataFrame, x: str, y: str, *, note: str, highlight: str | None = None,
              reference: float | None = None, reference_label: str | None = None,
              value_format: str = "number", title: str | None = None,
              xlabel: str | None = None, ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure, 24 px per row).

    Returns
    -------
    matplotlib.axes.Axes
        Bars are ``ax.patches`` in row order (missing values left out), ``PALETTE["main"]``
        or ``PALETTE["highlight"]``; the reference line is in ``ax.lines``.
    """
    note = _check_note(note)
    _require(data, x, y, highlight)
    labels, values, flags = [_label(v) for v in data[y]], _floats(data, x), _flags(data, highlight)
    legend: list = []
    ax = _axes(ax, _row_height(len(values), legend=bool(reference_label)))
    _categories_down(ax, labels, value_format)
    _bars_across(ax, values, [PALETTE["highlight" if f else "main"] for f in flags])
    description = (f"{len(values)} {_WORDS[_THEME['language']]['rows']}, "
                   f"{_extremes(labels, values, value_format)}")
    if flags.any():
        description += (f"; {_WORDS[_THEME['language']]['highlighted']}: "
                        + ", ".join(labels[i] for i in np.flatnonzero(flags)))
    description += _reference_line(ax, reference, reference_label, legend, value_format)
    return _finish(ax, "bar", note, title=title, legend=legend, xlabel=xlabel,
                   empty=not np.isfinite(values).any(), description=description)


def difference_chart(data: pd.DataFrame, x: str, y: str, *, note: str,
                     value_format: str = "eur", title: str | None = None,
                     xlabel: str | None = None, ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        Bars in ``ax.patches``: ``PALETTE["positive"]`` for >= 0, ``PALETTE["negative"]``
        below; a line at 0.
    """
    note = _check_note(note)
    _require(data, x, y)
    labels, values = [_label(v) for v in data[y]], _floats(data, x)
    ax = _axes(ax, _row_height(len(values)))
    _categories_down(ax, labels, value_format)
    _bars_across(ax, values, [PALETTE["positive" if v >= 0 else "negative"] for v in values])
    description = (f"{len(values)} {_WORDS[_THEME['language']]['rows']}, "
                   f"{_extremes(labels, values, value_format)}")
    return _finish(ax, "difference", note, title=title, xlabel=xlabel,
                   empty=not np.isfinite(values).any(), description=description)


def point_range_chart(data: pd.DataFrame, x: str, low: str, high: str, y: str, *, note: str,
                      hue: str | None = None, reference: float | None = None,
                      reference_label: str | None = None, log: bool = False,
                      value_format: str = "number", title: str | None = None,
                      xlabel: str | None = None, ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure, at least 24 px per category, 16 px per series).

    Returns
    -------
    matplotlib.axes.Axes
        Per series one ``LineCollection`` of ranges and one ``PathCollection`` of points in
        ``ax.collections`` (ranges first), labelled with the series.
    """
    note = _check_note(note)
    _require(data, x, low, high, y, hue)
    xs, lows, highs = _floats(data, x), _floats(data, low), _floats(data, high)
    keys = [_label(v) for v in data[y]]
    names = [None] * len(xs) if hue is None else [_label(v) for v in data[hue]]
    categories, series = list(dict.fromkeys(keys)), list(dict.fromkeys(names))
    colours = _series_colours(len(series))
    legend: list = []
    ax = _axes(ax, _row_height(len(categories), max(ROW, 16 * len(series)),
                               legend=hue is not None or bool(reference_label)))
    if log:
        ax.set_xscale("log")
    _categories_down(ax, categories, value_format, log=log)
    if log:
        positive = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in (xs, lows, highs)])
        start = 10 ** math.floor(math.log10(positive.min())) if len(positive) else 1.0
        end = 10 ** math.ceil(math.log10(positive.max())) if len(positive) else 10.0
        end = max(end, start * 10)
        ax.set_xlim(start, end)
        decades = round(math.log10(end / start))  # 1, 2 and 5 per decade while they fit
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if decades <= 2 else (1.0,)))
        lows = np.where(np.isfinite(lows) & (lows <= 0), start, lows)
    row = np.array([categories.index(k) for k in keys], dtype=float)
    index = np.array([series.index(n) for n in names])
    step = 0.6 / max(len(series), 1)
    centre = row + (index - (len(series) - 1) / 2) * step
    keep = np.isfinite(xs) & ((xs > 0) | (not log))
    spans = np.isfinite(lows) & np.isfinite(highs) & ((highs > 0) | (not log))
    for i, (name, colour) in enumerate(zip(series, colours, strict=True)):
        own = index == i
        ax.hlines(centre[own & spans], lows[own & spans], highs[own & spans], color=colour,
                  linewidth=2.5, alpha=0.6, zorder=2, label=name)
    for i, (name, colour) in enumerate(zip(series, colours, strict=True)):
        own = (index == i) & keep
        points = ax.scatter(xs[own], centre[own], marker=_SHAPES[i % 4], s=50, color=colour,
                            zorder=3, label=name)
        if hue is not None:
            legend.append((points, name))
    text = _reference_line(ax, reference, reference_label, legend, value_format, log=log)
    labels = [f"{k}{'' if n is None else ' (' + n + ')'}" for k, n in zip(keys, names,
                                                                          strict=True)]
    description = (f"{len(categories)} {_WORDS[_THEME['language']]['rows']}, "
                   f"{_extremes(labels, np.where(keep, xs, np.nan), value_format)}{text}")
    return _finish(ax, "point-range", note, title=title, legend=legend, xlabel=xlabel,
                   empty=not keep.any(), description=description)


def dumbbell_chart(data: pd.DataFrame, start: str, end: str, y: str, *, note: str,
                   labels: tuple[str, str] = ("start", "end"), value_format: str = "number",
                   title: str | None = None, xlabel: str | None = None,
                   ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections``: the grey connectors (a ``LineCollection``), then the start points
        (circles, ``PALETTE["main"]``) and the end points (diamonds, ``PALETTE["positive"]``).
    """
    note = _check_note(note)
    _require(data, start, end, y)
    names, firsts, seconds = [_label(v) for v in data[y]], _floats(data, start), _floats(data, end)
    ax = _axes(ax, _row_height(len(names), legend=True))
    _categories_down(ax, names, value_format)
    rows = np.arange(len(names), dtype=float)
    both = np.isfinite(firsts) & np.isfinite(seconds)
    ax.hlines(rows[both], firsts[both], seconds[both], color="#bbbbbb", linewidth=2.5, zorder=2)
    legend = []
    for values, label, shape, colour in ((firsts, labels[0], "o", PALETTE["main"]),
                                         (seconds, labels[1], "D", PALETTE["positive"])):
        shown = np.isfinite(values)
        legend.append((ax.scatter(values[shown], rows[shown], marker=shape, s=60, color=colour,
                                  zorder=3, label=str(label)), str(label)))
    words = _WORDS[_THEME["language"]]
    description = f"{len(names)} {words['rows']}; " + "; ".join(
        f"{label} {_extremes(names, values, value_format)}"
        for label, values in zip(labels, (firsts, seconds), strict=True))
    return _finish(ax, "dumbbell", note, title=title, legend=legend, xlabel=xlabel,
                   empty=not (np.isfinite(firsts).any() or np.isfinite(seconds).any()),
                   description=description)


# --- Vertical charts (values up) ----------------------------------------------------------------


def _values_up(ax: Axes, value_format: str) -> None:
    ax.yaxis.set_major_formatter(ReportFormatter(value_format))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.grid(False)


def histogram_chart(data: pd.DataFrame, value: str, group: str, *, note: str, bins: int = 10,
                    value_format: str = "pct", title: str | None = None,
                    xlabel: str | None = None, ylabel: str | None = None,
                    ax: Axes | None = None) -> Axes:
    """Distributions side by side: per bin, one bar per group with its share of the group.

    Drawn by :func:`seaborn.histplot` (``stat="probability"``, ``common_norm=False``,
    ``multiple="dodge"``) on equal-width bins over the range of all values.

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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        ``bins x groups`` bars in ``ax.patches``, group by group; a bar's height is its
        share of the group.
    """
    note = _check_note(note)
    _require(data, value, group)
    frame = pd.DataFrame({"value": _floats(data, value),
                          "group": [_label(v) for v in data[group]]})
    frame = frame[np.isfinite(frame["value"])]
    groups = list(dict.fromkeys(frame["group"])) or _unique_labels(data[group])
    colours = _series_colours(len(groups))
    ax = _axes(ax, 300)
    legend = [(Patch(color=c), g) for g, c in zip(groups, colours, strict=True)]
    if len(frame):
        edges = np.histogram_bin_edges(frame["value"], bins=bins)
        sns.histplot(frame, x="value", hue="group", hue_order=groups, bins=edges,
                     stat="probability", common_norm=False, multiple="dodge", shrink=0.9,
                     palette=colours, alpha=1.0, linewidth=0, legend=False, ax=ax, zorder=2)
    _values_up(ax, "pct")
    ax.xaxis.set_major_formatter(ReportFormatter(value_format))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel(None)
    ax.set_ylabel(None)
    ax.axhline(0, color=AXIS, linewidth=1, zorder=2.5)
    description = "; ".join(
        f"{g}: {len(own)} {_range(own.to_numpy(), value_format)}"
        for g, own in frame.groupby("group", sort=False)["value"])
    return _finish(ax, "histogram", note, title=title, legend=legend, xlabel=xlabel,
                   ylabel=ylabel, empty=not len(frame), description=description)


def _breaks(ax: Axes, breaks: pd.DataFrame | None) -> None:
    """Dotted vertical lines at method breaks (``position``, ``text``), labelled at the top."""
    if breaks is None or breaks.empty:
        return
    _require(breaks, "position", "text")
    transform = ax.get_xaxis_transform()  # x in data, y as a fraction of the plot's height
    for i, (position, text) in enumerate(zip(_floats(breaks, "position"), breaks["text"],
                                             strict=True)):
        if not np.isfinite(position):
            continue
        ax.axvline(position, color=PALETTE["break"], linestyle=(0, (1.5, 2.5)), linewidth=1.2,
                   zorder=1.5)
        label = _label(text)
        ax.text(position, 0.97 - 0.09 * (i % 2), " " + label[:60], transform=transform,
                fontsize=NOTE_SIZE, color=MUTED, va="top", ha="left", zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def _years(ax: Axes, years: np.ndarray, breaks: pd.DataFrame | None) -> None:
    """Whole years along x, from half a year before the first to half a year after the last."""
    places = list(years[np.isfinite(years)])
    if breaks is not None and not breaks.empty:
        places += [v for v in _floats(breaks, "position") if np.isfinite(v)]
    if places:
        ax.set_xlim(min(places) - 0.5, max(places) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    ax.xaxis.set_major_formatter(ReportFormatter("year"))


def _headroom(ax: Axes, breaks: pd.DataFrame | None) -> None:
    """The value axis from 0, with 25% more room when break labels go above the data."""
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, 0.0), high if breaks is None or breaks.empty else high * 1.25)


def line_chart(data: pd.DataFrame, x: str, y: str, *, note: str, hue: str | None = None,
               breaks: pd.DataFrame | None = None, value_format: str = "number",
               title: str | None = None, ylabel: str | None = None,
               ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` with markers per series in ``ax.lines`` (label = the series), then the
        break lines; break labels in ``ax.texts``.
    """
    note = _check_note(note)
    _require(data, x, y, hue)
    frame = pd.DataFrame({"x": _floats(data, x), "y": _floats(data, y),
                          "series": "" if hue is None else [_label(v) for v in data[hue]]})
    series = list(dict.fromkeys(frame["series"]))
    ax = _axes(ax, 300)
    legend = []
    for name, colour in zip(series, SERIES * (len(series) // len(SERIES) + 1), strict=False):
        own = frame[(frame["series"] == name) & np.isfinite(frame["x"])].sort_values(
            "x", kind="stable")
        (line,) = ax.plot(own["x"], own["y"], color=colour, linewidth=2, marker="o",
                          markersize=6, zorder=3, label=name)
        legend.append((line, name))
    _values_up(ax, value_format)
    _years(ax, frame["x"].to_numpy(), breaks)
    if np.isfinite(frame["y"]).any():
        _headroom(ax, breaks)
    ax.axhline(0, color=AXIS, linewidth=1, zorder=2.5)
    _breaks(ax, breaks)
    labels = [_format(v, "year", 0, "nl") if np.isfinite(v) else MISSING for v in frame["x"]]
    parts = [_extremes(labels, np.where(frame["series"] == name, frame["y"], np.nan),
                       value_format) for name in series]
    description = "; ".join(f"{name} {part}" if hue else part
                            for name, part in zip(series, parts, strict=True))
    return _finish(ax, "line", note, title=title, legend=legend if hue is not None else None,
                   ylabel=ylabel, empty=not np.isfinite(frame["y"]).any(),
                   description=description)


def stacked_bar_chart(data: pd.DataFrame, x: str, y: str, hue: str, *, note: str,
                      breaks: pd.DataFrame | None = None, labels: dict | None = None,
                      value_format: str = "eur", title: str | None = None,
                      ylabel: str | None = None, ax: Axes | None = None) -> Axes:
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
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        ``len(x values) x len(hue values)`` bars in ``ax.patches``, stack by stack (one
        ``BarContainer`` per stack in ``ax.containers``, labelled with its legend text).
    """
    note = _check_note(note)
    _require(data, x, y, hue)
    numeric = pd.api.types.is_numeric_dtype(data[x])
    frame = data[[x, hue]].assign(amount=np.nan_to_num(_floats(data, y)))
    frame = frame[frame[x].notna()]
    stacks = list(dict.fromkeys(frame[hue].tolist()))
    table = frame.pivot_table(index=x, columns=hue, values="amount", aggfunc="sum",
                              fill_value=0.0, dropna=False, observed=True, sort=True)
    table = table.reindex(columns=stacks, fill_value=0.0)
    ax = _axes(ax, 300)
    places = table.index.to_numpy(dtype=float) if numeric else np.arange(len(table))
    bottom = np.zeros(len(table))
    legend = []
    for i, stack in enumerate(stacks):
        text = (labels or {}).get(stack, _label(stack))
        amounts = table[stack].to_numpy(dtype=float)
        bars = ax.bar(places, amounts, bottom=bottom, width=0.7, color=SERIES[i % len(SERIES)],
                      zorder=2, label=text)
        legend.append((bars, text))
        bottom = bottom + amounts
    _values_up(ax, value_format)
    if numeric:
        _years(ax, places, breaks)
        _breaks(ax, breaks)
    else:
        ax.set_xticks(places, [_category_label(v) for v in table.index])
    if len(table):
        _headroom(ax, breaks if numeric else None)
    ax.axhline(0, color=AXIS, linewidth=1, zorder=2.5)
    names = [_format(v, "year", 0, "nl") if numeric else _label(v) for v in table.index]
    description = (f"{len(table)} {_WORDS[_THEME['language']]['rows']}, "
                   f"{len(stacks)} {_WORDS[_THEME['language']]['series']}; "
                   f"{_extremes(names, bottom, value_format)}")
    return _finish(ax, "stacked-bar", note, title=title, legend=legend, ylabel=ylabel,
                   empty=not len(table), description=description)


# --- Heat map -----------------------------------------------------------------------------------


def heat_map_chart(data: pd.DataFrame, x: str, y: str, value: str, *, note: str,
                   text: str | None = None, mark: str | None = None,
                   vmin: float | None = None, vmax: float | None = None, cmap: str = "RdYlGn",
                   title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None, ax: Axes | None = None) -> Axes:
    """A grid of coloured cells: rows ``y`` down, columns ``x`` across, colour by ``value``.

    Drawn by :func:`seaborn.heatmap` on the grid of values (no colour bar).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per cell; rows and columns in order of first appearance (the last row
        of a repeated pair fills the cell). A missing ``value`` (or a missing row and column
        pair) leaves the cell grey :data:`MISSING_COLOUR` (e.g. no need, or a suppressed
        small group).
    x, y, value : str
        Column, row and value columns.
    note : str
        Source and count date.
    text : str, optional
        Column with the text written in each cell (e.g. ``"45%"`` or ``"<10"``): seaborn
        writes it dark grey on light cells, white on dark ones.
    mark : str, optional
        Boolean column: these cells get a thick black border (e.g. white spots).
    vmin, vmax : float, optional
        Ends of the colour scale (default the range of the values).
    cmap : str
        Matplotlib colour map (default ``RdYlGn``: red = low, green = high).
    title, xlabel, ylabel : str, optional
        Labels (the column labels are above the grid, the x label under it).
    ax : matplotlib.axes.Axes, optional
        Draw here (default: a new figure, 28 px per row).

    Returns
    -------
    matplotlib.axes.Axes
        The cells are the ``QuadMesh`` ``ax.collections[0]`` (row by row; missing cells
        masked), the cell texts ``ax.texts``, the marks ``Rectangle`` patches.
    """
    note = _check_note(note)
    _require(data, x, y, value, text, mark)
    frame = pd.DataFrame({"row": [_label(v) for v in data[y]],
                          "column": [_label(v) for v in data[x]],
                          "value": _floats(data, value),
                          "text": "" if text is None else [_label(v) for v in data[text]],
                          "mark": _flags(data, mark)})
    rows, columns = list(dict.fromkeys(frame["row"])), list(dict.fromkeys(frame["column"]))
    cells = frame.drop_duplicates(["row", "column"], keep="last").set_index(["row", "column"])
    grid = pd.MultiIndex.from_product([rows, columns], names=["row", "column"])
    cells = cells.reindex(grid)
    shape = (len(rows), len(columns))
    values = cells["value"].to_numpy(dtype=float).reshape(shape)
    ax = _axes(ax, max(len(rows), 2) * 28 + 40 + _FRAME)
    ax.set_facecolor(MISSING_COLOUR)
    if len(frame):
        annotations = cells["text"].fillna(MISSING).to_numpy(dtype=object).reshape(shape)
        sns.heatmap(pd.DataFrame(values, index=rows, columns=columns), mask=~np.isfinite(values),
                    vmin=vmin, vmax=vmax, cmap=cmap, cbar=False, linewidths=1,
                    linecolor="white", annot=annotations if text else False, fmt="",
                    annot_kws={"fontsize": LABEL_SIZE}, ax=ax, square=False)
        for i, j in zip(*np.nonzero(cells["mark"].fillna(False).to_numpy(dtype=bool)
                                    .reshape(shape)), strict=True):
            ax.add_patch(Rectangle((j + 0.05, i + 0.05), 0.9, 0.9, fill=False,
                                   edgecolor="black", linewidth=2.5, zorder=3))
        ax.set_yticks(np.arange(len(rows)) + 0.5, [_category_label(r) for r in rows],
                      rotation=0)
        _column_labels(ax, columns)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    words = _WORDS[_THEME["language"]]
    labels = [f"{r}, {c}" for r in rows for c in columns]
    description = (f"{len(rows)} {words['rows']} x {len(columns)}, "
                   f"{_extremes(labels, values.ravel(), 'number')}")
    if mark and frame["mark"].any():
        description += f"; {words['marked']}: {int(cells['mark'].fillna(False).sum())}"
    return _finish(ax, "heat-map", note, title=title, xlabel=xlabel, ylabel=ylabel,
                   empty=not len(frame), description=description)


def _column_labels(ax: Axes, columns: list[str]) -> None:
    """Column labels above the grid: in two short lines up to four columns, slanted beyond."""
    places = np.arange(len(columns)) + 0.5
    if len(columns) <= 4:
        ax.set_xticks(places, [textwrap.fill(c, 12, max_lines=2, placeholder="…")
                               for c in columns])
    else:
        ax.set_xticks(places, [_category_label(c) for c in columns], rotation=45, ha="left",
                      rotation_mode="anchor")


# --- SVG for the report -------------------------------------------------------------------------

_ROOT = re.compile(r'<svg [^>]*viewBox="0 0 ([0-9.]+) ([0-9.]+)"[^>]*>')
_AUTO_ID = re.compile(r'<g id="[A-Za-z0-9.]+_\d+"')
#: Texts are measured in DejaVu Sans; a browser without it takes a font of similar width.
_MEASURED_FONT, _PAGE_FONTS = "font-family: 'DejaVu Sans'", \
    "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif"


def to_svg(ax: Axes | Figure, *, alt: str | None = None, title: str | None = None) -> str:
    """The figure of ``ax`` as SVG text for an HTML page, with its title and text alternative.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or matplotlib.figure.Figure
        The chart.
    alt : str, optional
        The text alternative (default: what the chart function wrote, :func:`describe`).
    title : str, optional
        The title (default: the figure's suptitle, else the Axes' title).

    Returns
    -------
    str
        ``<svg xmlns="http://www.w3.org/2000/svg" class="npo-chart" …>`` with text as
        ``<text>``, ``<title>`` and ``<desc>``, ``role="img"`` and ``aria-label``.
    """
    figure = ax if isinstance(ax, Figure) else ax.figure
    title = title or figure.get_suptitle() or (figure.axes[0].get_title("left")
                                               if figure.axes else "")
    title = " ".join(title.split())
    alt = " ".join((alt or describe(figure) or "").split())
    if not title or not alt:
        raise ValueError("to_svg: every chart needs a title and a text alternative (alt=)")
    salt = "npo-" + hashlib.sha256(f"{title}\n{alt}".encode()).hexdigest()[:16]
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={
            "Title": title, "Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    root = _ROOT.search(text)
    width, height = root.group(1), root.group(2)
    label = html.escape(f"{title}. {alt}", quote=True)
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" class="npo-chart" '
               f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {width} {height}" '
               f'width="100%" style="max-width:{width}px;height:auto" role="img" '
               f'aria-label="{label}">')
    body = text[root.end():].replace("</title>", f"</title>\n <desc>{html.escape(alt)}</desc>",
                                     1)
    body = body.replace(_MEASURED_FONT, _PAGE_FONTS)
    return opening + _AUTO_ID.sub("<g", body).rstrip() + "\n"


class InlineSVG:
    """An SVG text that Jupyter shows as ``image/svg+xml`` (nbconvert inlines it in the page).

    Parameters
    ----------
    svg : str
        The SVG text (:func:`to_svg`).
    title : str
        Shown as its plain-text form.
    """

    def __init__(self, svg: str, title: str):
        self.svg, self.title = svg, title

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<chart: {self.title}>"


def show(ax: Axes | Figure, *, alt: str | None = None, title: str | None = None) -> None:
    """Display the chart as inline SVG in the notebook and close its figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or matplotlib.figure.Figure
        The chart (what a chart function returned).
    alt, title : str, optional
        See :func:`to_svg`.

    Notes
    -----
    Returns nothing, so a cell ending in ``plots.show(...)`` shows the chart once.
    """
    figure = ax if isinstance(ax, Figure) else ax.figure
    svg = to_svg(figure, alt=alt, title=title)
    plt.close(figure)
    from IPython.display import display

    display(InlineSVG(svg, " ".join((title or figure.get_suptitle()).split())))

