"""``npo-analysis import-public``: build a school-level dataset from the public DUO/CBS files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from npo_analysis.cli.errors import require_rows, user_errors

#: Written next to the tables: the import report as JSON.
REPORT_FILE = "import_report.json"

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("import-public")
@click.option("--addresses", type=_FILE, required=True,
              help="DUO 'alle schoolvestigingen basisonderwijs' CSV (either layout).")
@click.option("--pupils", type=_FILE, required=True,
              help="DUO 'historisch overzicht aantal leerlingen per schoolvestiging' CSV.")
@click.option("--scores", type=_FILE, required=True,
              help="CBS workbook 'Achterstandsscores basisscholen' (.xlsx).")
@click.option("--municipalities", type=_FILE, required=True,
              help="CBS 'gemeenten alfabetisch' list (CSV or .xlsx).")
@click.option("--end-scores", "end_scores", type=_FILE, default=None,
              help="DUO 'gemiddelde eindscores bo sbo' CSV (optional).")
@click.option("--year", type=click.IntRange(1996, 2100), default=None,
              help="Count year of the pupil counts (default: the score file's count year).")
@click.option("--indeling", type=click.IntRange(1990, 2100), default=None,
              help="Year of the municipal indeling to place every school in (default: the "
                   "year of the municipality list, from its file name or codes).")
@click.option("--allow-unplaced", "allow_unplaced", is_flag=True, default=False,
              help="Import even when scored schools cannot be placed in the indeling; they "
                   "are left out and every report says how many and how much score.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Dataset directory to write (replaced atomically when it exists).")
@click.option("--geometry", "geometry_files", type=_FILE, multiple=True,
              help="GeoJSON or GeoPackage of CBS municipality and/or wijk boundaries (property "
                   "statcode), e.g. from `npo-analysis fetch` (repeatable).")
@user_errors
def command(addresses: Path, pupils: Path, scores: Path, municipalities: Path,
            end_scores: Path | None, year: int | None, indeling: int | None,
            allow_unplaced: bool, out: Path, geometry_files: tuple[Path, ...]) -> None:
    """Build a school-level dataset (no pupil microdata) from the public DUO and CBS files.

    Joins schools on their BRIN6 and municipalities on their CBS code, writes the dataset
    (synthetic: false, file names and SHA-256 checksums in dataset.json) and import_report.json,
    and prints the import report: rows read, join rates between the files, every municipality
    mapping applied and every school left out with the reason. Every school is placed in one
    indeling (--indeling, default the municipality list's year), across municipal
    reorganisations; a scored school that cannot be placed stops the import (exit 1, listing
    the schools) unless --allow-unplaced is given. Example:

    \b
      npo-analysis import-public --addresses duo_02.csv --pupils duo_06.csv \\
        --scores cbs_achterstandsscores-scholen-2019.xlsx \\
        --municipalities cbs_gemeenten-alfabetisch-2023.csv --out outputs/data/public-2019
    """
    from npo_analysis.atomic import write_text_atomic
    from npo_analysis.data.dataset import write_dataset
    from npo_analysis.data.sources.public_dataset import build_public_dataset

    require_rows("--addresses", addresses)

    dataset, report = build_public_dataset(addresses, pupils, scores, municipalities,
                                           end_scores=end_scores, year=year,
                                           indeling=indeling, allow_unplaced=allow_unplaced)
    if geometry_files:
        dataset.geometry = _imported_geometry(geometry_files, dataset)
    write_dataset(dataset, out)
    write_text_atomic(out / REPORT_FILE,
                      json.dumps(report.to_dict(), indent=2, sort_keys=True,
                                 ensure_ascii=False) + "\n")
    click.echo(report.to_text())
    click.echo(f"Dataset {dataset.info.name} written to {out} (count date "
               f"{dataset.info.count_date}).")


def _imported_geometry(files: tuple[Path, ...], dataset):
    """The boundaries of ``files`` that the dataset's indeling knows (tells what it left out)."""
    from npo_analysis.data.sources.geometry import (
        combine_boundaries,
        dataset_geometry,
        read_boundaries,
    )

    imported = dataset_geometry(combine_boundaries([read_boundaries(f) for f in files]),
                                dataset.tables)
    click.echo(imported.to_text())
    return imported.geometry
