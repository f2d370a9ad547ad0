"""The :class:`Chart` object: an ordered list of marks, written out as self-contained SVG.

A mark is a small frozen dataclass (:class:`Rect`, :class:`Line`, :class:`Polyline`,
:class:`Marker`, :class:`Text`) with a ``role`` (what it shows: ``"bar"``, ``"tick-label"``,
``"note"`` …) and, for marks that show data, a ``datum`` dict with the values it stands for.
Tests and callers inspect a chart with :meth:`Chart.find`; :meth:`Chart.svg` writes it.

The SVG is deterministic (same marks, same text, byte for byte), has no ``id`` attribute, no
script, no stylesheet and no reference to anything outside itself (only the ``xmlns``), and
every text and attribute value is XML-escaped, so several charts can share one HTML page and a
municipality called ``<script>`` stays text. Numbers are written with at most two decimals and
never as ``-0``. Consecutive marks of one role form one ``<g class="npo-ROLE">``, which carries
the presentation attributes its marks share.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Fonts named in the SVG; :mod:`npo_analysis.charts.text_metrics` measures the first.
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Attributes a ``<g>`` passes on to its marks (written once on the group when all share them).
_INHERITED = ("fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity",
              "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "font-size", "font-weight",
              "text-anchor")
#: Characters XML 1.0 does not allow (C0 controls but tab/newline/return, lone surrogates, …).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                          "\t": " ", "\n": " ", "\r": " "})


def escape(text: object) -> str:
    """``text`` as XML text or attribute value: ``& < > " '`` escaped, invalid characters gone.

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> escape("<b>'s-Hertogenbosch & co</b>")
    '&lt;b&gt;&#39;s-Hertogenbosch &amp; co&lt;/b&gt;'
    """
    return _INVALID_XML.sub("", str(text)).translate(_ESCAPES)


def number(value: float) -> str:
    """A coordinate as SVG text: at most two decimals, no trailing zeros, never ``-0``.

    Parameters
    ----------
    value : float
        A finite number.

    Returns
    -------
    str

    Examples
    --------
    >>> number(12.0), number(-0.001), number(3.14159), number(2.5)
    ('12', '0', '3.14', '2.5')
    """
    if not math.isfinite(value):
        raise ValueError(f"number({value!r}): an SVG coordinate must be finite")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle (bar, cell, legend swatch, background); ``fill="none"`` for an outline."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    role: str
    datum: dict | None = None
    stroke: str | None = None
    stroke_width: float | None = None
    tip: str | None = None

    def _element(self) -> tuple[str, list[tuple[str, str]], str | None]:
        attrs = [("x", number(self.x)), ("y", number(self.y)), ("width", number(self.width)),
                 ("height", number(self.height)), ("fill", self.fill)]
        if self.stroke:
            attrs += [("stroke", self.stroke), ("stroke-width", number(self.stroke_width or 1))]
        return "rect", attrs, None


@dataclass(frozen=True, slots=True)
class Line:
    """A straight line (gridline, reference, method break, range, connector)."""

    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    role: str
    width: float = 1.0
    dash: str | None = None
    opacity: float | None = None
    datum: dict | None = None
    tip: str | None = None

    def _element(self) -> tuple[str, list[tuple[str, str]], str | None]:
        attrs = [("x1", number(self.x1)), ("y1", number(self.y1)), ("x2", number(self.x2)),
                 ("y2", number(self.y2)), ("stroke", self.stroke),
                 ("stroke-width", number(self.width))]
        if self.dash:
            attrs.append(("stroke-dasharray", self.dash))
        if self.opacity is not None:
            attrs.append(("stroke-opacity", number(self.opacity)))
        return "line", attrs, None


@dataclass(frozen=True, slots=True)
class Polyline:
    """A line through points (a series of a line chart)."""

    points: tuple[tuple[float, float], ...]
    stroke: str
    role: str
    width: float = 2.0
    dash: str | None = None
    datum: dict | None = None
    tip: str | None = None

    def _element(self) -> tuple[str, list[tuple[str, str]], str | None]:
        points = " ".join(f"{number(x)},{number(y)}" for x, y in self.points)
        attrs = [("points", points), ("fill", "none"), ("stroke", self.stroke),
                 ("stroke-width", number(self.width)), ("stroke-linejoin", "round")]
        if self.dash:
            attrs.append(("stroke-dasharray", self.dash))
        return "polyline", attrs, None


#: Marker shapes: ``circle``, ``square``, ``triangle`` (pointing up) and ``diamond``.
SHAPES = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True, slots=True)
class Marker:
    """A point symbol centred on ``(x, y)``, ``size`` px across."""

    x: float
    y: float
    shape: str
    fill: str
    role: str
    size: float = 8.0
    stroke: str | None = "#ffffff"
    datum: dict | None = None
    tip: str | None = None

    def _element(self) -> tuple[str, list[tuple[str, str]], str | None]:
        x, y, h = self.x, self.y, self.size / 2
        if self.shape == "circle":
            tag, attrs = "circle", [("cx", number(x)), ("cy", number(y)), ("r", number(h))]
        elif self.shape == "square":
            h *= 0.9
            tag, attrs = "rect", [("x", number(x - h)), ("y", number(y - h)),
                                  ("width", number(2 * h)), ("height", number(2 * h))]
        else:
            if self.shape == "triangle":
                h *= 1.15
                corners = ((x, y - h), (x + h, y + 0.8 * h), (x - h, y + 0.8 * h))
            elif self.shape == "diamond":
                h *= 1.2
                corners = ((x, y - h), (x + h, y), (x, y + h), (x - h, y))
            else:
                raise ValueError(f"shape={self.shape!r}: expected one of {list(SHAPES)}")
            points = " ".join(f"{number(px)},{number(py)}" for px, py in corners)
            tag, attrs = "polygon", [("points", points)]
        attrs.append(("fill", self.fill))
        if self.stroke:
            attrs += [("stroke", self.stroke), ("stroke-width", "1")]
        return tag, attrs, None


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; ``y`` is its baseline, ``anchor`` is ``start``, ``middle`` or ``end``.

    ``rotate`` turns it about ``(x, y)`` (``-90`` for a vertical axis label).
    """

    x: float
    y: float
    text: str
    role: str
    size: float = 11.0
    anchor: str = "start"
    fill: str = "#333333"
    bold: bool = False
    rotate: float = 0.0
    datum: dict | None = None
    tip: str | None = None

    def _element(self) -> tuple[str, list[tuple[str, str]], str | None]:
        attrs = [("x", number(self.x)), ("y", number(self.y)), ("font-size", number(self.size)),
                 ("fill", self.fill)]
        if self.anchor != "start":
            attrs.append(("text-anchor", self.anchor))
        if self.bold:
            attrs.append(("font-weight", "bold"))
        if self.rotate:
            attrs.append(("transform", f"rotate({number(self.rotate)} {number(self.x)} "
                                       f"{number(self.y)})"))
        return "text", attrs, escape(self.text)


