"""Render ``docs/data-model.md`` from :mod:`npo_analysis.data.schema`, so the documentation never drifts.

Regenerate the committed file with::

    python -m npo_analysis.data.datamodel_doc docs/data-model.md

(or ``python -m npo_analysis.data.datamodel_doc > docs/data-model.md``); a test checks that the
committed file equals :func:`render`.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import textwrap

from npo_analysis.atomic import write_text_atomic
from npo_analysis.data import schema
from npo_analysis.data.dataset import (
    CANONICAL_DTYPES,
    INFO_FILE,
    NULLABLE_DTYPES,
    ORDERED_VOCABULARIES,
    TRUTH_FILE,
    DatasetInfo,
)
from npo_analysis.data.validation import PROBLEM_KINDS, describe_range

REGENERATE = "python -m npo_analysis.data.datamodel_doc docs/data-model.md"

_INTRO = """\
A *dataset* is a directory holding one Parquet file per table (`<table>.parquet`, written without
the pandas index, columns in the order below) plus `{info}` with its metadata. Synthetic datasets
may also hold `{truth}`: the generator's true parameters and planted effects, so that analyses can
be checked against them. `npo_analysis.data.dataset.load_dataset(directory)` reads a dataset, validates
it and converts the columns to the in-memory dtypes below; `npo-analysis validate --data DIR`
checks a directory without loading it for analysis."""

_RULES = """\
Validation (`npo_analysis.data.validation`) reports every problem at once, each naming the table, the
column, the first offending rows (positions from 0, in file order) with their values, and what was
expected. Besides the per-column rules in the tables below (type, missing values, allowed values,
range, code pattern) and unique keys, it checks:

- foreign keys: every value appears in the referenced column (only when both tables are present;
  missing values are allowed in nullable columns);
- `schools.pupils` equals the number of `pupils` rows of the school (when `pupils` is present);
- `activities.age_min <= activities.age_max`;
- a neighbourhood code `WK` + 6 digits carries its municipality's 4 digits (`WK036301` lies in
  `GM0363`), in `neighbourhoods` and in `schools`.

