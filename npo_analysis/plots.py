"""The report's charts: one function per chart kind, tidy data in, Axes out.

Each function takes a tidy ``data`` frame and column names, draws on the ``ax`` it is given (or a
new figure), adds the required source line (``note``: source and count date, under the chart) and
returns the Axes. Nothing global changes except through :func:`set_report_theme`, the one place
that sets fonts, colours, resolution and the language of the numbers on the axes (Dutch
``1.234,5`` / ``12,3%`` / ``€ 1.234`` by default).
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from npo_analysis.formatting import check_language, format_eur, format_number, format_pct

#: Colours of the report: main, highlight, reference, then the series palette.
PALETTE = {"main": "#5b7fa6", "highlight": "#d1495b", "reference": "#444444",
           "positive": "#3c8d5a", "negative": "#d1495b", "break": "#999999"}
SERIES = ("#2f5d8a", "#e09f3e", "#6a9f58", "#9e5c8f", "#4fa3a5", "#c26a4a")
#: Chart settings of :func:`set_report_theme` (the language is kept here too).
_THEME: dict = {"language": "nl"}
NOTE_GID = "source-note"
#: Characters per line of the source note (wrapped so it never widens the figure).
NOTE_WIDTH = 95


def set_report_theme(language: str = "nl", dpi: int = 90) -> None:
    """Set fonts, colours, resolution and the number language of every following chart.

    Parameters
    ----------
    language : {"nl", "en"}
        Language of the numbers on the axes (Dutch: thousands dot, decimal comma).
    dpi : int
        Resolution of figures (90 keeps a report's embedded PNGs small).
    """
    _THEME["language"] = check_language(language)
    mpl.rcParams.update({
        "figure.figsize": (7.0, 3.6), "figure.dpi": dpi, "savefig.dpi": dpi,
        "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10,
        "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.labelsize": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
        "axes.grid.axis": "y", "grid.color": "#dddddd", "grid.linewidth": 0.6,
        "axes.prop_cycle": mpl.cycler(color=list(SERIES)), "legend.frameon": False,
        "legend.fontsize": 8, "axes.formatter.use_locale": False,
        "figure.constrained_layout.use": True,
    })


def value_formatter(kind: str) -> FuncFormatter:
    """A tick formatter in the theme's language.

    Parameters
    ----------
    kind : {"number", "eur", "pct", "year"}
        ``pct`` expects fractions (0.1 -> ``10%``); ``year`` prints whole years without
        separators.

    Returns
    -------
    matplotlib.ticker.FuncFormatter
    """
    language = _THEME["language"]
    functions = {
        "number": lambda v: format_number(v, 0 if float(v).is_integer() else 1, language),
        "eur": lambda v: format_eur(v, 0, language),
        "pct": lambda v: format_pct(v, 0, language),
        "year": lambda v: str(int(round(v))),
    }
    if kind not in functions:
        raise ValueError(f"kind={kind!r}: expected one of {sorted(functions)}")
    return FuncFormatter(lambda value, _pos: functions[kind](value))


def add_note(ax: plt.Axes, note: str) -> plt.Axes:
    """Write the source line (source and count date) under the chart.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The chart.
    note : str
        The text, e.g. ``Bron: Demoland (synthetisch), teldatum 1 februari 2025``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not note or not note.strip():
        raise ValueError("note: every chart needs its source and count date")
    ax.annotate(textwrap.fill(note, NOTE_WIDTH), xy=(0, 0), xycoords="axes fraction",
                xytext=(0, -30), textcoords="offset points", va="top", ha="left", fontsize=7,
                color="#555555", gid=NOTE_GID, annotation_clip=False)
    return ax


def _axes(ax: plt.Axes | None, rows: int | None = None) -> plt.Axes:
    """The given Axes, or a new figure; ``rows`` horizontal bars make it taller."""
    if ax is not None:
        return ax
    width, height = mpl.rcParams["figure.figsize"]
    if rows is not None:
        height = max(2.0, 0.28 * rows + 1.2)
    return plt.subplots(figsize=(width, height))[1]


def _value_axis(axis, value_format: str) -> None:
    """Format a value axis in the theme's language, with at most 6 ticks."""
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(value_formatter(value_format))


def _require(data: pd.DataFrame, *columns: str | None) -> None:
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"data: missing column(s) {missing}; it has {list(data.columns)}")


def _finish(ax: plt.Axes, title: str | None, note: str, xlabel: str | None = None,
            ylabel: str | None = None) -> plt.Axes:
    if title:
        ax.set_title(title)
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    return add_note(ax, note)


