"""Tests of npo_analysis.stats: clustered OLS and Wilson intervals equal statsmodels', the t
quantile SciPy's."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import sparse
from statsmodels.stats.proportion import proportion_confint

from npo_analysis import delays
from npo_analysis.stats import clustered_ols, group_sums, t_quantile, wilson_interval

RTOL = 1e-9


def statsmodels_fit(y, X, groups):
    """The reference: statsmodels' clustered OLS as delays.py used it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rank-deficient designs warn
        fit = sm.OLS(y, X, hasconst=False).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                               use_t=True)
        return fit, np.asarray(fit.conf_int(alpha=0.05))


def assert_close(actual, expected):
    """Relative difference at most RTOL, measured against the largest entry (near-zero
    entries of a covariance carry only rounding)."""
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale)


def clustered_data(seed: int, n_groups: int = 40, k: int = 5, shuffle: bool = True):
    """Unequal cluster sizes (1 to 30 rows, some singletons) with a cluster effect."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 31, n_groups)
    sizes[:3] = 1  # singleton clusters
    groups = np.repeat(np.arange(n_groups), sizes)
    X = rng.normal(size=(len(groups), k)) + rng.normal(size=(n_groups, k))[groups]
    y = X @ rng.normal(size=k) + rng.normal(size=n_groups)[groups] + rng.normal(size=len(groups))
    if shuffle:
        order = rng.permutation(len(groups))
        y, X, groups = y[order], X[order], groups[order]
    return y, X, groups


# --- clustered_ols ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shuffle", [False, True])
def test_clustered_ols_equals_statsmodels(seed, shuffle):
    y, X, groups = clustered_data(seed, shuffle=shuffle)
    ours = clustered_ols(y, X, groups)
    fit, ci = statsmodels_fit(y, X, groups)
    assert_close(ours.params, fit.params)
    assert_close(ours.cov, fit.cov_params())
    assert_close(ours.conf_int, ci)
    assert ours.df == fit.df_resid_inference == 39
    assert ours.n_groups == 40


@pytest.mark.parametrize("seed", range(3))
def test_clustered_ols_rank_deficient_equals_statsmodels(seed):
    y, X, groups = clustered_data(seed)
    X = np.column_stack([X, X[:, 0] - 2 * X[:, 1], np.zeros(len(y))])  # rank 5 of 7
    ours = clustered_ols(y, X, groups)
    fit, ci = statsmodels_fit(y, X, groups)
    assert_close(ours.params, fit.params)
    assert_close(ours.cov, fit.cov_params())
    assert_close(ours.conf_int, ci)
    assert ours.params[-1] == 0.0  # the minimum-norm solution


@pytest.mark.parametrize("kind", ["gaps", "strings", "negative", "floats"])
def test_clustered_ols_group_labels_as_statsmodels(kind):
    """Integer codes with gaps are used as given; other labels are factorised (as statsmodels):
    either way there is one cluster per distinct label."""
    y, X, groups = clustered_data(7)
    labels = {"gaps": (groups * 7 + 3).astype(np.uint16),
              "strings": np.array([f"s{g}" for g in groups]),
              "negative": groups - 20, "floats": groups / 4.0}[kind]
    ours = clustered_ols(y, X, labels)
    fit, ci = statsmodels_fit(y, X, groups)
    assert ours.n_groups == 40 and ours.df == 39
    assert_close(ours.cov, fit.cov_params())
    assert_close(ours.conf_int, ci)


def test_clustered_ols_other_alpha_and_pandas_input():
    y, X, groups = clustered_data(3)
    ours = clustered_ols(pd.Series(y), pd.DataFrame(X), pd.Series(groups), alpha=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    assert_close(ours.conf_int, np.asarray(fit.conf_int(alpha=0.1)))


def test_clustered_ols_hand_checked():
    """A perfect fit: the residuals and so the covariance are zero."""
    X = np.column_stack([np.ones(6), np.arange(6.0)])
    fit = clustered_ols(1 + 2 * np.arange(6.0), X, [0, 0, 1, 1, 2, 2])
    np.testing.assert_allclose(fit.params, [1.0, 2.0])
    np.testing.assert_allclose(fit.cov, 0.0, atol=1e-20)
    assert fit.df == 2
    with pytest.raises(ValueError):
        fit.params[0] = 5.0  # read-only


@pytest.mark.parametrize("args, match", [
    ((np.ones((6, 1)), np.ones((6, 1)), np.arange(6)), "^y: expected a 1-d"),
    ((np.ones(6), np.ones(6), np.arange(6)), "^X: expected a 2-d"),
    ((np.ones(6), np.ones((6, 0)), np.arange(6)), "^X: expected a 2-d"),
    ((np.ones(6), np.ones((6, 1)), np.ones((6, 1))), "^groups: expected a 1-d"),
    ((np.ones(5), np.ones((6, 1)), np.arange(6)), "same number of rows; got 5, 6, 6"),
    ((np.r_[1.0, np.nan, 1, 1, 1, 1], np.ones((6, 1)), np.arange(6)), "^y: 1 missing .*index 1"),
    ((np.ones(6), np.r_[[[1.0]] * 5, [[np.inf]]], np.arange(6)), r"^X: 1 missing .*\(5, 0\)"),
    ((np.ones(6), np.ones((6, 1)), [0, 1, None, 1, 0, 1]), "^groups: 1 missing .*row 2"),
    ((np.ones(6), np.ones((6, 1)), [0, 1, np.nan, 1, 0, 1]), "^groups: 1 missing"),
    ((np.ones(6), np.ones((6, 1)), np.zeros(6, dtype=int)), "^groups: 1 cluster"),
    ((np.ones(3), np.eye(3), np.arange(3)), "^X: 3 rows and 3 columns"),
])
def test_clustered_ols_input_errors(args, match):
    with pytest.raises(ValueError, match=match):
        clustered_ols(*args)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5])
def test_alpha_errors(alpha):
    with pytest.raises(ValueError, match="^alpha="):
        clustered_ols(np.ones(6), np.ones((6, 1)), np.arange(6), alpha=alpha)
    with pytest.raises(ValueError, match="^alpha="):
        wilson_interval(1, 2, alpha=alpha)


# --- group_sums and the within transformation ---------------------------------------------------


def sparse_demean(matrix, groups):
    """The scipy.sparse within transformation delays.py used before."""
    n_groups = int(groups.max()) + 1
    member = sparse.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))),
                               shape=(n_groups, len(groups)))
    means = (member @ matrix) / np.asarray(member.sum(axis=1))
    return matrix - means[groups]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
def test_group_sums_and_demean(seed, shuffle, order):
    _, X, groups = clustered_data(seed, n_groups=60, k=7, shuffle=shuffle)
    X = np.asarray(X, order=order)
    expected = np.zeros((60, 7))
    np.add.at(expected, groups, X)
    np.testing.assert_allclose(group_sums(X, groups), expected, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(delays._demean(X, groups), sparse_demean(X, groups),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(delays._demean(X[:, 0], groups)[:, 0],
                               sparse_demean(X[:, :1], groups)[:, 0], rtol=1e-12, atol=1e-12)


def test_group_sums_empty_codes_and_vector():
    sums = group_sums(np.array([1.0, 2.0, 4.0]), np.array([3, 3, 0]), n_groups=5)
    assert sums.tolist() == [[4.0], [0.0], [0.0], [3.0], [0.0]]


def test_fit_equals_statsmodels_on_a_panel():
    """delays._fit on shuffled noisy test results equals statsmodels on the same design."""
    rng = np.random.default_rng(11)
    rows = pd.DataFrame([(f"{s:02d}AA00", year, grade, moment)
                         for s in range(15) for year in (2018, 2019, 2020)
                         for moment in ("midden", "eind") for grade in range(3, 9)],
                        columns=["school_id", "school_year", "grade", "moment"])
    rows["mean_score"] = 150 + 10 * rows["grade"] + rng.normal(0, 3, len(rows))
    rows = rows.sample(frac=1.0, random_state=3).iloc[:-20]  # unsorted, unbalanced
    share = rng.uniform(0, 1, len(rows))
    first = delays._code(2019, "eind")
    for s in (None, share):
        params, ci, _ = delays._fit(rows, first, s)
        schools, _ = pd.factorize(rows["school_id"])
        design, n_norms, _ = delays._design(rows, first, s)
        y = sparse_demean(rows["mean_score"].to_numpy(dtype=float)[:, None], schools)[:, 0]
        fit, expected = statsmodels_fit(y, sparse_demean(design, schools), schools)
        assert_close(params, np.asarray(fit.params)[n_norms:])
        assert_close(ci, expected[n_norms:])


# --- wilson_interval ----------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01, 0.2])
def test_wilson_equals_statsmodels(alpha):
    rng = np.random.default_rng(int(alpha * 1000))
    n = np.r_[1, 1, 2, 10, 10, rng.integers(1, 500, 200)]
    k = np.r_[0, 1, 0, 0, 10, (rng.uniform(size=200) * (n[5:] + 1)).astype(int)]
    low, high = wilson_interval(k, n, alpha=alpha)
    ref_low, ref_high = proportion_confint(k, n, alpha=alpha, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, ref_high, rtol=1e-12, atol=1e-15)
    assert (low[k == 0] == 0.0).all() and (high[k == n] == 1.0).all()  # exact, not ~1e-16


def test_wilson_hand_checked():
    """8 of 10 at 95%: z = 1.959964, z^2 = 3.841459, p = 0.8, n = 10.

    denom = 1 + z^2/n = 1.384146; centre = (p + z^2/(2n)) / denom = 0.992073 / 1.384146
    = 0.716740; half-width = z * sqrt(p(1-p)/n + z^2/(4n^2)) / denom
    = 1.959964 * sqrt(0.016 + 0.009604) / 1.384146 = 1.959964 * 0.160011 / 1.384146 = 0.226576;
    so (0.490164, 0.943316).
    """
    low, high = wilson_interval(8, 10)
    assert isinstance(low, np.floating) and np.ndim(low) == 0
    assert low == pytest.approx(0.490164, abs=2e-6)
    assert high == pytest.approx(0.943316, abs=2e-6)


def test_wilson_broadcasts():
    low, high = wilson_interval(np.array([[0], [5]]), np.array([5, 10, 20]))
    assert low.shape == high.shape == (2, 3)
    assert (low <= high).all() and (low >= 0).all() and (high <= 1).all()


@pytest.mark.parametrize("k, n, match", [
    ([1, 2], [3, 4, 5], "^successes, trials: shapes"),
    ([1, np.nan], [3, 4], "^successes: missing"),
    ([1, 2], [3, np.inf], "^trials: missing"),
    ([0, 0], [3, 0], "^trials: expected counts > 0"),
    ([4, 1], [3, 3], "^successes: expected counts between 0 and trials"),
    ([-1, 1], [3, 3], "^successes: expected counts between 0 and trials"),
])
def test_wilson_input_errors(k, n, match):
    with pytest.raises(ValueError, match=match):
        wilson_interval(k, n)


# --- t quantile ---------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.999])
def test_t_quantile_closed_forms_of_one_and_two_degrees_of_freedom(p):
    # df 1 is the Cauchy distribution: tan(pi (p - 1/2)); df 2: (2p - 1) / sqrt(2 p (1 - p))
    assert t_quantile(p, 1) == pytest.approx(np.tan(np.pi * (p - 0.5)), rel=1e-14)
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / np.sqrt(2 * p * (1 - p)), rel=1e-14)


@pytest.mark.parametrize(("p", "df", "table"), [
    (0.975, 3, 3.182446), (0.975, 10, 2.228139), (0.975, 30, 2.042272), (0.995, 5, 4.032143),
    (0.95, 20, 1.724718), (0.975, 120, 1.979930),
])
def test_t_quantile_matches_printed_tables(p, df, table):
    # six decimals, as printed in the usual tables of the t distribution
    assert round(t_quantile(p, df), 6) == table


def test_t_quantile_equals_scipy():
    from scipy.special import stdtr, stdtrit

    for df in [*range(1, 301), 1000, 3000, 6105]:
        for p in (0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995):
            q = t_quantile(p, df)
            assert q == pytest.approx(stdtrit(df, p), rel=1e-11), (p, df)
            assert t_quantile(1 - p, df) == -q
            assert stdtr(df, q) == pytest.approx(p, rel=1e-12)


def test_t_quantile_at_the_median_is_zero_and_near_it_exact():
    from scipy.special import stdtr

    assert t_quantile(0.5, 7) == 0.0
    for df in (3, 4, 25):  # scipy's inverse is off by 1e-4 here; its distribution function not
        q = t_quantile(0.5 + 1e-7, df)
        assert stdtr(df, q) - 0.5 == pytest.approx(1e-7, rel=1e-8)


@pytest.mark.parametrize(("p", "df", "message"), [
    (0.0, 5, "probability=0.0"), (1.0, 5, "probability=1.0"), (0.9, 0, "df=0"),
    (0.9, 2.5, "df=2.5"), (0.9, True, "df=True"),
])
def test_t_quantile_bad_input_names_the_parameter(p, df, message):
    with pytest.raises(ValueError, match=message):
        t_quantile(p, df)


# --- imports ------------------------------------------------------------------------------------


def test_report_modules_do_not_import_statsmodels_or_scipy_stats():
    code = ("import numpy as np, npo_analysis.delays, npo_analysis.vve, sys; "
            "from npo_analysis.stats import clustered_ols; "
            "clustered_ols([1.0, 2, 4, 3], np.ones((4, 1)), [0, 0, 1, 1]); "
            "print('statsmodels' in sys.modules, 'scipy.sparse' in sys.modules, "
            "'scipy.stats' in sys.modules, 'scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "False", "False"]
