"""Small statistics the reports need, without statsmodels.

Importing statsmodels takes about a second, which every report kernel paid for two small
computations. This module does them with numpy and the standard library alone (SciPy's
``scipy.special``, for the t quantile, cost a first report 0.17 s to import):

- :func:`clustered_ols`: least squares with a cluster-robust (CRV1) covariance and
  t-intervals, equal to statsmodels' ``OLS(y, X, hasconst=False).fit(cov_type="cluster",
  cov_kwds={"groups": groups}, use_t=True)``;
- :func:`wilson_interval`: the Wilson score interval of a binomial proportion, equal to
  statsmodels' ``proportion_confint(k, n, method="wilson")``;
- :func:`group_sums`: column sums per group, the building block of both the within
  transformation of a fixed effect and the cluster-robust "meat";
- :func:`t_quantile`: quantiles of Student's t distribution with whole degrees of freedom,
  equal to ``scipy.special.stdtrit`` within 1e-12 (relative).

:mod:`npo_analysis.indicator.model` still uses statsmodels for the indicator model itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

#: Singular values below ``RCOND * max(singular values)`` count as zero (as statsmodels'
#: ``pinv_extended``).
RCOND = 1e-15


@dataclass(frozen=True, eq=False)
class OLSFit:
    """Result of :func:`clustered_ols` (read-only arrays).

    Attributes
    ----------
    params : numpy.ndarray
        The K coefficients (minimum-norm least squares when ``X`` is rank deficient).
    cov : numpy.ndarray
        K x K cluster-robust covariance of ``params``.
    conf_int : numpy.ndarray
        K x 2 array of lower and upper interval limits.
    df : int
        Degrees of freedom of the t distribution of the intervals (clusters - 1).
    n_groups : int
        Number of clusters.
    """

    params: np.ndarray
    cov: np.ndarray
    conf_int: np.ndarray
    df: int
    n_groups: int


# --- Group sums ---------------------------------------------------------------------------------


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int | None = None
               ) -> np.ndarray:
    """Sum the rows of ``values`` per group code.

    Rows are added in their order within each group. Fastest when the codes are sorted (rows
    of a group next to each other) and ``values`` is Fortran-ordered (columns contiguous).

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, k)`` numbers.
    codes : numpy.ndarray of int
        ``(n,)`` group codes, all ``>= 0``.
    n_groups : int, optional
        Number of output rows (default ``codes.max() + 1``); codes without rows sum to 0.

    Returns
    -------
    numpy.ndarray
        ``(n_groups, k)`` sums (``k = 1`` for 1-d ``values``).

    Examples
    --------
    >>> group_sums(np.array([1.0, 2.0, 4.0]), np.array([1, 0, 1])).ravel().tolist()
    [2.0, 5.0]
    """
    values = np.asarray(values, dtype=float)
    values = values[:, None] if values.ndim == 1 else values
    codes = np.asarray(codes)
    n_groups = int(codes.max()) + 1 if n_groups is None else int(n_groups)
    sums = np.zeros((n_groups, values.shape[1]))
    if len(codes) == 0:
        return sums
    if np.all(codes[1:] >= codes[:-1]):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        # reduceat along axis 0 runs down contiguous columns of a Fortran-ordered array
        sums[codes[starts]] = np.add.reduceat(np.asfortranarray(values), starts, axis=0)
    else:
        for j in range(values.shape[1]):
            sums[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return sums


# --- Clustered OLS ------------------------------------------------------------------------------


def clustered_ols(y, X, groups, alpha: float = 0.05) -> OLSFit:
    """Least squares with standard errors clustered by ``groups`` and t-intervals.

    Reproduces statsmodels' ``OLS(y, X, hasconst=False).fit(cov_type="cluster",
    cov_kwds={"groups": groups}, use_t=True)`` (no constant is added):

    - ``params = pinv(X) @ y`` with the Moore-Penrose pseudo-inverse from the SVD
      ``X = U S V'``, singular values below :data:`RCOND` times the largest dropped;
    - ``cov = c * B M B`` with bread ``B = pinv(X) pinv(X)' = V S^-2 V'``, meat
      ``M = sum_g (X_g' u_g)(X_g' u_g)'`` over the clusters ``g`` (``u`` the residuals) and
      small-sample correction ``c = G / (G - 1) * (N - 1) / (N - K)`` (G clusters, N rows,
      K columns of ``X``, also when ``X`` is rank deficient);
    - intervals ``params -/+ t * se`` with the t quantile on ``G - 1`` degrees of freedom
      (``se`` is missing where rounding makes a variance negative).

    Parameters
    ----------
    y : array_like
        ``(N,)`` outcome.
    X : array_like
        ``(N, K)`` design matrix, used as given.
    groups : array_like
        ``(N,)`` cluster of each row: any labels (integer codes need not be consecutive).
    alpha : float
        The intervals have coverage ``1 - alpha`` (default 95%).

    Returns
    -------
    OLSFit

    Raises
    ------
    ValueError
        Naming the parameter: wrong shape, missing or infinite values, fewer than 2 clusters,
        not more rows than columns, or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), [0.0, 1, 2, 3, 4, 5]])
    >>> fit = clustered_ols([1.0, 3, 5, 7, 9, 11], X, [0, 0, 1, 1, 2, 2])
    >>> np.round(fit.params, 6).tolist(), fit.df
    ([1.0, 2.0], 2)
    """
    y, X, codes, n_codes, n_groups = _check_ols(y, X, groups, alpha)

    n, k = X.shape
    u, s, vt = np.linalg.svd(X, full_matrices=False)
    keep = s > RCOND * np.max(s)
    inv_s = np.divide(1.0, s, out=np.zeros_like(s), where=keep)
    params = vt.T @ (inv_s * (u.T @ y))
    bread = (vt.T * inv_s**2) @ vt
    scores = group_sums(X * (y - X @ params)[:, None], codes, n_codes)
    cov = bread @ (scores.T @ scores) @ bread.T
    cov *= n_groups / (n_groups - 1.0) * ((n - 1.0) / float(n - k))
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    q = t_quantile(1 - alpha / 2, n_groups - 1)
    conf_int = np.column_stack([params - q * se, params + q * se])
    for array in (params, cov, conf_int):
        array.setflags(write=False)
    return OLSFit(params=params, cov=cov, conf_int=conf_int, df=n_groups - 1,
                  n_groups=n_groups)


def _check_ols(y, X, groups, alpha):
    """Validated float ``y`` and ``X``, group codes, the code count and the cluster count."""
    _check_alpha(alpha)
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    groups = np.asarray(groups)
    if y.ndim != 1:
        raise ValueError(f"y: expected a 1-d array; got shape {y.shape}")
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError(f"X: expected a 2-d array (rows x columns); got shape {X.shape}")
    if groups.ndim != 1:
        raise ValueError(f"groups: expected a 1-d array; got shape {groups.shape}")
    n, k = X.shape
    if len(y) != n or len(groups) != n:
        raise ValueError(f"y, X, groups: need the same number of rows; got {len(y)}, {n}, "
                         f"{len(groups)}")
    for name, array in (("y", y), ("X", X)):
        bad = ~np.isfinite(array)
        if bad.any():
            where = np.argwhere(bad)[0].tolist()
            raise ValueError(f"{name}: {int(bad.sum())} missing or infinite values (first at "
                             f"index {tuple(where) if len(where) > 1 else where[0]})")
    missing = pd.isna(groups)
    if missing.any():
        raise ValueError(f"groups: {int(missing.sum())} missing values (first at row "
                         f"{int(np.flatnonzero(missing)[0])})")
    if np.issubdtype(groups.dtype, np.integer) and n and groups.min() >= 0 \
            and groups.max() <= 2 * n:
        codes = groups.astype(np.int64, copy=False)  # as statsmodels: codes used as given
        n_codes = int(codes.max()) + 1
        n_groups = int(np.count_nonzero(np.bincount(codes, minlength=n_codes)))
    else:
        _, codes = np.unique(groups, return_inverse=True)
        codes = codes.reshape(-1)
        n_codes = n_groups = int(codes.max()) + 1 if n else 0
    if n_groups < 2:
        raise ValueError(f"groups: {n_groups} cluster(s); a cluster-robust covariance needs at "
                         f"least 2")
    if n <= k:
        raise ValueError(f"X: {n} rows and {k} columns; the small-sample correction "
                         f"(N - 1) / (N - K) needs more rows than columns")
    return y, X, codes, n_codes, n_groups


def _check_alpha(alpha) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r}: expected a number between 0 and 1")


# --- Student's t quantile ----------------------------------------------------------------------


def t_quantile(probability: float, df: int) -> float:
    """The ``probability`` quantile of Student's t distribution with ``df`` degrees of freedom.

    For whole ``df`` the distribution function has a closed form in ``theta = atan(t /
    sqrt(df))`` (Abramowitz and Stegun 26.7.3 and 26.7.4): with ``c = cos(theta)``,
    ``P(|T| <= t)`` is ``sin(theta) (1 + 1/2 c^2 + 1*3/(2*4) c^4 + ...)`` (``df - 2`` over
    two terms after the first) for even ``df``, and ``2/pi (theta + sin(theta) (c + 2/3 c^3 +
    ...))`` for odd ``df``. The quantile is its root in ``theta``, found by Newton steps kept
    inside a shrinking bracket (the derivative is ``2 G((df+1)/2) / (sqrt(pi) G(df/2))
    c^(df-1)``, ``G`` the gamma function).

    Parameters
    ----------
    probability : float
        Strictly between 0 and 1.
    df : int
        Degrees of freedom, a whole number >= 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Naming the parameter, for a probability outside (0, 1) or ``df`` not a whole number
        >= 1.

    Examples
    --------
    >>> round(t_quantile(0.975, 1), 6), round(t_quantile(0.975, 10), 6)
    (12.706205, 2.228139)
    """
    if not 0 < probability < 1:
        raise ValueError(f"probability={probability!r}: expected a number between 0 and 1")
    if isinstance(df, bool) or int(df) != df or df < 1:
        raise ValueError(f"df={df!r}: expected a whole number >= 1")
    df = int(df)
    if probability < 0.5:
        return -t_quantile(1 - probability, df)
    level = 2 * probability - 1  # P(|T| <= t)
    if level == 0:
        return 0.0
    theta = _theta_of_level(level, df)
    return math.sqrt(df) * math.tan(theta)


def _theta_of_level(level: float, df: int) -> float:
    """The ``theta`` in [0, pi/2) with ``P(|T| <= sqrt(df) tan(theta)) = level``."""
    if df == 1:
        return level * math.pi / 2
    if df == 2:
        return math.asin(level)
    slope = 2 * math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(math.pi)
    z = NormalDist().inv_cdf((1 + level) / 2)
    low, high = 0.0, math.pi / 2
    theta = math.atan(z * (1 + (z * z + 1) / (4 * df)) / math.sqrt(df))  # Cornish-Fisher start
    for _ in range(200):
        error = _level_of_theta(theta, df) - level
        if error > 0:
            high = theta
        else:
            low = theta
        derivative = slope * math.cos(theta) ** (df - 1)
        candidate = theta - error / derivative if derivative > 0 else high
        if not low < candidate < high:
            candidate = (low + high) / 2
        if abs(candidate - theta) <= 4e-16 * theta:
            return candidate
        theta = candidate
    return theta


def _level_of_theta(theta: float, df: int) -> float:
    """``P(|T| <= sqrt(df) tan(theta))`` for whole ``df >= 2`` (the series of
    :func:`t_quantile`)."""
    cos2 = math.cos(theta) ** 2
    sin = math.sin(theta)
    if df % 2 == 0:
        k = np.arange(1, df // 2)
        terms = np.cumprod((2 * k - 1) / (2 * k) * cos2)
        return sin * (1.0 + float(terms.sum()))
    k = np.arange(1, (df - 1) // 2)
    terms = np.cumprod((2 * k) / (2 * k + 1) * cos2)
    return 2 / math.pi * (theta + sin * math.cos(theta) * (1.0 + float(terms.sum())))


# --- Wilson interval ----------------------------------------------------------------------------


def wilson_interval(successes, trials, alpha: float = 0.05):
    """Wilson score interval of the proportion ``successes / trials``.

    With ``p = k / n`` and ``z`` the ``1 - alpha / 2`` quantile of the standard normal
    distribution, the interval is ``(p + z^2 / (2n) -/+ z * sqrt(p (1 - p) / n + z^2 /
    (4 n^2))) / (1 + z^2 / n)``, clipped to [0, 1], as statsmodels' ``proportion_confint(k, n,
    alpha, method="wilson")``; the limits are exactly 0 at ``k = 0`` and 1 at ``k = n``, where
    the formula leaves rounding noise of about 1e-16.

    Parameters
    ----------
    successes : array_like
        Counts ``k`` with ``0 <= k <= n`` (need not be whole numbers).
    trials : array_like
        Counts ``n > 0``, broadcastable against ``successes``.
    alpha : float
        The interval has coverage ``1 - alpha`` (default 95%).

    Returns
    -------
    low, high : numpy.ndarray or numpy.float64
        The limits, in the broadcast shape (scalars for scalar input).

    Raises
    ------
    ValueError
        Naming the parameter: shapes that do not broadcast, missing values, ``n <= 0``,
        ``k`` outside ``[0, n]`` or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    _check_alpha(alpha)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    try:
        k, n = np.broadcast_arrays(k, n)
    except ValueError:
        raise ValueError(f"successes, trials: shapes {k.shape} and {n.shape} do not "
                         f"broadcast") from None
    for name, array in (("successes", k), ("trials", n)):
        if not np.isfinite(array).all():
            raise ValueError(f"{name}: missing or infinite values")
    if (n <= 0).any():
        raise ValueError(f"trials: expected counts > 0; got {n[n <= 0].flat[0]!r}")
    if ((k < 0) | (k > n)).any():
        raise ValueError("successes: expected counts between 0 and trials")
    z = -NormalDist().inv_cdf(alpha / 2)
    p = k / n
    z2 = z**2
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    dist = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n**2)) / denom
    low = np.where(k == 0, 0.0, np.clip(center - dist, 0, 1))
    high = np.where(k == n, 1.0, np.clip(center + dist, 0, 1))
    return low[()], high[()]
