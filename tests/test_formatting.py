"""Dutch and English number formatting, written out by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from npo_analysis.formatting import (
    format_count,
    format_date,
    format_eur,
    format_number,
    format_pct,
    is_suppressed,
    round_half_up,
    suppress_small,
)


@pytest.mark.parametrize(("value", "expected"), [
    (1234567, "€ 1.234.567"),
    (0, "€ 0"),
    (999.5, "€ 1.000"),
    (-1234, "€ -1.234"),
    (np.int64(64000), "€ 64.000"),
    (486_000_000.0, "€ 486.000.000"),
])
def test_format_eur_dutch(value, expected):
    assert format_eur(value) == expected


def test_format_eur_with_cents_and_english():
    assert format_eur(701.16, decimals=2) == "€ 701,16"
    assert format_eur(1234567, language="en") == "€1,234,567"
    assert format_eur(-1234.5, decimals=2, language="en") == "-€1,234.50"


@pytest.mark.parametrize(("value", "expected"), [
    (0.123, "12,3%"),
    (0.15, "15,0%"),
    (0.0005, "0,1%"),  # 0.05% rounds half up to 0.1%
    (1.0, "100,0%"),
    (-0.042, "-4,2%"),
    (0.0, "0,0%"),
])
def test_format_pct_dutch(value, expected):
    assert format_pct(value) == expected


def test_format_pct_english_and_decimals():
    assert format_pct(0.123, language="en") == "12.3%"
    assert format_pct(0.5, decimals=0) == "50%"
    assert format_pct(0.1235, decimals=2) == "12,35%"


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (1234.5, 1, "1.234,5"),
    (0.05, 1, "0,1"),      # half-up on the decimal value, not banker's rounding of the float
    (0.25, 1, "0,3"),
    (2.675, 2, "2,68"),   # the float 2.675 is 2.67499..., but it is written 2.675
    (-0.04, 1, "0,0"),    # no negative zero
    (-2.5, 0, "-3"),
    (1_000_000, 0, "1.000.000"),
])
def test_format_number_rounds_half_up(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_format_number_english():
    assert format_number(1234.5, decimals=1, language="en") == "1,234.5"
    assert format_count(1234567, language="en") == "1,234,567"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_values_are_a_dash(missing):
    assert format_number(missing) == "–"
    assert format_eur(missing) == "–"
    assert format_pct(missing) == "–"
    assert suppress_small(missing) == "–"


def test_suppress_small_hides_counts_below_ten():
    assert suppress_small(9) == "<10"
    assert suppress_small(1) == "<10"
    assert suppress_small(0) == "<10"
    assert suppress_small(10) == "10"
    assert suppress_small(1234) == "1.234"
    assert suppress_small(4, limit=5) == "<5"
    assert is_suppressed(9) and not is_suppressed(10)


def test_round_half_up_of_exact_values():
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(12345678901234567, 0) == Decimal(12345678901234567)
    with pytest.raises(ValueError, match="finite"):
        round_half_up(math.inf)


def test_format_date():
    assert format_date("2025-02-01") == "1 februari 2025"
    assert format_date("2022-10-01", language="en") == "1 October 2022"


def test_unknown_language_is_named():
    with pytest.raises(ValueError, match="language='de'"):
        format_number(1, language="de")
