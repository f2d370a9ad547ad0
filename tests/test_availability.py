"""Which report sections a dataset supports, and the notices for the others."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.demoland import generate
from npo_analysis.national.tables import NationalTables
from npo_analysis.report import availability
from npo_analysis.report.availability import DatasetContents, Need, dataset_contents, missing_for

DOCS = Path(__file__).resolve().parents[1] / "docs"
PUBLIC_TABLES = {"municipalities": 3, "schools": 4, "neighbourhoods": 0, "interventions": 24,
                 "published_school_scores": 4}


@pytest.fixture(scope="module")
def tiny():
    return generate("tiny", 3)


@pytest.fixture
def public_dir(tmp_path) -> Path:
    """The tables a public import writes (only what availability looks at: rows and columns)."""
    for table, rows in PUBLIC_TABLES.items():
        pd.DataFrame({"x": range(rows)}).to_parquet(tmp_path / f"{table}.parquet")
    pd.DataFrame({"municipality_code": ["GM0001", "GM0002", "GM0003"],
                  "urbanity": pd.array([pd.NA] * 3, dtype="Int64"),
                  "low_income_share": [None, None, None]}).to_parquet(
        tmp_path / "municipalities.parquet")
    pd.DataFrame({"school_id": ["00AA00"] * 4, "neighbourhood_code": [None] * 4}).to_parquet(
        tmp_path / "schools.parquet")
    return tmp_path


def test_demoland_supports_every_section(tiny, tmp_path):
    assert availability.notices(tiny) == []
    directory = write_dataset(tiny, tmp_path / "tiny")
    assert availability.supported_sections(directory) == list(availability.SECTION_NEEDS)


def test_public_dataset_gets_a_notice_for_every_section(public_dir):
    found = {notice.section: notice.missing for notice in availability.notices(public_dir)}
    assert found == {
        "delays": ("test_results",),
        "challenge": ("test_results",),
        "white_spots": ("activities", "neighbourhoods", "pupils | toddlers"),
        "vve": ("toddlers", "vve_locations", "neighbourhoods"),  # neighbourhoods has 0 rows
        "plans": ("school_plans",),
        "plans_vs_optimum": ("school_plans",),
        "neighbourhoods": ("neighbourhoods", "schools.neighbourhood_code"),
        "uncertainty": ("pupils",),
        "indicator_model": ("pupils",),
        "municipal_score": ("toddlers",),
        "peers": ("municipalities.urbanity", "municipalities.low_income_share"),
    }
    assert availability.supported_sections(public_dir) == []


def test_one_alternative_meets_a_clause():
    local = DatasetContents({"activities": 5, "neighbourhoods": 2, "toddlers": 40},
                            frozenset())
    assert missing_for("white_spots", local) is None  # toddlers stand in for pupils
    assert missing_for("vve", local).missing == ("vve_locations",)


def test_a_column_counts_when_it_holds_a_value(public_dir):
    frame = pd.read_parquet(public_dir / "municipalities.parquet")
    frame["urbanity"] = pd.array([1, pd.NA, pd.NA], dtype="Int64")
    frame.to_parquet(public_dir / "municipalities.parquet")
    assert missing_for("peers", public_dir).missing == ("municipalities.low_income_share",)


def test_the_notice_names_the_table_and_where_its_format_is(public_dir):
    notice = missing_for("delays", public_dir)
    assert notice.tables == ("test_results",)
    assert "(tabel `test_results`, formaat: `docs/data-model.md`, onderdeel `test_results`)" \
        in notice.text
    assert ('zie `docs/real-data.md`, onderdeel "What a municipality supplies itself".'
            in notice.text)
    assert "](" not in notice.text  # no relative links: they break in a report opened elsewhere
    assert notice.text.startswith("**Niet beschikbaar: de leerachterstanden")


def test_with_a_docs_address_the_notice_links_the_format(public_dir):
    english = missing_for("delays", public_dir, language="en", docs_url="https://x.nl/docs/")
    assert english.text.startswith("**Not available: the learning delays")
    assert "format: [docs/data-model.md#test_results](https://x.nl/docs/data-model.md" \
           "#test_results)" in english.text
    assert "(https://x.nl/docs/real-data.md#what-a-municipality-supplies-itself)" in english.text


def test_every_linked_anchor_exists_in_the_docs():
    model_headings = re.findall(r"^### `(\w+)`$", (DOCS / "data-model.md").read_text(),
                                flags=re.MULTILINE)
    needed = {need.table for clauses in availability.SECTION_NEEDS.values()
              for clause in clauses for need in clause}
    assert needed <= set(model_headings)
    assert "## What a municipality supplies itself" in (DOCS / "real-data.md").read_text()


def test_notice_as_markdown_and_escaped_html(public_dir):
    notice = missing_for("plans", public_dir)
    assert notice.markdown().startswith("> **Niet beschikbaar")
    page = notice.html()
    assert "&lt;tabel&gt;.parquet" in page and "<tabel>" not in page
    linked = missing_for("plans", public_dir, docs_url="file:///srv/npo/docs").html()
    assert '<a href="file:///srv/npo/docs/data-model.md#school_plans">' in linked
    assert "<code>school_plans</code>" in page and "<strong>Niet beschikbaar" in page


def test_bad_arguments_name_what_is_valid(public_dir, tmp_path):
    with pytest.raises(ValueError, match="section='delay': unknown; expected one of delays"):
        missing_for("delay", public_dir)
    with pytest.raises(ValueError, match="language='de'"):
        missing_for("delays", public_dir, language="de")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        dataset_contents(tmp_path / "nope")
    with pytest.raises(TypeError, match="expected a dataset directory"):
        dataset_contents(42)


def test_need_names():
    assert Need("schools", "neighbourhood_code").name == "schools.neighbourhood_code"
    assert Need("pupils").name == "pupils"


def _tables(source: str) -> NationalTables:
    info = {"indicator_source": source, "dataset": {"count_date": "2019-10-01"}}
    model = {"c_minus_g": 5.800414, "c_minus_g_schools": 6295,
             "reproduction": {"schools": 6295, "within_tolerance": 6295, "tolerance": 0.01}}
    municipalities = pd.DataFrame({"municipality_code": ["GM0001", "GM0002"],
                                   "score": [1000.25, 234.5]})
    return NationalTables(Path("."), info, model, pd.DataFrame(), municipalities)


def test_indicator_note_only_for_published_scores():
    assert availability.indicator_note(_tables("microdata")) is None
    note = availability.indicator_note(_tables("published_school_scores"))
    assert "teldatum 1 oktober 2019" in note and "(5,8004, uit 6.295 scholen)" in note
    assert "6.295 van de 6.295 herberekende schoolscores" in note and "tot op 0,01" in note
    # the Nederland score with threshold: 1,000.25 + 234.50, the municipal approximations
    assert "Nederland de som van deze benaderde gemeentelijke scores (1.234,75)" in note
    assert "peuters van 2,5 tot 4 jaar" in note
    assert "6,295 of the 6,295" in availability.indicator_note(
        _tables("published_school_scores"), "en")
