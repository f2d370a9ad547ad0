"""Pupils per municipality per year (DUO history), the report's trend, Demoland's history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from npo_analysis.data.demoland import generate
from npo_analysis.data.pupil_trend import municipality_pupil_history, trend_series
from npo_analysis.data.sources import duo
from npo_analysis.report.trends import pupil_trend

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"


@pytest.fixture(scope="module")
def history():
    counts = duo.read_pupil_counts(FIXTURES / "pupil_counts.csv")
    current = counts.drop_duplicates("school_id").set_index("school_id")["municipality_code"]
    return municipality_pupil_history(counts, current)


def rows(history, code, school_type="BO"):
    own = history[(history["municipality_code"] == code)
                  & (history["school_type"] == school_type)]
    return own.set_index("year")


def test_sums_counts_suppressed_openings_and_closures(history):
    # GM0901: 99AA00 118/121/119 and 99AB01 <5/35/<5 (2018-2020)
    zuiderwold = rows(history, "GM0901")
    assert zuiderwold["pupils"].tolist() == [118, 156, 119]
    assert zuiderwold["schools"].tolist() == [2, 2, 2]
    assert zuiderwold["suppressed_schools"].tolist() == [1, 0, 1]
    # GM0902: 99AB00 190/200/210, 99AF00 61/60/0 -> closed in 2020
    assert rows(history, "GM0902")["closed"].tolist() == [0, 0, 1]
    # GM0903: 99AC00 0/0/25 -> opened in 2020
    assert rows(history, "GM0903")["opened"].tolist() == [0, 0, 1]
    # SBO kept apart: 99AG00 (GM0014) 80/82/<5
    sbo = rows(history, "GM0014", "SBO")
    assert sbo["pupils"].tolist() == [80, 82, 0] and sbo["suppressed_schools"].tolist() == [0,
                                                                                           0, 1]
    assert rows(history, "GM0014")["pupils"].sum() == 0  # no regular school there


def test_index_of_municipality_and_country(history):
    series = trend_series(history, "GM0902").set_index(["area", "year"])
    assert series.loc[("municipality", 2020), "index"] == pytest.approx(210 / 251 * 100)
    # the country (BO): 2018 118 + 251 + 0 + 88 = 457; 2020 119 + 210 + 25 + 91 = 445
    assert series.loc[("country", 2020), "index"] == pytest.approx(445 / 457 * 100)


def test_series_starts_at_the_first_year_with_pupils(history):
    series = trend_series(history, "GM0903")
    assert series["year"].unique().tolist() == [2020]
    assert trend_series(history, "GM0014").empty  # never a regular pupil


def test_demoland_history_ends_at_the_schools_pupils_and_fills_the_section(tmp_path):
    dataset = generate("tiny", seed=3)
    history = dataset["pupil_history"]
    last = history[(history["year"] == history["year"].max()) & (history["school_type"] == "BO")]
    expected = dataset["schools"].groupby("municipality_code")["pupils"].sum()
    assert last.set_index("municipality_code")["pupils"].to_dict() == expected.to_dict()
    assert history["year"].min() == 1996
    pd.testing.assert_frame_equal(history, generate("tiny", seed=3)["pupil_history"])
    history.to_parquet(tmp_path / "pupil_history.parquet")
    code = expected.index[0]
    trend = pupil_trend(tmp_path, code, "Demostad", "en")
    assert trend is not None and set(trend.chart["area"]) == {"Demostad", "the Netherlands"}
    assert trend.text.startswith(f"On 1 October 2024, Demostad had {expected[code]:,} pupils")
