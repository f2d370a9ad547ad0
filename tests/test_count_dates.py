"""The count-date rule: a dataset with the scores of two count dates funds budget year 2024 with
their average (CBS maatwerk 2024/27: 1 February 2022 and 1 February 2023, equal weights)."""

from __future__ import annotations

import pandas as pd
import pytest
from report_support import PARAMS_DIR, REALFORMAT
from test_sources_cbs import write_score_workbook

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.sources.public_dataset import build_public_dataset
from npo_analysis.domain.indicator.published import combine_count_dates
from npo_analysis.national.tables import build_national_tables, load_national_tables


def two_count_dates(scores: pd.DataFrame) -> pd.DataFrame:
    """The fixture's scores as of 1 Feb 2022, and made-up ones of 1 Feb 2023 (A and score + 10,
    10 pupils more)."""
    first = scores.assign(count_date="2022-02-01")
    second = scores.assign(count_date="2023-02-01", pupils=scores["pupils"] + 10,
                           score_gross=scores["score_gross"] + 10, score=scores["score"] + 10)
    return pd.concat([first, second], ignore_index=True)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    directory = tmp_path_factory.mktemp("two_dates")
    dataset, _ = build_public_dataset(
        REALFORMAT / "addresses_current.csv", REALFORMAT / "pupil_counts.csv",
        write_score_workbook(directory / "scores.xlsx"), REALFORMAT / "municipalities.csv",
        allow_unplaced=True)
    one_date = dataset["published_school_scores"]
    dataset.tables["published_school_scores"] = two_count_dates(one_date)
    write_dataset(dataset, directory / "data")
    build_national_tables(directory / "data", directory / "results", params_dir=PARAMS_DIR,
                          years=[2024])
    return one_date, load_national_tables(directory / "results")


def test_budget_year_2024_uses_the_average_of_both_count_dates(tables):
    one_date, national = tables
    schools = national.budgets(2024).schools.set_index("school_id")
    # 99AB00: published 111.3 (2022) and 121.3 (2023) -> 116.3; pupils 200 and 210 -> 205
    assert schools.loc["99AB00", "score"] == pytest.approx(116.3)
    assert schools.loc["99AB00", "pupils"] == 205
    # every school: its 2022 score + 5, published as published
    expected = one_date.set_index("school_id")["score"] + 5
    assert schools["score"].sort_index().tolist() == pytest.approx(
        expected.loc[schools.index].sort_index().tolist())


def test_combine_needs_every_count_date_of_the_rule():
    scores = pd.DataFrame({"school_id": ["99AA00"], "count_date": ["2022-02-01"],
                           "pupils": [100], "score_gross": [1.0], "score_gross_onderbouw": [0.5],
                           "score_gross_bovenbouw": [0.5], "score": [0.0], "flag": [""],
                           "flag_parts": [""]})
    with pytest.raises(ValueError, match=r"count dates \['2023-02-01'\] of the count-date rule "
                                         r"are not in the scores"):
        combine_count_dates(scores, {"2022-02-01": 0.5, "2023-02-01": 0.5})


def test_a_school_of_one_count_date_keeps_its_own_score():
    scores = pd.DataFrame({"school_id": ["A", "A", "B"],
                           "count_date": ["2022-02-01", "2023-02-01", "2023-02-01"],
                           "pupils": [100, 120, 50], "score_gross": [40.0, 60.0, 30.0],
                           "score_gross_onderbouw": [20.0, 30.0, 10.0],
                           "score_gross_bovenbouw": [20.0, 30.0, 20.0],
                           "score": [10.0, 30.0, 7.5], "flag": ["", "", ""],
                           "flag_parts": ["", "", ""]})
    combined = combine_count_dates(scores, {"2022-02-01": 0.25, "2023-02-01": 0.75})
    # A: 0.25 x 10 + 0.75 x 30 = 25; B opened in 2023: its one score, weight rescaled to 1
    assert combined.set_index("school_id")["score"].to_dict() == {"A": 25.0, "B": 7.5}
    assert combined.set_index("school_id")["pupils"].to_dict() == {"A": 115, "B": 50}
