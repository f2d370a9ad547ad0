"""A small SVG chart library for the reports: marks, scales, text metrics, layout.

:mod:`npo_analysis.plots` builds the report's chart kinds on it. A :class:`Chart` is an ordered
list of marks (:class:`Rect`, :class:`Line`, :class:`Polyline`, :class:`Marker`, :class:`Text`),
each with a ``role`` and, when it shows data, a ``datum``; :meth:`Chart.svg` writes it as
self-contained, deterministic SVG.
"""

from npo_analysis.charts.svg import Box, Chart, Line, Marker, Polyline, Rect, Text

__all__ = ["Box", "Chart", "Line", "Marker", "Polyline", "Rect", "Text"]