Unknown tables and extra columns are allowed and ignored."""


def render() -> str:
    """Return the Markdown documentation of the data model.

    Returns
    -------
    str
        The content of ``docs/data-model.md``: the dataset concept and ``dataset.json`` keys, the
        validation rules and in-memory dtypes, one section per table (description, key, foreign
        keys, columns) and the glossary of Dutch terms.
    """
    parts = [
        "# Data model",
        f"<!-- Generated from npo_analysis/data/schema.py by `{REGENERATE}`; do not edit. -->",
        _first_paragraph(schema.__doc__),
        "## Datasets",
        _INTRO.format(info=INFO_FILE, truth=TRUTH_FILE),
        f"### `{INFO_FILE}`",
        _info_table(),
        "### Validation",
        _RULES,
        "Problem kinds: " + ", ".join(f"`{kind}`" for kind in PROBLEM_KINDS) + ".",
        "### In-memory dtypes",
        _dtype_table(),
        "### Geometry (optional)",
        _geometry_text(),
        "## Tables",
        _overview_table(),
        *(_table_section(spec) for spec in schema.TABLES.values()),
        "## Glossary",
        _glossary_table(),
    ]
    return "\n\n".join(parts) + "\n"


# --- Datasets ----------------------------------------------------------------------------------


def _geometry_text() -> str:
    """The geometry file (:mod:`npo_analysis.data.geometry`), from its constants."""
    from npo_analysis.data import geometry

    rows = "\n".join(f"| `{level}` | {' or '.join(geometry.GEOMETRY_TYPES[level])} | "
                      f"`{table}.{column}` |"
                      for level, (table, column) in geometry.LEVELS.items())
    text = (f"A dataset may hold `{geometry.GEOMETRY_FILE}` (GeoParquet) beside its tables: one "
            f"row per area or school with columns {', '.join(f'`{c}`' for c in geometry.COLUMNS)}"
            f". It is not a table of the data model (`load_dataset` does not read it); "
            f"`npo_analysis.data.geometry.read_geometry(directory)` reads it, checks it and reprojects "
            f"it to {geometry.DRAWING_CRS} (RD New) for maps. The file must state its CRS; every "
            "geometry must be valid and of its level's type, one row per code and level, and "
            "every code must appear in the table of its level (problem kinds `invalid_geometry`, "
            "`unknown_reference`, `duplicate_key`, `bad_metadata`). A dataset without the file is "
            "valid; its maps say which file to supply.")
    return (textwrap.fill(text, width=100, break_on_hyphens=False)
            + "\n\n| level | geometry | code in |\n| --- | --- | --- |\n" + rows)


def _first_paragraph(docstring: str | None) -> str:
    return _markdown(" ".join((docstring or "").strip().split("\n\n")[0].split()))


def _info_table() -> str:
    described = _numpydoc_parameters(DatasetInfo.__doc__ or "")
    rows = []
    for field in dataclasses.fields(DatasetInfo):
        type_text, meaning = described.get(field.name, ("", ""))
        required = "yes" if field.default is dataclasses.MISSING and \
            field.default_factory is dataclasses.MISSING else "no"
        rows.append([f"`{field.name}`", type_text, required, meaning])
    return _markdown_table(["Key", "Type", "Required", "Meaning"], rows)


def _numpydoc_parameters(docstring: str) -> dict[str, tuple[str, str]]:
    """Name -> (type, description) of the ``Parameters`` section of a numpydoc docstring."""
    lines = docstring.expandtabs().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Parameters") + 2
    entries: dict[str, tuple[str, str]] = {}
    name = None
    for line in lines[start:]:
        if not line.strip():
            break
        header = re.fullmatch(r"\s{4}(\w+) : (.+)", line)
        if header:
            name = header.group(1)
            entries[name] = (header.group(2), "")
        elif name is not None:
            kind, text = entries[name]
            entries[name] = (kind, f"{text} {line.strip()}".strip())
    return {key: (kind, _markdown(text)) for key, (kind, text) in entries.items()}


def _dtype_table() -> str:
    rows = [
        [f"`{kind}`", f"`{CANONICAL_DTYPES[kind]}`",
         f"`{NULLABLE_DTYPES[kind]}`" if kind in NULLABLE_DTYPES else "same"]
        for kind in CANONICAL_DTYPES
    ]
    rows.append(["`category`", "`pandas.Categorical` with the vocabulary below as categories "
                 "(education levels ordered, low to high)", "same (missing as `NaN`)"])
    return _markdown_table(["Type", "In memory", "Nullable column"], rows)


# --- Tables ------------------------------------------------------------------------------------


def _overview_table() -> str:
    rows = [
        [f"[`{spec.name}`](#{spec.name})", "yes" if spec.required else "no",
         _markdown(spec.description), _key_text(spec)]
        for spec in schema.TABLES.values()
    ]
    return _markdown_table(["Table", "Required", "Rows", "Key"], rows)


def _table_section(spec: schema.Table) -> str:
    references = [
        f"`{fk.column}` → `{fk.ref_table}.{fk.ref_column}`" for fk in spec.foreign_keys
    ]
    facts = [
        f"- File: `{spec.name}.parquet`; required in every dataset: "
        f"{'yes' if spec.required else 'no'}",
        f"- Key (unique per row): {_key_text(spec)}",
        f"- Foreign keys: {'; '.join(references) if references else 'none'}",
    ]
    columns = _markdown_table(
        ["Column", "Type", "Unit", "Nullable", "Allowed values", "Meaning"],
        [_column_row(col) for col in spec.columns],
    )
    return "\n\n".join([f"### `{spec.name}`", _markdown(spec.description), "\n".join(facts),
                        columns])


def _key_text(spec: schema.Table) -> str:
    return " + ".join(f"`{name}`" for name in spec.key)


def _column_row(col: schema.Column) -> list[str]:
    nullable = "yes" if col.nullable else "no"
    if not col.required:
        nullable += " (optional column)"
    return [f"`{col.name}`", col.kind, col.unit, nullable, _allowed_text(col),
            _markdown(col.description)]


def _allowed_text(col: schema.Column) -> str:
    parts = []
    if col.categories is not None:
        ordered = " (ordered)" if col.categories in ORDERED_VOCABULARIES else ""
        parts.append(", ".join(f"`{value}`" for value in col.categories) + ordered)
    if col.minimum is not None or col.maximum is not None:
        parts.append(describe_range(col.minimum, col.maximum))
    if col.pattern is not None:
        parts.append(f"pattern `{col.pattern}`")
    return "; ".join(parts)


# --- Glossary ----------------------------------------------------------------------------------


def _glossary_table() -> str:
    return _markdown_table(["Dutch term", "Name used here"],
                           [[dutch, english] for dutch, english in glossary()])


def glossary() -> list[tuple[str, str]]:
    """Return the glossary of the schema module docstring as (Dutch term, name used here) pairs.

    Returns
    -------
    list of tuple of str
        In the docstring's order, Markdown-formatted (code names in backticks).
    """
    text = (schema.__doc__ or "").split("Glossary", 1)[1].split(":", 1)[1]
    text = " ".join(text.split()).rstrip(".")
    items = re.split(r",\s+(?=[^,]+->)", text)
    pairs = [item.split("->", 1) for item in items]
    return [(_markdown(dutch.strip()), _markdown(name.strip())) for dutch, name in pairs]


# --- Markdown helpers --------------------------------------------------------------------------


def _markdown(text: str) -> str:
    """reStructuredText inline code (``x``) and roles (:mod:`x`) -> Markdown code."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(row) for row in rows)])


def main(argv: list[str] | None = None) -> None:
    """Write the documentation to the path given as argument (atomically), or to stdout.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``): an optional output path.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        raise SystemExit(f"usage: {REGENERATE.replace('docs/data-model.md', '[OUTPUT.md]')}")
    if args:
        write_text_atomic(args[0], render())
    else:
        sys.stdout.write(render())


if __name__ == "__main__":
    main()
