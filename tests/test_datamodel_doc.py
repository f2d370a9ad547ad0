"""docs/data-model.md is generated from the schema and never drifts from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from npo_analysis.data import datamodel_doc, schema
from npo_analysis.data.dataset import DatasetInfo

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"


def test_committed_file_equals_render():
    assert COMMITTED.read_text(encoding="utf-8") == datamodel_doc.render(), (
        f"docs/data-model.md is out of date: run `{datamodel_doc.REGENERATE}`"
    )


def test_every_table_column_and_vocabulary_value_is_documented():
    text = datamodel_doc.render()
    for spec in schema.TABLES.values():
        assert f"### `{spec.name}`" in text
        for col in spec.columns:
            assert f"| `{col.name}` | {col.kind} |" in text
            for value in col.categories or ():
                assert f"`{value}`" in text


def test_a_column_row_shows_type_unit_nullability_range_and_meaning():
    text = datamodel_doc.render()
    assert "| `pupils` | int | pupils | no | >= 0 | Funded pupils on the count date. |" in text
    assert ("| `neighbourhood_code` | string |  | yes | pattern `^WK[0-9]{6}$` | "
            "Neighbourhood the school is located in. |") in text
    assert "`primary`, `vmbo_mbo1`, `havo_vwo_mbo24`, `hbo_wo_bachelor`, `wo_master` (ordered)" \
        in text


def test_dataset_json_keys_are_documented():
    text = datamodel_doc.render()
    for field in dataclasses.fields(DatasetInfo):
        assert f"| `{field.name}` |" in text
    assert "| `count_date` | str | yes | Count date (peildatum)" in text
    assert "| `generator` | dict, optional | no |" in text


def test_glossary_comes_from_the_schema_docstring():
    pairs = datamodel_doc.glossary()
    assert len(pairs) == 11
    assert pairs[0] == ("achterstandsscore", "`disadvantage_score` / `score`")
    assert ("drempel", "`threshold`") in pairs
    assert ("peildatum", "`count_date`") in pairs
    assert pairs[-1] == ("menukaart", "`interventions`")


def test_main_writes_the_file_or_stdout(tmp_path, capsys):
    target = tmp_path / "docs" / "data-model.md"
    datamodel_doc.main([str(target)])
    assert target.read_text(encoding="utf-8") == datamodel_doc.render()
    datamodel_doc.main([])
    assert capsys.readouterr().out == datamodel_doc.render()