def bar_chart(data: pd.DataFrame, x: str, y: str, *, note: str, ax: plt.Axes | None = None,
              highlight: str | None = None, reference: float | None = None,
              reference_label: str | None = None, value_format: str = "number",
              title: str | None = None, xlabel: str | None = None) -> plt.Axes:
    """Horizontal bars: one bar per row, categories ``y`` down, values ``x`` across.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per bar, drawn top to bottom in the frame's order.
    x, y : str
        Value column and category column.
    note : str
        Source and count date.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    highlight : str, optional
        Boolean column: these bars get the highlight colour.
    reference : float, optional
        A vertical reference line (e.g. the national value), labelled ``reference_label``.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Title and value-axis label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(data, x, y, highlight)
    ax = _axes(ax, rows=len(data))
    positions = np.arange(len(data))[::-1]
    colours = [PALETTE["highlight"] if highlight and flag else PALETTE["main"]
               for flag in (data[highlight] if highlight else [False] * len(data))]
    ax.barh(positions, data[x].to_numpy(dtype=float), color=colours, height=0.7)
    ax.set_yticks(positions, [str(v) for v in data[y]])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _value_axis(ax.xaxis, value_format)
    if reference is not None:
        ax.axvline(reference, color=PALETTE["reference"], linestyle="--", linewidth=1,
                   label=reference_label)
        if reference_label:
            ax.legend(loc="lower right")
    return _finish(ax, title, note, xlabel=xlabel)


def histogram_chart(data: pd.DataFrame, value: str, group: str, *, note: str,
                    ax: plt.Axes | None = None, bins: int = 10, value_format: str = "pct",
                    title: str | None = None, xlabel: str | None = None,
                    ylabel: str | None = None) -> plt.Axes:
    """Distributions side by side: per bin, one bar per group with its share of the group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per observation, ``group`` names its group.
    value, group : str
        Value column and group column (groups drawn in order of first appearance).
    note : str
        Source and count date.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    bins : int
        Number of equal-width bins over the range of all values.
    value_format : {"number", "eur", "pct"}
        Format of the value axis; the share axis is always a percentage.
    title, xlabel, ylabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``bins x groups`` bars.
    """
    _require(data, value, group)
    ax = _axes(ax)
    values = data[value].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    edges = np.histogram_bin_edges(finite if finite.size else [0.0, 1.0], bins=bins)
    groups = list(pd.unique(data[group]))
    width = np.diff(edges) / (len(groups) + 0.5)
    for i, name in enumerate(groups):
        own = values[(data[group] == name).to_numpy()]
        own = own[np.isfinite(own)]
        counts, _ = np.histogram(own, bins=edges)
        share = counts / counts.sum() if counts.sum() else counts.astype(float)
        ax.bar(edges[:-1] + i * width, share, width=width, align="edge", label=str(name),
               color=(PALETTE["highlight"] if i == 0 else PALETTE["main"]) if len(groups) == 2
               else SERIES[i % len(SERIES)])
    _value_axis(ax.xaxis, value_format)
    ax.yaxis.set_major_formatter(value_formatter("pct"))
    ax.legend(loc="upper right")
    return _finish(ax, title, note, xlabel=xlabel, ylabel=ylabel)


def _draw_breaks(ax: plt.Axes, breaks: pd.DataFrame | None) -> None:
    """Dotted vertical lines at method breaks (``position``, ``text``), labelled at the top.

    The value axis gets 25% headroom so the labels do not cover the data.
    """
    if breaks is None or breaks.empty:
        return
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, bottom + (top - bottom) * 1.25)
    for i, row in enumerate(breaks.itertuples(index=False)):
        ax.axvline(row.position, color=PALETTE["break"], linestyle=":", linewidth=1)
        ax.annotate(row.text, xy=(row.position, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -3 - 10 * (i % 2)), textcoords="offset points", va="top", ha="left",
                    fontsize=7, color="#555555",
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})


def line_chart(data: pd.DataFrame, x: str, y: str, *, note: str, hue: str | None = None,
               ax: plt.Axes | None = None, breaks: pd.DataFrame | None = None,
               value_format: str = "number", title: str | None = None,
               ylabel: str | None = None) -> plt.Axes:
    """Lines over years (one per ``hue`` value), with dotted markers at method breaks.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per point.
    x, y : str
        Year column and value column.
    note : str
        Source and count date.
    hue : str, optional
        Series column (one line per value, in order of first appearance).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    breaks : pandas.DataFrame, optional
        ``position`` and ``text`` of each break
        (:func:`npo_analysis.report.trends.break_markers`).
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, ylabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(data, x, y, hue)
    ax = _axes(ax)
    series = [(None, data)] if hue is None else [(n, data[data[hue] == n])
                                                 for n in pd.unique(data[hue])]
    for name, rows in series:
        ax.plot(rows[x].to_numpy(dtype=float), rows[y].to_numpy(dtype=float), marker="o",
                label=None if name is None else str(name))
    if hue is not None:
        ax.legend(loc="best")
    ax.set_ylim(bottom=0)
    _draw_breaks(ax, breaks)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(value_formatter("year"))
    _value_axis(ax.yaxis, value_format)
    return _finish(ax, title, note, ylabel=ylabel)


