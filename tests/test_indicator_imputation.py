"""Imputation of missing parental education: conditional draws, fallbacks, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from npo_analysis.domain.indicator.imputation import (
    ConditionalSampler,
    EducationImputer,
    draw_levels,
    school_mean_bins,
)
from npo_analysis.domain.indicator.inputs import Background


def background(mother, father, origin=None, band=None, debt=None) -> Background:
    n = len(mother)
    zeros = np.zeros(n, dtype=np.int8)
    return Background(
        mother=np.asarray(mother, dtype=np.int8), father=np.asarray(father, dtype=np.int8),
        origin=zeros if origin is None else np.asarray(origin, dtype=np.int8),
        band=np.full(n, 3, dtype=np.int8) if band is None else np.asarray(band, dtype=np.int8),
        debt=np.zeros(n, dtype=bool) if debt is None else np.asarray(debt, dtype=bool),
    )


def variables(n, origin=0, band=3, other=5):
    return {"origin": np.full(n, origin), "band": np.full(n, band), "debt": np.zeros(n, int),
            "other": np.full(n, other), "school_bin": np.zeros(n, int)}


def test_draw_levels_inverts_the_cumulative_distribution():
    cdf = np.array([[0.1, 0.3, 0.6, 0.9, 1.0]] * 5)
    uniforms = np.array([0.05, 0.1, 0.35, 0.95, 0.999])
    assert draw_levels(cdf, uniforms).tolist() == [0, 0, 2, 4, 4]


def test_draws_follow_the_observed_distribution():
    levels = np.repeat(np.arange(5), [100, 200, 300, 300, 100])
    sampler = ConditionalSampler.from_donors(variables(1000), levels)
    cdf = sampler.cumulative(variables(20000))
    np.testing.assert_allclose(cdf[0], [0.1, 0.3, 0.6, 0.9, 1.0])
    draws = draw_levels(cdf, np.random.default_rng(0).random(20000))
    shares = np.bincount(draws, minlength=5) / 20000
    np.testing.assert_allclose(shares, [0.1, 0.2, 0.3, 0.3, 0.1], atol=0.01)


def test_small_cells_fall_back_to_coarser_ones():
    # Origin 1: 5 donors in band 0 (all level 0) and 200 in band 1 (all level 4).
    donor_vars = variables(205, origin=1)
    donor_vars["band"] = np.repeat([0, 1], [5, 200])
    levels = np.repeat([0, 4], [5, 200])
    recipient = variables(1, origin=1, band=0)
    coarse = ConditionalSampler.from_donors(donor_vars, levels, min_cell=30).cumulative(recipient)
    np.testing.assert_allclose(coarse[0], [5 / 205] * 4 + [1.0])
    fine = ConditionalSampler.from_donors(donor_vars, levels, min_cell=3).cumulative(recipient)
    np.testing.assert_allclose(fine[0], [1.0] * 5)


def test_the_other_parent_is_a_predictor():
    # Donors: mother's education always equals the father's.
    rng = np.random.default_rng(1)
    levels = rng.integers(0, 5, 5000)
    mother = np.concatenate([levels, np.full(500, -1)])
    father = np.concatenate([levels, np.tile(np.arange(5), 100)])
    imputer = EducationImputer(background(mother, father), np.full(5500, 3.0))
    drawn_mother, drawn_father = imputer.draw(np.random.default_rng(2))
    assert (drawn_mother[5000:] == father[5000:]).all()
    assert (drawn_father == father).all()


def test_observed_values_are_kept_and_draws_are_reproducible():
    rng = np.random.default_rng(5)
    mother = np.where(rng.random(3000) < 0.3, -1, rng.integers(0, 5, 3000))
    father = np.where(rng.random(3000) < 0.4, -1, rng.integers(0, 5, 3000))
    children = background(mother, father, origin=rng.integers(0, 7, 3000),
                          band=rng.integers(0, 4, 3000), debt=rng.random(3000) < 0.1)
    school_mean = rng.uniform(1.5, 4.5, 3000)
    first = EducationImputer(children, school_mean).draw(np.random.default_rng(9))
    second = EducationImputer(children, school_mean).draw(np.random.default_rng(9))
    other = EducationImputer(children, school_mean).draw(np.random.default_rng(10))
    for drawn, again, observed in zip(first, second, (mother, father), strict=True):
        np.testing.assert_array_equal(drawn, again)
        np.testing.assert_array_equal(drawn[observed >= 0], observed[observed >= 0])
        assert drawn.min() >= 0 and drawn.max() <= 4
    assert not np.array_equal(first[0], other[0])


def test_school_mean_bins_have_equal_counts():
    bins = school_mean_bins(np.linspace(1, 5, 1000))
    assert np.bincount(bins).tolist() == [200] * 5


def test_no_observed_education_is_an_error():
    with pytest.raises(ValueError, match="father_education"):
        EducationImputer(background([0, 1], [-1, -1]), np.array([2.0, 3.0]))
