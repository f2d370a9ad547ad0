"""Vectorised random draws shared by the Demoland generator.

Every component draws from its own named random stream (:func:`stream`), so changing how one table
is generated never shifts the random numbers of another table.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri


def stream(seed: int, name: str) -> np.random.Generator:
    """Return the random generator of component ``name`` for ``seed``.

    Parameters
    ----------
    seed : int
        The dataset seed.
    name : str
        Component name, e.g. ``"pupils"``; hashed with CRC-32 (stable across runs and platforms).

    Returns
    -------
    numpy.random.Generator
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def quantile_grid(rng: np.random.Generator, n: int, jitter: float = 0.3) -> np.ndarray:
    """Return ``n`` shuffled probabilities near the mid-points ``(i + 0.5) / n``.

    Drawing values through a quantile function at these probabilities reproduces the function's
    quantiles closely even for small ``n``, while the order (and a small jitter) stay random.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Number of probabilities.
    jitter : float
        Maximum shift of each probability, as a fraction of ``1 / n``.
    """
    mids = (np.arange(n) + 0.5 + rng.uniform(-jitter, jitter, n)) / n
    return rng.permutation(mids)


def log_quantile(u: np.ndarray, knots: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Evaluate a quantile function given by knots ``(probability, value)``.

    ``log(value)`` is interpolated linearly in the normal score of the probability (a lognormal
    piece between each pair of knots); probabilities outside the knots are clipped to them.

    Parameters
    ----------
    u : numpy.ndarray
        Probabilities in (0, 1).
    knots : tuple of (float, float)
        Increasing probabilities with increasing positive values.

    Returns
    -------
    numpy.ndarray of float
    """
    probs = np.array([p for p, _ in knots])
    logs = np.log([v for _, v in knots])
    z = ndtri(np.clip(u, probs[0], probs[-1]))
    return np.exp(np.interp(z, ndtri(probs), logs))


def categorical(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Draw one category code per row from the probability row of its group.

    Parameters
    ----------
    rng : numpy.random.Generator
    group : numpy.ndarray of int
        Row index into ``probs`` for every draw.
    probs : numpy.ndarray, shape (n_groups, n_categories)
        Probabilities per group; each row sums to 1.

    Returns
    -------
    numpy.ndarray of int8
        Category codes ``0 .. n_categories - 1``.
    """
    cumulative = np.cumsum(probs, axis=1)
    cumulative[:, -1] = 1.0
    u = rng.random(len(group))
    codes = np.zeros(len(group), dtype=np.int8)
    for k in range(probs.shape[1] - 1):
        codes += u >= cumulative[group, k]
    return codes


def group_starts(sizes: np.ndarray) -> np.ndarray:
    """Return the first row of each group when groups of ``sizes`` rows are laid out in order."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def rank_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Return each row's 0-based rank by ``keys`` inside its group (stable sort)."""
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    ranks = np.empty(len(groups), dtype=np.int64)
    ranks[order] = np.arange(len(groups)) - first
    return ranks


def split_integer(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals over columns in proportion to ``weights``, keeping sums exact.

    Parameters
    ----------
    total : numpy.ndarray of int, shape (n,)
        What each row must sum to.
    weights : numpy.ndarray of float, shape (n, k)
        Non-negative weights; a row's shares are ``weights / weights.sum()``.

    Returns
    -------
    numpy.ndarray of int64, shape (n, k)
        Floors of the shares, with the remainder added to each row's largest weight.
    """
    shares = weights / weights.sum(axis=1, keepdims=True)
    parts = np.floor(shares * total[:, None]).astype(np.int64)
    remainder = total - parts.sum(axis=1)
    largest = np.argmax(weights, axis=1)
    parts[np.arange(len(total)), largest] += remainder
    return parts