def stacked_bar_chart(data: pd.DataFrame, x: str, y: str, hue: str, *, note: str,
                      ax: plt.Axes | None = None, breaks: pd.DataFrame | None = None,
                      labels: dict | None = None, value_format: str = "eur",
                      title: str | None = None, ylabel: str | None = None) -> plt.Axes:
    """Vertical bars per ``x`` (e.g. year), stacked by ``hue`` (e.g. budget component).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per ``x`` and ``hue``.
    x, y, hue : str
        Category, value and stack columns (stacks in order of first appearance).
    note : str
        Source and count date.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
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
    matplotlib.axes.Axes
        ``len(x values) x len(hue values)`` bars.
    """
    _require(data, x, y, hue)
    ax = _axes(ax)
    wide = data.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", sort=True)
    wide = wide[list(pd.unique(data[hue]))].fillna(0.0)
    bottom = np.zeros(len(wide))
    for i, name in enumerate(wide.columns):
        values = wide[name].to_numpy(dtype=float)
        ax.bar(wide.index.to_numpy(), values, bottom=bottom, width=0.7,
               color=SERIES[i % len(SERIES)], label=(labels or {}).get(name, str(name)))
        bottom += values
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _draw_breaks(ax, breaks)
    if pd.api.types.is_numeric_dtype(wide.index):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(value_formatter("year"))
    _value_axis(ax.yaxis, value_format)
    return _finish(ax, title, note, ylabel=ylabel)


def difference_chart(data: pd.DataFrame, x: str, y: str, *, note: str,
                     ax: plt.Axes | None = None, value_format: str = "eur",
                     title: str | None = None, xlabel: str | None = None) -> plt.Axes:
    """Horizontal bars of differences: gains in green to the right, losses in red to the left.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, drawn top to bottom in the frame's order.
    x, y : str
        Difference column and label column.
    note : str
        Source and count date.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(data, x, y)
    ax = _axes(ax, rows=len(data))
    values = data[x].to_numpy(dtype=float)
    positions = np.arange(len(data))[::-1]
    colours = [PALETTE["positive"] if v >= 0 else PALETTE["negative"] for v in values]
    ax.barh(positions, values, color=colours, height=0.7)
    ax.axvline(0, color=PALETTE["reference"], linewidth=0.8)
    ax.set_yticks(positions, [str(v) for v in data[y]])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _value_axis(ax.xaxis, value_format)
    return _finish(ax, title, note, xlabel=xlabel)


def point_range_chart(data: pd.DataFrame, x: str, low: str, high: str, y: str, *, note: str,
                      hue: str | None = None, ax: plt.Axes | None = None,
                      reference: float | None = None, reference_label: str | None = None,
                      log: bool = False, value_format: str = "number",
                      title: str | None = None, xlabel: str | None = None) -> plt.Axes:
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
        Series column: one marker style and colour per value, dodged within a category (the
        first series gets the highlight colour when there are two).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    reference : float, optional
        A vertical reference line, labelled ``reference_label``.
    log : bool
        Logarithmic value axis (for ranges spanning orders of magnitude).
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
        One marker per row (``ax.lines`` holds one line per series, ``ax.collections`` the
        ranges).
    """
    _require(data, x, low, high, y, hue)
    categories = list(pd.unique(data[y]))
    ax = _axes(ax, rows=len(categories))
    series = [(None, data)] if hue is None else [(n, data[data[hue] == n])
                                                 for n in pd.unique(data[hue])]
    step = 0.5 / max(len(series), 1)
    position = {c: len(categories) - 1 - i for i, c in enumerate(categories)}
    for i, (name, rows) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * step
        ys = np.array([position[c] for c in rows[y]], dtype=float) - offset
        colour = (PALETTE["highlight"] if i == 0 else PALETTE["main"]) if len(series) == 2 \
            else SERIES[i % len(SERIES)]
        ax.hlines(ys, rows[low].to_numpy(dtype=float), rows[high].to_numpy(dtype=float),
                  color=colour, linewidth=2, alpha=0.6)
        ax.plot(rows[x].to_numpy(dtype=float), ys, linestyle="none", marker="os^D"[i % 4],
                color=colour, label=None if name is None else str(name))
    ax.set_yticks([position[c] for c in categories], [str(c) for c in categories])
    ax.set_ylim(-0.6, len(categories) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(value_formatter(value_format))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda _v, _p: ""))
    else:
        _value_axis(ax.xaxis, value_format)
    if reference is not None:
        ax.axvline(reference, color=PALETTE["reference"], linestyle="--", linewidth=1,
                   label=reference_label)
    if hue is not None or reference_label:
        ax.legend(loc="best")
    return _finish(ax, title, note, xlabel=xlabel)