Mark = Rect | Line | Polyline | Marker | Text


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in px: the plot area of a chart."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """Right edge."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """Bottom edge."""
        return self.y + self.height


class Chart:
    """A chart: size, title, kind and the marks to draw, in drawing order.

    Parameters
    ----------
    kind : str
        The chart function that made it, e.g. ``"bar"``.
    width, height : int
        Size in px.
    title : str
        Title (also the SVG's accessible name); may be empty.

    Attributes
    ----------
    marks : list
        The marks, first drawn first.
    plot : Box or None
        The plot area (inside the axes), when the chart has one.
    """

    def __init__(self, kind: str, width: int, height: int, title: str = "") -> None:
        self.kind = kind
        self.width = int(width)
        self.height = int(height)
        self.title = title or ""
        self.marks: list[Mark] = []
        self.plot: Box | None = None

    def add(self, mark: Mark) -> Mark:
        """Append ``mark`` (drawn over the marks before it) and return it."""
        self.marks.append(mark)
        return mark

    def find(self, role: str) -> list[Mark]:
        """The marks with this ``role``, in drawing order.

        Parameters
        ----------
        role : str
            E.g. ``"bar"``, ``"tick-label"``, ``"note"``.

        Returns
        -------
        list
        """
        return [mark for mark in self.marks if mark.role == role]

    def texts(self, role: str) -> list[str]:
        """The text of every :class:`Text` mark with this ``role``, in drawing order."""
        return [mark.text for mark in self.marks if mark.role == role and isinstance(mark, Text)]

    def roles(self) -> list[str]:
        """The roles present, in order of first appearance."""
        return list(dict.fromkeys(mark.role for mark in self.marks))

    def svg(self) -> str:
        """The chart as a standalone SVG document (text).

        Returns
        -------
        str
            ``<svg xmlns=… class="npo-chart" …>`` with a ``<title>``, a white background and one
            ``<g class="npo-ROLE">`` per run of marks of one role.
        """
        width, height = number(self.width), number(self.height)
        label = escape(self.title or self.kind)
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="npo-chart" '
                 f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
                 f'aria-label="{label}" style="max-width:100%;height:auto" '
                 f'font-family="{FONT_FAMILY}">',
                 f"<title>{label}</title>",
                 f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
        start = 0
        marks = self.marks
        while start < len(marks):
            end = start + 1
            while end < len(marks) and marks[end].role == marks[start].role:
                end += 1
            parts.append(_group(marks[start].role, marks[start:end]))
            start = end
        parts.append("</svg>")
        return "\n".join(parts)

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<Chart {self.kind} {self.title!r} {self.width}x{self.height}>"


def _group(role: str, marks: list[Mark]) -> str:
    """One ``<g>`` of marks; attributes shared by all of them are written on the group."""
    elements = [mark._element() for mark in marks]
    shared: list[tuple[str, str]] = []
    if len(elements) > 1:
        others = [dict(attrs) for _, attrs, _ in elements[1:]]
        first = dict(elements[0][1])
        for name in _INHERITED:
            value = first.get(name)
            if value is not None and all(other.get(name) == value for other in others):
                shared.append((name, value))
    hoisted = {name for name, _ in shared}
    lines = [f'<g class="npo-{escape(role)}"'
             + "".join(f' {name}="{escape(value)}"' for name, value in shared) + ">"]
    for mark, (tag, attrs, content) in zip(marks, elements, strict=True):
        text = "".join(f' {name}="{escape(value)}"' for name, value in attrs
                       if name not in hoisted)
        tip = f"<title>{escape(mark.tip)}</title>" if mark.tip else ""
        if content is None and not tip:
            lines.append(f"<{tag}{text}/>")
        else:
            lines.append(f"<{tag}{text}>{tip}{content or ''}</{tag}>")
    lines.append("</g>")
    return "\n".join(lines)
