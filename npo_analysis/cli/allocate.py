"""``npo-analysis allocate``: GOAB and NPO budgets of one budget year, as Parquet and Excel."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from npo_analysis.atomic import atomic_path
from npo_analysis.cli.errors import user_errors
from npo_analysis.domain.budgets import allocate_year, with_names
from npo_analysis.domain.params import load_params
from npo_analysis.report.workbook import write_workbook

SCORE_FILES = ("school_scores", "municipality_scores")

#: Dutch headers of the workbook (what a municipality reads).
MUNICIPALITY_HEADERS = {
    "municipality_code": "Gemeentecode",
    "municipality_name": "Gemeente",
    "score": "Achterstandsscore gemeente",
    "pupils": "Leerlingen",
    "goab_eur": "GOAB-budget (€)",
    "goab_minimum_applied": "Minimumbedrag toegepast",
    "npo_grant_eur": "NPO-uitkering gemeente (€)",
    "schools": "Scholen",
    "npo_schools_eur": "NPO-budget scholen (€)",
}
SCHOOL_HEADERS = {
    "school_id": "Vestiging (BRIN6)",
    "school_name": "School",
    "municipality_code": "Gemeentecode",
    "municipality_name": "Gemeente",
    "pupils": "Leerlingen",
    "score": "Achterstandsscore",
    "per_pupil_eur": "NPO per leerling (€)",
    "per_score_eur": "NPO voor achterstandsscore (€)",
    "budget_eur": "NPO-budget school (€)",
}


def _read_scores(directory: Path) -> dict[str, pd.DataFrame]:
    """Read the indicator's score files; a missing file is named in the error."""
    frames = {}
    for name in SCORE_FILES:
        path = directory / f"{name}.parquet"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: score file not found; run `npo-analysis indicator` to create it"
            )
        frames[name] = pd.read_parquet(path)
    return frames


def _read_previous(path: Path) -> pd.DataFrame:
    """Previous year's ``municipality_budgets.parquet`` as ``municipality_code, budget_cents``."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: previous budgets file not found")
    frame = pd.read_parquet(path)
    missing = [c for c in ("municipality_code", "goab_cents") if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected a "
                         f"municipality_budgets.parquet written by `npo-analysis allocate`")
    return frame.rename(columns={"goab_cents": "budget_cents"})


def _workbook_sheets(municipalities: pd.DataFrame, schools: pd.DataFrame) -> dict:
    """The two sheets of the workbook, with only the columns a municipality reads."""
    gemeenten = municipalities.assign(
        goab_minimum_applied=municipalities["goab_minimum_applied"].map({True: "ja", False: "nee"})
    )[list(MUNICIPALITY_HEADERS)].rename(columns=MUNICIPALITY_HEADERS)
    scholen = schools.assign(per_pupil_eur=schools["per_pupil_cents"] / 100,
                             per_score_eur=schools["per_score_cents"] / 100)
    scholen = scholen[list(SCHOOL_HEADERS)].rename(columns=SCHOOL_HEADERS)
    return {"Gemeenten": gemeenten, "Scholen": scholen}


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False)


@click.command()
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Dataset directory; its municipalities and schools tables supply the names.")
@click.option("--scores", "scores_dir", required=True, type=click.Path(path_type=Path),
              help="Directory holding school_scores.parquet and municipality_scores.parquet "
                   "(written by `npo-analysis indicator`).")
@click.option("--year", required=True, type=int,
              help="Budget year; its amounts are read from <params>/<year>.yaml.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output directory for municipality_budgets.parquet, school_budgets.parquet and "
                   "budgets_<year>.xlsx (created when missing; files are replaced atomically).")
@click.option("--params", "params_dir", default="params", show_default=True,
              type=click.Path(path_type=Path),
              help="Directory of the budget-year parameter files (<year>.yaml).")
@click.option("--previous", "previous_file", default=None, type=click.Path(path_type=Path),
              help="Optional: the previous year's municipality_budgets.parquet, to phase the GOAB "
                   "budgets in (needs goab.phase_in_max_change in the parameters).")
@user_errors
def command(data_dir: Path, scores_dir: Path, year: int, out_dir: Path, params_dir: Path,
            previous_file: Path | None) -> None:
    """Distribute the GOAB and NPO budgets of one budget year over municipalities and schools.

    GOAB: the national total shared by municipal disadvantage score with a guaranteed minimum.
    NPO: per school an amount per pupil plus per score unit; per municipality a grant split by
    pupils and by the GOAB key. All amounts are exact euro cents.
    """
    params = load_params(year, params_dir)
    scores = _read_scores(scores_dir)
    previous = _read_previous(previous_file) if previous_file is not None else None
    result = allocate_year(scores["school_scores"], scores["municipality_scores"], params,
                           previous)
    municipalities, schools = with_names(result, data_dir)
    _write_parquet(municipalities, out_dir / "municipality_budgets.parquet")
    _write_parquet(schools, out_dir / "school_budgets.parquet")
    workbook = out_dir / f"budgets_{year}.xlsx"
    write_workbook(workbook, _workbook_sheets(municipalities, schools))
    click.echo(f"budget year {year}: {len(municipalities)} municipalities, {len(schools)} schools")
    click.echo(f"GOAB total EUR {municipalities['goab_cents'].sum() / 100:,.2f}; "
               f"NPO schools EUR {schools['budget_cents'].sum() / 100:,.2f}; "
               f"NPO municipal grants EUR {municipalities['npo_grant_cents'].sum() / 100:,.2f}")
    click.echo(f"wrote {out_dir}/municipality_budgets.parquet, school_budgets.parquet, "
               f"{workbook.name}")