def heat_map_chart(data: pd.DataFrame, x: str, y: str, value: str, *, note: str,
                   text: str | None = None, mark: str | None = None,
                   ax: plt.Axes | None = None, vmin: float | None = None,
                   vmax: float | None = None, cmap: str = "RdYlGn", title: str | None = None,
                   xlabel: str | None = None, ylabel: str | None = None) -> plt.Axes:
    """A grid of coloured cells: rows ``y`` down, columns ``x`` across, colour by ``value``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy: one row per cell; rows and columns in order of first appearance. A missing
        ``value`` leaves the cell grey (e.g. no need, or a suppressed small group).
    x, y, value : str
        Column, row and value columns.
    note : str
        Source and count date.
    text : str, optional
        Column with the text written in each cell (e.g. ``"45%"`` or ``"<10"``).
    mark : str, optional
        Boolean column: these cells get a thick black border (e.g. white spots).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    vmin, vmax : float, optional
        Ends of the colour scale (default the range of the values).
    cmap : str
        Matplotlib colour map (default red = low, green = high).
    title, xlabel, ylabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the grid (rows x columns), masked where the value is missing.
    """
    _require(data, x, y, value, text, mark)
    columns, rows = list(pd.unique(data[x])), list(pd.unique(data[y]))
    if ax is None:
        width = mpl.rcParams["figure.figsize"][0]
        ax = plt.subplots(figsize=(width, max(2.0, 0.32 * len(rows) + 1.3)))[1]
    grid = np.full((len(rows), len(columns)), np.nan)
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: j for j, c in enumerate(columns)}
    cells = [(row_at[r], col_at[c]) for r, c in zip(data[y], data[x], strict=True)]
    for (i, j), v in zip(cells, data[value].to_numpy(dtype=float), strict=True):
        grid[i, j] = v
    colours = mpl.colormaps[cmap].with_extremes(bad="#e6e6e6")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colours, vmin=vmin, vmax=vmax,
                      aspect="auto", interpolation="nearest")
    for k, (i, j) in enumerate(cells):
        if text is not None:
            ax.text(j, i, str(data[text].iloc[k]), ha="center", va="center", fontsize=7,
                    color=_text_colour(image, grid[i, j]))
        if mark is not None and bool(data[mark].iloc[k]):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",
                                   linewidth=2))
    ax.set_xticks(range(len(columns)), [str(c) for c in columns])
    ax.set_yticks(range(len(rows)), [str(r) for r in rows])
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False, length=0)
    ax.grid(visible=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _finish(ax, title, note, xlabel=xlabel, ylabel=ylabel)


def _text_colour(image, value: float) -> str:
    """Black on light cells, white on dark ones (and black on missing, grey cells)."""
    if not np.isfinite(value):
        return "black"
    red, green, blue, _ = image.cmap(image.norm(value))
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"


def dumbbell_chart(data: pd.DataFrame, start: str, end: str, y: str, *, note: str,
                   labels: tuple[str, str] = ("start", "end"), ax: plt.Axes | None = None,
                   value_format: str = "number", title: str | None = None,
                   xlabel: str | None = None) -> plt.Axes:
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
        Legend text of the start and end markers.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    value_format : {"number", "eur", "pct"}
        Format of the value axis.
    title, xlabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]`` holds one connecting segment per row; ``ax.lines`` the two marker
        series.
    """
    _require(data, start, end, y)
    ax = _axes(ax, rows=len(data))
    positions = np.arange(len(data))[::-1].astype(float)
    first = data[start].to_numpy(dtype=float)
    second = data[end].to_numpy(dtype=float)
    ax.hlines(positions, first, second, color="#bbbbbb", linewidth=2)
    ax.plot(first, positions, "o", color=PALETTE["main"], label=labels[0])
    ax.plot(second, positions, "D", color=PALETTE["positive"], label=labels[1])
    ax.set_yticks(positions, [str(v) for v in data[y]])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _value_axis(ax.xaxis, value_format)
    ax.legend(loc="best")
    return _finish(ax, title, note, xlabel=xlabel)
