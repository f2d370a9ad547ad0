"""Scored schools a public import left out: per municipality, and the sentences reports show."""

from __future__ import annotations

import pandas as pd

from npo_analysis.batch.index import _left_out_sentence
from npo_analysis.data.left_out import (
    dataset_left_out_sentence,
    left_out_by_municipality,
    left_out_sentence,
    left_out_totals,
)


def write_left_out(directory):
    pd.DataFrame({"school_id": ["99AA00", "99AB00", "99AC00"],
                  "municipality_code": ["GM1979", "GM1979", None],
                  "file_code": ["GM0003", "GM0003", "GM0999"],
                  "reason": ["no pupil count for the year"] * 2 + ["unplaced"],
                  "pupils": [100, 50, 30], "score_gross": [80.0, 40.0, 10.0],
                  "score": [10.25, 5.5, 0.0]}).to_parquet(directory / "left_out_scores.parquet")
    return directory


def test_counts_per_municipality_and_country(tmp_path):
    data_dir = write_left_out(tmp_path)
    table = left_out_by_municipality(data_dir)
    assert table["schools"].tolist() == [2, 1]
    assert left_out_totals(data_dir, "GM1979") == {"schools": 2, "pupils": 150,
                                                   "score_gross": 120.0, "score": 15.75}
    assert left_out_totals(data_dir)["schools"] == 3
    assert left_out_totals(data_dir, "GM0363")["schools"] == 0


def test_no_table_means_nothing_left_out(tmp_path):
    assert left_out_totals(tmp_path) == {"schools": 0, "pupils": 0, "score_gross": 0.0,
                                         "score": 0.0}
    assert left_out_sentence(0, 0.0) == ""


def test_sentences_in_both_languages():
    assert left_out_sentence(2, 15.75, "nl", "Eemsdelta") == (
        "Let op: 2 scholen met een gepubliceerde CBS-score (samen 15,75) ontbreken in de "
        "cijfers van Eemsdelta: de import kon ze niet in een gemeente plaatsen of vond geen "
        "leerlingaantal.")
    assert left_out_sentence(1, 1234.5, "en").startswith(
        "Note: 1 school with a published CBS score (1,234.50 in total) is missing from the "
        "figures of the Netherlands")


def test_index_page_sentence_from_dataset_json():
    dataset = {"public": {"left_out": {"schools": 35, "score": 9876.5}}}
    assert "35 scholen" in dataset_left_out_sentence(dataset)
    assert _left_out_sentence(dataset, "en").startswith("Note: 35 schools")
    assert _left_out_sentence({"name": "demoland"}, "nl") == ""
