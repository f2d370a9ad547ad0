"""School scores from given onderwijsscores: a hand calculation, flags, rounding, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npo_analysis.domain.indicator.scores import (
    lowest,
    national_target,
    reliability_flags,
    round_half_up,
    school_scores_from_pupils,
    target_size,
)

# 20 pupils at 2 schools; 15% -> the 3 lowest scores (520 and 524 at AA, 522 at BB).
HAND = pd.DataFrame({
    "school_id": ["00AA00"] * 12 + ["00BB00"] * 8,
    "score": [520, 524, 530, 534, 536, 538, 540, 540, 542, 544, 546, 548,
              522, 532, 535, 537, 539, 541, 543, 545],
    "age": [4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 6, 7,
            9, 8, 9, 10, 11, 12, 5, 6],
})


def test_hand_calculation():
    schools, national = school_scores_from_pupils(HAND, target_share=0.15,
                                                  threshold_fraction=0.12)
    # C = (6442 + 4294) / 20 = 536.8; G = (520 + 522 + 524) / 3 = 522; C - G = 14.8.
    assert national.c == pytest.approx(536.8)
    assert national.g == pytest.approx(522.0)
    assert national.boundary == 524.0
    assert national.n_target == 3
    aa, bb = schools.iloc[0], schools.iloc[1]
    assert (aa["school_id"], bb["school_id"]) == ("00AA00", "00BB00")
    # A(AA) = (536.8 - 520) + (536.8 - 524) = 29.6, both pupils aged <= 7.
    assert aa["score_gross"] == pytest.approx(29.6)
    assert aa["score_gross_onderbouw"] == pytest.approx(29.6)
    assert aa["score_gross_bovenbouw"] == pytest.approx(0.0)
    # B(AA) = 12 x 0.12 x 14.8 = 21.312; 29.6 - 21.312 = 8.288 -> 8.29.
    assert aa["threshold"] == pytest.approx(21.312)
    assert aa["score"] == 8.29
    # A(BB) = 536.8 - 522 = 14.8, the pupil is 9 (bovenbouw); B = 8 x 0.12 x 14.8 = 14.208.
    assert bb["score_gross"] == pytest.approx(14.8)
    assert bb["score_gross_bovenbouw"] == pytest.approx(14.8)
    assert bb["threshold"] == pytest.approx(14.208)
    assert bb["score"] == 0.59
    assert schools["pupils"].tolist() == [12, 8]
    assert schools["target_pupils"].tolist() == [2, 1]
    # AA: 12 pupils, 7 aged <= 7, 5 aged >= 8 -> all three flags.
    assert schools["flag"].tolist() == ["a, b, c", "a, b, c"]


def test_threshold_can_wipe_out_a_score():
    schools, _ = school_scores_from_pupils(HAND, target_share=0.15, threshold_fraction=0.5)
    # B(AA) = 12 x 0.5 x 14.8 = 88.8 > 29.6.
    assert schools["score"].tolist() == [0.0, 0.0]


def test_flags_follow_the_40_pupil_rule():
    flags = reliability_flags([41, 41, 40, 100, 30], [41, 40, 41, 60, 10], [41, 41, 41, 40, 20])
    assert flags.tolist() == ["", "b", "a", "c", "a, b, c"]


def test_rounding_is_half_up_like_cbs():
    assert round_half_up([0.125, 2.675, 1.004, 0.0]).tolist() == [0.13, 2.68, 1.0, 0.0]


def test_target_size_rounds_half_up():
    assert [target_size(n, 0.15) for n in (10, 20, 100, 7)] == [2, 3, 15, 1]


def test_ties_at_the_boundary_are_broken_by_the_tie_breaker():
    scores = np.array([5.0, 1.0, 3.0, 3.0, 3.0, 9.0])
    mask = lowest(scores, 3, tie_break=np.array([0, 0, 30, 10, 20, 0]))
    assert mask.tolist() == [False, True, False, True, True, False]


def test_no_pupils_is_an_error():
    with pytest.raises(ValueError, match="no pupils"):
        national_target([])


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"\['age'\]"):
        school_scores_from_pupils(HAND.drop(columns="age"))


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.floats(500, 560, allow_nan=False), min_size=1, max_size=300),
    n_schools=st.integers(1, 12),
    share=st.floats(0.01, 0.99),
    seed=st.integers(0, 1000),
)
def test_invariants(scores, n_schools, share, seed):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"school_id": [f"{i:02d}AB00" for i in rng.integers(0, n_schools,
                                                                              len(scores))],
                          "score": scores, "age": rng.integers(4, 13, len(scores))})
    schools, national = school_scores_from_pupils(frame, target_share=share)
    n_target = target_size(len(scores), share)
    assert national.n_target == n_target == schools["target_pupils"].sum()
    assert schools["score_gross"].sum() == pytest.approx(n_target * (national.c - national.g),
                                                         abs=1e-6)
    assert (schools["score"] >= 0).all()
    np.testing.assert_allclose(schools["score_gross_onderbouw"] + schools["score_gross_bovenbouw"],
                               schools["score_gross"], atol=1e-9)
    assert schools["pupils"].sum() == len(scores)
    target_scores = np.asarray(scores)[national.target]
    assert (np.asarray(scores)[~national.target] >= target_scores.max(initial=-np.inf)).all()
