"""The NPO menukaart package data against the published table (/work/shared/domain.md section 5)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from npo_analysis.data import schema
from npo_analysis.data.menukaart import load_cost_bands, load_menukaart
from npo_analysis.data.validation import validate_tables

#: The 15 official interventions, typed from the menukaart table: Dutch name, EEF strand,
#: months of extra progress, cost band, evidence (1-5).
OFFICIAL = [
    ("Feedback", "Feedback", 8, "Laag", 3),
    ("Metacognitie en zelfregulerend leren", "Metacognition and self-regulation", 7,
     "Gemiddeld", 3),
    ("Leren van en met medeleerlingen", "Peer tutoring", 5, "Laag", 4),
    ("Samenwerkend leren", "Collaborative learning", 5, "Laag", 4),
    ("Beheersingsgericht leren", "Mastery learning", 5, "Gemiddeld", 3),
    ("Eén-op-één tutoring", "One to one tuition", 5, "Hoog", 3),
    ("Vroeg- en voorschoolse interventies", "Early years intervention", 5, "Hoog", 4),
    ("Instructie in kleine groepen", "Small group tuition", 4, "Gemiddeld", 2),
    ("Digitale technologie", "Digital technology", 4, "Gemiddeld", 4),
    ("Ouderbetrokkenheid", "Parental engagement", 3, "Gemiddeld", 3),
    ("Individuele instructie", "Individualised instruction", 3, "Hoog", 3),
    ("Verkleinen van klassen", "Reducing class size", 3, "Hoog", 3),
    ("Uitbreiding onderwijstijd", "Extending school time", 2, "Gemiddeld", 2),
    ("Zomer- of lentescholen", "Summer schools", 2, "Gemiddeld", 3),
    ("Onderwijsassistenten", "Teaching assistants", 1, "Hoog", 2),
]

#: Further menukaart strands with their approximate months (unconfirmed): (low, high) or None.
FURTHER = {
    "Social and emotional learning": (4, 4),
    "Behaviour interventions": (3, 4),
    "Physical activity": (1, 2),
    "Arts participation": (2, 3),
    "Mentoring": (1, 1),
    "Reading comprehension strategies": (6, 6),
    "Oral language interventions": (5, 6),
    "Phonics": (4, 5),
    "Well-being interventions": None,
}

#: EEF cost bands per pupil per year in GBP (upper ends), converted at GBP 1 = EUR 1.15.
EEF_UPPER_GBP = {"Laag": 200, "Gemiddeld": 700, "Hoog": 1200}


@pytest.fixture(scope="module")
def menu() -> pd.DataFrame:
    return load_menukaart()


def test_the_15_official_interventions(menu):
    official = menu[menu["months_confirmed"]]
    got = [
        (row.name_nl, row.eef_strand, row.months, row.cost_band, row.evidence)
        for row in official.itertuples()
    ]
    assert got == OFFICIAL


def test_further_interventions_are_unconfirmed_with_months_in_the_stated_range(menu):
    further = menu[~menu["months_confirmed"]].set_index("eef_strand")
    assert sorted(further.index) == sorted(FURTHER)
    for strand, months_range in FURTHER.items():
        months = further.loc[strand, "months"]
        if months_range is None:
            assert math.isnan(months)
        else:
            assert months_range[0] <= months <= months_range[1], strand
    assert further["evidence"].isna().all()


def test_keys_unique_and_columns_in_schema_order(menu):
    assert menu["intervention_id"].is_unique
    assert menu["intervention_id"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert list(menu.columns) == schema.INTERVENTIONS.column_names


def test_cost_ranges_increase_with_band(menu):
    bands = menu.groupby("cost_band", observed=True)[["cost_min_eur", "cost_max_eur"]].first()
    bands = bands.loc[list(schema.COST_BANDS)]
    assert (bands["cost_min_eur"] < bands["cost_max_eur"]).all()
    assert bands["cost_min_eur"].is_monotonic_increasing
    assert bands["cost_max_eur"].is_monotonic_increasing
    # the bands are contiguous: each starts where the cheaper one ends
    assert list(bands["cost_min_eur"].iloc[1:]) == list(bands["cost_max_eur"].iloc[:-1])


def test_cost_band_upper_ends_follow_the_eef_bands():
    bands = load_cost_bands().set_index("cost_band")
    for band, gbp in EEF_UPPER_GBP.items():
        assert bands.loc[band, "cost_max_eur"] == pytest.approx(gbp * 1.15, rel=0.01)


def test_menukaart_validates_against_the_schema(menu):
    assert validate_tables({"interventions": menu}, require_all=False) == []
