"""Scales: data values to pixels, and the ticks to label them.

:func:`nice_ticks` picks at most ``nbins + 1`` round ticks covering a range the way matplotlib's
``MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])`` does in its ``round_numbers`` mode: the
smallest step of the staircase ``… 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20 …`` (times a power
of ten) whose ticks reach from below the low end to above the high end. The axis then runs from
the first tick to the last. :func:`year_ticks` gives whole years, :func:`log_ticks` powers of
ten (and the 2 and 5 multiples between them when the range spans less than two decades).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Steps of :func:`nice_ticks` within one decade.
STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def _clean(value: float, step: float) -> float:
    """``value`` rounded to the precision of ``step`` (no ``0.30000000000000004``, no ``-0``)."""
    digits = max(0, 3 - math.floor(math.log10(step)))
    value = round(value, digits)
    return 0.0 if value == 0 else value


def _widen(low: float, high: float) -> tuple[float, float]:
    """A range with room: an empty or one-value range becomes ``[0, 1]`` or ``v ± 10%``."""
    if high < low:
        low, high = high, low
    if high > low:
        return low, high
    if low == 0:
        return 0.0, 1.0
    return low - abs(low) * 0.1, high + abs(high) * 0.1


def nice_ticks(low: float, high: float, nbins: int = 5, steps: tuple[float, ...] = STEPS,
               integer: bool = False) -> list[float]:
    """Round ticks from at or below ``low`` to at or above ``high``, at most ``nbins + 1``.

    Parameters
    ----------
    low, high : float
        The range to cover (finite; swapped when reversed, widened when empty).
    nbins : int
        Most intervals between ticks.
    steps : tuple of float
        Steps within one decade, from 1 to 10.
    integer : bool
        Only whole-number steps (years, counts).

    Returns
    -------
    list of float
        Evenly spaced ticks; the first is <= ``low`` and the last >= ``high``.

    Examples
    --------
    >>> nice_ticks(0, 2_500_000)
    [0.0, 500000.0, 1000000.0, 1500000.0, 2000000.0, 2500000.0]
    >>> nice_ticks(0.15, 1.05)
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"nice_ticks({low!r}, {high!r}): expected finite ends")
    low, high = _widen(low, high)
    nbins = max(1, int(nbins))
    raw_step = (high - low) / nbins
    scale = 10.0 ** math.floor(math.log10(raw_step))
    ladder = [s * scale / 10 for s in steps[:-1]] + [s * scale for s in steps] \
        + [steps[1] * scale * 10, steps[-1] * scale * 10]
    if integer:
        ladder = [s for s in ladder if s >= 1 and abs(s - round(s)) < 1e-9] or [1.0]
        ladder = sorted(set(ladder + [10.0 ** math.ceil(math.log10(max(raw_step, 1)))]))
    for step in ladder:
        if step < raw_step * (1 - 1e-9):
            continue
        first = math.floor(low / step + 1e-9)
        last = math.ceil(high / step - 1e-9)
        if last - first <= nbins:
            break
    else:  # pragma: no cover - the largest step always fits
        step = ladder[-1]
        first, last = math.floor(low / step), math.ceil(high / step)
    return [_clean((first + i) * step, step) for i in range(last - first + 1)]


def year_ticks(low: float, high: float, most: int = 12) -> list[int]:
    """Whole years from ``ceil(low)`` to ``floor(high)``: every year, or a round step of years.

    Parameters
    ----------
    low, high : float
        The axis range in years.
    most : int
        Most ticks before a step of 2, 5, 10 … years is taken.

    Returns
    -------
    list of int

    Examples
    --------
    >>> year_ticks(2019.6, 2024.4)
    [2020, 2021, 2022, 2023, 2024]
    >>> year_ticks(1999.5, 2024.5)
    [2000, 2005, 2010, 2015, 2020]
    """
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if last < first:
        return [round((low + high) / 2)]
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        start = -(-first // step) * step
        ticks = list(range(start, last + 1, step))
        if len(ticks) <= most:
            return ticks
    return [first, last]


def is_power_of_ten(value: float) -> bool:
    """Whether ``value`` (> 0) is 10 to a whole power (0.01, 1, 1000 …)."""
    exponent = math.log10(value)
    return abs(exponent - round(exponent)) < 1e-9


def log_ticks(low: float, high: float) -> tuple[tuple[float, float], list[float]]:
    """Domain and ticks of a logarithmic axis covering ``low`` to ``high`` (both > 0).

    The axis runs from the largest 1, 2 or 5 times a power of ten at or below ``low`` to the
    smallest at or above ``high``. The ticks are the powers of ten on it, plus the 2 and 5
    multiples when it spans less than two decades.

    Parameters
    ----------
    low, high : float
        Smallest and largest positive value.

    Returns
    -------
    ((float, float), list of float)
        The axis ends and the ticks.

    Examples
    --------
    >>> log_ticks(0.3, 4)
    ((0.2, 5.0), [0.2, 0.5, 1.0, 2.0, 5.0])
    >>> log_ticks(0.09, 12)
    ((0.05, 20.0), [0.1, 1.0, 10.0])
    """
    if not (low > 0 and high > 0 and math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"log_ticks({low!r}, {high!r}): expected positive finite ends")
    low, high = min(low, high), max(low, high)
    if high == low:
        low, high = low / 2, high * 2
    candidates = [float(f"{m * 10.0 ** e:.12g}")
                  for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 2)
                  for m in (1.0, 2.0, 5.0)]
    start = max(c for c in candidates if c <= low * (1 + 1e-9))
    end = min(c for c in candidates if c >= high * (1 - 1e-9))
    decades = math.log10(end / start) >= 2
    ticks = [c for c in candidates
             if start <= c <= end and (not decades or is_power_of_ten(c))]
    return (start, end), ticks


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Maps ``domain`` (data) linearly onto ``range`` (px); the range may run downwards."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return r0 + (value - d0) * (r1 - r0) / (d1 - d0)


@dataclass(frozen=True, slots=True)
class LogScale:
    """Maps ``domain`` (positive data) logarithmically onto ``range`` (px)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.range
        value = min(max(value, d0), d1)
        span = math.log10(d1 / d0)
        return r0 + math.log10(value / d0) * (r1 - r0) / span if span else (r0 + r1) / 2


@dataclass(frozen=True, slots=True)
class BandScale:
    """``count`` equal bands from ``start`` to ``end`` (px), e.g. rows top to bottom."""

    count: int
    start: float
    end: float

    @property
    def step(self) -> float:
        """Size of one band in px."""
        return (self.end - self.start) / self.count if self.count else 0.0

    def center(self, index: int) -> float:
        """Middle of band ``index`` (0 is at ``start``)."""
        return self.start + (index + 0.5) * self.step
