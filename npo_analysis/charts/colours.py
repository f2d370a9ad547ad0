"""Colour maps for heat maps, without matplotlib.

``RdYlGn`` (red = low, yellow, green = high) is ColorBrewer's 11-class scheme, as matplotlib
ships it. :func:`colour_map` interpolates linearly in RGB between the anchors and samples 256
levels, exactly like matplotlib's ``LinearSegmentedColormap`` (``N=256``), so a value gets the
same colour as it did when the charts were drawn with matplotlib. ``RdYlGn_r`` is the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

#: ColorBrewer RdYlGn, 11 classes, low to high.
RDYLGN = ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b",
          "#a6d96a", "#66bd63", "#1a9850", "#006837")
#: Colour of a cell without a value.
MISSING_COLOUR = "#e6e6e6"
#: Levels of the lookup table (matplotlib's default ``N``).
LEVELS = 256
_MAPS = {"RdYlGn": RDYLGN, "RdYlGn_r": RDYLGN[::-1]}


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def to_hex(rgb: tuple[float, float, float]) -> str:
    """``#rrggbb`` of channels in 0..1 (rounded like matplotlib's ``to_hex``)."""
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def luminance(rgb: tuple[float, float, float]) -> float:
    """Perceived brightness 0.299 R + 0.587 G + 0.114 B (channels in 0..1)."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _table(anchors: tuple[str, ...]) -> list[tuple[float, float, float]]:
    points = [_rgb(c) for c in anchors]
    segments = len(points) - 1
    table = []
    for level in range(LEVELS):
        position = level / (LEVELS - 1) * segments
        k = min(int(position), segments - 1)
        share = position - k
        table.append(tuple(a + (b - a) * share
                           for a, b in zip(points[k], points[k + 1], strict=True)))
    return table


_TABLES: dict[str, list[tuple[float, float, float]]] = {}


def colour_map(name: str, vmin: float, vmax: float
               ) -> Callable[[float], tuple[float, float, float]]:
    """A function from a value to its RGB colour (channels 0..1) on ``name`` from vmin to vmax.

    Parameters
    ----------
    name : {"RdYlGn", "RdYlGn_r"}
        The colour map.
    vmin, vmax : float
        Values at the low and high end (values outside are clipped; ``vmin == vmax`` gives
        the low end everywhere, as matplotlib's ``Normalize`` does).

    Returns
    -------
    callable
    """
    if name not in _MAPS:
        raise ValueError(f"cmap={name!r}: expected one of {sorted(_MAPS)}")
    if name not in _TABLES:
        _TABLES[name] = _table(_MAPS[name])
    table, span = _TABLES[name], vmax - vmin

    def colour(value: float) -> tuple[float, float, float]:
        share = (value - vmin) / span if span else 0.0
        return table[min(max(int(share * LEVELS), 0), LEVELS - 1)]

    return colour
